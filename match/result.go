package match

import (
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// Result is the verdict on one recorded exchange and what led to it.
type Result struct {
	// Seq is the exchange's 1-based place in its recording.
	Seq     int     `json:"seq"`
	Method  string  `json:"method"`
	URL     string  `json:"url"`
	Status  int     `json:"status"`
	Verdict Verdict `json:"verdict"`
	// Reason says why, in a few words, for every verdict but Matched.
	Reason string `json:"reason,omitempty"`
	// Operation is the operation the exchange calls, when it is in a spec.
	Operation *Operation `json:"operation,omitempty"`
	// Params are the path parameters, typed by their schemas.
	Params []Param `json:"params,omitempty"`
	// Query lists the query parameters sent, and whether the spec knows them.
	Query []QueryParam `json:"query,omitempty"`
	// Problems are the ways the exchange differs from its operation.
	Problems []spec.Problem `json:"problems,omitempty"`
	// Notes say what was not checked and why, so a clean verdict is not
	// read as more than it is.
	Notes []string `json:"notes,omitempty"`
	// Closest are the operations an undocumented call almost fits, closest
	// first: the same path under another method, a template one segment
	// longer or shorter, a letter case or trailing slash apart.
	Closest []Closest `json:"closest,omitempty"`
	// WebSocket counts the frames of a WebSocket conversation.
	WebSocket *Frames `json:"websocket,omitempty"`

	// Entry is the recorded exchange itself.
	Entry *har.Entry `json:"-"`
	// Match is the spec lookup behind the verdict.
	Match spec.Match `json:"-"`
}

// Operation names a spec operation the way a reader looks it up in Swagger
// UI: by tag (controller), operationId, method and path template.
type Operation struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	OperationID string `json:"operationId,omitempty"`
	Tag         string `json:"tag,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Deprecated  bool   `json:"deprecated,omitempty"`
	Document    string `json:"document,omitempty"`
	Alias       string `json:"alias,omitempty"`
	op          *spec.Operation
}

// NewOperation names a spec operation as a Result does.
func NewOperation(op *spec.Operation) *Operation {
	o := &Operation{Method: op.Method, Path: op.Path, OperationID: op.OperationID, Summary: op.Summary,
		Deprecated: op.Deprecated, Document: op.Document.Name(), op: op}
	if len(op.Tags) > 0 {
		o.Tag = op.Tags[0]
	}
	return o
}

// Spec returns the spec operation.
func (o *Operation) Spec() *spec.Operation { return o.op }

// String reads "launch-controller create_32: POST /api/launch".
func (o *Operation) String() string {
	s := o.Method + " " + o.Path
	switch {
	case o.Tag != "" && o.OperationID != "":
		return o.Tag + " " + o.OperationID + ": " + s
	case o.OperationID != "":
		return o.OperationID + ": " + s
	}
	return s
}

// Closest is an operation an undocumented call almost fits, and how it
// misses: "another method", "one segment more", "one segment less",
// "letter case" or "trailing slash".
type Closest struct {
	*Operation
	Why string `json:"why"`
}

// String reads "GET /api/contents/{path} (one segment more)".
func (c Closest) String() string {
	return c.Operation.Method + " " + c.Operation.Path + " (" + c.Why + ")"
}

// Frames counts a WebSocket conversation's recorded frames by direction.
type Frames struct {
	Sent     int `json:"sent"`
	Received int `json:"received"`
}

// Param is one path parameter of a matched exchange.
type Param struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// QueryParam is one query parameter sent.
type QueryParam struct {
	Name       string `json:"name"`
	Value      string `json:"value"`
	Documented bool   `json:"documented"`
	// CacheBuster marks an undocumented parameter whose value the browser
	// makes up afresh for every call so that no cache answers it (jQuery's
	// "_=1796511609272"): it is not drift, and scripts and replay send a
	// new value rather than the recorded one.
	CacheBuster bool `json:"cacheBuster,omitempty"`
}

// Entry gives the verdict on one exchange; seq is its 1-based place. What
// the Result shows is redacted (see Options.Redactor); its Entry is the
// exchange as recorded.
func (m *Matcher) Entry(seq int, e *har.Entry) Result {
	if m.counting {
		// Only the verdict and the operation are read (Options.Counting):
		// what would quote the exchange goes rather than be redacted.
		r := m.entry(seq, e)
		r.URL, r.Reason, r.Problems, r.Query, r.Notes = "", "", nil, nil, nil
		return r
	}
	return m.redacted(m.entry(seq, e))
}

// redacted is r redacted. Apart from Entry, so that a counted Result,
// never swept, stays off the heap: the sweep takes it as an interface.
func (m *Matcher) redacted(r Result) Result {
	m.redact(&r)
	return r
}

// redact is the one place a Result's report fields are cleaned: every
// report (match's text and JSON, replay's plan and reports, drift) prints
// them as they are.
func (m *Matcher) redact(r *Result) {
	r.URL = m.red.ReportURL(r.URL)
	for i := range r.Query {
		r.Query[i].Value = m.red.Param(r.Query[i].Name, r.Query[i].Value)
	}
	m.red.SweepValue(r)
}

func (m *Matcher) entry(seq int, e *har.Entry) Result {
	r := Result{Seq: seq, Method: strings.ToUpper(e.Request.Method), URL: e.Request.URL, Status: e.Response.Status, Entry: e}
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		r.Verdict, r.Reason = NotAPI, "the URL does not parse"
		return r
	}
	if !m.IsInstance(u) {
		r.Verdict, r.Reason = NotAPI, "another host: "+u.Host
		return r
	}
	var room [4]string
	pathForms := appendForms(room[:0], m.aliases, u.EscapedPath())
	if matchesAny(m.upload, pathForms) {
		r.Verdict, r.Reason = Upload, m.policy.UploadNote
		m.resolve(&r, u, false)
		return r
	}
	if why := m.docs(e, u); why != "" {
		// Swagger UI fetching the spec is the docs being read; a spec may
		// even document its own URL (Jupyter's /api/spec.yaml), and still
		// no script or replay should fetch it.
		r.Verdict, r.Reason = NotAPI, "the API's documentation: "+why
		return r
	}
	if f := webSocket(e); f != nil {
		r.Verdict, r.WebSocket = WebSocket, f
		r.Reason = fmt.Sprintf("WebSocket: %d frame(s) sent, %d received; not an HTTP call, so not scripted or replayed", f.Sent, f.Received)
		m.resolve(&r, u, false)
		return r
	}
	if matchesAny(m.auth, pathForms) {
		// Sign-in is not replayed or scripted, but a documented one is
		// still an operation a reader looks up, and coverage counts it.
		r.Verdict, r.Reason = Auth, "authentication call"
		m.resolve(&r, u, false)
		return r
	}
	m.resolve(&r, u, true)
	switch r.Match.Outcome {
	case spec.Found:
		if len(r.Problems) > 0 {
			r.Verdict, r.Reason = Drift, fmt.Sprintf("%d difference(s) from the spec", len(r.Problems))
		} else {
			r.Verdict = Matched
		}
		return r
	case spec.Preflight:
		r.Verdict, r.Reason = NotAPI, "CORS preflight the browser sent"
		return r
	}
	if why := m.notAPI(e, u); why != "" {
		r.Verdict, r.Reason = NotAPI, why
		return r
	}
	r.Verdict = Undocumented
	if r.Match.Outcome == spec.MethodNotAllowed && r.Match.Operation != nil {
		r.Reason = fmt.Sprintf("%s is documented only for %s", r.Match.Operation.Path, strings.Join(r.Match.Allowed, ", "))
	} else {
		r.Reason = "in no spec"
	}
	if m.counting {
		return r
	}
	for _, nm := range m.near.get(m.ix, r.Method, u) {
		r.Closest = append(r.Closest, Closest{Operation: NewOperation(nm.Operation), Why: nm.Why})
	}
	return r
}

// webSocket counts a WebSocket conversation's frames, or returns nil when
// the exchange is plain HTTP. The handshake is what tells: an Upgrade
// request, a 101 answer, Chrome's resource type, or recorded frames.
func webSocket(e *har.Entry) *Frames {
	msgs, _ := e.WebSocketMessages()
	rt, _ := e.Extra.String("_resourceType")
	scheme, _, _ := strings.Cut(e.Request.URL, ":")
	if len(msgs) == 0 && e.Response.Status != 101 && rt != "websocket" && scheme != "ws" && scheme != "wss" &&
		!strings.EqualFold(har.HeaderValue(e.Request.Headers, "Upgrade"), "websocket") {
		return nil
	}
	f := &Frames{}
	for _, msg := range msgs {
		if msg.Type == "send" {
			f.Sent++
		} else {
			f.Received++
		}
	}
	return f
}

// resolve looks the exchange up in the spec and, when asked, checks it.
func (m *Matcher) resolve(r *Result, u *url.URL, check bool) {
	r.Match = m.ix.Lookup(r.Method, u)
	if !m.counting || (check && !m.noChecks) {
		// Counting needs the query only to tell cache-busters from drift.
		r.Query = m.queryParams(u, r.Match, r.Entry)
	}
	if r.Match.Outcome != spec.Found {
		return
	}
	r.Operation = NewOperation(r.Match.Operation)
	if r.Match.Alias != nil {
		r.Operation.Alias = r.Match.Alias.String()
	}
	if !m.counting {
		for _, p := range r.Match.Params {
			r.Params = append(r.Params, Param{Name: p.Name, Value: p.Value})
		}
	}
	if !check || m.noChecks {
		return
	}
	req, resp := r.Exchange(u)
	if resp != nil && resp.Status == 304 {
		// The browser's cached copy was still good: the answer is that
		// copy, which the recording does not hold, so only the request
		// is held to the spec.
		resp = nil
		r.Notes = append(r.Notes, "answered 304 Not Modified: the browser used its cached copy, so only the request is checked")
	}
	r.Problems = m.dropCacheBusters(r, m.ix.Check(r.Match, req, resp))
	if req.Truncated {
		r.Notes = append(r.Notes, "the request body was cut short when it was recorded; it is not checked against its schema")
	}
	if resp != nil && resp.Truncated {
		r.Notes = append(r.Notes, "the response body was cut short when it was recorded; it is not checked against its schema")
	}
}

// Exchange is the recorded call as spec.Index.Check takes it, u being its
// parsed URL. The response is nil when the recording holds no answer; a
// body the HAR did not keep is nil, and Check leaves an empty body alone.
func (r *Result) Exchange(u *url.URL) (spec.Request, *spec.Response) {
	e := r.Entry
	body, _ := e.RequestBody()
	req := spec.Request{Method: r.Method, URL: u, Header: e.Request.HTTPHeader(), Body: body}
	if pd := e.Request.PostData; pd != nil && len(body) > 0 {
		req.Truncated = pd.Truncated()
	}
	if e.Response.Status <= 0 {
		return req, nil
	}
	rb, _ := e.ResponseBody()
	h := e.Response.HTTPHeader()
	if h.Get("Content-Type") == "" && e.Response.Content.MimeType != "" {
		h.Set("Content-Type", e.Response.Content.MimeType)
	}
	return req, &spec.Response{Status: e.Response.Status, Header: h, Body: rb,
		Truncated: len(rb) > 0 && e.Response.Content.Truncated()}
}

func (m *Matcher) queryParams(u *url.URL, mt spec.Match, e *har.Entry) []QueryParam {
	qs := har.QueryFrom(u)
	if len(qs) == 0 {
		return nil
	}
	declared := map[string]bool{}
	if mt.Outcome == spec.Found && mt.Operation.OpenAPI != nil {
		for _, list := range [][]string{paramNames(mt.Operation.PathItem.Parameters), paramNames(mt.Operation.OpenAPI.Parameters)} {
			for _, n := range list {
				declared[n] = true
			}
		}
	}
	out := make([]QueryParam, 0, len(qs))
	for _, q := range qs {
		qp := QueryParam{Name: q.Name, Value: q.Value, Documented: declared[q.Name]}
		qp.CacheBuster = m.busters && !qp.Documented && IsCacheBuster(q.Name, q.Value, e.StartedDateTime)
		out = append(out, qp)
	}
	return out
}

// notAPI says why an exchange that fits no spec is not part of the API, or
// returns "" when it looks like an API call.
func (m *Matcher) notAPI(e *har.Entry, u *url.URL) string {
	if m.policy.IsAPIPath(u.Path) {
		return ""
	}
	if m.policy.IsAssetPath(u.Path) {
		return "static asset"
	}
	if rt, ok := e.Extra.String("_resourceType"); ok {
		switch rt {
		case "script", "stylesheet", "image", "font", "media", "manifest", "texttrack":
			return "static asset"
		case "document":
			return "page load"
		}
	}
	// What the browser asked for says what a page is even when the answer
	// carries no type: a 304 Not Modified revalidating a cached page.
	switch har.HeaderValue(e.Request.Headers, "Sec-Fetch-Dest") {
	case "document", "iframe", "frame":
		return "page load"
	case "script", "style", "image", "font", "audio", "video", "manifest", "track", "worker", "sharedworker", "serviceworker":
		return "static asset"
	}
	mt, _, _ := mime.ParseMediaType(e.Response.ContentType())
	switch {
	case mt == "text/html":
		return "page load"
	case mt == "text/css" || strings.Contains(mt, "javascript") || strings.HasPrefix(mt, "image/") ||
		strings.HasPrefix(mt, "font/") || strings.HasPrefix(mt, "video/") || strings.HasPrefix(mt, "audio/"):
		return "static asset"
	case mt == "" && strings.HasPrefix(strings.ToLower(har.HeaderValue(e.Request.Headers, "Accept")), "text/html"):
		return "page load"
	}
	return ""
}

// paramNames lists the query parameters a parameter list declares.
func paramNames(ps openapi3.Parameters) []string {
	var out []string
	for _, p := range ps {
		if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			out = append(out, p.Value.Name)
		}
	}
	return out
}
