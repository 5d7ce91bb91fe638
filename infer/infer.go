// Package infer writes the OpenAPI 3.1 document that recorded traffic
// implies: path templates found from the values that vary between calls
// (and from the forms of identifiers), query parameters, and request and
// response schemas merged over every call. Given the instance's own spec,
// it follows that spec's conventions (parameter names, tags, operation
// ids) and reuses its components, so that the inferred document reads as
// the part of the API the vendor left out.
//
// An Inferrer streams: it keeps a summary of the shapes seen per path,
// never the bodies, so memory grows with the variety of the API and not
// with the size of the recordings.
package infer

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/spec"
)

// Call is one recorded exchange to learn from.
type Call struct {
	Method string
	URL    *url.URL
	// RequestType and ResponseType are the Content-Type headers as sent.
	RequestType, ResponseType string
	RequestBody, ResponseBody []byte
	// RequestTruncated and ResponseTruncated mark bodies the recorder cut
	// short: they name a media type but say nothing of its schema.
	RequestTruncated, ResponseTruncated bool
	// Status is the response status; 0 when the call got no answer.
	Status int
	// Shadows is the documented operation the call fit only through a
	// path value its parameter's type rejects (GET /api/launch/suggest
	// against GET /api/launch/{id} with an int64 id): the call is read as
	// a literal route beside that template.
	Shadows *spec.Operation
}

// Options configure an Inferrer.
type Options struct {
	// Spec is the instance's spec, whose conventions the inferred document
	// follows and whose components it reuses; nil when there is none.
	Spec *spec.Index
	// Redactor decides which members and values are secrets: they give no
	// enum, and no literal path segment. Nil means har.DefaultRules.
	Redactor *har.Redactor
	// Title is the document's info.title.
	Title string
}

// Inferrer learns templates and schemas from calls. Add them all, then
// ask for the Result. It is not safe for concurrent use.
type Inferrer struct {
	opts  Options
	red   *har.Redactor
	root  *tnode
	hosts map[string]bool
	calls int
	// unread counts bodies the schemas learnt nothing from: cut short by
	// the recorder, or not the JSON their type says.
	unread int
}

// New returns an empty Inferrer.
func New(opts Options) *Inferrer {
	red := opts.Redactor
	if red == nil {
		red = har.NewRedactor(har.DefaultRules())
	}
	return &Inferrer{opts: opts, red: red, root: newTNode(), hosts: map[string]bool{}}
}

// Calls returns how many calls were added.
func (in *Inferrer) Calls() int { return in.calls }

// tnode is a node of the trie of recorded paths: one path segment as
// sent, the values seen there, and the operations of the paths that end
// at it.
type tnode struct {
	kids map[string]*tnode
	// val summarises the segment's values, for a parameter's type.
	val *shape
	// forceLit are child values a call shadowed a typed template with.
	forceLit map[string]bool
	ops      map[string]*opSum
}

func newTNode() *tnode {
	return &tnode{kids: map[string]*tnode{}, val: newShape(), ops: map[string]*opSum{}}
}

// opSum summarises the calls of one method on one path.
type opSum struct {
	calls     int
	query     map[string]*shape
	querySeen map[string]int
	bodyCalls int
	request   map[string]*shape
	responses map[int]map[string]*shape
	shadows   map[string]bool
}

func newOpSum() *opSum {
	return &opSum{query: map[string]*shape{}, querySeen: map[string]int{}, request: map[string]*shape{},
		responses: map[int]map[string]*shape{}, shadows: map[string]bool{}}
}

func (o *opSum) merge(p *opSum) {
	o.calls += p.calls
	o.bodyCalls += p.bodyCalls
	for k, s := range p.query {
		mergeInto(o.query, k, s)
		o.querySeen[k] += p.querySeen[k]
	}
	for k, s := range p.request {
		mergeInto(o.request, k, s)
	}
	for st, m := range p.responses {
		if o.responses[st] == nil {
			o.responses[st] = map[string]*shape{}
		}
		for k, s := range m {
			mergeInto(o.responses[st], k, s)
		}
	}
	for k := range p.shadows {
		o.shadows[k] = true
	}
}

func mergeInto(m map[string]*shape, k string, s *shape) {
	if m[k] == nil {
		m[k] = newShape()
	}
	m[k].merge(s)
}

// segments splits an escaped path into its segments, dropping a trailing
// slash and matrix parameters (;name=value), as the matcher does.
func segments(p string) []string {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "/"), "/")
	if p == "" {
		return nil
	}
	out := strings.Split(p, "/")
	for i, s := range out {
		if j := strings.IndexByte(s, ';'); j >= 0 {
			out[i] = s[:j]
		}
	}
	return out
}

