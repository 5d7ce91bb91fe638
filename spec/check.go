package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Request is the request half of a recorded exchange, in plain Go values.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
	// Truncated marks a body the recorder kept only the start of. Such a
	// body would fail to decode or miss required members for reasons that
	// have nothing to do with the API, so Check does not hold it to the
	// schema.
	Truncated bool
}

// Response is the response half of a recorded exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Truncated is as for Request.
	Truncated bool
}

// Kind names a sort of difference between traffic and spec.
type Kind string

const (
	// UndocumentedQuery: the request sent a query parameter the operation does not declare.
	UndocumentedQuery Kind = "undocumented-query"
	// MissingParam: a required parameter was not sent.
	MissingParam Kind = "missing-param"
	// InvalidParam: a parameter's value does not fit its schema.
	InvalidParam Kind = "invalid-param"
	// UndocumentedRequestBody: the request has a body the operation does not declare.
	UndocumentedRequestBody Kind = "undocumented-request-body"
	// MissingRequestBody: a required request body was not sent.
	MissingRequestBody Kind = "missing-request-body"
	// InvalidRequestBody: the request body does not fit its schema.
	InvalidRequestBody Kind = "invalid-request-body"
	// UndocumentedContentType: a body's media type is not among those declared.
	UndocumentedContentType Kind = "undocumented-content-type"
	// UndocumentedStatus: the response status is not declared (and there is no default).
	UndocumentedStatus Kind = "undocumented-status"
	// InvalidResponseBody: the response body does not fit its schema.
	InvalidResponseBody Kind = "invalid-response-body"
	// InvalidResponseHeader: a declared response header is missing or does not fit.
	InvalidResponseHeader Kind = "invalid-response-header"
	// SpanningParam: a path parameter held several segments (a file path
	// for {path}), which OpenAPI path parameters cannot declare.
	SpanningParam Kind = "spanning-param"
	// CheckFailed: kin-openapi failed while checking the exchange (a bug
	// on a strange spec); the exchange is neither passed nor failed.
	CheckFailed Kind = "check-failed"
)

// Problem is one way an exchange differs from its operation. Its JSON keys
// are lower case like every other key match --json and replay reports write.
type Problem struct {
	Kind Kind `json:"kind"`
	// Where is the place: "query.sort", "header.X-Trace", "status",
	// "request.content-type", or a JSON path into a body ("$.content[0].id").
	Where string `json:"where"`
	// Message says what differs, in one line.
	Message string `json:"message"`
}

func (p Problem) String() string {
	return string(p.Kind) + " " + p.Where + ": " + p.Message
}

// IsResponse reports whether the problem is the instance's doing (its
// answer misses the spec), as opposed to how a recorded request differs
// from the spec.
func (p Problem) IsResponse() bool {
	switch p.Kind {
	case UndocumentedStatus, InvalidResponseBody, InvalidResponseHeader:
		return true
	case UndocumentedContentType:
		return strings.HasPrefix(p.Where, "response")
	}
	return false
}

// Check holds a matched exchange to its operation: query, path, header and
// cookie parameters, the request body, the response status and the response
// body, using kin-openapi's openapi3filter. It returns nil when the match is
// not Found or nothing differs; resp may be nil for a request that got no
// answer. Bodies are checked when they are JSON or another media type
// openapi3filter decodes (forms, multipart); a JSON body is checked even
// where the spec declares only "*/*" or the recording lost its Content-Type.
// Primitive parameters and JSON bodies that plainly fit are decided by
// schemas compiled once per index (fastcheck.go); everything else goes
// through openapi3filter, so the problems read the same either way. Check
// is safe for concurrent use.
func (ix *Index) Check(m Match, req Request, resp *Response) (problems []Problem) {
	if m.Outcome != Found || m.Operation == nil || m.Operation.OpenAPI == nil {
		return nil
	}
	defer func() {
		// Specs come from strangers; a validator panic on one of them must
		// cost one problem line, not the run.
		if p := recover(); p != nil {
			problems = append(problems, Problem{Kind: CheckFailed, Where: m.Operation.Pointer, Message: oneLine(fmt.Sprintf("kin-openapi failed checking this exchange: %v", p))})
		}
	}()
	c := checker{ix: ix, op: m.Operation, m: m, req: req, method: strings.ToUpper(req.Method)}
	c.spec = ix.checkSpecs[m.Operation.Document]
	if c.spec == nil {
		c.spec = m.Operation.Document.OpenAPI // a match from another index
	}
	if m.Spanning != "" {
		for _, p := range m.Params {
			if p.Name == m.Spanning {
				c.add(SpanningParam, "path."+p.Name, "the value %q spans %d path segments; an OpenAPI path parameter holds one, though this one may be meant to hold a path", p.Raw, strings.Count(p.Raw, "/")+1)
			}
		}
	}
	c.request()
	if resp != nil {
		c.response(resp)
	}
	return c.problems
}

