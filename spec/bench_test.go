package spec

import (
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// benchRequests builds one concrete request per operation of the TestOps
// 26.1.1 document (756), the same set for every router compared.
func benchRequests(b *testing.B) (*Document, []*http.Request) {
	b.Helper()
	dir := shareddata.Dir(b, "realworld", "testops")
	d, err := LoadFile(dir + "/allure-testops-service-26.1.1.openapi.json")
	if err != nil {
		b.Fatal(err)
	}
	ix, err := NewIndex([]*Document{d}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	var reqs []*http.Request
	for _, op := range ix.Operations() {
		r, err := http.NewRequest(op.Method, "https://testops.example.com"+concretePath(op, rng), nil)
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, r)
	}
	return d, reqs
}

// BenchmarkLookup compares Index.Lookup (with typed path parameters) with
// kin-openapi's gorillamux router on the same requests, in one run.
func BenchmarkLookup(b *testing.B) {
	d, reqs := benchRequests(b)
	b.Run("spec", func(b *testing.B) {
		ix, err := NewIndex([]*Document{d}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r := reqs[i%len(reqs)]
			if m := ix.Lookup(r.Method, r.URL); m.Outcome != Found || m.Operation.Path == "" {
				b.Fatalf("%s %s: %v", r.Method, r.URL, m.Outcome)
			}
			i++
		}
	})
	b.Run("gorillamux", func(b *testing.B) {
		router, err := gorillamux.NewRouter(d.OpenAPI)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i, misses := 0, 0
		for b.Loop() {
			r := reqs[i%len(reqs)]
			// gorillamux cannot route every request (it keeps one of
			// two conflicting templates); count those and go on.
			if _, _, err := router.FindRoute(r); err != nil {
				misses++
			}
			i++
		}
		b.ReportMetric(float64(misses)/float64(i), "misses/op")
	})
}

// BenchmarkEntry is the per-entry match without schema checks as a recording
// meets it: parse the recorded URL, look it up, read its typed parameters
// and the /api/rs alias for a third of the entries.
func BenchmarkEntry(b *testing.B) {
	d, reqs := benchRequests(b)
	ix, err := NewIndex([]*Document{d}, Options{Aliases: TestOpsAliases})
	if err != nil {
		b.Fatal(err)
	}
	urls := make([]string, len(reqs))
	for i, r := range reqs {
		urls[i] = r.URL.String()
		if i%3 == 0 && strings.HasPrefix(r.URL.Path, "/api/") {
			urls[i] = strings.Replace(urls[i], "/api/", "/api/rs/", 1)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % len(reqs)
		u, err := url.Parse(urls[k])
		if err != nil {
			b.Fatal(err)
		}
		if m := ix.Lookup(reqs[k].Method, u); m.Outcome != Found {
			b.Fatalf("%s %s: %v", reqs[k].Method, u, m.Outcome)
		}
		i++
	}
}

// BenchmarkLoad compares Load (repairs, kin-openapi's loader, validation
// warnings) with kin-openapi's own LoadFromData on the 3.4 MB OpenAI spec.
func BenchmarkLoad(b *testing.B) {
	path := shareddata.Dir(b, "realworld", "specs", "openai_openapi3.1.json")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("spec", func(b *testing.B) {
		src := NewSource("openai", path, data, benchTime)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Load(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kin", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := openapi3.NewLoader().LoadFromData(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoadTestOps is the start of match on the TestOps 26.1.1
// document: Load and NewIndex with match's options, its parts decoded on one
// goroutine ("serial") and on as many as there are cores ("parallel", what
// Load does).
func BenchmarkLoadTestOps(b *testing.B) {
	path := shareddata.Dir(b, "realworld", "testops", "allure-testops-service-26.1.1.openapi.json")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	src := NewSource("testops", path, data, benchTime)
	for _, bc := range []struct {
		name    string
		workers int
	}{{"serial", 1}, {"parallel", runtime.GOMAXPROCS(0)}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				d, err := load(src, bc.workers)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := NewIndex([]*Document{d}, Options{Aliases: TestOpsAliases, Artefacts: SpringdocArtefacts}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheck is one full check of a TestOps UI call: query parameters
// and a page response validated against its oneOf schema (OpenAPI 3.1, so
// kin-openapi's JSON Schema 2020-12 validator).
func BenchmarkCheck(b *testing.B) {
	d, _ := benchRequests(b)
	ix, err := NewIndex([]*Document{d}, Options{Artefacts: SpringdocArtefacts})
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("https://testops.example.com/api/launch?projectId=1&page=0&size=10&sort=created_date,DESC")
	req := Request{Method: "GET", URL: u}
	resp := &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"content":[{"id":5,"name":"nightly","projectId":1,"closed":false}],"totalElements":1,"totalPages":1,"size":10,"number":0}`)}
	m := ix.Lookup(req.Method, u)
	b.ReportAllocs()
	for b.Loop() {
		if p := ix.Check(m, req, resp); len(p) != 0 {
			b.Fatal(p)
		}
	}
}
