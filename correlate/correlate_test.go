package correlate_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/spec"
)

// recorder makes real calls to a sandbox instance and records them as a
// browser would, so that the analysis meets real ids and real echoes.
type recorder struct {
	t     *testing.T
	in    *sandbox.Instance
	token string
	ix    *spec.Index
	calls []correlate.Call
}

func newRecorder(t *testing.T) *recorder {
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	resp, err := http.PostForm(in.URL()+"/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {sandbox.SeedAPIToken}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	return &recorder{t: t, in: in, token: tok.AccessToken, ix: sandboxtest.Index(t, false)}
}

func (r *recorder) do(method, path string, body any) map[string]any {
	r.t.Helper()
	var reqBody []byte
	if body != nil {
		reqBody, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, r.in.URL()+path, bytes.NewReader(reqBody))
	req.Header.Set("Authorization", "Bearer "+r.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		r.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, respBody)
	}
	if body == nil {
		reqBody = nil
	}
	e := har.NewEntry(start, req, reqBody, resp, respBody)
	u, _ := url.Parse(e.Request.URL)
	m := r.ix.Lookup(method, u)
	r.calls = append(r.calls, correlate.Call{Entry: e, Operation: m.Operation})
	var out map[string]any
	json.Unmarshal(respBody, &out)
	return out
}

func TestCreatedIDFlowsIntoLaterCalls(t *testing.T) {
	r := newRecorder(t)
	r.do("GET", "/api/project?page=0&size=10&sort=name,ASC", nil)
	created := r.do("POST", "/api/launch", map[string]any{"name": "nightly", "projectId": 1})
	id := fmt.Sprint(created["id"])
	r.do("GET", "/api/launch/"+id, nil)
	r.do("POST", "/api/launch/"+id+"/close", nil)
	r.do("GET", "/api/testresult?launchId="+id+"&page=0&size=10", nil)
	r.do("GET", "/api/launch?projectId=1&page=0&size=10", nil)

	plan := correlate.Analyze(r.calls, correlate.Options{})
	if len(plan.Vars) != 1 {
		t.Fatalf("want one passed value (the launch id), got %+v", names(plan.Vars))
	}
	v := plan.Vars[0]
	if v.Name != "launchId" || v.Value != id || v.From.Call != 1 || v.From.Place.Path != "$.id" || !v.Number {
		t.Errorf("launch id: %+v from %+v", v, v.From)
	}
	var places []string
	for _, u := range v.Uses {
		places = append(places, fmt.Sprintf("%d:%s", u.Call, u.Place))
	}
	if got, want := strings.Join(places, " "), "2:path {id} 3:path {id} 4:query launchId"; got != want {
		t.Errorf("uses: %s, want %s", got, want)
	}
	ctx := names(plan.Context)
	if !strings.Contains(ctx, "projectId=1") {
		t.Errorf("the project is context, given as a parameter: %s", ctx)
	}
	if strings.Contains(ctx, "launchId") {
		t.Errorf("the created launch is not context: %s", ctx)
	}
}

func TestShortAndAmbiguousValuesAreNotLinkedBlindly(t *testing.T) {
	r := newRecorder(t)
	// A test case update echoes small numbers (0, 1) that later calls also
	// send for unrelated reasons; none of them may be linked.
	tc := r.do("POST", "/api/testcase", map[string]any{"name": "login works", "projectId": 1})
	id := fmt.Sprint(tc["id"])
	r.do("GET", "/api/launch?projectId=1&page=0&size=1", nil)
	r.do("GET", "/api/testcase/"+id, nil)
	plan := correlate.Analyze(r.calls, correlate.Options{})
	for _, v := range plan.Vars {
		if len(v.Value) < 3 && v.Name != "testcaseId" {
			t.Errorf("a short value was linked without evidence: %+v", v)
		}
		for _, u := range v.Uses {
			if u.Call == 1 {
				t.Errorf("the list call uses nothing the flow created, but got %s=%s at %s", v.Name, v.Value, u.Place)
			}
		}
	}
	if len(plan.Vars) != 1 || plan.Vars[0].Value != id {
		t.Errorf("want the created test case id only, got %s", names(plan.Vars))
	}
}

