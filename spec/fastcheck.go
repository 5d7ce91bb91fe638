package spec

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path of Check. kin-openapi decodes a JSON body into Go values
// and walks them (and copies them for every oneOf branch); most recorded
// bodies fit their schema, and for those all that work only says "fine".
// A schema is compiled here once into a node graph that walks the body's
// bytes directly and answers what kin-openapi's OpenAPI 3.0 validator
// would: the body fits, or it does not, or (for anything this file does
// not model exactly) it cannot tell. Only bodies that do not plainly fit go
// through kin-openapi, which then writes the messages it always wrote, so
// Check's output does not change. The rule that keeps it so: the fast path
// answers fits only where kin-openapi finds no error, keyword by keyword as
// schema_3point0_validator.go of kin-openapi v0.153.0 checks them.

// verdict is what a node says about a value. The order matters: combining
// keeps the worst.
type verdict uint8

const (
	// fits: kin-openapi finds no error.
	fits verdict = iota
	// ambiguous: kin-openapi's only errors are oneOf values that fit
	// several branches, which Check drops under Artefacts.AmbiguousOneOf.
	ambiguous
	// unsure: not modelled here; ask kin-openapi.
	unsure
	// misfit: kin-openapi certainly reports an error Check prints.
	misfit
)

// cnode is one compiled schema, for requests or for responses.
type cnode struct {
	s *openapi3.Schema
	// unsupported marks keywords this file does not model; any value
	// reaching the node is unsure.
	unsupported bool
	// sameValue is set when not, oneOf, anyOf or allOf apply other
	// schemas to the same value.
	sameValue bool
	nullable  bool
	empty     bool
	always    *bool

	not                 *cnode
	oneOf, anyOf, allOf []*cnode
	enum                []any

	typed                                               bool // Type is set
	tBool, tInt, tNum, tStr, tArr, tObj, requireInteger bool

	// numbers
	intFormat openapi3.IntegerFormatValidator
	numFormat openapi3.NumberFormatValidator
	// kinNumber hands a number to Schema.VisitJSONNumber (exclusive
	// bounds, multipleOf) rather than checking it here.
	kinNumber bool

	// strings
	strValue  bool // the decoded string is needed (an enum is inEnum's)
	kinString bool // a pattern: Schema.VisitJSONString decides
	strFormat openapi3.StringFormatValidator
	minLen    uint64
	maxLen    *uint64

	// arrays
	items    *cnode
	minItems uint64
	maxItems *uint64
	unique   bool

	// objects
	props     map[string]int
	propNodes []*cnode
	// forbidden marks properties that may not appear (readOnly in a
	// request, writeOnly in a response) unless null.
	forbidden []bool
	required  []string
	// reqIdx is each required name's property index, -1 when undeclared.
	reqIdx      []int
	addlAllowed bool
	addl        *cnode
	minProps    uint64
	maxProps    *uint64
}

type nodeKey struct {
	s   *openapi3.Schema
	req bool
}

// fastSchemas caches compiled nodes for one Index. Nodes are immutable
// once compiled, so walks share them across goroutines.
type fastSchemas struct {
	// off sends every check to openapi3filter, for tests that compare.
	off   bool
	mu    sync.Mutex
	nodes map[nodeKey]*cnode
	ready sync.Map // nodeKey -> *cnode, roots whose graph is complete
	media sync.Map // mediaKey -> *mediaEntry, nil where the fast path stands aside
}

