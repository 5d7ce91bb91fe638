package spec

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// checkBody checks a JSON body the way openapi3filter's
// ValidateRequestBody (req) or ValidateResponse would, and reports whether
// it did; false leaves the body to them. A body the compiled schema finds
// fitting draws no problem. Any other is decoded once, here, into the
// values encoding/json would give openapi3filter, and kin-openapi's own
// schema check (Schema.VisitJSON with the options openapi3filter passes)
// writes the problems, so they read as they always did; this skips the
// copies openapi3filter makes of the body before decoding it. status picks
// the response's cache entry.
func (c *checker) checkBody(content openapi3.Content, ct string, body []byte, req bool, status int) bool {
	if c.ix.fast.off {
		return false
	}
	k := mediaKey{op: c.op, status: status, req: req, ct: ct}
	var me *mediaEntry
	if v, ok := c.ix.fast.media.Load(k); ok {
		me = v.(*mediaEntry)
	} else {
		me = c.bodyNode(content, ct, req)
		c.ix.fast.media.Store(k, me)
	}
	if me == nil {
		return false
	}
	switch fastFits(me.node, body, req) {
	case fits:
		return true
	case ambiguous:
		if c.ix.artefacts.AmbiguousOneOf {
			return true
		}
	}
	if !req && redirectStatus(status) {
		return false // ValidateResponse checks no body of these
	}
	kinBodies.acquire(len(body))
	defer kinBodies.release(len(body))
	value, ok := decodeFor(me.node, body, req)
	if !ok {
		return false // openapi3filter says how it fails to decode
	}
	direction := openapi3.VisitAsResponse()
	if req {
		direction = openapi3.VisitAsRequest()
	}
	err := me.ref.Value.VisitJSON(value, direction, openapi3.MultiErrors())
	if err == nil {
		return true
	}
	id := strings.TrimSpace(me.ref.Ref)
	if id == "" {
		id = strings.TrimSpace(me.ref.Value.Title)
	}
	if id != "" {
		id = " " + id
	}
	from := len(c.problems)
	if req {
		c.bodyProblems(InvalidRequestBody, "request", &openapi3filter.RequestError{Reason: "doesn't match schema" + id, Err: err})
	} else {
		c.bodyProblems(InvalidResponseBody, "response", &openapi3filter.ResponseError{Reason: "response body doesn't match schema" + id, Err: err})
	}
	for i := from; i < len(c.problems); i++ {
		// Names and values may share the body's bytes (decode), which
		// belong to the caller: the problems outlive this call.
		p := &c.problems[i]
		p.Where, p.Message = strings.Clone(p.Where), strings.Clone(p.Message)
	}
	return true
}

// redirectStatus lists the statuses openapi3filter.ValidateResponse
// passes without looking.
func redirectStatus(status int) bool {
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return true
	}
	return false
}

// mediaEntry is a body schema as the fast path holds it.
type mediaEntry struct {
	node *cnode
	ref  *openapi3.SchemaRef
}

// mediaKey names one body schema as Check meets it: an operation's request
// (status 0) or response, and the Content-Type the body came with.
type mediaKey struct {
	op     *Operation
	status int
	req    bool
	ct     string
}

// bodyNode is the compiled schema openapi3filter would hold a body of
// media type ct to, or nil when the fast path should leave it alone.
func (c *checker) bodyNode(content openapi3.Content, ct string, req bool) *mediaEntry {
	if c.spec.IsOpenAPI31OrLater() {
		return nil // the JSON Schema 2020-12 validator, not modelled here
	}
	mt := directMediaType(content, ct)
	if mt == nil || mt != content.Get(ct) || mt.Schema == nil || mt.Schema.Value == nil || mt.Encoding[""] != nil {
		return nil
	}
	s := mt.Schema.Value
	if s.Type.Is(openapi3.TypeString) && s.Format == "binary" {
		return nil // read as a file, not decoded
	}
	media, _, _ := strings.Cut(ct, ";")
	media = strings.ToLower(strings.TrimSpace(media))
	if media != "application/json" && (!strings.HasSuffix(media, "+json") || openapi3filter.RegisteredBodyDecoder(media) != nil) {
		return nil
	}
	if id := mt.Schema.Ref + s.Title; strings.Contains(id, `header "`) {
		// Check reads such a reason as a header's.
		return nil
	}
	return &mediaEntry{node: c.ix.fast.root(s, req), ref: mt.Schema}
}

// directMediaType is Content.Get by exact keys only. Get may also find a
// key listing several media ranges, and which one it finds among
// overlapping keys is left to map order: such bodies go to
// openapi3filter, which then looks for itself.
func directMediaType(content openapi3.Content, mime string) *openapi3.MediaType {
	if mime == "" {
		return content["*/*"]
	}
	mime = strings.ToLower(strings.TrimSpace(mime))
	if v := content[mime]; v != nil {
		return v
	}
	base, _, _ := strings.Cut(mime, ";")
	base = strings.TrimSpace(base)
	if v := content[base]; v != nil {
		return v
	}
	typ, _, ok := strings.Cut(base, "/")
	if !ok {
		return nil
	}
	if v := content[typ+"/*"]; v != nil {
		return v
	}
	return content["*/*"]
}

