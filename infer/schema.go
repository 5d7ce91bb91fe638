package infer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// Limits keep a summary small whatever the traffic holds: a summary grows
// with the shapes seen, never with the size or number of bodies.
const (
	maxDepth      = 32  // deeper values are summarised as "any"
	maxProperties = 200 // members beyond this many per object are not listed
	maxValues     = 8   // distinct strings kept per place, for enums
	maxValueLen   = 40
	// An enum needs this many samples, and at least three per value, so
	// that a handful of calls do not close a set that is open.
	enumSamples = 12
)

// shape summarises every value seen at one place of a body, query or path:
// how often each JSON type came, and for strings which formats and (for
// enums) which values. It holds counts, never the values themselves, but
// for a few short strings at places no redaction rule marks.
type shape struct {
	count                                      int
	nulls, bools, ints, nums, strs, objs, arrs int
	anyDeep                                    bool // a value below maxDepth was not looked into
	maxAbs                                     float64
	formats                                    [len(formNames)]int
	values                                     map[string]int
	tooMany                                    bool // more distinct strings than maxValues
	secret                                     bool // a redaction rule marks this place
	props                                      map[string]*shape
	order                                      []string
	items                                      *shape
	repeated                                   bool // a query parameter sent more than once
	empty                                      bool // a query parameter sent with an empty value
}

func newShape() *shape { return &shape{} }

// addString records a string value. secret values are counted but never kept.
func (s *shape) addString(v string, secret bool) {
	s.count++
	s.strs++
	s.formats[stringForm(v)]++
	s.keepValue(v, secret)
}

func (s *shape) keepValue(v string, secret bool) {
	if secret {
		s.secret = true
	}
	if s.secret || s.tooMany {
		s.values = nil
		return
	}
	if len(v) > maxValueLen || v == "" {
		s.tooMany = true
		s.values = nil
		return
	}
	if s.values == nil {
		s.values = map[string]int{}
	}
	s.values[v]++
	if len(s.values) > maxValues {
		s.tooMany, s.values = true, nil
	}
}

func (s *shape) addNumber(n json.Number) {
	s.count++
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		s.ints++
		s.maxAbs = math.Max(s.maxAbs, math.Abs(float64(i)))
		return
	}
	s.nums++
}

// addText records a value that came as text (a query or path parameter,
// a form field): integers and booleans are read as such, as the checker
// reads them against a typed schema.
func (s *shape) addText(v string, secret bool) {
	if n, ok := isInteger(v); ok {
		s.count++
		s.ints++
		s.maxAbs = math.Max(s.maxAbs, math.Abs(float64(n)))
		return
	}
	if v == "true" || v == "false" {
		s.count++
		s.bools++
		return
	}
	s.addString(v, secret)
}

func (s *shape) prop(name string) *shape {
	if p, ok := s.props[name]; ok {
		return p
	}
	if len(s.props) >= maxProperties {
		return nil
	}
	if s.props == nil {
		s.props = map[string]*shape{}
	}
	p := newShape()
	s.props[name] = p
	s.order = append(s.order, name)
	return p
}

// secretFunc says whether a member name holds a secret, or a string value
// is one.
type secretFunc func(name, value string) bool

// errNotJSON is a body that does not parse as JSON.
var errNotJSON = errors.New("not JSON")

// streamAbove is the body size past which a body is walked token by
// token: slower than decoding it whole, but its memory does not grow with
// the body.
const streamAbove = 4 << 20

// addJSONBytes summarises one JSON body.
func (s *shape) addJSONBytes(b []byte, secret secretFunc) error {
	if len(b) > streamAbove {
		return s.addJSON(bytes.NewReader(b), secret)
	}
	return s.addDecoded(b, secret)
}

// addDecoded summarises a JSON body decoded whole: several times faster
// than streaming it, in memory that grows with the body.
func (s *shape) addDecoded(b []byte, secret secretFunc) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return errNotJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return errNotJSON
	}
	s.value(v, "", 0, secret)
	return nil
}

// scalar records a null, boolean, number or string (decoded, or a token),
// and reports whether v was one.
func (s *shape) scalar(v any, name string, secret secretFunc) bool {
	switch t := v.(type) {
	case nil:
		s.nulls++
	case bool:
		s.bools++
	case json.Number:
		s.addNumber(t)
		return true
	case string:
		s.addString(t, secret(name, t))
		return true
	default:
		return false
	}
	s.count++
	return true
}

// value summarises a decoded value, as walk does a streamed one.
func (s *shape) value(v any, name string, depth int, secret secretFunc) {
	if s == nil {
		return
	}
	if s.scalar(v, name, secret) {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		s.count++
		if depth >= maxDepth {
			s.anyDeep = true
			return
		}
		s.objs++
		for k, x := range t {
			s.prop(k).value(x, k, depth+1, secret)
		}
	case []any:
		s.count++
		if depth >= maxDepth {
			s.anyDeep = true
			return
		}
		s.arrs++
		if s.items == nil {
			s.items = newShape()
		}
		for _, x := range t {
			s.items.value(x, name, depth+1, secret)
		}
	}
}

// addJSON walks one JSON document token by token, so a body of any size
// costs the summary only its shape.
func (s *shape) addJSON(r io.Reader, secret secretFunc) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := s.walk(dec, "", 0, secret); err != nil {
		return errNotJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return errNotJSON
	}
	return nil
}

