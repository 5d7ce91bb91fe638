package correlate_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/har"
)

func TestReplaceInside(t *testing.T) {
	tests := []struct {
		reason       string
		s, old, nv   string
		want         string
		wantReplaced bool
	}{
		{"an id in a search filter", `id = 104 and closed = false`, "104", "231", `id = 231 and closed = false`, true},
		{"an id in a list", `id in [104, 7]`, "104", "231", `id in [231, 7]`, true},
		{"a name in quotes", `name ~= "UI launch 2026-11-28T10:33:37.997Z"`, "UI launch 2026-11-28T10:33:37.997Z", "UI launch 2026-12-06T01:02:03.004Z",
			`name ~= "UI launch 2026-12-06T01:02:03.004Z"`, true},
		{"after a word and a dash", "launch-104", "104", "231", "launch-231", true},
		{"every occurrence", "104/104", "104", "231", "231/231", true},
		{"not the digits of a longer number", "1045 and 3104", "104", "231", "1045 and 3104", false},
		{"not the digits after a decimal point", "ratio 3.104", "104", "231", "ratio 3.104", false},
		{"not the digits before a decimal part", "104.5 percent", "104", "231", "104.5 percent", false},
		{"not part of a date or a phone number", "2026-104 or 555-104-2222", "104", "231", "2026-104 or 555-104-2222", false},
		{"not inside a word", "v104 and item104x", "104", "231", "v104 and item104x", false},
		{"not after an underscore", "launch_104", "104", "231", "launch_104", false},
		{"a whole value is no occurrence inside", "104", "104", "231", "104", false},
		{"a key inside a longer key is not it", "ab12cd34ef", "b12cd34e", "zzzzzzzz", "ab12cd34ef", false},
		{"an edge that is no word character needs no boundary", "x-/a1b2c3d4/-y", "/a1b2c3d4/", "/e5f6/", "x-/e5f6/-y", true},
	}
	for _, tt := range tests {
		got, ok := correlate.ReplaceInside(tt.s, tt.old, tt.nv)
		if got != tt.want || ok != tt.wantReplaced {
			t.Errorf("%s: ReplaceInside(%q, %q) = %q %v, want %q %v", tt.reason, tt.s, tt.old, got, ok, tt.want, tt.wantReplaced)
		}
	}
}

// call makes a recorded call: a request and its answer.
func call(method, rawURL, reqBody string, status int, respBody string, at time.Time) correlate.Call {
	u, _ := url.Parse(rawURL)
	req := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", Header: http.Header{}}
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp := &http.Response{StatusCode: status, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"application/json"}}}
	return correlate.Call{Entry: har.NewEntry(at, req, []byte(reqBody), resp, []byte(respBody))}
}

// usesOf lists a plan's uses as "name@call:place" for comparison.
func usesOf(p *correlate.Plan) string {
	var out []string
	for _, v := range p.Vars {
		for _, u := range v.Uses {
			out = append(out, fmt.Sprintf("%s@%d:%s", v.Name, u.Call, u.Place))
		}
	}
	return strings.Join(out, " ")
}