type checker struct {
	ix     *Index
	op     *Operation
	m      Match
	req    Request
	method string
	spec   *openapi3.T
	// input is openapi3filter's view of the request, made only when a
	// check goes to openapi3filter (kinInput).
	input    *openapi3filter.RequestValidationInput
	query    url.Values
	problems []Problem
}

func (c *checker) add(kind Kind, where, format string, args ...any) {
	c.problems = append(c.problems, Problem{Kind: kind, Where: where, Message: fmt.Sprintf(format, args...)})
}

var checkOptions = &openapi3filter.Options{
	MultiError:          true,
	SkipSettingDefaults: true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
}

func (c *checker) url() *url.URL {
	if c.req.URL == nil {
		return &url.URL{Path: "/"}
	}
	return c.req.URL
}

// kinInput builds the request as openapi3filter takes it, once.
func (c *checker) kinInput() *openapi3filter.RequestValidationInput {
	if c.input != nil {
		return c.input
	}
	op, u := c.op, c.url()
	header := c.req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	hr := (&http.Request{
		Method:        c.method,
		URL:           u,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(c.req.Body)),
		ContentLength: int64(len(c.req.Body)),
		Host:          u.Host,
	}).WithContext(context.Background())
	c.input = &openapi3filter.RequestValidationInput{
		Request:    hr,
		PathParams: c.pathParams(),
		Route: &routers.Route{Spec: c.spec, Path: op.Path, PathItem: op.PathItem,
			Method: op.Method, Operation: op.OpenAPI},
		Options: checkOptions,
	}
	return c.input
}

func (c *checker) pathParams() map[string]string {
	pathParams := make(map[string]string, len(c.m.Params))
	for _, p := range c.m.Params {
		pathParams[p.Name] = p.Raw
	}
	return pathParams
}

func (c *checker) request() {
	op := c.op
	req := c.req
	c.query = c.url().Query()

	// Query keys the operation does not declare. Artefacts still count as
	// declared: a browser that does send csrfToken is not drifting.
	if !op.catchAll && len(c.query) > 0 {
		keys := make([]string, 0, len(c.query))
		for k := range c.query {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !declaresQuery(op, k) {
				c.add(UndocumentedQuery, "query."+k, "query parameter is not in the spec")
			}
		}
	}

	ctx := context.Background()
	for _, p := range op.checkParams {
		if c.paramFits(p) {
			continue
		}
		if err := openapi3filter.ValidateParameter(ctx, c.kinInput(), p); err != nil {
			c.paramProblem(p, err)
		}
	}

	rb := op.OpenAPI.RequestBody
	if rb == nil || rb.Value == nil {
		if len(bytes.TrimSpace(req.Body)) > 0 {
			c.add(UndocumentedRequestBody, "request.body", "the operation declares no request body")
		}
		return
	}
	if req.Truncated {
		return
	}
	if len(req.Body) == 0 {
		// What openapi3filter.ValidateRequestBody says of no body.
		if rb.Value.Required {
			c.add(MissingRequestBody, "request.body", "required request body was not sent")
		}
		return
	}
	ct := effectiveType(req.Header.Get("Content-Type"), req.Body, rb.Value.Content)
	if !decodable(ct) && rb.Value.Content.Get(ct) != nil {
		// XML and other bodies nothing here decodes: their media type
		// is documented, and that is all there is to say.
		return
	}
	if c.checkBody(rb.Value.Content, ct, req.Body, true, 0) {
		return
	}
	in := c.kinInput()
	in.Request.Header.Set("Content-Type", ct)
	in.Request.Body = io.NopCloser(bytes.NewReader(req.Body))
	if err := openapi3filter.ValidateRequestBody(ctx, in, rb.Value); err != nil {
		c.bodyProblems(InvalidRequestBody, "request", err)
	}
}

// declareQuery notes a query parameter of the operation or its path item
// for declaresQuery. Both lists count, even where the operation overrides
// a path item's parameter of the same name.
func (op *Operation) declareQuery(p *openapi3.Parameter) {
	if p.In != openapi3.ParameterInQuery {
		return
	}
	if op.queryNames == nil {
		op.queryNames = map[string]bool{}
	}
	op.queryNames[p.Name] = true
	if p.Style == openapi3.SerializationDeepObject {
		op.deepQueries = append(op.deepQueries, p.Name)
	}
}

// declaresQuery reports whether the operation or its path item declares
// the query key, a deepObject parameter's "name[...]" keys included.
func declaresQuery(op *Operation, k string) bool {
	if op.queryNames[k] {
		return true
	}
	for _, name := range op.deepQueries {
		if len(k) > len(name) && k[len(name)] == '[' && strings.HasPrefix(k, name) {
			return true
		}
	}
	return false
}

