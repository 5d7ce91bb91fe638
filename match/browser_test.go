package match_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

// filesSpec is shaped like a file server's API (Jupyter's): a {path}
// parameter meant to hold slashes, a root listing the spec leaves out, its
// own spec document among its paths, documented "t" and "timestamp" query
// parameters, a documented sign-in and a documented WebSocket handshake.
const filesSpec = `swagger: '2.0'
info: {title: Files, version: '1'}
basePath: /
paths:
  /api/files/{path}:
    parameters:
      - {name: path, in: path, required: true, type: string}
    get:
      operationId: get_file
      tags: [files]
      responses: {'200': {description: ok, schema: {type: object}}}
    delete:
      operationId: delete_file
      tags: [files]
      responses: {'204': {description: gone}}
  /api/files/{path}/checkpoints:
    parameters:
      - {name: path, in: path, required: true, type: string}
    get:
      operationId: list_checkpoints
      tags: [files]
      responses: {'200': {description: ok, schema: {type: array, items: {type: object}}}}
  /api/jobs/{id}:
    get:
      operationId: get_job
      tags: [jobs]
      parameters:
        - {name: id, in: path, required: true, type: integer, format: int64}
        - {name: t, in: query, type: integer, description: a documented t}
        - {name: timestamp, in: query, type: integer, format: int64}
      responses: {'200': {description: ok, schema: {type: object}}}
  /api/events/{id}/stream:
    get:
      operationId: open_stream
      tags: [events]
      parameters:
        - {name: id, in: path, required: true, type: string}
      responses: {'101': {description: switching to WebSocket}}
  /api/login/system:
    post:
      operationId: login
      tags: [auth]
      responses: {'200': {description: signed in}}
  /api/spec.yaml:
    get:
      operationId: get_spec
      tags: [docs]
      produces: [text/x-yaml]
      responses: {'200': {description: the spec}}
`

func filesMatcher(t *testing.T, opts match.Options) (*spec.Index, *match.Matcher) {
	t.Helper()
	doc, err := spec.Load(spec.Source{Name: "files.yaml", URL: "files.yaml", Data: []byte(filesSpec)})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix, match.New(ix, opts)
}

// at is the time every call below was sent.
var at = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func sent(method, rawURL string, status int, respType, respBody string, headers ...string) *har.Entry {
	e := entry(method, rawURL, status, respType, respBody)
	e.StartedDateTime = at.Format(time.RFC3339Nano)
	for i := 0; i+1 < len(headers); i += 2 {
		e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: headers[i], Value: headers[i+1]})
	}
	return e
}