func TestValuesInsideStrings(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 33, 38, 0, time.UTC)
	const created = `{"id": 104, "name": "n", "count": 1, "key": "a1b2c3d4e5", "status": "IN_PROGRESS_NOW"}`
	tests := []struct {
		reason string
		calls  []correlate.Call
		want   string
	}{
		{"an id a POST created, inside a search filter",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
				call("GET", "http://x/api/launch/__search?rql=id%20%3D%20104%20and%20closed%20%3D%20false", "", 200, `{}`, at),
			}, "launchId@1:inside query rql"},
		{"an id inside a JSON string and a path segment of a call no spec describes",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
				call("POST", "http://x/api/note/launch-104", `{"text":"see launch 104, please"}`, 200, `{}`, at),
			}, "launchId@1:inside path {id} launchId@1:inside body $.text"},
		{"a short number the POST made is never looked for inside strings",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
				call("GET", "http://x/api/launch/__search?rql=count%20%3D%201", "", 200, `{}`, at),
			}, ""},
		{"an id a read listed is the recording's context, not looked for inside strings",
			[]correlate.Call{
				call("GET", "http://x/api/launch", "", 200, `{"content":[{"id": 104}]}`, at),
				call("GET", "http://x/api/launch/__search?rql=id%20%3D%20104", "", 200, `{}`, at),
			}, ""},
		{"digits of the id inside a longer number are not the id",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
				call("GET", "http://x/api/launch/__search?rql=createdDate%20%3E%201041&x=3.104", "", 200, `{}`, at),
			}, ""},
		{"a word the POST returned holds no digit: not recognisably this object's",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
				call("GET", "http://x/api/launch/__search?rql=status%20%3D%20%22IN_PROGRESS_NOW%22", "", 200, `{}`, at),
			}, ""},
		{"a long key with digits, inside a filter",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
				call("GET", "http://x/api/launch/__search?rql=key%20%3D%20%22a1b2c3d4e5%22", "", 200, `{}`, at),
			}, "launchKey@1:inside query rql"},
		{"a value is not linked to a call before the one that produced it",
			[]correlate.Call{
				call("GET", "http://x/api/launch/__search?rql=id%20%3D%20104", "", 200, `{}`, at),
				call("POST", "http://x/api/launch", `{"name":"n"}`, 200, created, at),
			}, ""},
		{"a name the flow chose with the time it was made: fresh each run, carried into the search",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"UI launch 2026-11-28T10:33:37.997Z","projectId":1}`, 200,
					`{"id": 104, "name": "UI launch 2026-11-28T10:33:37.997Z"}`, at),
				call("GET", "http://x/api/launch/__search?projectId=1&rql=name%20~%3D%20%22UI%20launch%202026-11-28T10%3A33%3A37.997Z%22", "", 200, `{}`, at),
				call("PATCH", "http://x/api/launch/104", `{"name":"UI launch 2026-11-28T10:33:37.997Z (renamed)"}`, 200, `{}`, at),
			}, "launchName@0:body $.name launchName@1:inside query rql launchName@2:inside body $.name launchId@2:path {id}"},
		{"a timestamp far from the call is not the time the flow chose the value",
			[]correlate.Call{
				call("POST", "http://x/api/launch", `{"name":"UI launch 2024-01-01T00:00:00Z"}`, 200, `{"id": 104}`, at),
				call("GET", "http://x/api/launch/__search?rql=name%20~%3D%20%22UI%20launch%202024-01-01T00%3A00%3A00Z%22", "", 200, `{}`, at),
			}, ""},
		{"a name with a timestamp sent by a read is a filter, not a value the flow chose",
			[]correlate.Call{
				call("GET", "http://x/api/launch?from=2026-11-28T10:33:37Z", "", 200, `{}`, at),
				call("GET", "http://x/api/launch/__search?rql=created%20%3E%20%222026-11-28T10%3A33%3A37Z%22", "", 200, `{}`, at),
			}, ""},
	}
	for _, tt := range tests {
		plan := correlate.Analyze(tt.calls, correlate.Options{})
		if got := usesOf(plan); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.reason, got, tt.want)
		}
	}
}

func TestChosenValueIsMadeFreshAndCarried(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 33, 38, 0, time.UTC)
	calls := []correlate.Call{
		call("POST", "http://x/api/launch", `{"name":"UI launch 2026-11-28T10:33:37.997Z","projectId":1}`, 200,
			`{"id": 104, "name": "UI launch 2026-11-28T10:33:37.997Z"}`, at),
		call("GET", "http://x/api/launch/__search?projectId=1&rql=name%20~%3D%20%22UI%20launch%202026-11-28T10%3A33%3A37.997Z%22%20and%20id%20%3D%20104&size=10", "", 200, `{}`, at),
	}
	plan := correlate.Analyze(calls, correlate.Options{})
	var chosen, id *correlate.Var
	for _, v := range plan.Vars {
		if v.Chosen != nil {
			chosen = v
		} else {
			id = v
		}
	}
	if chosen == nil || id == nil {
		t.Fatalf("want a chosen name and a produced id, got %s", usesOf(plan))
	}
	now := time.Date(2026, 12, 6, 1, 2, 3, 4000000, time.UTC)
	fresh := chosen.Fresh(now)
	if fresh != "UI launch 2026-12-06T01:02:03.004Z" {
		t.Errorf("fresh name %q", fresh)
	}
	vals := map[*correlate.Var]string{chosen: fresh, id: "231"}

	u, _ := url.Parse(calls[0].Entry.Request.URL)
	body, _ := calls[0].Entry.RequestBody()
	req := &correlate.Request{URL: u, Header: http.Header{}, Body: body}
	correlate.Apply(req, plan.Bindings(0), vals)
	if string(req.Body) != `{"name":"UI launch 2026-12-06T01:02:03.004Z","projectId":1}` {
		t.Errorf("create body: %s", req.Body)
	}
	u, _ = url.Parse(calls[1].Entry.Request.URL)
	req = &correlate.Request{URL: u, Header: http.Header{}}
	subs := correlate.Apply(req, plan.Bindings(1), vals)
	if got := req.URL.Query().Get("rql"); got != `name ~= "UI launch 2026-12-06T01:02:03.004Z" and id = 231` {
		t.Errorf("search filter: %s (%v)", got, subs)
	}
	if !strings.HasPrefix(req.URL.RawQuery, "projectId=1&rql=") || !strings.HasSuffix(req.URL.RawQuery, "&size=10") {
		t.Errorf("the rest of the query changed: %s", req.URL.RawQuery)
	}
	if len(subs) != 2 {
		t.Errorf("want two substitutions inside the filter, got %v", subs)
	}
}
