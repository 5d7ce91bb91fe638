package spec

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// benchTime stands in for a fetch time where none matters.
var benchTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// concretePath fills a template with random values its parameters accept:
// digits for integers, letters for strings, the first value of an enum.
func concretePath(op *Operation, rng *rand.Rand) string {
	out := op.Path
	for i, name := range op.pathNames {
		var v string
		switch op.pathClasses[i] {
		case classInteger:
			v = fmt.Sprint(rng.Int63())
		case classNumber:
			v = fmt.Sprintf("%d.%d", rng.Intn(1000), rng.Intn(100))
		case classBoolean:
			v = "true"
		case classUUID:
			v = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<12), rng.Intn(1<<12), rng.Int63n(1<<48))
		case classEnum:
			v = op.pathParams[i].Schema.Value.Enum[0].(string)
		default:
			b := make([]byte, 6+rng.Intn(10))
			for j := range b {
				b[j] = byte('a' + rng.Intn(26))
			}
			v = string(b)
		}
		out = strings.Replace(out, "{"+name+"}", v, 1)
	}
	return out
}

func testOpsDocs(t *testing.T) []*Document {
	t.Helper()
	dir := shareddata.Dir(t, "realworld", "testops")
	var docs []*Document
	for _, name := range []string{"allure-testops-service-25.4.1.openapi.json", "allure-testops-service-26.1.1.openapi.json"} {
		d, err := LoadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// TestTestOpsEveryOperationResolves builds a concrete request from every
// operation of both TestOps documents, a third of them in the /api/rs form
// older clients use, and checks each resolves to its own method and template.
func TestTestOpsEveryOperationResolves(t *testing.T) {
	docs := testOpsDocs(t)
	rng := rand.New(rand.NewSource(26_1_1))
	for _, d := range docs {
		ix, err := NewIndex([]*Document{d}, Options{Aliases: TestOpsAliases})
		if err != nil {
			t.Fatal(err)
		}
		ok, rs := 0, 0
		for i, op := range ix.Operations() {
			path := concretePath(op, rng)
			if i%3 == 0 && strings.HasPrefix(path, "/api/") {
				path = "/api/rs/" + strings.TrimPrefix(path, "/api/")
				rs++
			}
			method := op.Method
			if i%5 == 0 {
				method = strings.ToLower(method)
			}
			m := ix.Lookup(method, &url.URL{Scheme: "https", Host: "testops.example.com", Path: path})
			if m.Outcome != Found || m.Operation.Method != op.Method || m.Operation.Path != op.Path {
				t.Errorf("%s %s resolved to %v %v, want %s", method, path, m.Outcome, m.Operation, op)
				continue
			}
			if len(m.Params) != len(op.pathNames) {
				t.Errorf("%s %s: %d parameters, want %d", method, path, len(m.Params), len(op.pathNames))
			}
			ok++
		}
		t.Logf("%s: %d of %d operations resolved (%d through /api/rs)", d.Title+" "+d.APIVersion, ok, len(ix.Operations()), rs)
		if ok != len(ix.Operations()) {
			t.Errorf("%s: %d of %d operations resolved, want all", d.APIVersion, ok, len(ix.Operations()))
		}
	}
}

// TestTestOpsBothDocuments indexes "Report Service" and "All Services"
// together: shared operations answer from the first and list the second.
func TestTestOpsBothDocuments(t *testing.T) {
	docs := testOpsDocs(t)
	ix, err := NewIndex(docs, Options{Aliases: TestOpsAliases, Artefacts: SpringdocArtefacts})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ix.Operations()); got != 686+756 {
		t.Fatalf("%d operations, want 686+756", got)
	}
	tests := []struct {
		reason, method, path string
		template, document   string
		others               int
		params               string
	}{
		{"a launch by id is in both documents; the first listed answers", "GET", "/api/launch/42", "/api/launch/{id}", "25.4.1", 1, "id=42"},
		{"the AQL search literal beats the {id} template", "GET", "/api/launch/__search", "/api/launch/__search", "25.4.1", 1, ""},
		{"the /api/rs form of the same call", "GET", "/api/rs/launch/__search", "/api/launch/__search", "25.4.1", 1, ""},
		{"an account by name: the object-typed {id} takes letters", "GET", "/api/account/alice", "/api/account/{id}", "26.1.1", 0, "id=alice"},
		{"me is a literal, not a name", "GET", "/api/account/me", "/api/account/me", "26.1.1", 0, ""},
		{"DELETE by number goes to {accountId}, the only DELETE", "DELETE", "/api/account/7", "/api/account/{accountId}", "26.1.1", 0, "accountId=7"},
		{"PATCH by number goes to the int64 {id}", "PATCH", "/api/account/7", "/api/account/{id}", "26.1.1", 0, "id=7"},
		{"the one path outside /api", "GET", "/inject/init.js", "/inject/init.js", "26.1.1", 0, ""},
		{"the UAA form of an account call", "GET", "/api/uaa/account/me", "/api/account/me", "26.1.1", 0, ""},
	}
	for _, tt := range tests {
		m := ix.Lookup(tt.method, &url.URL{Path: tt.path})
		if m.Outcome != Found {
			t.Errorf("%s: %s %s: %v", tt.reason, tt.method, tt.path, m.Outcome)
			continue
		}
		if m.Operation.Path != tt.template || m.Operation.Document.APIVersion != tt.document || len(m.Others) != tt.others || paramString(m.Params) != tt.params {
			t.Errorf("%s: %s %s → %s in %s, %d others, params %q; want %s in %s, %d, %q", tt.reason, tt.method, tt.path,
				m.Operation.Path, m.Operation.Document.APIVersion, len(m.Others), paramString(m.Params), tt.template, tt.document, tt.others, tt.params)
		}
	}
}

func paramString(ps []Param) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s=%v", p.Name, p.Value))
	}
	return strings.Join(parts, ",")
}

