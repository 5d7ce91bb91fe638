package diff

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apitrail/apitrail/internal/jsonscan"
)

// The differ parses JSON into its own flat tree rather than through
// encoding/json: decoding a 10 MB body into map[string]any costs about
// 280 ms and two million allocations, most of the time budget of a whole
// comparison. The tree below keeps every node in one slice, slices strings
// out of a single copy of the input, and sorts each object's members once, so
// that comparing two objects is a merge of two sorted lists and printing them
// needs no further sorting.

type jsonKind uint8

const (
	jNull jsonKind = iota
	jFalse
	jTrue
	jNumber
	jString
	jObject
	jArray
)

// scalar reports whether a node of this kind has no children.
func (k jsonKind) scalar() bool { return k < jObject }

// jnode is one JSON value. Members of an object carry their name in key.
// A container's children are tree.nodes[first : first+n], objects' sorted by
// key with duplicate names resolved to the last one, as encoding/json does.
type jnode struct {
	key   string
	str   string // the literal of a number, the decoded text of a string
	first int32
	n     int32
	kind  jsonKind
}

type jtree struct {
	nodes []jnode
	root  jnode
}

func (t *jtree) kids(n *jnode) []jnode { return t.nodes[n.first : n.first+n.n] }

// maxDepth bounds nesting so that hostile input cannot exhaust the stack;
// encoding/json uses the same bound.
const maxDepth = 10000

type jparser struct {
	src   string
	pos   int
	nodes []jnode
	stack []jnode // children of the containers being read, innermost last
}

// parseJSON reads one JSON value (surrounded by optional white space) into a tree.
func parseJSON(data []byte) (*jtree, error) {
	p := &jparser{src: string(data)}
	// A rough guess that avoids most regrowth: one node per 12 bytes.
	p.nodes = make([]jnode, 0, len(data)/12+1)
	p.ws()
	root, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q after the top-level value", p.src[p.pos])
	}
	return &jtree{nodes: p.nodes, root: root}, nil
}

func (p *jparser) errorf(format string, args ...any) error {
	return jsonscan.Errorf(p.pos, format, args...)
}

func (p *jparser) ws() { p.pos = jsonscan.Space(p.src, p.pos) }

func (p *jparser) value(depth int) (jnode, error) {
	if p.pos >= len(p.src) {
		return jnode{}, p.errorf("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.string()
		return jnode{kind: jString, str: s}, err
	case c == '-' || c >= '0' && c <= '9':
		s, err := p.number()
		return jnode{kind: jNumber, str: s}, err
	case strings.HasPrefix(p.src[p.pos:], "null"):
		p.pos += 4
		return jnode{kind: jNull}, nil
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return jnode{kind: jTrue}, nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return jnode{kind: jFalse}, nil
	default:
		return jnode{}, p.errorf("unexpected %q", c)
	}
}

// flush moves the children collected since mark into the tree as one block.
func (p *jparser) flush(mark int, kind jsonKind) jnode {
	kids := p.stack[mark:]
	if kind == jObject && len(kids) > 1 {
		slices.SortStableFunc(kids, func(a, b jnode) int { return strings.Compare(a.key, b.key) })
		// After a stable sort the last of equal names is the one that counts.
		w := 0
		for i := range kids {
			if i+1 < len(kids) && kids[i+1].key == kids[i].key {
				continue
			}
			kids[w] = kids[i]
			w++
		}
		kids = kids[:w]
	}
	n := jnode{kind: kind, first: int32(len(p.nodes)), n: int32(len(kids))}
	p.nodes = append(p.nodes, kids...)
	p.stack = p.stack[:mark]
	return n
}

func (p *jparser) object(depth int) (jnode, error) {
	if depth > maxDepth {
		return jnode{}, p.errorf("nested more than %d levels", maxDepth)
	}
	p.pos++ // {
	mark := len(p.stack)
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return p.flush(mark, jObject), nil
	}
	for {
		p.ws()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return jnode{}, p.errorf("want a member name")
		}
		key, err := p.string()
		if err != nil {
			return jnode{}, err
		}
		p.ws()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return jnode{}, p.errorf("want ':' after a member name")
		}
		p.pos++
		p.ws()
		v, err := p.value(depth)
		if err != nil {
			return jnode{}, err
		}
		v.key = key
		p.stack = append(p.stack, v)
		p.ws()
		if p.pos >= len(p.src) {
			return jnode{}, p.errorf("unexpected end of input in an object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return p.flush(mark, jObject), nil
		default:
			return jnode{}, p.errorf("want ',' or '}' in an object")
		}
	}
}

func (p *jparser) array(depth int) (jnode, error) {
	if depth > maxDepth {
		return jnode{}, p.errorf("nested more than %d levels", maxDepth)
	}
	p.pos++ // [
	mark := len(p.stack)
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return p.flush(mark, jArray), nil
	}
	for {
		p.ws()
		v, err := p.value(depth)
		if err != nil {
			return jnode{}, err
		}
		p.stack = append(p.stack, v)
		p.ws()
		if p.pos >= len(p.src) {
			return jnode{}, p.errorf("unexpected end of input in an array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return p.flush(mark, jArray), nil
		default:
			return jnode{}, p.errorf("want ',' or ']' in an array")
		}
	}
}

// number reads a number literal as written; numbers are compared by value
// later (see numbersEqual), never through float64.
func (p *jparser) number() (lit string, err error) {
	lit, p.pos, err = jsonscan.Number(p.src, p.pos)
	return lit, err
}

