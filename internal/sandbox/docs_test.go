package sandbox

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

type docShape struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title, Version string
	} `json:"info"`
	Paths      map[string]map[string]docOp `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

type docOp struct {
	OperationID string   `json:"operationId"`
	Tags        []string `json:"tags"`
}

func fetchDoc(t *testing.T, a *api, path string) docShape {
	t.Helper()
	r := a.must(200, "GET", path, nil)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s content type %q", path, ct)
	}
	var d docShape
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

func TestSwaggerLayout(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in)
	r := a.must(302, "GET", "/swagger-ui.html", nil)
	if loc := r.header.Get("Location"); loc != "/swagger-ui/index.html" {
		t.Errorf("/swagger-ui.html redirects to %q", loc)
	}
	if page := a.must(200, "GET", "/swagger-ui/index.html", nil); !strings.Contains(string(page.body), "/v3/api-docs/swagger-config") {
		t.Error("the Swagger UI page does not read swagger-config")
	}
	if js := a.must(200, "GET", "/swagger-ui/swagger-initializer.js", nil); !strings.Contains(string(js.body), `configUrl: "/v3/api-docs/swagger-config"`) {
		t.Errorf("swagger-initializer.js: %s", js.body)
	}
	var cfg struct {
		ConfigURL string `json:"configUrl"`
		URLs      []struct{ URL, Name string }
	}
	if err := json.Unmarshal(a.must(200, "GET", "/v3/api-docs/swagger-config", nil).body, &cfg); err != nil {
		t.Fatal(err)
	}
	var names []string
	counts := map[string]int{}
	for _, u := range cfg.URLs {
		names = append(names, u.Name+"="+u.URL)
		d := fetchDoc(t, a, u.URL)
		if d.OpenAPI != "3.1.0" || d.Info.Title != "allure-testops-service" {
			t.Errorf("%s: openapi %q title %q", u.URL, d.OpenAPI, d.Info.Title)
		}
		for _, item := range d.Paths {
			counts[u.Name] += len(item)
		}
	}
	want := "Report Service=/v3/api-docs/report-service UAA Service=/v3/api-docs/uaa-service All Services=/v3/api-docs"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("swagger-config lists %s, want %s", got, want)
	}
	if counts["All Services"] != counts["Report Service"]+counts["UAA Service"] || counts["UAA Service"] == 0 {
		t.Errorf("operation counts %v: All Services must be the sum of the two", counts)
	}
	a.must(404, "GET", "/v3/api-docs/all", nil)
	a.must(404, "GET", "/v3/api-docs/nope", nil)
}

// TestRoutesAgreeWithDocuments keeps Routes, the mux and the documents one
// story: each documented route is in its document under the same
// operationId and tag, each documented operation is a route, and each
// route reaches a handler.
func TestRoutesAgreeWithDocuments(t *testing.T) {
	in := start(t, Options{})
	docs := map[string]docShape{}
	for _, g := range []string{ReportService, UAAService} {
		b, err := Document(g, false)
		if err != nil {
			t.Fatal(err)
		}
		var d docShape
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		docs[g] = d
	}
	seen := map[string]bool{}
	for _, r := range Routes() {
		req := httptest.NewRequest(r.Method, strings.NewReplacer("{id}", "1", "{launchId}", "1", "{group}", "uaa-service").Replace(r.Path), nil)
		if _, pattern := in.mux.Handler(req); pattern == "" {
			t.Errorf("%s %s reaches no handler", r.Method, r.Path)
		}
		if r.RSAlias {
			req.URL.Path = "/api/rs/" + strings.TrimPrefix(req.URL.Path, "/api/")
			if _, pattern := in.mux.Handler(req); pattern == "" {
				t.Errorf("%s %s has no /api/rs alias", r.Method, r.Path)
			}
		}
		if r.Spec == "" {
			continue
		}
		op, ok := docs[r.Spec].Paths[r.Path][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("%s %s is not in %s", r.Method, r.Path, r.Spec)
			continue
		}
		if op.OperationID != r.OperationID || len(op.Tags) != 1 || op.Tags[0] != r.Tag {
			t.Errorf("%s %s: document says %s %v, route says %s %s", r.Method, r.Path, op.OperationID, op.Tags, r.OperationID, r.Tag)
		}
		seen[r.Spec+" "+r.Method+" "+r.Path] = true
	}
	for g, d := range docs {
		for p, item := range d.Paths {
			for m := range item {
				if !seen[g+" "+strings.ToUpper(m)+" "+p] {
					t.Errorf("%s documents %s %s, which no route serves", g, strings.ToUpper(m), p)
				}
			}
		}
	}
}

func TestVersion2Documents(t *testing.T) {
	for _, g := range []string{ReportService, AllServices} {
		t.Run(g, func(t *testing.T) {
			var v1, v2 docShape
			for _, x := range []struct {
				v2  bool
				dst *docShape
			}{{false, &v1}, {true, &v2}} {
				b, err := Document(g, x.v2)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(b, x.dst); err != nil {
					t.Fatal(err)
				}
			}
			var diffs []string
			for p, item := range v1.Paths {
				for m := range item {
					if _, ok := v2.Paths[p][m]; !ok {
						diffs = append(diffs, "removed "+m+" "+p)
					}
				}
			}
			for p := range v2.Paths {
				if _, ok := v1.Paths[p]; !ok {
					diffs = append(diffs, "added path "+p)
				}
			}
			for name, s1 := range v1.Components.Schemas {
				s2 := v2.Components.Schemas[name]
				for k := range s1.Properties {
					if _, ok := s2.Properties[k]; !ok {
						diffs = append(diffs, "removed "+name+"."+k)
					}
				}
				for k := range s2.Properties {
					if _, ok := s1.Properties[k]; !ok {
						diffs = append(diffs, "added "+name+"."+k)
					}
				}
			}
			sort.Strings(diffs)
			want := "added LaunchDto.isClosed, added ProjectDto.archived, removed LaunchDto.closed, removed get /api/launch/{id}/statistic"
			if got := strings.Join(diffs, ", "); got != want {
				t.Errorf("v2 document differs by\n  %s\nwant\n  %s", got, want)
			}
			if v1.Info.Version != "1.0.0" || v2.Info.Version != "2.0.0" {
				t.Errorf("versions %q and %q", v1.Info.Version, v2.Info.Version)
			}
		})
	}
	in := start(t, Options{Knobs: Knobs{V2: true}})
	if d := fetchDoc(t, newAPI(t, in), "/v3/api-docs/report-service"); d.Info.Version != "2.0.0" {
		t.Errorf("a v2 instance serves version %q", d.Info.Version)
	}
}

func TestTLS(t *testing.T) {
	in := start(t, Options{TLS: true})
	if !strings.HasPrefix(in.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", in.URL())
	}
	_, err := http.Get(in.URL() + "/api/management/health/readiness")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("a client without the CA got %v, want an unknown-authority error", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(in.CACertPEM()) {
		t.Fatal("CACertPEM holds no certificate")
	}
	a := newAPI(t, in).login()
	a.must(200, "GET", "/api/uaa/me", nil)
	for _, host := range []string{"localhost"} {
		url := strings.Replace(in.URL(), "127.0.0.1", host, 1)
		res, err := in.Client().Get(url + "/api/management/health/readiness")
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		res.Body.Close()
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct{ name, addr string }{
		{"all interfaces", ":0"},
		{"the unspecified address", "0.0.0.0:0"},
		{"a private address", "10.0.0.1:0"},
		{"a host name other than localhost", "example.com:0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Start(Options{Addr: tc.addr})
			if err == nil {
				in.Close()
				t.Fatalf("Start(%q) succeeded", tc.addr)
			}
			if !strings.Contains(err.Error(), "not loopback") {
				t.Errorf("error %v does not say why", err)
			}
		})
	}
	in := start(t, Options{Addr: "localhost:0"})
	newAPI(t, in).must(200, "GET", "/api/management/health/readiness", nil)
}