func (f *fastSchemas) root(s *openapi3.Schema, req bool) *cnode {
	k := nodeKey{s, req}
	if n, ok := f.ready.Load(k); ok {
		return n.(*cnode)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.nodes == nil {
		f.nodes = map[nodeKey]*cnode{}
	}
	n := f.compile(s, req)
	f.ready.Store(k, n)
	return n
}

func (f *fastSchemas) ref(r *openapi3.SchemaRef, req bool) *cnode {
	if r == nil || r.Value == nil {
		// An unresolved reference: kin-openapi reports it.
		return &cnode{unsupported: true}
	}
	return f.compile(r.Value, req)
}

func (f *fastSchemas) compile(s *openapi3.Schema, req bool) *cnode {
	k := nodeKey{s, req}
	if n := f.nodes[k]; n != nil {
		return n
	}
	n := &cnode{s: s}
	f.nodes[k] = n
	if s.Discriminator != nil && (len(s.OneOf) > 0 || len(s.AnyOf) > 0) || len(s.PrefixItems) > 0 {
		n.unsupported = true
		return n
	}
	n.sameValue = s.Not != nil || len(s.OneOf) > 0 || len(s.AnyOf) > 0 || len(s.AllOf) > 0
	n.nullable = s.Nullable || s.Type.IncludesNull()
	n.empty = s.IsEmpty()
	n.always = s.Always
	if s.Not != nil {
		n.not = f.ref(s.Not, req)
	}
	for _, r := range s.OneOf {
		n.oneOf = append(n.oneOf, f.ref(r, req))
	}
	for _, r := range s.AnyOf {
		n.anyOf = append(n.anyOf, f.ref(r, req))
	}
	for _, r := range s.AllOf {
		n.allOf = append(n.allOf, f.ref(r, req))
	}
	for _, v := range s.Enum {
		switch v.(type) {
		case string, float64, bool, nil:
		default:
			n.unsupported = true
			return n
		}
	}
	n.enum = s.Enum
	n.typed = s.Type != nil
	t := s.Type
	n.tBool, n.tInt, n.tNum = t.Permits(openapi3.TypeBoolean), t.Permits(openapi3.TypeInteger), t.Permits(openapi3.TypeNumber)
	n.tStr, n.tArr, n.tObj = t.Permits(openapi3.TypeString), t.Permits(openapi3.TypeArray), t.Permits(openapi3.TypeObject)
	n.requireInteger = n.tInt && !n.tNum

	if s.Format != "" {
		if n.requireInteger {
			n.intFormat = openapi3.SchemaIntegerFormats[s.Format]
		} else {
			n.numFormat = openapi3.SchemaNumberFormats[s.Format]
		}
		n.strFormat = openapi3.SchemaStringFormats[s.Format]
	}
	n.kinNumber = s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() || s.MultipleOf != nil

	n.minLen, n.maxLen = s.MinLength, s.MaxLength
	n.kinString = s.Pattern != ""
	n.strValue = n.kinString || n.strFormat != nil || n.minLen != 0 || n.maxLen != nil

	if s.Items != nil {
		n.items = f.ref(s.Items, req)
	}
	n.minItems, n.maxItems, n.unique = s.MinItems, s.MaxItems, s.UniqueItems

	if len(s.Properties) > 0 {
		n.props = make(map[string]int, len(s.Properties))
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		for i, name := range names {
			n.props[name] = i
			r := s.Properties[name]
			n.propNodes = append(n.propNodes, f.ref(r, req))
			forbid := false
			if r != nil && r.Value != nil {
				forbid = req && r.Value.ReadOnly || !req && r.Value.WriteOnly
			}
			n.forbidden = append(n.forbidden, forbid)
		}
	}
	n.required = s.Required
	for _, name := range s.Required {
		i, ok := n.props[name]
		if !ok {
			i = -1
		}
		n.reqIdx = append(n.reqIdx, i)
	}
	n.addlAllowed = s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has
	if r := s.AdditionalProperties.Schema; r != nil {
		if r.Value == nil {
			n.unsupported = true
			return n
		}
		n.addl = f.compile(r.Value, req)
	}
	n.minProps, n.maxProps = s.MinProps, s.MaxProps
	return n
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// walker walks one body against a node graph.
type walker struct {
	data []byte
	req  bool
	// chain holds the schemas applied to the value being walked, as
	// kin-openapi's visitedSchemas does: a schema met again on the same
	// value passes, and readOnly/writeOnly declared by any of them excuse
	// a missing required property.
	chain []*cnode
	base  int
	depth int
}

// fastFits walks body against n and says whether kin-openapi would find
// it fits. trailing bytes other than white space, and any syntax error,
// are left to kin-openapi.
func fastFits(n *cnode, body []byte, req bool) verdict {
	w := walker{data: body, req: req, chain: make([]*cnode, 0, 8)}
	v, end := w.value(n, w.space(0))
	if v == misfit || v == unsure {
		return v
	}
	if end < 0 || w.space(end) != len(body) {
		return unsure
	}
	return v
}

func (w *walker) space(p int) int {
	for p < len(w.data) {
		switch w.data[p] {
		case ' ', '\t', '\n', '\r':
			p++
		default:
			return p
		}
	}
	return p
}

// value checks the JSON value at p (no leading space) against n. When the
// verdict is fits or ambiguous, end is where the value ends and every
// byte up to it was checked as JSON; after misfit, end may be -1 (the walk
// stopped early); after unsure it means nothing.
func (w *walker) value(n *cnode, p int) (verdict, int) {
	if !n.sameValue {
		// No schema applies to this value through this one, so it can
		// neither meet itself again nor excuse what another requires
		// (object checks this one's own declarations itself).
		return w.eval(n, p)
	}
	for _, c := range w.chain[w.base:] {
		if c == n {
			return w.skipChecked(p)
		}
	}
	w.chain = append(w.chain, n)
	v, end := w.eval(n, p)
	w.chain = w.chain[:len(w.chain)-1]
	return v, end
}

func (w *walker) eval(n *cnode, p int) (v verdict, end int) {
	if n.unsupported {
		return unsure, -1
	}
	if p >= len(w.data) {
		return unsure, -1
	}
	c := w.data[p]
	if c == 'n' {
		if !w.literal(p, "null") {
			return unsure, -1
		}
		if n.nullable {
			return fits, p + 4
		}
	}
	if n.always != nil {
		if *n.always {
			return w.skipChecked(p)
		}
		return misfit, -1
	}
	if n.empty {
		if c == 'n' {
			return misfit, p + 4
		}
		return w.skipChecked(p)
	}
	end = -1
	if n.not != nil {
		r, _ := w.value(n.not, p)
		switch r {
		case fits:
			return misfit, -1
		case unsure:
			return unsure, -1
		}
	}
	xof := false
	if len(n.oneOf) > 0 {
		xof = true
		matched := 0
		for _, b := range n.oneOf {
			r, e := w.value(b, p)
			switch r {
			case unsure:
				return unsure, -1
			case fits:
				matched++
				end = e
			}
		}
		switch {
		case matched > 1:
			return ambiguous, end
		case matched == 0:
			return misfit, -1
		}
	}
	if len(n.anyOf) > 0 {
		xof = true
		ok := false
		for _, b := range n.anyOf {
			r, _ := w.value(b, p)
			if r == unsure {
				return unsure, -1
			}
			if r == fits {
				ok = true
				break
			}
		}
		if !ok {
			return misfit, -1
		}
	}
	if len(n.allOf) > 0 {
		xof = true
		for _, b := range n.allOf {
			switch r, _ := w.value(b, p); r {
			case unsure:
				return unsure, -1
			case fits:
			default:
				return misfit, -1
			}
		}
	}
	if xof && c == 'n' {
		return fits, p + 4
	}
	if len(n.enum) > 0 {
		r, e := w.inEnum(n, p)
		if r != fits {
			return r, e
		}
	}
	var r verdict
	switch {
	case c == 'n':
		return misfit, p + 4
	case c == 't' || c == 'f':
		lit := "true"
		if c == 'f' {
			lit = "false"
		}
		if !w.literal(p, lit) {
			return unsure, -1
		}
		if n.tBool {
			return fits, p + len(lit)
		}
		return misfit, p + len(lit)
	case c == '"':
		r, end = w.str(n, p)
	case c == '[':
		r, end = w.array(n, p)
	case c == '{':
		r, end = w.object(n, p)
	default:
		r, end = w.number(n, p)
	}
	return r, end
}

func (w *walker) literal(p int, lit string) bool {
	return len(w.data)-p >= len(lit) && string(w.data[p:p+len(lit)]) == lit
}

// child walks a value nested in the one being walked: an array item or a
// property's value.
func (w *walker) child(n *cnode, p int) (verdict, int) {
	base := w.base
	w.base = len(w.chain)
	w.depth++
	defer func() { w.base = base; w.depth-- }()
	if w.depth > maxDepth {
		return unsure, -1
	}
	return w.value(n, p)
}

// skipChecked steps over the value at p, checking it is JSON.
func (w *walker) skipChecked(p int) (verdict, int) {
	e := w.skip(p, 0)
	if e < 0 {
		return unsure, -1
	}
	return fits, e
}

// skip returns where the JSON value at p ends, or -1 when it is not JSON
// as encoding/json reads it.
func (w *walker) skip(p, depth int) int {
	if p >= len(w.data) {
		return -1
	}
	switch c := w.data[p]; {
	case c == '"':
		e, _ := w.scanString(p)
		return e
	case c == '[':
		if w.depth+depth >= maxDepth {
			return -1
		}
		var empty bool
		if p, empty = w.open(p, ']'); empty {
			return p
		}
		for {
			p = w.skip(p, depth+1)
			if p < 0 {
				return -1
			}
			var more bool
			if p, more = w.next(p, ']'); p < 0 || !more {
				return p
			}
		}
	case c == '{':
		if w.depth+depth >= maxDepth {
			return -1
		}
		var empty bool
		if p, empty = w.open(p, '}'); empty {
			return p
		}
		for {
			if p >= len(w.data) || w.data[p] != '"' {
				return -1
			}
			p, _ = w.scanString(p)
			if p < 0 {
				return -1
			}
			p = w.space(p)
			if p >= len(w.data) || w.data[p] != ':' {
				return -1
			}
			p = w.skip(w.space(p+1), depth+1)
			if p < 0 {
				return -1
			}
			var more bool
			if p, more = w.next(p, '}'); p < 0 || !more {
				return p
			}
		}
	case c == 't':
		if w.literal(p, "true") {
			return p + 4
		}
	case c == 'f':
		if w.literal(p, "false") {
			return p + 5
		}
	case c == 'n':
		if w.literal(p, "null") {
			return p + 4
		}
	default:
		e, _ := w.scanNumber(p)
		return e
	}
	return -1
}

// open steps into the array or object at p: to its first item or member,
// or past its end when it is empty.
func (w *walker) open(p int, closing byte) (int, bool) {
	p = w.space(p + 1)
	if p < len(w.data) && w.data[p] == closing {
		return p + 1, true
	}
	return p, false
}

// next reads what follows a member or an item ending at p: a comma (the
// next one starts where it returns, more set) or the closing bracket
// (where the container ends). -1 means neither.
func (w *walker) next(p int, closing byte) (int, bool) {
	p = w.space(p)
	if p >= len(w.data) {
		return -1, false
	}
	switch w.data[p] {
	case ',':
		return w.space(p + 1), true
	case closing:
		return p + 1, false
	}
	return -1, false
}

// scanString reads the string at p (at its quote). It returns where it
// ends and whether it is plain (no escapes, all valid UTF-8), so that its
// bytes are its value.
func (w *walker) scanString(p int) (end int, plain bool) {
	d := w.data
	plain = true
	i := p + 1
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			return i + 1, plain
		case c == '\\':
			plain = false
			if i+1 >= len(d) {
				return -1, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) {
					return -1, false
				}
				for _, h := range d[i+2 : i+6] {
					if !isHex(h) {
						return -1, false
					}
				}
				i += 6
			default:
				return -1, false
			}
		case c < 0x20:
			return -1, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			i += size
		}
	}
	return -1, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// scanNumber reads a JSON number at p. simple is set for a short integer
