package spec

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// node is one position in the segment trie. Literal children are found by
// map lookup; template children are tried in order of specificity, so a
// lookup costs one step per path segment whatever the number of operations.
type node struct {
	lit   map[string]*node
	edges []*edge
	ops   map[string][]*Operation // by upper-case method, in document order
}

// class is what a path parameter's schema lets a segment be, most specific
// first: it orders sibling templates and decides between them.
type class uint8

const (
	classEnum class = iota
	classInteger
	classNumber
	classBoolean
	classUUID
	classString
)

// edge is a template segment: a whole parameter ("{id}") or a mix of
// literal text and parameters ("{name}.json").
type edge struct {
	key     string
	parts   []part  // nil for a whole-segment parameter
	classes []class // one per parameter part
	enum    map[string]bool
	literal int // length of literal text, for ordering mixed segments
	child   *node
}

func classOf(p *openapi3.Parameter) (class, []string) {
	if p == nil || p.Schema == nil || p.Schema.Value == nil {
		return classString, nil
	}
	s := p.Schema.Value
	switch {
	case s.Type.Includes(openapi3.TypeString):
		if len(s.Enum) > 0 {
			var values []string
			for _, v := range s.Enum {
				str, ok := v.(string)
				if !ok {
					return classString, nil
				}
				values = append(values, str)
			}
			return classEnum, values
		}
		if s.Format == "uuid" {
			return classUUID, nil
		}
		return classString, nil
	case s.Type.Includes(openapi3.TypeInteger):
		return classInteger, nil
	case s.Type.Includes(openapi3.TypeNumber):
		return classNumber, nil
	case s.Type.Includes(openapi3.TypeBoolean):
		return classBoolean, nil
	}
	return classString, nil
}

func (n *node) literalChild(s string) *node {
	if n.lit == nil {
		n.lit = map[string]*node{}
	}
	c := n.lit[s]
	if c == nil {
		c = &node{}
		n.lit[s] = c
	}
	return c
}

func (n *node) edgeChild(e *edge) *node {
	for _, have := range n.edges {
		if have.key == e.key {
			return have.child
		}
	}
	e.child = &node{}
	n.edges = append(n.edges, e)
	return e.child
}

func (n *node) addOp(op *Operation) {
	if n.ops == nil {
		n.ops = map[string][]*Operation{}
	}
	for _, have := range n.ops[op.Method] {
		if have == op {
			return // the same operation reached through two servers
		}
	}
	n.ops[op.Method] = append(n.ops[op.Method], op)
}

// finish orders every node's template edges, most specific first: mixed
// segments by how much literal text they pin down, then whole parameters
// by class (an int64 parameter is tried before a string one).
func (n *node) finish() {
	sort.SliceStable(n.edges, func(i, j int) bool {
		a, b := n.edges[i], n.edges[j]
		if (a.parts != nil) != (b.parts != nil) {
			return a.parts != nil
		}
		if a.parts != nil && a.literal != b.literal {
			return a.literal > b.literal
		}
		if a.classes[0] != b.classes[0] {
			return a.classes[0] < b.classes[0]
		}
		return a.key < b.key
	})
	for _, c := range n.lit {
		c.finish()
	}
	for _, e := range n.edges {
		e.child.finish()
	}
}

func (ix *Index) insert(prefix string, tmpl []segment, op *Operation) {
	n := ix.root
	if prefix != "" {
		for _, s := range strings.Split(prefix[1:], "/") {
			n = n.literalChild(unescapeSegment(s))
		}
	}
	param := 0
	for _, seg := range tmpl {
		if lit, ok := seg.literal(); ok {
			n = n.literalChild(lit)
			continue
		}
		e := &edge{}
		var key strings.Builder
		whole := len(seg.parts) == 1
		for _, p := range seg.parts {
			if !p.param {
				e.literal += len(p.text)
				key.WriteString("L" + strconv.Quote(p.text))
				continue
			}
			c, enum := classOf(op.pathParams[param])
			param++
			e.classes = append(e.classes, c)
			key.WriteString("P" + strconv.Itoa(int(c)))
			if c == classEnum {
				sort.Strings(enum)
				e.enum = map[string]bool{}
				for _, v := range enum {
					e.enum[v] = true
					key.WriteString("|" + strconv.Quote(v))
				}
			}
		}
		if !whole {
			e.parts = seg.parts
		}
		e.key = key.String()
		n = n.edgeChild(e)
	}
	n.addOp(op)
}

// accepts reports whether a decoded segment can be a value of class c.
func (e *edge) accepts(c class, s string) bool {
	if s == "" {
		return false
	}
	switch c {
	case classEnum:
		return e.enum[s]
	case classInteger:
		i := 0
		if s[0] == '-' || s[0] == '+' {
			i = 1
		}
		return i < len(s) && isDigits(s[i:])
	case classNumber:
		f, err := strconv.ParseFloat(s, 64)
		return err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && s[0] != 'I' && s[0] != 'i' && s[0] != 'N' && s[0] != 'n'
	case classBoolean:
		return s == "true" || s == "false"
	case classUUID:
		return isUUID(s)
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// accepts is e.accepts, or any non-empty segment in an untyped search.
func (s *search) accepts(e *edge, c class, seg string) bool {
	if s.untyped {
		return seg != ""
	}
	return e.accepts(c, seg)
}

// match tries the edge against a decoded segment, capturing the parameter
// values into s.
func (e *edge) match(seg string, s *search) bool {
	if e.parts == nil {
		return s.accepts(e, e.classes[0], seg) && s.capture(seg)
	}
	return e.matchParts(e.parts, 0, seg, s)
}

func (e *edge) matchParts(parts []part, param int, seg string, s *search) bool {
	if len(parts) == 0 {
		return seg == ""
	}
	p := parts[0]
	if !p.param {
		rest, ok := strings.CutPrefix(seg, p.text)
		return ok && e.matchParts(parts[1:], param, rest, s)
	}
	if len(parts) == 1 {
		return s.accepts(e, e.classes[param], seg) && s.capture(seg)
	}
	// A parameter is followed by literal text: try each place that text
	// occurs, shortest value first.
	lit := parts[1].text
	k := s.ncap
	for from := 1; from <= len(seg); {
		i := strings.Index(seg[from:], lit)
		if i < 0 {
			break
		}
		cut := from + i
		if s.accepts(e, e.classes[param], seg[:cut]) && s.capture(seg[:cut]) {
			if e.matchParts(parts[2:], param+1, seg[cut+len(lit):], s) {
				return true
			}
			s.ncap = k
		}
		from = cut + 1
	}
	return false
}
