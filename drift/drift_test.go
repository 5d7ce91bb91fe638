package drift_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/drift"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/shareddata"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

func index(t *testing.T, path string) *spec.Index {
	t.Helper()
	doc, err := spec.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func call(method, rawURL string, status int, reqBody, respBody string) *har.Entry {
	e := &har.Entry{Request: har.Request{Method: method, URL: rawURL}, Response: har.Response{Status: status}}
	if reqBody != "" {
		e.SetRequestBody([]byte(reqBody), "application/json")
		e.Request.Headers = []har.NameValue{{Name: "Content-Type", Value: "application/json"}}
	}
	if respBody != "" {
		e.SetResponseBody([]byte(respBody), "application/json")
		e.Response.Headers = []har.NameValue{{Name: "Content-Type", Value: "application/json"}}
	}
	return e
}

func results(ix *spec.Index, entries []*har.Entry) []match.Result {
	m := match.New(ix, match.Options{})
	var out []match.Result
	for i, e := range entries {
		out = append(out, m.Entry(i+1, e))
	}
	return out
}

func kinds(c drift.Call) string {
	var ks []string
	for _, ch := range c.Changes {
		ks = append(ks, string(ch.Kind))
	}
	return strings.Join(ks, ",")
}

func TestChangesUnderCalls(t *testing.T) {
	v1, v2 := index(t, "testdata/items-v1.yaml"), index(t, "testdata/items-v2.yaml")
	entries := []*har.Entry{
		call("GET", "http://api.test/api/items?filter=a&page=0", 200, "", `[{"id":1,"name":"a"}]`),
		call("GET", "http://api.test/api/items/1", 200, "", `{"id":1,"name":"a"}`),
		call("DELETE", "http://api.test/api/items/1", 204, "", ""),
	}
	calls := drift.Compare(results(v1, entries), v1, v2)
	cases := []struct {
		reason   string
		kinds    string
		breaking bool
	}{
		{"a renamed query parameter, a new required one, a renumbered id, a schema the answer misses", "renumbered,param-renamed,required-added,response-schema", true},
		{"a renamed path parameter is no change; the answer misses the new required title", "response-schema", true},
		{"a removed method", "method-removed", true},
	}
	if len(calls) != len(cases) {
		t.Fatalf("%d calls", len(calls))
	}
	for i, c := range cases {
		got := calls[i]
		if kinds(got) != c.kinds || got.Breaking != c.breaking {
			t.Errorf("#%d %s: kinds %s breaking %v, want %s %v\n%+v", i+1, c.reason, kinds(got), got.Breaking, c.kinds, c.breaking, got.Changes)
		}
	}
	var buf bytes.Buffer
	drift.WriteCalls(&buf, calls)
	for _, want := range []string{"! #1 GET /api/items?filter=a&page=0: still resolves to item-controller listItems_1: GET /api/items",
		"param-renamed: the query parameter filter the call sends looks renamed to query",
		"required-added: the new spec requires the query parameter tenant", "! #3 DELETE /api/items/1: no longer resolves"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
	if s := drift.Summarize(calls); s.Breaking != 3 || s.Calls != 3 {
		t.Errorf("summary %+v", s)
	}
}

// TestTestOpsVersions checks the two real TestOps documents: 142
// operationIds were renumbered between them, which is no break, and 70
// operations were added in 26.1.1.
func TestTestOpsVersions(t *testing.T) {
	dir := shareddata.Dir(t, "realworld", "testops")
	v25 := index(t, filepath.Join(dir, "allure-testops-service-25.4.1.openapi.json"))
	v26 := index(t, filepath.Join(dir, "allure-testops-service-26.1.1.openapi.json"))
	const host = "https://testops.example.com"
	page := `{"content":[],"totalElements":0,"totalPages":0,"size":10,"number":0,"numberOfElements":0,"first":true,"last":true,"empty":true}`
	entries := []*har.Entry{
		call("GET", host+"/api/launch?projectId=1&page=0&size=10", 200, "", page),                                            // findAll_29 / findAll_30
		call("POST", host+"/api/launch", 200, `{"name":"nightly","projectId":1}`, `{"id":7,"name":"nightly","projectId":1}`), // create_31 / create_32
		call("GET", host+"/api/project?page=0&size=10", 200, "", page),                                                       // findAll_21 / findAll_22
		call("GET", host+"/api/testresult?launchId=7&page=0&size=10", 200, "", page),                                         // findAll_4 / findAll_5
		call("GET", host+"/api/launch/7", 200, "", `{"id":7,"name":"nightly","projectId":1}`),                                // findOne_23 in both
		call("GET", host+"/api/account/me", 200, "", `{"id":1,"username":"admin"}`),                                          // only in 26.1.1
	}

	calls := drift.Compare(results(v26, entries), v26, v25)
	if len(calls) != 6 {
		t.Fatalf("26.1.1 resolves %d of the 6 calls", len(calls))
	}
	renumbered := 0
	for _, c := range calls {
		switch {
		case strings.HasSuffix(c.URL, "/api/account/me"):
			if !c.Breaking || c.Resolves || kinds(c) != "removed" {
				t.Errorf("the operation 25.4.1 lacks: %+v", c)
			}
		case c.Breaking:
			t.Errorf("#%d %s %s breaks: %+v", c.Seq, c.Method, c.URL, c.Changes)
		case kinds(c) == "renumbered":
			renumbered++
		}
	}
	if renumbered != 4 {
		t.Errorf("%d calls report a renumbered operationId, want 4", renumbered)
	}

	calls = drift.Compare(results(v25, entries), v25, v26)
	for _, c := range calls {
		if c.Breaking {
			t.Errorf("25.4.1 to 26.1.1 must break nothing; #%d %s %s: %+v", c.Seq, c.Method, c.URL, c.Changes)
		}
	}
	if len(calls) != 5 {
		t.Errorf("25.4.1 resolves %d calls, want 5 (not /api/account/me)", len(calls))
	}
}