// that float64 holds exactly.
func (w *walker) scanNumber(p int) (end int, simple bool) {
	d := w.data
	i := p
	if i < len(d) && d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return -1, false
	}
	switch {
	case d[i] == '0':
		i++
	case '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return -1, false
	}
	simple = i-p <= 15
	if i < len(d) && d[i] == '.' {
		simple = false
		i++
		start := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == start {
			return -1, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		simple = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		start := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == start {
			return -1, false
		}
	}
	return i, simple
}

// numberAt reads the number's value as json.Number.Float64 does.
func (w *walker) numberAt(p, end int, simple bool) (float64, bool) {
	d := w.data[p:end]
	if simple {
		neg := d[0] == '-'
		if neg {
			d = d[1:]
		}
		var x int64
		for _, c := range d {
			x = x*10 + int64(c-'0')
		}
		if neg {
			x = -x
		}
		return float64(x), true
	}
	f, err := strconv.ParseFloat(unsafe.String(&d[0], len(d)), 64)
	return f, err == nil
}

func (w *walker) number(n *cnode, p int) (verdict, int) {
	end, simple := w.scanNumber(p)
	if end < 0 {
		return unsure, -1
	}
	f, ok := w.numberAt(p, end, simple)
	if !ok {
		return misfit, end // kin-openapi: cannot convert json.Number to float64
	}
	if !n.typed {
		// No type: only the bounds below apply.
	} else if n.requireInteger {
		if math.Trunc(f) != f {
			return misfit, end
		}
	} else if !n.tInt && !n.tNum {
		return misfit, end
	}
	if n.kinNumber {
		if n.s.VisitJSONNumber(f) != nil {
			return misfit, end
		}
		return fits, end
	}
	if n.requireInteger {
		if n.intFormat != nil && !intFormatFits(n.intFormat, f) {
			return misfit, end
		}
	} else if n.numFormat != nil && n.numFormat.Validate(f) != nil {
		return misfit, end
	}
	if m := n.s.Min; m != nil && !(*m <= f) {
		return misfit, end
	}
	if m := n.s.Max; m != nil && !(*m >= f) {
		return misfit, end
	}
	return fits, end
}