// TestRealWorldSpecsLoad loads every spec in the shared set: the invalid
// ones with warnings, the clean ones without.
func TestRealWorldSpecsLoad(t *testing.T) {
	specs := shareddata.Dir(t, "realworld", "specs")
	testops := shareddata.Dir(t, "realworld", "testops")
	tests := []struct {
		reason string
		path   string
		clean  bool
		// One warning must contain this.
		warning string
	}{
		{"valid Swagger 2.0, as served by petstore.swagger.io", filepath.Join(specs, "petstore_swagger2.0.yaml"), true, ""},
		{"valid OpenAPI 3.0.4", filepath.Join(specs, "petstore3_openapi3.0.yaml"), true, ""},
		{"$id-style references kin-openapi refuses", filepath.Join(specs, "petstore31_openapi3.1.yaml"), false, "uses a $id/$anchor form"},
		{"tuple items arrays that make openapi2 unmarshal fail", filepath.Join(specs, "slack_web_swagger2.0.json"), false, "tuple form"},
		{`a 3.0 document using type "null"`, filepath.Join(specs, "openai_openapi3.0.yaml"), false, `unsupported 'type' value "null"`},
		{"$recursiveRef beside $ref", filepath.Join(specs, "openai_openapi3.1.json"), false, "$recursiveRef"},
		{"TestOps Report Service: conflicting cfv templates", filepath.Join(testops, "allure-testops-service-25.4.1.openapi.json"), false, `conflicting paths "/api/project/{projectId}/cfv/{cfvId}" and "/api/project/{projectId}/cfv/{id}"`},
		{"TestOps All Services: conflicting account templates", filepath.Join(testops, "allure-testops-service-26.1.1.openapi.json"), false, `conflicting paths "/api/account/{accountId}" and "/api/account/{id}"`},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.path] = true
		d, err := LoadFile(tt.path)
		if err != nil {
			t.Errorf("%s: %v", tt.reason, err)
			continue
		}
		if tt.clean && len(d.Warnings) > 0 {
			t.Errorf("%s: %s has warnings:\n%s", tt.reason, tt.path, warningLines(d.Warnings))
		}
		if !tt.clean && !containsWarning(d.Warnings, tt.warning) {
			t.Errorf("%s: %s has no warning saying %q:\n%s", tt.reason, tt.path, tt.warning, warningLines(d.Warnings))
		}
		if d.PathsOnly {
			t.Errorf("%s: %s fell back to paths only", tt.reason, tt.path)
		}
		if d.OpenAPI.Paths.Len() == 0 {
			t.Errorf("%s: %s has no paths", tt.reason, tt.path)
		}
		t.Logf("%s: %s %s, %d paths, %d warnings", filepath.Base(tt.path), d.Version, d.Title, d.OpenAPI.Paths.Len(), len(d.Warnings))
	}
	// A spec added to the shared set must be added here too.
	for _, dir := range []string{specs, testops} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if !e.IsDir() && e.Name() != "SOURCES.md" && !seen[p] {
				t.Errorf("%s is in the shared set but not in this test", p)
			}
		}
	}
}

