package match_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/internal/shareddata"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

func entry(method, rawURL string, status int, respType, respBody string) *har.Entry {
	e := &har.Entry{Request: har.Request{Method: method, URL: rawURL}, Response: har.Response{Status: status}}
	if respBody != "" || respType != "" {
		e.SetResponseBody([]byte(respBody), respType)
		e.Response.Headers = []har.NameValue{{Name: "Content-Type", Value: respType}}
	}
	return e
}

func TestVerdicts(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	const host = "http://testops.test"
	launch := `{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`
	cases := []struct {
		reason  string
		e       *har.Entry
		verdict match.Verdict
		op      string
	}{
		{"a documented call that fits", entry("GET", host+"/api/launch/104", 200, "application/json", launch), match.Matched, "GET /api/launch/{id}"},
		{"the literal segment beats the template", entry("GET", host+"/api/launch/__search?projectId=1&rql=true", 200, "application/json", `{"content":[],"totalElements":0,"totalPages":0,"size":10,"number":0,"numberOfElements":0,"first":true,"last":true,"empty":true}`), match.Matched, "GET /api/launch/__search"},
		{"the legacy /api/rs form of a documented path", entry("GET", host+"/api/rs/launch/104", 200, "application/json", launch), match.Matched, "GET /api/launch/{id}"},
		{"a response that does not fit its schema", entry("GET", host+"/api/launch/104", 200, "application/json", `{"id":"not a number"}`), match.Drift, "GET /api/launch/{id}"},
		{"an undocumented query parameter", entry("GET", host+"/api/launch/104?debug=1", 200, "application/json", launch), match.Drift, "GET /api/launch/{id}"},
		{"the token exchange", entry("POST", host+"/api/uaa/oauth/token", 200, "application/json", `{}`), match.Auth, ""},
		{"the UI's login form", entry("POST", host+"/api/login/system", 200, "", ""), match.Auth, ""},
		{"an upload endpoint in the spec", entry("POST", host+"/api/upload/start", 200, "application/json", `{}`), match.Upload, ""},
		{"an upload endpoint under a launch", entry("POST", host+"/api/launch/104/upload/file", 200, "", ""), match.Upload, ""},
		{"an upload endpoint in the legacy form", entry("POST", host+"/api/rs/upload/session?manual=true", 200, "", ""), match.Upload, ""},
		{"an API path in no spec", entry("GET", host+"/api/launch/104/widgets", 404, "application/json", `{"status":404,"message":"Not Found"}`), match.Undocumented, ""},
		{"a documented path with an undocumented method", entry("PUT", host+"/api/launch/104", 405, "", ""), match.Undocumented, ""},
		{"a script", entry("GET", host+"/static/app.js", 200, "application/javascript", "x"), match.NotAPI, ""},
		{"the page", entry("GET", host+"/", 200, "text/html", "<html>"), match.NotAPI, ""},
		{"a CORS preflight", entry("OPTIONS", host+"/api/launch", 204, "", ""), match.NotAPI, ""},
		{"another host", entry("GET", "https://analytics.example/collect?v=1", 200, "", ""), match.NotAPI, ""},
	}
	m := match.New(ix, match.Options{})
	for _, c := range cases {
		m.Observe(c.e)
	}
	if hosts := m.Hosts(); len(hosts) != 1 || hosts[0] != "testops.test" {
		t.Fatalf("learnt hosts %v, want only the instance", hosts)
	}
	for i, c := range cases {
		r := m.Entry(i+1, c.e)
		if r.Verdict != c.verdict {
			t.Errorf("%s: verdict %s (%s), want %s; problems %v", c.reason, r.Verdict, r.Reason, c.verdict, r.Problems)
			continue
		}
		if c.op != "" && (r.Operation == nil || r.Operation.Method+" "+r.Operation.Path != c.op) {
			t.Errorf("%s: operation %v, want %s", c.reason, r.Operation, c.op)
		}
		if r.Verdict == match.Upload && r.Reason == "" {
			t.Errorf("%s: an upload verdict must say where uploads go", c.reason)
		}
	}
}