// intFormatFits is kin-openapi's validateIntegerFormat.
func intFormatFits(v openapi3.IntegerFormatValidator, f float64) bool {
	switch {
	case f == float64(math.MaxInt64):
		return v.Validate(math.MaxInt64) == nil
	case f >= float64(math.MinInt64) && f < float64(math.MaxInt64):
		return v.Validate(int64(f)) == nil
	}
	return false
}

// stringValue is the string at p as encoding/json decodes it; a plain one
// is the body's own bytes, not a copy, so it lives no longer than the body.
func (w *walker) stringValue(p, end int, plain bool) (string, bool) {
	if plain {
		if end-p == 2 {
			return "", true
		}
		return unsafe.String(&w.data[p+1], end-p-2), true
	}
	var s string
	if json.Unmarshal(w.data[p:end], &s) != nil {
		return "", false
	}
	return s, true
}

func (w *walker) str(n *cnode, p int) (verdict, int) {
	end, plain := w.scanString(p)
	if end < 0 {
		return unsure, -1
	}
	if !n.tStr {
		return misfit, end
	}
	if !n.strValue {
		return fits, end
	}
	s, ok := w.stringValue(p, end, plain)
	if !ok {
		return unsure, -1
	}
	if n.kinString {
		if n.s.VisitJSONString(s) != nil {
			return misfit, end
		}
		return fits, end
	}
	if n.minLen != 0 || n.maxLen != nil {
		// JSON Schema counts UTF-16 code units.
		length := uint64(0)
		for _, r := range s {
			if utf16.IsSurrogate(r) {
				length += 2
			} else {
				length++
			}
		}
		if n.minLen != 0 && length < n.minLen || n.maxLen != nil && length > *n.maxLen {
			return misfit, end
		}
	}
	if n.strFormat != nil && n.strFormat.Validate(s) != nil {
		return misfit, end
	}
	return fits, end
}

