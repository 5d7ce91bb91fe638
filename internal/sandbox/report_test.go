package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLaunchLifecycle(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()

	before := time.Now().UnixMilli()
	l1 := a.must(200, "POST", "/api/launch", map[string]any{"name": "first", "projectId": 1, "tags": []map[string]any{{"name": "ui"}}}).json(t)
	l2 := a.must(200, "POST", "/api/launch", map[string]any{"name": "second", "projectId": 1}).json(t)
	after := time.Now().UnixMilli()
	if l1["id"] != float64(104) || l2["id"] != float64(105) {
		t.Fatalf("new launch ids %v, %v; want 104 and 105", l1["id"], l2["id"])
	}
	for _, l := range []map[string]any{l1, l2} {
		c := int64(l["createdDate"].(float64))
		if c < before || c > after || l["lastModifiedDate"] != l["createdDate"] {
			t.Errorf("launch %v: createdDate %d outside [%d, %d] or lastModifiedDate differs", l["id"], c, before, after)
		}
		if l["closed"] != false || l["projectId"] != float64(1) {
			t.Errorf("launch %v: %v", l["id"], l)
		}
	}

	got := a.must(200, "GET", "/api/launch/105", nil).json(t)
	if got["name"] != "second" {
		t.Errorf("GET /api/launch/105 name %v", got["name"])
	}
	a.must(204, "POST", "/api/launch/105/close", nil)
	if a.must(200, "GET", "/api/launch/105", nil).json(t)["closed"] != true {
		t.Error("launch not closed after close")
	}
	a.must(204, "POST", "/api/rs/launch/105/reopen", nil)
	if a.must(200, "GET", "/api/rs/launch/105", nil).json(t)["closed"] != false {
		t.Error("launch not open after reopen through the /api/rs alias")
	}

	errs := []struct {
		name, method, path string
		body               any
		status             int
		msg                string
	}{
		{"an unknown launch is 404", "GET", "/api/launch/999", nil, 404, "Launch with id 999 not found"},
		{"a non-numeric id is 400", "GET", "/api/launch/abc", nil, 400, ""},
		{"a launch needs a name", "POST", "/api/launch", map[string]any{"projectId": 1}, 400, "Validation failed: name and projectId are required"},
		{"a launch needs an existing project", "POST", "/api/launch", map[string]any{"name": "x", "projectId": 77}, 404, "Project with id 77 not found"},
		{"a body that is not JSON is 400", "POST", "/api/launch", "{", 400, ""},
		{"the list needs projectId", "GET", "/api/launch", nil, 400, "Required request parameter 'projectId' for method parameter type Long is not present"},
		{"an unknown sort property is 400", "GET", "/api/launch?projectId=1&sort=colour,asc", nil, 400, "No property 'colour' found for type 'Launch'"},
		{"an unknown route is a JSON 404", "GET", "/api/nothing-here", nil, 404, "Not Found"},
		{"a wrong method is a JSON 405", "PUT", "/api/launch/101", nil, 405, "Method Not Allowed"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			r := a.must(tc.status, tc.method, tc.path, tc.body)
			m := r.json(t)
			if m["status"] != float64(tc.status) || (tc.msg != "" && m["message"] != tc.msg) {
				t.Errorf("error body %s, want status %d message %q", r.body, tc.status, tc.msg)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	for i := range 5 {
		a.must(200, "POST", "/api/launch", map[string]any{"name": fmt.Sprintf("paged %d", i), "projectId": 2})
	}
	// Project 2 now holds seed launch 103 and the five new ones, 104-108.
	type pageShape struct {
		Content []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"content"`
		TotalElements    int  `json:"totalElements"`
		TotalPages       int  `json:"totalPages"`
		Number           int  `json:"number"`
		Size             int  `json:"size"`
		NumberOfElements int  `json:"numberOfElements"`
		First, Last      bool `json:"-"`
		Pageable         struct {
			Offset     int `json:"offset"`
			PageNumber int `json:"pageNumber"`
		} `json:"pageable"`
		Sort struct {
			Sorted bool `json:"sorted"`
		} `json:"sort"`
	}
	tests := []struct {
		name      string
		query     string
		wantIDs   []int64
		wantPages int
		wantFirst bool
		wantLast  bool
	}{
		{"the default is newest first, ten a page", "", []int64{108, 107, 106, 105, 104, 103}, 1, true, true},
		{"size and page cut the list", "&size=2&page=1", []int64{106, 105}, 3, false, false},
		{"the last page is short", "&size=4&page=1", []int64{104, 103}, 2, false, true},
		{"past the end is empty", "&size=4&page=9", nil, 2, false, true},
		{"sort by id ascending", "&sort=id,asc&size=3", []int64{103, 104, 105}, 2, true, false},
		{"snake case sort names work", "&sort=created_date,ASC&size=2", []int64{103, 104}, 3, true, false},
		{"sort by name descending, byte order", "&sort=name,desc&size=1", []int64{108}, 6, true, false},
		{"a negative page is page 0", "&page=-3&size=1", []int64{108}, 6, true, false},
		{"search filters by name", "&search=PAGED%203", []int64{107}, 1, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.must(200, "GET", "/api/launch?projectId=2"+tc.query, nil)
			var p pageShape
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			m := r.json(t)
			var ids []int64
			for _, c := range p.Content {
				ids = append(ids, c.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.wantIDs) {
				t.Errorf("ids %v, want %v", ids, tc.wantIDs)
			}
			if p.TotalPages != tc.wantPages || m["first"] != tc.wantFirst || m["last"] != tc.wantLast {
				t.Errorf("totalPages %d first %v last %v, want %d %v %v", p.TotalPages, m["first"], m["last"], tc.wantPages, tc.wantFirst, tc.wantLast)
			}
			if p.NumberOfElements != len(tc.wantIDs) || p.Pageable.Offset != p.Number*p.Size || !p.Sort.Sorted {
				t.Errorf("page fields inconsistent: %s", r.body)
			}
			if tc.query == "&search=PAGED%203" && p.TotalElements != 1 {
				t.Errorf("totalElements %d", p.TotalElements)
			}
		})
	}
	// Spring writes the page's fields in a fixed order; recordings keep it.
	r := a.must(200, "GET", "/api/project", nil)
	order := []string{`"content"`, `"pageable"`, `"last"`, `"totalPages"`, `"totalElements"`, `"first"`, `"size"`, `"number"`, `"sort"`, `"numberOfElements"`, `"empty"`}
	last := -1
	for _, k := range order {
		i := bytes.LastIndex(r.body, []byte(k))
		if i < last {
			t.Errorf("page field %s out of Spring's order in %s", k, r.body)
		}
		last = i
	}
}

func TestSearch(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	made := a.must(200, "POST", "/api/launch", map[string]any{"name": "UI launch 2026", "projectId": 1}).json(t)
	tests := []struct {
		name, rql string
		want      []float64
	}{
		{"true matches all", "true", []float64{104, 102, 101}},
		{"name contains, any case", `name ~= "nightly"`, []float64{102, 101}},
		{"the launch just made is found by its name", `name = "UI launch 2026"`, []float64{made["id"].(float64)}},
		{"closed", "closed = true", []float64{101}},
		{"not and parentheses", `not (closed = true) and tag in ["nightly"]`, []float64{102}},
		{"or", "id = 101 or id = 104", []float64{104, 101}},
		{"numbers compare", fmt.Sprintf("createdDate >= %d", int64(made["createdDate"].(float64))), []float64{104}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.must(200, "GET", "/api/launch/__search?projectId=1&rql="+url.QueryEscape(tc.rql), nil)
			var got []float64
			for _, c := range r.json(t)["content"].([]any) {
				got = append(got, c.(map[string]any)["id"].(float64))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("rql %s found %v, want %v", tc.rql, got, tc.want)
			}
		})
	}
	bad := []struct{ name, query, msg string }{
		{"rql is required", "projectId=1", "Required request parameter 'rql' for method parameter type String is not present"},
		{"an unknown field", "projectId=1&rql=" + url.QueryEscape(`colour = "red"`), `invalid query at position 1: unknown field "colour"`},
		{"an unterminated string", "projectId=1&rql=" + url.QueryEscape(`name = "x`), "invalid query at position 8: unterminated string"},
		{"a dangling and", "projectId=1&rql=" + url.QueryEscape(`closed = true and`), "invalid query at position 18: unexpected end of query"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := a.must(400, "GET", "/api/launch/__search?"+tc.query, nil)
			if m := r.json(t); m["message"] != tc.msg {
				t.Errorf("message %q, want %q", m["message"], tc.msg)
			}
		})
	}
}

func TestTestCases(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	tc := a.must(200, "POST", "/api/testcase", map[string]any{"name": "Checkout works", "projectId": 1, "automated": true,
		"tags": []map[string]any{{"name": "shop"}}}).json(t)
	if tc["id"] != float64(1004) || tc["status"].(map[string]any)["name"] != "Draft" || tc["createdBy"] != SeedUsername {
		t.Fatalf("created test case %v", tc)
	}
	a.must(200, "GET", "/api/testcase/1004", nil)
	time.Sleep(5 * time.Millisecond)
	p := a.must(200, "PATCH", "/api/testcase/1004", map[string]any{"description": "pay by card", "statusId": 2}).json(t)
	if p["name"] != "Checkout works" || p["description"] != "pay by card" || p["status"].(map[string]any)["name"] != "Active" {
		t.Errorf("patch changed the wrong fields or none: %v", p)
	}
	if p["lastModifiedDate"].(float64) <= p["createdDate"].(float64) {
		t.Errorf("patch kept lastModifiedDate %v at createdDate %v", p["lastModifiedDate"], p["createdDate"])
	}
	a.must(400, "PATCH", "/api/testcase/1004", map[string]any{"name": " "})

	steps := map[string]any{"steps": []map[string]any{{"type": "BodyStepDto", "body": "Open the cart"}, {"type": "BodyStepDto", "body": "Pay", "expectedResult": "Paid"}}}
	n1 := a.must(200, "POST", "/api/testcase/1004/scenario", steps).json(t)
	n2 := a.must(200, "POST", "/api/testcase/1004/scenario", steps).json(t)
	c1, c2 := n1["root"].(map[string]any)["children"].([]any), n2["root"].(map[string]any)["children"].([]any)
	if len(c1) != 2 || fmt.Sprint(c1) == fmt.Sprint(c2) {
		t.Errorf("each save must give the steps new ids: %v then %v", c1, c2)
	}
	sc := a.must(200, "GET", "/api/testcase/1004/scenario", nil).json(t)
	st := sc["steps"].([]any)
	if len(st) != 2 || st[1].(map[string]any)["name"] != "Pay" || st[1].(map[string]any)["expectedResult"] != "Paid" {
		t.Errorf("scenario read back %v", sc)
	}

	s := a.must(200, "GET", "/api/testcase/__search?projectId=1&rql="+url.QueryEscape(`tag = "shop" and automated = true`), nil).json(t)
	if s["totalElements"] != float64(1) {
		t.Errorf("test case search found %v", s["totalElements"])
	}
	list := a.must(200, "GET", "/api/testcase?projectId=1", nil).json(t)
	if list["totalElements"] != float64(4) || list["content"].([]any)[0].(map[string]any)["id"] != float64(1004) {
		t.Errorf("test case list %v", list)
	}
	a.must(404, "GET", "/api/testcase/4242", nil)
}

func TestTestResultsAndStatistic(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	r := a.must(200, "GET", "/api/testresult?launchId=101&sort=id,asc", nil).json(t)
	if r["totalElements"] != float64(4) {
		t.Fatalf("launch 101 has %v results, want 4", r["totalElements"])
	}
	first := r["content"].([]any)[0].(map[string]any)
	if first["id"] != float64(5001) || first["launchId"] != float64(101) || first["testCaseId"] != float64(1001) || first["status"] != "passed" {
		t.Errorf("first result %v", first)
	}
	st := a.must(200, "GET", "/api/launch/101/statistic", nil)
	if want := `[{"status":"failed","count":1},{"status":"broken","count":1},{"status":"passed","count":2}]`; string(st.body) != want {
		t.Errorf("statistic %s, want %s", st.body, want)
	}
	a.must(400, "GET", "/api/testresult", nil)
}

func TestUploadFlow(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	run := a.must(200, "POST", "/api/upload/start", map[string]any{"projectId": 1,
		"job": map[string]any{"uid": "job-1", "name": "CI"}, "jobRun": map[string]any{"uid": "run-1"}, "launch": map[string]any{"name": "uploaded"}}).json(t)
	sess := a.must(200, "POST", "/api/rs/upload/session", map[string]any{"jobRunId": run["jobRunId"], "projectId": 1}).json(t)
	up := a.must(200, "POST", "/api/upload/test-result", map[string]any{"testSessionId": sess["id"],
		"results": []map[string]any{{"uuid": "u1", "name": "a", "status": "PASSED"}, {"uuid": "u2", "name": "b", "status": "FAILED"}}}).json(t)
	if n := len(up["results"].([]any)); n != 2 {
		t.Fatalf("upload created %d results", n)
	}
	res := a.must(200, "GET", fmt.Sprintf("/api/testresult?launchId=%v", run["launchId"]), nil).json(t)
	if res["totalElements"] != float64(2) {
		t.Errorf("uploaded launch holds %v results", res["totalElements"])
	}
	a.must(200, "POST", "/api/upload/stop", map[string]any{"jobUid": "job-1", "jobRunUid": "run-1", "projectId": 1})
	a.must(400, "POST", "/api/upload/start", map[string]any{"projectId": 1})

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("info", `{"name":"manual upload","projectId":1}`)
	fw, _ := mw.CreateFormFile("file", "result.json")
	fw.Write([]byte(`{}`))
	mw.Close()
	lu := a.must(200, "POST", "/api/launch/upload", buf.String(), "Content-Type", mw.FormDataContentType()).json(t)
	if lu["filesCount"] != float64(1) || lu["launchId"] == nil {
		t.Errorf("launch upload answered %v", lu)
	}
	var uploads int
	for _, q := range in.Requests() {
		if strings.Contains(q.Path, "upload") {
			uploads++
		}
	}
	if uploads != 6 {
		t.Errorf("request log shows %d upload calls, want 6", uploads)
	}
}

func TestLegacyRSPrefix(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	for _, r := range Routes() {
		if r.Method != "GET" || !r.RSAlias || strings.Contains(r.Path, "{") {
			continue
		}
		q := "?projectId=1&launchId=101&rql=true"
		plain := a.do("GET", r.Path+q, nil)
		alias := a.do("GET", "/api/rs/"+strings.TrimPrefix(r.Path, "/api/")+q, nil)
		if plain.status != 200 || alias.status != 200 || len(plain.body) == 0 || !bytes.Equal(plain.body, alias.body) {
			t.Errorf("%s and its /api/rs alias differ: %d %d", r.Path, plain.status, alias.status)
		}
	}
	a.must(404, "GET", "/api/rs/uaa/me", nil) // only the Report Service had the rs prefix
	_ = http.StatusOK
}