func (s *shape) walk(dec *json.Decoder, name string, depth int, secret secretFunc) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if s == nil {
		return skip(dec, tok)
	}
	if s.scalar(tok, name, secret) {
		return nil
	}
	if t, ok := tok.(json.Delim); ok {
		if depth >= maxDepth {
			s.count++
			s.anyDeep = true
			return skip(dec, tok)
		}
		s.count++
		if t == '{' {
			s.objs++
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if err := s.prop(k).walk(dec, k, depth+1, secret); err != nil {
					return err
				}
			}
		} else {
			s.arrs++
			if s.items == nil {
				s.items = newShape()
			}
			for dec.More() {
				if err := s.items.walk(dec, name, depth+1, secret); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	return nil
}

// skip reads past the rest of a value whose first token was tok.
func skip(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	for level := 1; level > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				level++
			} else {
				level--
			}
		}
	}
	return nil
}

// addForm records an application/x-www-form-urlencoded body as an object.
func (s *shape) addForm(body string, secret secretFunc) error {
	vs, err := url.ParseQuery(body)
	if err != nil {
		return err
	}
	s.count++
	s.objs++
	for _, k := range sortedKeys(vs) {
		if p := s.prop(k); p != nil {
			for _, v := range vs[k] {
				p.addString(v, secret(k, v))
			}
		}
	}
	return nil
}

// merge folds o into s.
func (s *shape) merge(o *shape) {
	if o == nil {
		return
	}
	s.count += o.count
	s.nulls += o.nulls
	s.bools += o.bools
	s.ints += o.ints
	s.nums += o.nums
	s.strs += o.strs
	s.objs += o.objs
	s.arrs += o.arrs
	s.anyDeep = s.anyDeep || o.anyDeep
	s.repeated = s.repeated || o.repeated
	s.empty = s.empty || o.empty
	s.maxAbs = math.Max(s.maxAbs, o.maxAbs)
	for i := range s.formats {
		s.formats[i] += o.formats[i]
	}
	s.secret = s.secret || o.secret
	s.tooMany = s.tooMany || o.tooMany
	for v, n := range o.values {
		s.keepValue(v, false)
		if s.values != nil {
			s.values[v] += n - 1
		}
	}
	if s.secret || s.tooMany {
		s.values = nil
	}
	for _, k := range o.order {
		if p := s.prop(k); p != nil {
			p.merge(o.props[k])
		}
	}
	if o.items != nil {
		if s.items == nil {
			s.items = newShape()
		}
		s.items.merge(o.items)
	}
}

// schema writes the summary as an OpenAPI 3.1 (JSON Schema 2020-12)
// schema: every type seen, "null" among them when a null was; a member
// every object had is required; a format when every string had it.
func (s *shape) schema() *openapi3.Schema {
	sc := &openapi3.Schema{}
	if s == nil || s.anyDeep || s.count == 0 {
		return sc // nothing known, or too deep to say: anything goes
	}
	var types openapi3.Types
	if s.objs > 0 {
		types = append(types, openapi3.TypeObject)
	}
	if s.arrs > 0 {
		types = append(types, openapi3.TypeArray)
	}
	if s.strs > 0 {
		types = append(types, openapi3.TypeString)
	}
	switch {
	case s.nums > 0:
		types = append(types, openapi3.TypeNumber)
	case s.ints > 0:
		types = append(types, openapi3.TypeInteger)
		if s.maxAbs > math.MaxInt32 {
			sc.Format = "int64"
		}
	}
	if s.bools > 0 {
		types = append(types, openapi3.TypeBoolean)
	}
	if s.nulls > 0 {
		types = append(types, openapi3.TypeNull)
	}
	sc.Type = &types
	if s.strs > 0 && len(types)-btoi(s.nulls > 0) == 1 {
		s.stringFacets(sc)
	}
	if s.objs > 0 && len(s.props) > 0 {
		sc.Properties = openapi3.Schemas{}
		for _, k := range s.order {
			p := s.props[k]
			sc.Properties[k] = openapi3.NewSchemaRef("", p.schema())
			if p.count >= s.objs {
				sc.Required = append(sc.Required, k)
			}
		}
		sort.Strings(sc.Required) // the same document however the bodies were read
	}
	if s.arrs > 0 {
		sc.Items = openapi3.NewSchemaRef("", s.items.schema())
	}
	return sc
}

// stringFacets gives a string schema the format every string had, or
// else the enum of a closed set.
func (s *shape) stringFacets(sc *openapi3.Schema) {
	for f := formUUID; int(f) < len(formNames); f++ {
		if s.formats[f] == s.strs {
			sc.Format = formNames[f]
			return
		}
	}
	if s.enumOK() {
		for _, v := range sortedKeys(s.values) {
			sc.Enum = append(sc.Enum, v)
		}
	}
}

// enumOK says whether the strings seen are a closed set: few values, each
// seen several times, over enough samples, none of them secret.
func (s *shape) enumOK() bool {
	// One value seen however often is a constant of these calls, not a
	// set: other calls may well send another.
	if s.secret || s.tooMany || s.nulls > 0 || len(s.values) < 2 || s.strs < enumSamples {
		return false
	}
	for _, n := range s.values {
		if n < 3 {
			return false
		}
	}
	return true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