func TestApplySubstitutesOnlyAtLinkedPlaces(t *testing.T) {
	r := newRecorder(t)
	created := r.do("POST", "/api/launch", map[string]any{"name": "n", "projectId": 1})
	id := fmt.Sprint(created["id"])
	r.do("GET", "/api/launch/"+id+"?note="+id, nil)
	plan := correlate.Analyze(r.calls, correlate.Options{})
	v := plan.Vars[0]
	newVal, ok := correlate.Extract(v, http.Header{}, []byte(`{"id": 456, "name":"n"}`))
	if !ok || newVal != "456" {
		t.Fatalf("extract: %q %v", newVal, ok)
	}
	u, _ := url.Parse(r.calls[1].Entry.Request.URL)
	req := &correlate.Request{URL: u, Header: http.Header{}}
	subs := correlate.Apply(req, plan.Bindings(1), map[*correlate.Var]string{v: newVal})
	if req.URL.Path != "/api/launch/456" {
		t.Errorf("path: %s", req.URL.Path)
	}
	if len(subs) == 0 || subs[0].String() != "launchId: "+id+" -> 456 (path {id})" {
		t.Errorf("substitutions: %v", subs)
	}
}

func TestApplyRewritesBodyAndQueryKeepingTheRest(t *testing.T) {
	v := &correlate.Var{Name: "launchId", Value: "123", Number: true}
	u, _ := url.Parse("http://x/api/testresult?launchId=123&sort=a,asc&launchId=123")
	req := &correlate.Request{URL: u, Header: http.Header{"X-Launch": {"123"}},
		Body: []byte("{\n  \"launchId\": 123,\n  \"name\": \"123\"\n}")}
	bindings := []correlate.Binding{
		{Var: v, Place: correlate.Place{In: "query", Name: "launchId", Nth: 1}},
		{Var: v, Place: correlate.Place{In: "body", Path: "$.launchId", Name: "launchId"}},
		{Var: v, Place: correlate.Place{In: "header", Name: "X-Launch"}},
	}
	subs := correlate.Apply(req, bindings, map[*correlate.Var]string{v: "456"})
	if len(subs) != 3 {
		t.Fatalf("%d substitutions: %v", len(subs), subs)
	}
	if req.URL.RawQuery != "launchId=123&sort=a,asc&launchId=456" {
		t.Errorf("query: only the second launchId was linked, got %s", req.URL.RawQuery)
	}
	if string(req.Body) != "{\n  \"launchId\": 456,\n  \"name\": \"123\"\n}" {
		t.Errorf("body: %s", req.Body)
	}
	if req.Header.Get("X-Launch") != "456" {
		t.Errorf("header: %v", req.Header)
	}
}

func names(vs []*correlate.Var) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name+"="+v.Value)
	}
	return strings.Join(out, ",")
}

func TestExtractAllReadsEachPlace(t *testing.T) {
	at := func(pl correlate.Place) *correlate.Var { return &correlate.Var{From: &correlate.Ref{Place: pl}} }
	id := at(correlate.Place{In: "body", Path: "$.id"})
	uuid := at(correlate.Place{In: "body", Path: "$.items[1].uuid"})
	flag := at(correlate.Place{In: "body", Path: "$.closed"})
	gone := at(correlate.Place{In: "body", Path: "$.missing"})
	loc := at(correlate.Place{In: "header", Name: "Location", Segment: 2})
	context := &correlate.Var{Name: "projectId", Value: "1"}
	header := http.Header{"Location": {"/api/launch/457"}}
	body := []byte(`{"id": 456, "id": 999, "closed": true, "items": [{"uuid": "a"}, {"uuid": "b-2"}]}`)
	got := correlate.ExtractAll([]*correlate.Var{id, uuid, flag, gone, loc, context}, header, body)
	for _, c := range []struct {
		reason string
		v      *correlate.Var
		want   string
		found  bool
	}{
		{"a number; the first of repeated names, as Extract reads it", id, "456", true},
		{"a string inside an array", uuid, "b-2", true},
		{"a literal is not an id", flag, "", false},
		{"a path the answer lacks", gone, "", false},
		{"a Location header's segment", loc, "457", true},
		{"a context value has no producer", context, "", false},
	} {
		nv, ok := got[c.v]
		if nv != c.want || ok != c.found {
			t.Errorf("%s: got %q %v, want %q %v", c.reason, nv, ok, c.want, c.found)
		}
		if one, ok1 := correlate.Extract(c.v, header, body); one != nv || ok1 != ok {
			t.Errorf("%s: Extract says %q %v, ExtractAll %q %v", c.reason, one, ok1, nv, ok)
		}
	}
}