func (c *checker) paramProblem(p *openapi3.Parameter, err error) {
	where := p.In + "." + p.Name
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		switch {
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			c.add(MissingParam, where, "required %s parameter was not sent", p.In)
			return
		case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
			c.add(InvalidParam, where, "empty value is not allowed")
			return
		case re.Err != nil:
			err = re.Err
		}
	}
	for _, msg := range c.schemaMessages(err) {
		c.add(InvalidParam, where, "%s", msg.text)
	}
}

// effectiveType is the media type to validate a body as. A recording that
// lost its Content-Type, or labels JSON as something nobody decodes, is
// read as JSON when the body is JSON and the spec accepts JSON.
func effectiveType(declared string, body []byte, content openapi3.Content) string {
	if decodable(declared) {
		return declared
	}
	if json.Valid(body) && content.Get("application/json") != nil {
		return "application/json"
	}
	return declared
}

// decodable reports whether openapi3filter has a decoder for a media type.
func decodable(mediaType string) bool {
	base, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return false
	}
	return openapi3filter.RegisteredBodyDecoder(base) != nil || strings.HasSuffix(base, "+json")
}

func (c *checker) response(resp *Response) {
	op := c.op
	responses := op.OpenAPI.Responses
	if responses == nil || responses.Len() == 0 {
		return
	}
	if resp.Status == http.StatusNotModified {
		// The browser revalidated its cached copy: the operation's answer
		// is the one cached earlier, and specs rarely list 304.
		return
	}
	if responses.Status(resp.Status) == nil && responses.Default() == nil {
		c.add(UndocumentedStatus, "status", "status %d is not in the spec (it lists %s)", resp.Status, strings.Join(responseCodes(responses), ", "))
		return
	}
	body := resp.Body
	if len(bytes.TrimSpace(body)) == 0 || c.method == http.MethodHead || resp.Truncated {
		return
	}
	ref := responses.Status(resp.Status)
	if ref == nil {
		ref = responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return
	}
	ct := effectiveType(resp.Header.Get("Content-Type"), body, ref.Value.Content)
	if ct == "" {
		return
	}
	if !decodable(ct) {
		// XML, HTML, images: nothing to decode them with, so nothing to say
		// beyond whether the media type is declared.
		if ref.Value.Content.Get(ct) == nil && len(ref.Value.Content) > 0 {
			c.add(UndocumentedContentType, "response.content-type", "media type %q is not in the spec", ct)
		}
		return
	}
	if !hasHeaders(ref.Value.Headers) && c.checkBody(ref.Value.Content, ct, body, false, resp.Status) {
		return
	}
	header := resp.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", ct)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.kinInput(),
		Status:                 resp.Status,
		Header:                 header,
		Options:                checkOptions,
	}
	kinBodies.acquire(len(body))
	defer kinBodies.release(len(body))
	in.SetBodyBytes(body)
	err := openapi3filter.ValidateResponse(context.Background(), in)
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) && responseHeaderName.MatchString(re.Reason) {
		// openapi3filter stops at the first header that does not fit;
		// report it, then check the body against the same response
		// without its headers.
		c.bodyProblems(InvalidResponseHeader, "response", err)
		bare := *ref.Value
		bare.Headers = nil
		op := *c.op.OpenAPI
		op.Responses = openapi3.NewResponses(openapi3.WithStatus(resp.Status, &openapi3.ResponseRef{Value: &bare}))
		route := *c.input.Route
		route.Operation = &op
		reqIn := *c.input
		reqIn.Route = &route
		in.RequestValidationInput = &reqIn
		in.SetBodyBytes(body)
		err = openapi3filter.ValidateResponse(context.Background(), in)
	}
	if err != nil {
		c.bodyProblems(InvalidResponseBody, "response", err)
	}
}

// hasHeaders reports whether a response declares headers openapi3filter
// checks (it skips Content-Type).
func hasHeaders(h openapi3.Headers) bool {
	for k := range h {
		if k != "Content-Type" {
			return true
		}
	}
	return false
}

var responseHeaderName = regexp.MustCompile(`header "([^"]+)"`)