// inEnum compares the value at p with the node's enum as kin-openapi's
// equalJSONValues does: numbers as float64, the rest exactly.
func (w *walker) inEnum(n *cnode, p int) (verdict, int) {
	d := w.data
	switch c := d[p]; {
	case c == '"':
		end, plain := w.scanString(p)
		if end < 0 {
			return unsure, -1
		}
		s, ok := w.stringValue(p, end, plain)
		if !ok {
			return unsure, -1
		}
		for _, e := range n.enum {
			if x, ok := e.(string); ok && x == s {
				return fits, end
			}
		}
		return misfit, end
	case c == 't' || c == 'f' || c == 'n':
		end := w.skip(p, 0)
		if end < 0 {
			return unsure, -1
		}
		for _, e := range n.enum {
			switch x := e.(type) {
			case bool:
				if x == (c == 't') && c != 'n' {
					return fits, end
				}
			case nil:
				if c == 'n' {
					return fits, end
				}
			}
		}
		return misfit, end
	case c == '[' || c == '{':
		return w.misfitAt(p)
	default:
		end, simple := w.scanNumber(p)
		if end < 0 {
			return unsure, -1
		}
		f, ok := w.numberAt(p, end, simple)
		if ok {
			for _, e := range n.enum {
				if x, isNum := e.(float64); isNum && x == f {
					return fits, end
				}
			}
		}
		return misfit, end
	}
}