// string reads a quoted string (jsonscan slices it out of the input
// without copying when it has no escapes).
func (p *jparser) string() (str string, err error) {
	str, p.pos, err = jsonscan.String(p.src, p.pos)
	return str, err
}

// numbersEqual compares two valid JSON number literals by value, exactly:
// 1, 1.0 and 1e0 are equal, and 9007199254740993 differs from
// 9007199254740992 although both round to the same float64.
func numbersEqual(a, b string) bool {
	if a == b {
		return true
	}
	if plainInt(a) && plainInt(b) {
		return false // integers have one spelling each
	}
	na, oka := canonNumber(a)
	nb, okb := canonNumber(b)
	if !oka || !okb {
		return false // exponents too large to normalise: compare as written
	}
	return na == nb
}

// plainInt reports whether a valid JSON number is an integer literal in
// its only spelling: no fraction, no exponent, not -0.
func plainInt(s string) bool {
	return s != "-0" && !strings.ContainsAny(s, ".eE")
}

// canonNumber reduces a JSON number to sign, significant digits and the
// exponent of the first of them, so that equal values give equal results.
func canonNumber(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimRight(intPart+frac, "0")
	lead := len(digits)
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", true // -0 and 0e5 are all zero
	}
	lead -= len(digits) // leading zeros dropped
	e := int64(0)
	if exp != "" {
		v, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || v > 1<<40 || v < -(1<<40) {
			return "", false
		}
		e = v
	}
	// The value is 0.digits × 10^(e + len(intPart) - lead).
	e += int64(len(intPart)) - int64(lead)
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + digits + "e" + strconv.FormatInt(e, 10), true
}

// appendNumber writes a number literal in one spelling for each value, so
// that 2, 2.0 and 2e0 print alike and a line diff never shows numbers that
// compare equal as changed. Integers keep all their digits.
func appendNumber(dst []byte, lit string) []byte {
	if plainInt(lit) {
		return append(dst, lit...)
	}
	c, ok := canonNumber(lit)
	if !ok {
		return append(dst, lit...)
	}
	if c == "0" {
		return append(dst, '0')
	}
	sign, rest := "", c
	if rest[0] == '-' {
		sign, rest = "-", rest[1:]
	}
	digits, expStr, _ := strings.Cut(rest, "e")
	e, _ := strconv.Atoi(expStr) // the value is 0.digits × 10^e
	dst = append(dst, sign...)
	switch {
	case e > 40 || e < -20:
		// Far from 1: scientific notation, d.ddde±x.
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		return strconv.AppendInt(dst, int64(e-1), 10)
	case e <= 0:
		dst = append(dst, "0."...)
		dst = append(dst, strings.Repeat("0", -e)...)
		return append(dst, digits...)
	case e >= len(digits):
		dst = append(dst, digits...)
		return append(dst, strings.Repeat("0", e-len(digits))...)
	}
	dst = append(dst, digits[:e]...)
	dst = append(dst, '.')
	return append(dst, digits[e:]...)
}

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone: the output is read by people, not embedded in HTML.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, `\u00`...)
				dst = append(dst, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendCompact appends the compact JSON text of n, stopping once dst has
// grown by more than budget bytes (the caller truncates for display, so a
// 5 MB subtree is never encoded in full). It reports whether it finished.
func (t *jtree) appendCompact(dst []byte, n *jnode, budget int) ([]byte, bool) {
	limit := len(dst) + budget
	var walk func(n *jnode) bool
	walk = func(n *jnode) bool {
		if len(dst) > limit {
			return false
		}
		if n.kind.scalar() {
			dst = t.appendInline(dst, n)
		} else {
			open, closing := brackets(n.kind)
			dst = append(dst, open)
			for i, k := range t.kids(n) {
				if i > 0 {
					dst = append(dst, ',')
				}
				if n.kind == jObject {
					dst = appendString(dst, k.key)
					dst = append(dst, ':')
				}
				if !walk(&k) {
					return false
				}
			}
			dst = append(dst, closing)
		}
		return len(dst) <= limit
	}
	ok := walk(n)
	return dst, ok
}

// display renders a value compactly for a change list, cut to about max bytes.
func (t *jtree) display(n *jnode, max int) string {
	b, ok := t.appendCompact(nil, n, max)
	return truncate(b, max, !ok)
}

// truncate cuts b to at most max bytes on a rune boundary, marking the cut.
func truncate(b []byte, max int, cut bool) string {
	if len(b) > max {
		b = b[:max]
		// Drop the bytes of a rune that the cut split.
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
		cut = true
	}
	if cut {
		return string(bytes.TrimRight(b, " ")) + "…"
	}
	return string(b)
}

// equalNodes reports whether two subtrees hold the same JSON value.
func equalNodes(ta *jtree, a *jnode, tb *jtree, b *jnode) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case jNumber:
		return numbersEqual(a.str, b.str)
	case jString:
		return a.str == b.str
	case jObject, jArray:
		if a.n != b.n {
			return false
		}
		ka, kb := ta.kids(a), tb.kids(b)
		for i := range ka {
			if a.kind == jObject && ka[i].key != kb[i].key {
				return false
			}
			if !equalNodes(ta, &ka[i], tb, &kb[i]) {
				return false
			}
		}
	}
	return true
}