// standard are the methods an OpenAPI 3.1 path item has room for.
var standard = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true, "HEAD": true, "PATCH": true, "TRACE": true}

// Add learns from one call.
func (in *Inferrer) Add(c Call) {
	method := strings.ToUpper(c.Method)
	if c.URL == nil || !standard[method] {
		return
	}
	in.calls++
	if c.URL.Host != "" {
		scheme := c.URL.Scheme
		if scheme == "" {
			scheme = "https"
		}
		in.hosts[scheme+"://"+strings.ToLower(c.URL.Host)] = true
	}
	segs := segments(c.URL.EscapedPath())
	forced := map[int]bool{}
	if c.Shadows != nil {
		ts := segments(c.Shadows.Path)
		off := len(segs) - len(ts)
		for j, t := range ts {
			if isTemplateParam(t) && off+j >= 0 {
				forced[off+j] = true
			}
		}
	}
	n := in.root
	for i, s := range segs {
		if forced[i] {
			if n.forceLit == nil {
				n.forceLit = map[string]bool{}
			}
			n.forceLit[s] = true
		}
		k := n.kids[s]
		if k == nil {
			k = newTNode()
			n.kids[s] = k
		}
		k.val.addText(unescape(s), in.secret("", unescape(s)))
		n = k
	}
	op := n.ops[method]
	if op == nil {
		op = newOpSum()
		n.ops[method] = op
	}
	in.addCall(op, c)
}

func (in *Inferrer) addCall(op *opSum, c Call) {
	op.calls++
	if c.Shadows != nil {
		op.shadows[c.Shadows.String()] = true
	}
	q, _ := url.ParseQuery(c.URL.RawQuery)
	for _, k := range sortedKeys(q) {
		s := op.query[k]
		if s == nil {
			s = newShape()
			op.query[k] = s
		}
		op.querySeen[k]++
		if len(q[k]) > 1 {
			s.repeated = true
		}
		for _, v := range q[k] {
			s.addText(v, in.secret(k, v))
			if v == "" {
				s.empty = true
			}
		}
	}
	if len(bytes.TrimSpace(c.RequestBody)) > 0 {
		op.bodyCalls++
		mt := mediaType(c.RequestType, c.RequestBody)
		if mt == "" {
			mt = "*/*" // a body sent without a type still is the operation's
		}
		in.addBody(op.request, mt, c.RequestBody, c.RequestTruncated)
	}
	if c.Status <= 0 {
		return
	}
	m := op.responses[c.Status]
	if m == nil {
		m = map[string]*shape{}
		op.responses[c.Status] = m
	}
	if len(bytes.TrimSpace(c.ResponseBody)) > 0 {
		if mt := mediaType(c.ResponseType, c.ResponseBody); mt != "" {
			in.addBody(m, mt, c.ResponseBody, c.ResponseTruncated)
		}
	}
}

// addBody merges a body into the summary of its media type. A body that
// does not parse as its type declares still names the type.
func (in *Inferrer) addBody(m map[string]*shape, mt string, body []byte, truncated bool) {
	s := m[mt]
	if s == nil {
		s = newShape()
		m[mt] = s
	}
	if truncated {
		in.unread++
		return
	}
	switch {
	case isJSON(mt):
		one := newShape()
		if one.addJSONBytes(body, in.secret) == nil {
			s.merge(one)
		} else {
			s.anyDeep = true // not JSON after all: say nothing of its schema
			in.unread++
		}
	case mt == "application/x-www-form-urlencoded":
		one := newShape()
		if one.addForm(string(body), in.secret) == nil {
			s.merge(one)
		}
	case strings.HasPrefix(mt, "text/"):
		s.count++
		s.strs++
		s.tooMany = true
	}
}

// secret says whether a member or parameter name holds secrets, or a
// value is one (a JWT, a placeholder redaction wrote, a value the
// redactor was told).
func (in *Inferrer) secret(name, value string) bool {
	if name != "" && in.red.SecretName(name) {
		return true
	}
	return har.IsPlaceholder(value) || in.red.Text(value) != value
}

// mediaType is the media type a body is declared under: its Content-Type
// without parameters, or JSON when it has none and parses as JSON.
func mediaType(ct string, body []byte) string {
	if ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			return mt
		}
	}
	if jsonValid(body) {
		return "application/json"
	}
	return ""
}

func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
}

func jsonValid(b []byte) bool {
	return json.Valid(b)
}

func isTemplateParam(seg string) bool {
	return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// ErrNoCalls is returned by Result when no call was added.
var ErrNoCalls = errors.New("no API calls to infer from")

// sortedMethods lists an op map's methods in a stable order.
func sortedMethods(m map[string]*opSum) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