func containsWarning(ws []Warning, text string) bool {
	for _, w := range ws {
		if strings.Contains(w.Message, text) {
			return true
		}
	}
	return false
}

// harEntries reads method, URL and status from a HAR file (the har package
// is someone else's and not needed for three fields).
func harEntries(t *testing.T, path string) [][3]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Log struct {
			Entries []struct {
				Request  struct{ Method, URL string }
				Response struct{ Status int }
			}
		}
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out [][3]string
	for _, e := range h.Log.Entries {
		out = append(out, [3]string{e.Request.Method, e.Request.URL, fmt.Sprint(e.Response.Status)})
	}
	return out
}

// TestPetstoreTraffic resolves the real Petstore recordings listed in the
// shared SOURCES.md: Chrome's against the Swagger 2.0 spec it was made
// with (8 of 9; the page itself is not the API), Playwright's against the
// OpenAPI 3.0 Petstore once /v2 is aliased to its /api/v3 server.
func TestPetstoreTraffic(t *testing.T) {
	specs := shareddata.Dir(t, "realworld", "specs")
	hars := shareddata.Dir(t, "realworld", "har", "petstore")
	tests := []struct {
		reason  string
		spec    string
		hars    []string
		opts    Options
		want    []string // operationId per entry, "-" for no match
		matched int
	}{
		{
			reason: "Chrome, Swagger UI on petstore.swagger.io, against its own 2.0 spec",
			spec:   "petstore_swagger2.0.yaml",
			hars:   []string{"chrome_swagger-ui_petstore.har"},
			opts:   Options{Hosts: []string{"petstore.swagger.io"}},
			want: []string{"-", "getInventory", "getUserByName", "findPetsByStatus", "findPetsByStatus", "findPetsByStatus",
				"getPetById", "placeOrder", "getPetById"},
			matched: 8,
		},
		{
			reason: "Playwright traffic to /v2 against the 3.0 spec served under /api/v3",
			spec:   "petstore3_openapi3.0.yaml",
			hars: []string{"playwright/playwright_petstore-create-pet.har", "playwright/playwright_petstore-multiple-endpoints.har",
				"playwright/playwright_petstore-sequence-test.har", "playwright/playwright_petstore-store-inventory.har"},
			opts:    Options{Hosts: []string{"petstore.swagger.io", "petstore3.swagger.io"}, Aliases: []Alias{{From: "/v2", To: "/api/v3"}}},
			want:    []string{"addPet", "findPetsByStatus", "getPetById", "findPetsByStatus", "findPetsByStatus", "findPetsByStatus", "getInventory"},
			matched: 7,
		},
	}
	for _, tt := range tests {
		d, err := LoadFile(filepath.Join(specs, tt.spec))
		if err != nil {
			t.Fatal(err)
		}
		ix, err := NewIndex([]*Document{d}, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		matched := 0
		for _, h := range tt.hars {
			for _, e := range harEntries(t, filepath.Join(hars, h)) {
				u, err := url.Parse(e[1])
				if err != nil {
					t.Fatal(err)
				}
				m := ix.Lookup(e[0], u)
				id := "-"
				if m.Outcome == Found {
					id = m.Operation.OperationID
					matched++
				}
				got = append(got, id)
				// The recorded 404s are documented answers, not drift.
				if m.Outcome == Found {
					status, _ := strconv.Atoi(e[2])
					for _, p := range ix.Check(m, Request{Method: e[0], URL: u}, &Response{Status: status}) {
						if p.Kind == UndocumentedStatus {
							t.Errorf("%s: %s %s: %s", tt.reason, e[0], e[1], p)
						}
					}
				}
				t.Logf("%s %s (%s) → %v %s %s", e[0], e[1], e[2], m.Outcome, id, paramString(m.Params))
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") || matched != tt.matched {
			t.Errorf("%s:\n got %v (%d matched)\nwant %v (%d)", tt.reason, got, matched, tt.want, tt.matched)
		}
	}
}

// TestTestOpsCheck holds typical UI calls to the 26.1.1 document, with and
// without tolerating springdoc's artefacts.
func TestTestOpsCheck(t *testing.T) {
	docs := testOpsDocs(t)
	tolerant, err := NewIndex(docs[1:], Options{Aliases: TestOpsAliases, Artefacts: SpringdocArtefacts})
	if err != nil {
		t.Fatal(err)
	}
	strict, err := NewIndex(docs[1:], Options{Aliases: TestOpsAliases})
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	launchPage := `{"content":[{"id":5,"name":"nightly","projectId":1,"closed":false,"createdDate":1767225600000}],
		"totalElements":1,"totalPages":1,"size":10,"number":0,"numberOfElements":1,"first":true,"last":true,"empty":false}`
	tests := []struct {
		reason string
		ix     *Index
		method string
		url    string
		body   string
		resp   *Response
		want   []string
	}{
		{"whoAmI without the csrfToken browsers never send", tolerant, "GET", "/api/account/me", "",
			&Response{Status: 200, Header: json, Body: []byte(`{"id":1,"username":"admin","authorities":["ROLE_ADMIN"]}`)}, nil},
		{"the same call, holding the spec to its letter", strict, "GET", "/api/account/me", "", &Response{Status: 200},
			[]string{"missing-param query.csrfToken: required query parameter was not sent"}},
		{"a launch list page with Spring's repeated sort parameters", tolerant, "GET",
			"/api/rs/launch?projectId=1&page=0&size=10&sort=created_date,DESC&sort=id,asc", "",
			&Response{Status: 200, Header: json, Body: []byte(launchPage)}, nil},
		{"a launch page whose id is text fits neither oneOf page type; the nearer one says where", tolerant, "GET",
			"/api/launch?projectId=1", "",
			&Response{Status: 200, Header: json, Body: []byte(strings.Replace(launchPage, `"id":5`, `"id":"five"`, 1))},
			[]string{"invalid-response-body $.content[0].id: value must be an integer (in the closest of 2 oneOf branches)"}},
		{"an AQL search without its required rql", tolerant, "GET", "/api/launch/__search?projectId=1", "", nil,
			[]string{"missing-param query.rql: required query parameter was not sent"}},
		{"a launch id that is not a number of the int64 kind", tolerant, "GET", "/api/launch/12/statistic", "",
			&Response{Status: 200, Header: json, Body: []byte(`[{"status":"passed","count":"three"}]`)},
			[]string{"invalid-response-body $[0].count: value must be an integer"}},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		m := tt.ix.Lookup(tt.method, u)
		if m.Outcome != Found {
			t.Fatalf("%s: %s %s: %v", tt.reason, tt.method, tt.url, m.Outcome)
		}
		var got []string
		for _, p := range tt.ix.Check(m, Request{Method: tt.method, URL: u, Body: []byte(tt.body)}, tt.resp) {
			got = append(got, p.String())
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: %s %s\n got %q\nwant %q", tt.reason, tt.method, tt.url, got, tt.want)
		}
	}
}