func TestResultNamesOperationAndParams(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	m := match.New(ix, match.Options{})
	r := m.Entry(1, entry("GET", "http://testops.test/api/launch/104?projectId=1", 200, "", ""))
	if r.Operation == nil || r.Operation.Tag != "launch-controller" || r.Operation.OperationID == "" {
		t.Fatalf("operation %+v", r.Operation)
	}
	if len(r.Params) != 1 || r.Params[0].Name != "id" || r.Params[0].Value != int64(104) {
		t.Errorf("params %+v: the id is typed as int64 by its schema", r.Params)
	}
	if got := r.Operation.String(); got != "launch-controller "+r.Operation.OperationID+": GET /api/launch/{id}" {
		t.Errorf("operation reads %q", got)
	}
}

func TestFixedHostsOverrideLearning(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	m := match.New(ix, match.Options{Hosts: []string{"https://testops.example.com"}})
	m.Observe(entry("GET", "http://other.test/api/launch/1", 200, "", ""))
	if r := m.Entry(1, entry("GET", "http://other.test/api/launch/1", 200, "", "")); r.Verdict != match.NotAPI {
		t.Errorf("a host that is not the instance: %s", r.Verdict)
	}
	if r := m.Entry(2, entry("GET", "https://testops.example.com:443/api/launch/1", 200, "", "")); r.Verdict == match.NotAPI {
		t.Errorf("the instance with its default port written out: %s %s", r.Verdict, r.Reason)
	}
}