// misfitAt steps over a value that does not fit, checking it is JSON.
func (w *walker) misfitAt(p int) (verdict, int) {
	if e := w.skip(p, 0); e >= 0 {
		return misfit, e
	}
	return unsure, -1
}

func (w *walker) array(n *cnode, p int) (verdict, int) {
	if !n.tArr {
		return w.misfitAt(p)
	}
	if w.depth >= maxDepth {
		return unsure, -1
	}
	acc := fits
	var count uint64
	var keys map[string]struct{}
	dup := false
	p, empty := w.open(p, ']')
	if !empty {
		for {
			start := p
			var e int
			if n.items != nil {
				var r verdict
				r, e = w.child(n.items, p)
				switch r {
				case unsure:
					return unsure, -1
				case misfit:
					return misfit, -1
				case ambiguous:
					acc = ambiguous
				}
			} else {
				e = w.skip(p, 1)
			}
			if e < 0 {
				return unsure, -1
			}
			count++
			if n.unique && !dup {
				k, ok := w.uniqueKey(start, e)
				if !ok {
					return unsure, -1
				}
				if keys == nil {
					keys = map[string]struct{}{}
				}
				if _, seen := keys[k]; seen {
					dup = true
				}
				keys[k] = struct{}{}
			}
			var more bool
			if p, more = w.next(e, ']'); p < 0 {
				return unsure, -1
			}
			if !more {
				break
			}
		}
	}
	if n.minItems != 0 && count < n.minItems || n.maxItems != nil && count > *n.maxItems || dup {
		return misfit, p
	}
	return acc, p
}

// uniqueKey is what kin-openapi's uniqueItems check compares an item by:
// json.Marshal of its decoded value.
func (w *walker) uniqueKey(p, end int) (string, bool) {
	// The keys differ by their first byte: a quote for strings, j for
	// the rest of arrays and objects, a digit, '-' or a letter of a
	// literal for what marshals as written (json.Number, true, ...). They
	// live while the array is walked, so they may share the body's bytes.
	switch c := w.data[p]; {
	case c == '"':
		_, plain := w.scanString(p)
		if plain {
			return unsafe.String(&w.data[p], end-p), true
		}
		s, ok := w.stringValue(p, end, false)
		return `"` + s + `"`, ok
	case c == '[' || c == '{':
		sub := walker{data: w.data[:end]}
		v, _, ok := sub.decodeWith(nil, p, w.depth)
		if !ok {
			return "", false
		}
		b, err := json.Marshal(&v)
		return "j" + string(b), err == nil
	}
	return unsafe.String(&w.data[p], end-p), true
}

// keySet holds an object's undeclared member names, to find one given
// twice; most objects have none or a few, which need no map.
type keySet struct {
	few  [8]string
	n    int
	many map[string]struct{}
}

// add reports false when the name is already there.
func (k *keySet) add(name string) bool {
	if k.has(name) {
		return false
	}
	if k.n < len(k.few) {
		k.few[k.n] = name
		k.n++
		return true
	}
	if k.many == nil {
		k.many = map[string]struct{}{}
	}
	k.many[name] = struct{}{}
	return true
}