// paramFits reports whether openapi3filter.ValidateParameter certainly
// finds nothing wrong with a path or query parameter of one primitive
// type, decoding it as openapi3filter does and handing the value to the
// same schema check. False means "ask openapi3filter".
func (c *checker) paramFits(p *openapi3.Parameter) bool {
	if p.Schema == nil && p.Content == nil {
		return true // openapi3filter checks nothing
	}
	if c.ix.fast.off || p.Content != nil || p.Schema == nil || p.Schema.Value == nil || c.spec.IsOpenAPI31OrLater() {
		return false
	}
	s := p.Schema.Value
	if s.Type == nil || len(*s.Type) != 1 || len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Not != nil {
		return false
	}
	if (*s.Type)[0] == openapi3.TypeArray {
		return c.arrayParamFits(p, s)
	}
	var raw string
	var found bool
	switch p.In {
	case openapi3.ParameterInPath:
		if p.Style != "" && p.Style != openapi3.SerializationSimple {
			return false
		}
		for _, mp := range c.m.Params {
			if mp.Name == p.Name {
				raw = mp.Raw // the last of a name, as a map keeps it
			}
		}
		found = raw != ""
	case openapi3.ParameterInQuery:
		if p.Style != "" && p.Style != openapi3.SerializationForm {
			return false
		}
		values := c.query[p.Name]
		found = len(values) > 0
		if found {
			// openapi3filter prefers the first non-empty of repeated keys.
			raw = values[0]
			for _, v := range values[1:] {
				if raw != "" {
					break
				}
				raw = v
			}
		}
	default:
		return false
	}
	if !found {
		return !p.Required
	}
	value, ok := primitive(raw, s)
	return ok && s.VisitJSON(value) == nil
}

// arrayParamFits is paramFits for a query array of primitives in the form
// style, decoded as openapi3filter's urlValuesDecoder.DecodeArray does.
func (c *checker) arrayParamFits(p *openapi3.Parameter, s *openapi3.Schema) bool {
	if p.In != openapi3.ParameterInQuery || p.Style != "" && p.Style != openapi3.SerializationForm {
		return false
	}
	items := s.Items
	if items == nil || items.Value == nil {
		return false
	}
	is := items.Value
	if is.Type == nil || len(*is.Type) != 1 || len(is.AllOf) > 0 || len(is.AnyOf) > 0 || len(is.OneOf) > 0 || is.Not != nil {
		return false
	}
	values := c.query[p.Name]
	if len(values) == 0 {
		return !p.Required
	}
	if p.Explode != nil && !*p.Explode {
		values = strings.Split(values[0], ",")
	}
	arr := make([]any, 0, len(values))
	for _, raw := range values {
		v, ok := primitive(raw, is)
		if !ok {
			return false
		}
		arr = append(arr, v)
	}
	return s.VisitJSON(arr) == nil
}

// primitive decodes a parameter's text as openapi3filter's
// parsePrimitive does for a schema of one primitive type. An empty text,
// which openapi3filter reads as no value (or an empty one), is not
// decoded here.
func primitive(raw string, s *openapi3.Schema) (any, bool) {
	if raw == "" {
		return nil, false
	}
	switch (*s.Type)[0] {
	case openapi3.TypeInteger:
		bits := 64
		if s.Format == "int32" {
			bits = 32
		}
		v, err := strconv.ParseInt(raw, 10, bits)
		if err != nil {
			return nil, false
		}
		if bits == 32 {
			return int32(v), true
		}
		return v, true
	case openapi3.TypeNumber:
		if strings.ContainsFunc(raw, func(r rune) bool { return !strings.ContainsRune("+-.0123456789eE", r) }) {
			return nil, false
		}
		v, err := strconv.ParseFloat(raw, 64)
		return v, err == nil
	case openapi3.TypeBoolean:
		v, err := strconv.ParseBool(raw)
		return v, err == nil
	case openapi3.TypeString:
		return raw, true
	}
	return nil, false
}

// kinBodies bounds the bytes of bodies openapi3filter decodes at once.
// It turns a body into Go values several times its size, and Check runs
// on every core: two 15 MB answers decoded side by side were most of a
// run's peak memory. Small bodies pass freely.
var kinBodies = newByteBudget(24<<20, 1<<20)

type byteBudget struct {
	mu      sync.Mutex
	cond    *sync.Cond
	free    int
	total   int
	minSize int
}

func newByteBudget(total, minSize int) *byteBudget {
	b := &byteBudget{free: total, total: total, minSize: minSize}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *byteBudget) weight(n int) int {
	if n < b.minSize {
		return 0
	}
	return min(n, b.total)
}

func (b *byteBudget) acquire(n int) {
	w := b.weight(n)
	if w == 0 {
		return
	}
	b.mu.Lock()
	for b.free < w {
		b.cond.Wait()
	}
	b.free -= w
	b.mu.Unlock()
}

func (b *byteBudget) release(n int) {
	w := b.weight(n)
	if w == 0 {
		return
	}
	b.mu.Lock()
	b.free += w
	b.mu.Unlock()
	b.cond.Broadcast()
}