func TestBrowserTrafficVerdicts(t *testing.T) {
	const host = "http://files.test"
	ms := fmt.Sprint(at.UnixMilli())
	ws := sent("GET", host+"/api/kernels/k1/channels?session_id=s1", 101, "", "", "Upgrade", "websocket", "Connection", "Upgrade")
	_ = ws.SetWebSocketMessages([]har.WebSocketMessage{{Type: "send", Opcode: 1, Data: "a"}, {Type: "receive", Opcode: 1, Data: "b"}, {Type: "receive", Opcode: 1, Data: "c"}})
	wsDoc := sent("GET", host+"/api/events/e1/stream", 101, "", "", "Upgrade", "websocket")
	// A page whose type only its Content-Type header gives.
	typedPage := sent("GET", host+"/home", 200, "", "")
	typedPage.Response.Headers = []har.NameValue{{Name: "Content-Type", Value: "text/html; charset=utf-8"}}
	cases := []struct {
		reason  string
		e       *har.Entry
		opts    match.Options
		verdict match.Verdict
		op      string // "METHOD /template", or "" for none
		want    string // in the reason, a note, a problem or a closest line
		buster  string // the query parameter that must be a cache-buster
	}{
		{reason: "jQuery's _=<milliseconds> is a cache-buster, not drift",
			e: sent("GET", host+"/api/files/a.txt?_="+ms, 200, "application/json", `{}`), verdict: match.Matched, op: "GET /api/files/{path}", want: "cache-buster _=" + ms, buster: "_"},
		{reason: "a known name with a random number is a cache-buster",
			e: sent("GET", host+"/api/files/a.txt?cb=0.734712392", 200, "application/json", `{}`), verdict: match.Matched, op: "GET /api/files/{path}", buster: "cb"},
		{reason: "any name whose value is the call's own time is a cache-buster",
			e: sent("GET", host+"/api/files/a.txt?now="+fmt.Sprint(at.Unix()-3), 200, "application/json", `{}`), verdict: match.Matched, op: "GET /api/files/{path}", buster: "now"},
		{reason: "a timestamp a day off under an unknown name is drift",
			e: sent("GET", host+"/api/files/a.txt?since="+fmt.Sprint(at.Add(-24*time.Hour).Unix()), 200, "application/json", `{}`), verdict: match.Drift, op: "GET /api/files/{path}", want: "query.since"},
		{reason: "a known name with a word for its value is drift",
			e: sent("GET", host+"/api/files/a.txt?_=abc", 200, "application/json", `{}`), verdict: match.Drift, op: "GET /api/files/{path}", want: "query._"},
		{reason: "--no-cache-busters holds _ to the spec like any parameter",
			e: sent("GET", host+"/api/files/a.txt?_="+ms, 200, "application/json", `{}`), opts: match.Options{KeepCacheBusters: true}, verdict: match.Drift, op: "GET /api/files/{path}", want: "query._"},
		{reason: "a documented t is checked, not dropped: a word for an integer is drift",
			e: sent("GET", host+"/api/jobs/7?t=abc", 200, "application/json", `{}`), verdict: match.Drift, op: "GET /api/jobs/{id}", want: "query.t"},
		{reason: "a documented t with a timestamp stays a parameter",
			e: sent("GET", host+"/api/jobs/7?t="+ms, 200, "application/json", `{}`), verdict: match.Matched, op: "GET /api/jobs/{id}"},
		{reason: "a documented timestamp parameter stays a parameter",
			e: sent("GET", host+"/api/jobs/7?timestamp="+ms, 200, "application/json", `{}`), verdict: match.Matched, op: "GET /api/jobs/{id}"},
		{reason: "a WebSocket in no spec gets its verdict and frame counts",
			e: ws, verdict: match.WebSocket, want: "1 frame(s) sent, 2 received"},
		{reason: "the Upgrade header alone tells a handshake a proxy recorded without its 101",
			e: sent("GET", host+"/api/kernels/k2/channels", 200, "", "", "Upgrade", "websocket"), verdict: match.WebSocket, want: "0 frame(s) sent"},
		{reason: "fetch metadata alone tells a page load",
			e: sent("GET", host+"/tree", 200, "", "", "Sec-Fetch-Dest", "document"), verdict: match.NotAPI, want: "page load"},
		{reason: "fetch metadata alone tells a script without an extension",
			e: sent("GET", host+"/bundle", 200, "", "", "Sec-Fetch-Dest", "script"), verdict: match.NotAPI, want: "static asset"},
		{reason: "the Content-Type header alone tells a page",
			e: typedPage, verdict: match.NotAPI, want: "page load"},
		{reason: "a documented WebSocket handshake names its operation",
			e: wsDoc, verdict: match.WebSocket, op: "GET /api/events/{id}/stream"},
		{reason: "a page revalidated with 304 is a page load, as its 200 is",
			e: sent("GET", host+"/tree", 304, "", "", "Accept", "text/html,application/xhtml+xml", "Sec-Fetch-Dest", "document"), verdict: match.NotAPI, want: "page load"},
		{reason: "a page revalidated with 304 is a page load even without fetch metadata",
			e: sent("GET", host+"/tree", 304, "", "", "Accept", "text/html,application/xhtml+xml"), verdict: match.NotAPI, want: "page load"},
		{reason: "an API call answered 304 matches its operation, with a note",
			e: sent("GET", host+"/api/files/a.txt", 304, "", ""), verdict: match.Matched, op: "GET /api/files/{path}", want: "304 Not Modified"},
		{reason: "a root listing one segment short stays undocumented, naming the template",
			e: sent("GET", host+"/api/files?type=directory", 200, "application/json", `{}`), verdict: match.Undocumented, want: "GET /api/files/{path} (one segment more)"},
		{reason: "a method the path does not document names the path's operations",
			e: sent("PUT", host+"/api/jobs/7", 200, "application/json", `{}`), verdict: match.Undocumented, want: "GET /api/jobs/{id} (another method)"},
		{reason: "a letter case apart names the operation",
			e: sent("GET", host+"/API/Jobs/7", 200, "application/json", `{}`), verdict: match.Undocumented, want: "GET /api/jobs/{id} (letter case)"},
		{reason: "one segment too many names the operation",
			e: sent("GET", host+"/api/jobs/7/log", 200, "application/json", `{}`), verdict: match.Undocumented, want: "GET /api/jobs/{id} (one segment less)"},
		{reason: "a file path spanning segments matches {path} as drift",
			e: sent("GET", host+"/api/files/docs/sub/a.ipynb", 200, "application/json", `{}`), verdict: match.Drift, op: "GET /api/files/{path}", want: "spanning-param path.path"},
		{reason: "a spanning path inside a longer template matches it",
			e: sent("GET", host+"/api/files/docs/a.ipynb/checkpoints", 200, "application/json", `[]`), verdict: match.Drift, op: "GET /api/files/{path}/checkpoints", want: `"docs/a.ipynb" spans 2`},
		{reason: "an integer parameter never spans segments",
			e: sent("GET", host+"/api/jobs/7/8", 200, "application/json", `{}`), verdict: match.Undocumented},
		{reason: "the spec document is the API's documentation, though it documents itself",
			e: sent("GET", host+"/api/spec.yaml", 200, "text/x-yaml", "swagger: '2.0'\ninfo: {}\n"), verdict: match.NotAPI, want: "the API's documentation"},
		{reason: "a spec document found by its content",
			e: sent("GET", host+"/docs/schema?format=json", 200, "application/json", `{"openapi":"3.0.1","info":{}}`), verdict: match.NotAPI, want: "a spec document"},
		{reason: "Swagger UI's page is the documentation",
			e: sent("GET", host+"/swagger-ui/index.html", 200, "text/html", "<html>"), verdict: match.NotAPI, want: "Swagger UI"},
		{reason: "a documented sign-in stays auth and names its operation",
			e: sent("POST", host+"/api/login/system", 200, "", ""), verdict: match.Auth, op: "POST /api/login/system"},
	}
	for _, c := range cases {
		_, m := filesMatcher(t, c.opts)
		r := m.Entry(1, c.e)
		var text strings.Builder
		if err := match.WriteTable(&text, []match.Result{r}); err != nil {
			t.Fatal(err)
		}
		if testing.Verbose() {
			t.Log(text.String())
		}
		if r.Verdict != c.verdict {
			t.Errorf("%s: verdict %s, want %s\n%s", c.reason, r.Verdict, c.verdict, text.String())
			continue
		}
		gotOp := ""
		if r.Operation != nil {
			gotOp = r.Operation.Method + " " + r.Operation.Path
		}
		if gotOp != c.op {
			t.Errorf("%s: operation %q, want %q\n%s", c.reason, gotOp, c.op, text.String())
		}
		if !strings.Contains(text.String(), c.want) {
			t.Errorf("%s: the table lacks %q:\n%s", c.reason, c.want, text.String())
		}
		for _, q := range r.Query {
			if q.CacheBuster != (q.Name == c.buster) {
				t.Errorf("%s: query %s cache-buster %v, want %v", c.reason, q.Name, q.CacheBuster, q.Name == c.buster)
			}
		}
		// match -q counts with a Matcher that keeps only the verdict and
		// the operation: they must be these, with checks on and off.
		for _, noChecks := range []bool{false, true} {
			opts := c.opts
			opts.Counting, opts.NoChecks = true, noChecks
			_, cm := filesMatcher(t, opts)
			want := r
			if noChecks {
				_, fm := filesMatcher(t, match.Options{KeepCacheBusters: c.opts.KeepCacheBusters, NoChecks: true})
				want = fm.Entry(1, c.e)
			}
			e := c.e
			if noChecks {
				// Read as match -q --no-checks reads: only the headers
				// a counting Matcher looks at.
				lean := *c.e
				lean.Request.Headers = onlyHeaders(c.e.Request.Headers, match.CountingHeaders())
				lean.Response.Headers = onlyHeaders(c.e.Response.Headers, match.CountingHeaders())
				e = &lean
			}
			got := cm.Entry(1, e)
			if got.Verdict != want.Verdict || fmt.Sprint(got.Operation) != fmt.Sprint(want.Operation) {
				t.Errorf("%s: counting (no checks %v) says %s %v, want %s %v", c.reason, noChecks, got.Verdict, got.Operation, want.Verdict, want.Operation)
			}
			if got.URL != "" || got.Reason != "" || got.Query != nil || got.Params != nil || got.Closest != nil || got.Problems != nil || got.Notes != nil {
				t.Errorf("%s: a counting result shows the call: %+v", c.reason, got)
			}
		}
	}
}

func TestAuthAndWebSocketOperationsCountTowardCoverage(t *testing.T) {
	ix, m := filesMatcher(t, match.Options{})
	tally := match.NewTally(ix)
	tally.Add(m.Entry(1, sent("POST", "http://files.test/api/login/system", 200, "", "")))
	tally.Add(m.Entry(2, sent("GET", "http://files.test/api/events/e1/stream", 101, "", "", "Upgrade", "websocket")))
	s := tally.Summary()
	if s.Coverage.Exercised != 2 {
		t.Errorf("coverage %d of %d; the sign-in and the handshake are documented operations that were called", s.Coverage.Exercised, s.Coverage.Operations)
	}
	if s.Verdicts[match.Auth] != 1 || s.Verdicts[match.WebSocket] != 1 {
		t.Errorf("verdicts %v", s.Verdicts)
	}
}

// onlyHeaders keeps the headers of the names given.
func onlyHeaders(hs []har.NameValue, names []string) []har.NameValue {
	var out []har.NameValue
	for _, h := range hs {
		for _, n := range names {
			if strings.EqualFold(h.Name, n) {
				out = append(out, h)
			}
		}
	}
	return out
}