func (k *keySet) has(name string) bool {
	for _, x := range k.few[:k.n] {
		if x == name {
			return true
		}
	}
	_, ok := k.many[name]
	return ok
}

func (w *walker) object(n *cnode, p int) (verdict, int) {
	if !n.tObj {
		return w.misfitAt(p)
	}
	if w.depth >= maxDepth {
		return unsure, -1
	}
	acc := fits
	var seen []bool
	var seenBits uint64
	var others keySet
	var count uint64
	bad := false
	p, empty := w.open(p, '}')
	if !empty {
		for {
			if p >= len(w.data) || w.data[p] != '"' {
				return unsure, -1
			}
			ke, plain := w.scanString(p)
			if ke < 0 {
				return unsure, -1
			}
			key, ok := w.stringValue(p, ke, plain)
			if !ok {
				return unsure, -1
			}
			p = w.space(ke)
			if p >= len(w.data) || w.data[p] != ':' {
				return unsure, -1
			}
			p = w.space(p + 1)
			count++
			i, declared := n.props[key]
			var r verdict
			var e int
			if declared {
				// A name given twice: encoding/json keeps the last value
				// and kin-openapi checks only that one.
				if i < 64 {
					if seenBits&(1<<i) != 0 {
						return unsure, -1
					}
					seenBits |= 1 << i
				} else {
					if seen == nil {
						seen = make([]bool, len(n.propNodes))
					}
					if seen[i] {
						return unsure, -1
					}
					seen[i] = true
				}
				if n.forbidden[i] && !w.literal(p, "null") {
					bad = true
				}
				r, e = w.child(n.propNodes[i], p)
			} else {
				if !others.add(key) {
					return unsure, -1
				}
				switch {
				case !n.addlAllowed:
					r, e = misfit, -1
				case n.addl != nil:
					r, e = w.child(n.addl, p)
				default:
					r, e = fits, w.skip(p, 1)
				}
			}
			switch r {
			case unsure:
				return unsure, -1
			case misfit:
				// Only certain once no name turns out to be given twice,
				// so the walk goes on.
				bad = true
				e = w.skip(p, 1)
			case ambiguous:
				acc = ambiguous
			}
			if e < 0 {
				return unsure, -1
			}
			var more bool
			if p, more = w.next(e, '}'); p < 0 {
				return unsure, -1
			}
			if !more {
				break
			}
		}
	}
	if bad || n.minProps != 0 && count < n.minProps || n.maxProps != nil && count > *n.maxProps {
		return misfit, p
	}
	for j, name := range n.required {
		i := n.reqIdx[j]
		var present bool
		switch {
		case i < 0:
			present = others.has(name)
		case i < 64:
			present = seenBits&(1<<i) != 0
		default:
			present = seen != nil && seen[i]
		}
		if present || w.excused(n, name) {
			continue
		}
		return misfit, p
	}
	return acc, p
}

// excused reports whether a missing required property is declared
// readOnly (in a request) or writeOnly (in a response) where kin-openapi
// looks: the property itself, the schema's allOf, and the schemas applied
// to the same value further up.
func (w *walker) excused(n *cnode, name string) bool {
	var seen []*openapi3.Schema
	if declaresDirectional(n.s, name, w.req, &seen) {
		return true
	}
	for _, c := range w.chain[w.base:] {
		if declaresDirectional(c.s, name, w.req, &seen) {
			return true
		}
	}
	return false
}

func declaresDirectional(s *openapi3.Schema, name string, req bool, seen *[]*openapi3.Schema) bool {
	if s == nil {
		return false
	}
	for _, x := range *seen {
		if x == s {
			return false
		}
	}
	*seen = append(*seen, s)
	if p := s.Properties[name]; p != nil && p.Value != nil {
		if req && p.Value.ReadOnly || !req && p.Value.WriteOnly {
			return true
		}
	}
	for _, r := range s.AllOf {
		if r != nil && declaresDirectional(r.Value, name, req, seen) {
			return true
		}
	}
	return false
}