func responseCodes(r *openapi3.Responses) []string {
	codes := make([]string, 0, r.Len())
	for code := range r.Map() {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return codes
}

const invalidCTPrefix = "header Content-Type has unexpected value"

func (c *checker) bodyProblems(kind Kind, side string, err error) {
	var reqErr *openapi3filter.RequestError
	var respErr *openapi3filter.ResponseError
	reason, inner := "", err
	switch {
	case errors.As(err, &reqErr):
		reason, inner = reqErr.Reason, reqErr.Err
		if errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired) {
			c.add(MissingRequestBody, "request.body", "required request body was not sent")
			return
		}
	case errors.As(err, &respErr):
		reason, inner = respErr.Reason, respErr.Err
	}
	switch {
	case strings.Contains(reason, invalidCTPrefix):
		// The request's reason reads `... value "x"`, the response's
		// `... value: "x"`; the message shows the quoted type alone.
		_, value, _ := strings.Cut(reason, invalidCTPrefix)
		value = strings.TrimPrefix(strings.TrimSpace(value), ":")
		c.add(UndocumentedContentType, side+".content-type", "media type %s is not in the spec", strings.TrimSpace(value))
		return
	case kind == InvalidResponseHeader:
		where := "response.header"
		if m := responseHeaderName.FindStringSubmatch(reason); m != nil {
			where += "." + m[1]
		}
		msg := reason
		if inner != nil {
			msg += ": " + oneLine(inner.Error())
		}
		c.add(kind, where, "%s", oneLine(msg))
		return
	case inner == nil:
		c.add(kind, "$", "%s", oneLine(reason))
		return
	case strings.HasPrefix(reason, "failed to decode"):
		c.add(kind, "$", "%s: %s", reason, oneLine(inner.Error()))
		return
	}
	for _, msg := range c.schemaMessages(inner) {
		c.add(kind, msg.where, "%s", msg.text)
	}
}

type schemaMessage struct{ where, text string }

var errorAtPrefix = regexp.MustCompile(`^(?i)error at "[^"]*": `)

// schemaMessages flattens kin-openapi's schema errors into one message per
// failing place, dropping oneOf ambiguity when that artefact is tolerated.
func (c *checker) schemaMessages(err error) []schemaMessage {
	var out []schemaMessage
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		if errors.As(err, &multi) && !isSchemaError(err) {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if !errors.As(err, &se) {
			out = append(out, schemaMessage{where: "$", text: oneLine(err.Error())})
			return
		}
		if c.ix.artefacts.AmbiguousOneOf && ambiguousOneOf(se) {
			return
		}
		if best, n := c.closestBranch(se); best != nil {
			for _, m := range best {
				m.text += fmt.Sprintf(" (in the closest of %d %s branches)", n, se.SchemaField)
				out = append(out, m)
			}
			return
		}
		text := errorAtPrefix.ReplaceAllString(se.Reason, "")
		if text == "" && se.Origin != nil {
			text = errorAtPrefix.ReplaceAllString(se.Origin.Error(), "")
		}
		if text == "" {
			text = "does not match the schema's " + strconv.Quote(se.SchemaField)
		}
		if se.SchemaField == "format" {
			// kin-openapi adds the format's whole regular expression; the
			// value itself tells the reader more.
			text = formatPattern.ReplaceAllString(text, "")
			if v, ok := se.Value.(string); ok {
				text = fmt.Sprintf("%s: %s", quoteShort(v), text)
			}
		}
		out = append(out, schemaMessage{where: jsonPath(se.JSONPointer()), text: oneLine(text)})
	}
	walk(err)
	return out
}

// closestBranch explains a value that fits no branch of a oneOf or anyOf
// by the branch it came nearest to (the fewest failures), so the problem
// names a place inside the body ("$.content[0].id") rather than the root.
func (c *checker) closestBranch(se *openapi3.SchemaError) ([]schemaMessage, int) {
	if (se.SchemaField != "oneOf" && se.SchemaField != "anyOf") || ambiguousOneOf(se) || se.Origin == nil {
		return nil, 0
	}
	var branches openapi3.MultiError
	if !errors.As(se.Origin, &branches) || len(branches) == 0 {
		return nil, 0
	}
	var best []schemaMessage
	for _, b := range branches {
		if msgs := c.schemaMessages(b); len(msgs) > 0 && (best == nil || len(msgs) < len(best)) {
			best = msgs
		}
	}
	return best, len(branches)
}

var formatPattern = regexp.MustCompile(` \(string doesn't match pattern ".*"\)$`)

// quoteShort quotes a value for a one-line message, cut to 40 bytes.
func quoteShort(v string) string {
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return strconv.Quote(v)
}

func isSchemaError(err error) bool {
	_, ok := err.(*openapi3.SchemaError)
	return ok
}

func ambiguousOneOf(se *openapi3.SchemaError) bool {
	if se.SchemaField != "oneOf" {
		return false
	}
	if se.Origin != nil && errors.Is(se.Origin, openapi3.ErrOneOfConflict) {
		return true
	}
	r := se.Reason
	return strings.Contains(r, "more than one") || strings.Contains(r, "valid against subschemas at indexes")
}