func TestPetstoreChromeRecording(t *testing.T) {
	dir := shareddata.Dir(t, "realworld")
	doc, err := spec.LoadFile(filepath.Join(dir, "specs", "petstore_swagger2.0.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := har.ReadFile(filepath.Join(dir, "har", "petstore", "chrome_swagger-ui_petstore.har"))
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{})
	for _, e := range f.Log.Entries {
		m.Observe(e)
	}
	tally := match.NewTally(ix)
	var found, notFound404 int
	for i, e := range f.Log.Entries {
		r := m.Entry(i+1, e)
		tally.Add(r)
		if r.Operation != nil {
			found++
			if r.Status == 404 {
				notFound404++
			}
		} else if r.Verdict != match.NotAPI {
			t.Errorf("entry %d %s: %s (%s)", i+1, r.URL, r.Verdict, r.Reason)
		}
	}
	if found != 8 {
		t.Errorf("resolved %d of 9 entries, SOURCES.md says 8 (all but the page)", found)
	}
	if notFound404 != 2 {
		t.Errorf("%d 404 answers resolved to their operations, want 2 (user1, the first pet)", notFound404)
	}
	s := tally.Summary()
	if s.Coverage.Operations != 20 || s.Coverage.Exercised != 5 {
		t.Errorf("coverage %d of %d, want 5 of 20", s.Coverage.Exercised, s.Coverage.Operations)
	}
}

func TestThirdPartyAPIHostsAreNotTheInstance(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	launch := `{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`
	entries := []*har.Entry{
		entry("GET", "http://127.0.0.1:18080/api/launch/104", 200, "application/json", launch),
		entry("POST", "https://o123.ingest.sentry.io/api/4504/envelope/?sentry_key=abc", 200, "application/json", `{}`),
		entry("GET", "https://cdn.example.com/api/v1/flags", 200, "application/json", `{}`),
	}
	m := match.New(ix, match.Options{})
	for _, e := range entries {
		m.Observe(e)
	}
	if hosts := m.Hosts(); len(hosts) != 1 || hosts[0] != "127.0.0.1:18080" {
		t.Errorf("learnt hosts %v, want only the one whose call fits the spec", hosts)
	}
	for i, e := range entries[1:] {
		if r := m.Entry(i+2, e); r.Verdict != match.NotAPI {
			t.Errorf("%s: %s (%s), want not-api", e.Request.URL, r.Verdict, r.Reason)
		}
	}
}

func TestTruncatedBodiesAreNotDrift(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	m := match.New(ix, match.Options{})
	e := entry("GET", "http://testops.test/api/launch/104", 200, "application/json", `{"id":104,"name":"x","proj`)
	e.Response.Content.Extra.Set("_truncated", true)
	r := m.Entry(1, e)
	if r.Verdict != match.Matched {
		t.Errorf("a response body capture cut short: %s %v", r.Verdict, r.Problems)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "not checked") {
		t.Errorf("notes %q: the report must say the body went unchecked", r.Notes)
	}
	p := entry("POST", "http://testops.test/api/launch", 200, "application/json", `{"id":1,"name":"a","projectId":1}`)
	p.SetRequestBody([]byte(`{"name":"a","proj`), "application/json")
	p.Request.PostData.Extra.Set("_truncated", true)
	if r := m.Entry(2, p); r.Verdict != match.Matched || len(r.Notes) != 1 {
		t.Errorf("a request body capture cut short: %s %v, notes %q", r.Verdict, r.Problems, r.Notes)
	}
}

// A value its parameter's type rejects is the operation called wrongly,
// which is drift, not a call in no spec.
func TestWronglyTypedPathParamIsDrift(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	launch := `{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`
	m := match.New(ix, match.Options{})
	typed := entry("GET", "http://testops.test/api/launch/104", 200, "application/json", launch)
	wrong := entry("GET", "http://testops.test/api/launch/abc", 400, "application/json", `{}`)
	elsewhere := entry("GET", "https://other.example/api/launch/abc", 200, "application/json", `{}`)
	for _, e := range []*har.Entry{typed, wrong, elsewhere} {
		m.Observe(e)
	}
	if hosts := m.Hosts(); len(hosts) != 1 || hosts[0] != "testops.test" {
		t.Errorf("learnt hosts %v: a fit that ignores types does not make a host the instance", hosts)
	}
	r := m.Entry(2, wrong)
	if r.Verdict != match.Drift || r.Operation == nil || r.Operation.Path != "/api/launch/{id}" {
		t.Fatalf("verdict %s (%s), operation %v; want drift on GET /api/launch/{id}", r.Verdict, r.Reason, r.Operation)
	}
	if len(r.Problems) == 0 || r.Problems[0].Kind != spec.InvalidParam || r.Problems[0].Where != "path.id" {
		t.Errorf("problems %v, want invalid-param path.id first", r.Problems)
	}
	if r := m.Entry(3, elsewhere); r.Verdict != match.NotAPI {
		t.Errorf("another host: %s", r.Verdict)
	}
}

// TestUploadSpellings: the server resolves dot segments, percent-escapes,
// matrix parameters and aliases before routing, so every spelling that
// reaches an upload endpoint is an upload, with or without a spec.
func TestUploadSpellings(t *testing.T) {
	cases := []struct {
		reason string
		path   string
		upload bool
	}{
		{"the plain path", "/api/upload", true},
		{"a dot segment", "/api/./upload", true},
		{"a dot-dot segment", "/api/x/../upload", true},
		{"a matrix parameter", "/api/upload;x=1", true},
		{"a matrix parameter on an earlier segment", "/api;v=2/upload/start", true},
		{"Tomcat's ..; traversal", "/api/x/..;/upload", true},
		{"a percent-encoded letter", "/api/%75pload", true},
		{"percent-encoded dots", "/api/x/%2e%2e/upload", true},
		{"a percent-encoded slash", "/api%2Fupload", true},
		{"a double-encoded dot-dot", "/api/x/%252e%252e/upload", true},
		{"an encoded semicolon", "/api/upload%3Bx=1", true},
		{"a doubled slash", "/api//upload", true},
		{"a backslash", `/api\upload`, true},
		{"capital letters", "/API/Upload", true},
		{"the /api/uaa alias", "/api/uaa/upload", true},
		{"the /api/rs alias", "/api/rs/launch/7/upload", true},
		{"an alias spelt with a dot segment", "/api/uaa/./upload/start", true},
		{"a launch's upload with a trailing slash", "/api/launch/7/upload/", true},
		{"a path that only starts like one", "/api/uploads", false},
		{"dot-dot climbing out of the upload", "/api/upload/../launch", false},
		{"a launch", "/api/launch/7", false},
		{"a broken escape stays as written", "/api/upl%zzoad", false},
	}
	p := match.TestOpsPolicy()
	ix := sandboxtest.Index(t, false)
	m := match.New(ix, match.Options{Hosts: []string{"testops.test"}})
	for i, c := range cases {
		if got := p.IsUpload(c.path); got != c.upload {
			t.Errorf("%s: IsUpload(%q) = %v (read as %q)", c.reason, c.path, got, match.CanonicalPath(c.path))
		}
		// The verdict, which replay and script act on, agrees.
		r := m.Entry(i+1, entry("POST", "http://testops.test"+c.path, 200, "", ""))
		if (r.Verdict == match.Upload) != c.upload {
			t.Errorf("%s: %s has the verdict %s", c.reason, c.path, r.Verdict)
		}
	}
}

// TestUserAliasesReachUploads: an alias the user gives (--alias) is a path
// the instance serves, so an upload behind it is still an upload.
func TestUserAliasesReachUploads(t *testing.T) {
	docs := sandboxtest.Index(t, false).Documents()
	ix, err := spec.NewIndex(docs, spec.Options{Aliases: []spec.Alias{{From: "/gateway/testops", To: "/api"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{Hosts: []string{"testops.test"}})
	if r := m.Entry(1, entry("POST", "http://testops.test/gateway/testops/upload/start", 200, "", "")); r.Verdict != match.Upload {
		t.Errorf("an upload behind a user alias: %s (%s)", r.Verdict, r.Reason)
	}
	if r := m.Entry(2, entry("POST", "http://testops.test/gateway/other/upload", 200, "", "")); r.Verdict == match.Upload {
		t.Errorf("a path the alias does not cover is an upload")
	}
}

// TestSoleHost: with nothing naming the instance, a recording whose API
// calls all go to one host has that host as the instance; with several,
// the caller gets the list to refuse with.
func TestSoleHost(t *testing.T) {
	cases := []struct {
		reason string
		opts   match.Options
		urls   []string
		hosts  []string // what SoleHost returns
		sole   string   // the instance's host afterwards, "" for every host
	}{
		{"one API host, pages and assets elsewhere", match.Options{},
			[]string{"https://testops.example/api/launch/1", "https://cdn.example/app.js", "https://testops.example/api/project"},
			[]string{"testops.example"}, "testops.example"},
		{"two API hosts", match.Options{},
			[]string{"https://testops.example/api/launch/1", "https://o1.ingest.sentry.example/api/4/envelope/", "https://testops.example:443/api/project"},
			[]string{"o1.ingest.sentry.example", "testops.example"}, ""},
		{"a host given beforehand settles it", match.Options{Hosts: []string{"testops.example"}},
			[]string{"https://testops.example/api/launch/1", "https://other.example/api/launch/1"},
			nil, "testops.example"},
		{"no API call at all", match.Options{},
			[]string{"https://cdn.example/app.js"}, nil, ""},
	}
	empty, err := spec.NewIndex(nil, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		m := match.New(empty, c.opts)
		var entries []*har.Entry
		for _, u := range c.urls {
			ct := "application/json"
			if strings.HasSuffix(u, ".js") {
				ct = "application/javascript"
			}
			e := entry("GET", u, 200, ct, "{}")
			m.Observe(e)
			entries = append(entries, e)
		}
		got := m.SoleHost(entries)
		if strings.Join(got, ",") != strings.Join(c.hosts, ",") {
			t.Errorf("%s: SoleHost %v, want %v", c.reason, got, c.hosts)
		}
		if hs := strings.Join(m.Hosts(), ","); hs != c.sole {
			t.Errorf("%s: the instance's hosts are %q, want %q", c.reason, hs, c.sole)
		}
	}
}