// decodeFor decodes a body (see decode), guided by the schema the value will be
// checked against, for a body that does not fit it: an array's items that
// the compiled schema finds fitting all become one decoded item, shared.
// kin-openapi checks each item of an array apart from the others, so an
// item that fits adds no problem wherever it stands, and the problems of
// the others keep their places; a 15 MB page with one broken item then
// costs one item's values, not the page's. Arrays whose items are compared
// (uniqueItems, enum) or that another schema also applies to (not, oneOf,
// anyOf, allOf above them) are decoded whole.
func decodeFor(n *cnode, body []byte, req bool) (any, bool) {
	w := walker{data: body, req: req, chain: make([]*cnode, 0, 8)}
	v, end, ok := w.decodeWith(n, w.space(0), 0)
	if !ok || w.space(end) != len(body) {
		// Anything but one JSON value and white space: openapi3filter
		// says how it fails to decode.
		return nil, false
	}
	return v, true
}

// decodeWith decodes the value at p into what encoding/json's Decoder
// with UseNumber gives openapi3filter (map[string]any, []any, json.Number,
// string, bool, nil; the last of a repeated name), from the body's bytes
// without copying them first; strings that need no unescaping share them,
// and nothing changes them while Check runs. n guides it as decodeFor
// says; nil decodes plainly.
func (w *walker) decodeWith(n *cnode, p, depth int) (any, int, bool) {
	d := w.data
	if p >= len(d) || depth >= maxDepth {
		return nil, -1, false
	}
	if n != nil && (n.sameValue || n.unsupported || len(n.enum) > 0) {
		n = nil
	}
	switch c := d[p]; {
	case c == '"':
		end, plain := w.scanString(p)
		if end < 0 {
			return nil, -1, false
		}
		s, ok := w.stringValue(p, end, plain)
		return s, end, ok
	case c == '{':
		m := map[string]any{}
		var empty bool
		if p, empty = w.open(p, '}'); empty {
			return m, p, true
		}
		for {
			if p >= len(d) || d[p] != '"' {
				return nil, -1, false
			}
			ke, plain := w.scanString(p)
			if ke < 0 {
				return nil, -1, false
			}
			k, ok := w.stringValue(p, ke, plain)
			if !ok {
				return nil, -1, false
			}
			p = w.space(ke)
			if p >= len(d) || d[p] != ':' {
				return nil, -1, false
			}
			var sub *cnode
			if n != nil {
				sub = n.addl
				if i, declared := n.props[k]; declared {
					sub = n.propNodes[i]
				}
			}
			v, e, ok := w.decodeWith(sub, w.space(p+1), depth+1)
			if !ok {
				return nil, -1, false
			}
			m[k] = v
			var more bool
			if p, more = w.next(e, '}'); p < 0 || !more {
				return m, p, p >= 0
			}
		}
	case c == '[':
		var items *cnode
		if n != nil && !n.unique {
			items = n.items
		}
		a := make([]any, 0)
		var shared any
		haveShared := false
		var empty bool
		if p, empty = w.open(p, ']'); empty {
			return a, p, true
		}
		for {
			r, e := unsure, -1
			if items != nil {
				w.depth = depth
				r, e = w.child(items, p)
			}
			var v any
			ok := true
			switch {
			case r == fits && haveShared:
				v = shared
			case r == fits:
				v, e, ok = w.decodeWith(nil, p, depth+1)
				shared, haveShared = v, true
			default:
				v, e, ok = w.decodeWith(items, p, depth+1)
			}
			if !ok || e < 0 {
				return nil, -1, false
			}
			a = append(a, v)
			var more bool
			if p, more = w.next(e, ']'); p < 0 || !more {
				return a, p, p >= 0
			}
		}
	case c == 't':
		return true, p + 4, w.literal(p, "true")
	case c == 'f':
		return false, p + 5, w.literal(p, "false")
	case c == 'n':
		return nil, p + 4, w.literal(p, "null")
	}
	end, _ := w.scanNumber(p)
	if end < 0 {
		return nil, -1, false
	}
	return json.Number(unsafe.String(&d[p], end-p)), end, true
}
