package discover

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/silent"
	"github.com/apitrail/apitrail/spec"
)

// doc is a minimal spec with one operation, so each served definition is
// told apart by its title.
func doc(title string) string {
	return `{"openapi":"3.0.3","info":{"title":"` + title + `","version":"1"},"paths":{"/api/` +
		strings.ToLower(strings.ReplaceAll(title, " ", "")) + `":{"get":{"responses":{"200":{"description":"OK"}}}}}}`
}

// site serves fixed bodies by path; a path ending in "->" redirects.
type site map[string]string

func (s site) handler(t *testing.T, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := s[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if target, isRedirect := strings.CutPrefix(body, "->"); isRedirect {
			http.Redirect(w, r, target, http.StatusFound)
			return
		}
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, ".html"):
			w.Header().Set("Content-Type", "text/html")
		case strings.HasSuffix(r.URL.Path, ".js"):
			w.Header().Set("Content-Type", "application/javascript")
		default:
			w.Header().Set("Content-Type", "application/json")
		}
		w.Write([]byte(body))
	})
}

// bearer adds a token to every request, as the auth package's client will.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func TestDiscover(t *testing.T) {
	springdoc := site{
		"/testops/v3/api-docs/swagger-config": `{"configUrl":"/testops/v3/api-docs/swagger-config","oauth2RedirectUrl":"http://x/swagger-ui/oauth2-redirect.html",
			"urls":[{"url":"/testops/v3/api-docs/Report%20Service","name":"Report Service"},{"url":"/testops/v3/api-docs/UAA%20Service","name":"UAA Service"},
			{"url":"/testops/v3/api-docs/All%20Services","name":"All Services"}],"urls.primaryName":"All Services","validatorUrl":""}`,
		"/testops/v3/api-docs/Report Service": doc("Report Service"),
		"/testops/v3/api-docs/UAA Service":    doc("UAA Service"),
		"/testops/v3/api-docs/All Services":   doc("All Services"),
	}
	springfox := site{
		"/swagger-resources": `[{"name":"default","url":"/v2/api-docs","swaggerVersion":"2.0","location":"/v2/api-docs"},
			{"name":"admin","url":"/v2/api-docs?group=admin","swaggerVersion":"2.0","location":"/v2/api-docs?group=admin"}]`,
		"/v2/api-docs": `{"swagger":"2.0","info":{"title":"Legacy","version":"4"},"basePath":"/api/rs","paths":{}}`,
	}
	plain := site{"/openapi.json": doc("Plain")}
	page := site{
		"/swagger-ui.html":                   "->/swagger-ui/index.html",
		"/swagger-ui/index.html":             `<!DOCTYPE html><html><head><script src="./swagger-ui-bundle.js" charset="UTF-8"></script><script src="./swagger-initializer.js" charset="UTF-8"></script></head><body><div id="swagger-ui"></div></body></html>`,
		"/swagger-ui/swagger-ui-bundle.js":   `/* the bundle: url: "/never-read.json" */`,
		"/swagger-ui/swagger-initializer.js": "window.onload = function() {\n  window.ui = SwaggerUIBundle({\n    urls: [{url: \"/docs/report.json\", name: \"Report\"}, {name: 'Users', url: '/docs/users.json'}],\n    \"urls.primaryName\": \"Report\",\n    dom_id: '#swagger-ui',\n    deepLinking: true,\n  });\n};",
		"/docs/report.json":                  doc("Report"),
		"/docs/users.json":                   doc("Users"),
	}
	springdocPage := site{
		"/swagger-ui.html":            "->/swagger-ui/index.html?configUrl=/api-docs/swagger-config",
		"/swagger-ui/index.html":      `<html><body><script>window.ui = SwaggerUIBundle({dom_id: '#swagger-ui'})</script></body></html>`,
		"/api-docs/swagger-config":    `{"configUrl":"/api-docs/swagger-config","url":"/api-docs","validatorUrl":""}`,
		"/api-docs":                   doc("Springdoc Single"),
		"/v3/api-docs/swagger-config": `not json`,
	}
	inlinePage := site{
		"/swagger-ui.html": `<html><script>
			const ui = SwaggerUIBundle({ url: "openapi/main.json", oauth2RedirectUrl: "https://x/oauth2-redirect.html" })
		</script></html>`,
		"/openapi/main.json": doc("Inline"),
	}
	loginWall := site{}
	for _, p := range append(append([]string{"/", springdocConfigPath, springfoxPath}, docPages...), plainSpecPaths...) {
		loginWall[p] = `<html><form method="post"><input name="user"><input type="password" name="pw"></form></html>`
	}
	fastapi := site{
		"/docs":         `<!DOCTYPE html><html><head><title>App - Swagger UI</title></head><body><div id="swagger-ui"></div><script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@4/swagger-ui-bundle.js"></script><script>const ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', })</script></body></html>`,
		"/openapi.json": doc("FastAPI App"),
	}
	redoc := site{
		"/reference/index.html": `<!DOCTYPE html><html><body><redoc spec-url="../specs/api.yaml"></redoc><script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script></body></html>`,
		"/specs/api.yaml":       "openapi: 3.0.3\ninfo: {title: Redoc Doc, version: '1'}\npaths: {}\n",
	}
	rapidoc := site{
		"/api-docs/":           `<!doctype html><html><body><rapi-doc spec-url = "/static/openapi.json" theme="dark"></rapi-doc></body></html>`,
		"/static/openapi.json": doc("Rapi"),
	}
	flasgger := site{"/apispec_1.json": `{"swagger":"2.0","info":{"title":"Flasgger","version":"1"},"paths":{}}`}
	jupyter := site{"/api/spec.yaml": "swagger: '2.0'\ninfo: {title: Jupyter Notebook API, version: '5'}\npaths: {}\n"}
	aspnet := site{"/swagger/v1/swagger.json": doc("Swashbuckle")}

	tests := []struct {
		reason string
		site   site
		base   string // under the server's URL
		token  string
		names  []string // Source.Name, or the title for unnamed ones
		via    string   // the location that answered, under the server's URL
		err    string
	}{
		{"springdoc's config lists the named definitions, under a context path, with a Bearer token",
			springdoc, "/testops", "t0ken", []string{"Report Service", "UAA Service", "All Services"}, "/testops/v3/api-docs/swagger-config", ""},
		{"springfox's resource list", springfox, "", "", []string{"default", "admin"}, "/swagger-resources", ""},
		{"a plain location when no configuration exists", plain, "", "", []string{"Plain"}, "/openapi.json", ""},
		{"the Swagger UI page and its swagger-initializer.js", page, "", "", []string{"Report", "Users"}, "/swagger-ui.html", ""},
		{"springdoc's page redirects with configUrl in its address", springdocPage, "", "", []string{"Springdoc Single"}, "/swagger-ui.html", ""},
		{"a url inline in the page, relative to it", inlinePage, "", "", []string{"Inline"}, "/swagger-ui.html", ""},
		{"the page's own address given as the base", page, "/swagger-ui/index.html", "", []string{"Report", "Users"}, "/swagger-ui/index.html", ""},
		{"FastAPI's /docs page given as the base names /openapi.json", fastapi, "/docs", "", []string{"FastAPI App"}, "/docs", ""},
		{"FastAPI found from the base URL by its /docs page", fastapi, "", "", []string{"FastAPI App"}, "/docs", ""},
		{"a Redoc page's spec-url, relative to the page", redoc, "/reference/index.html", "", []string{"Redoc Doc"}, "/reference/index.html", ""},
		{"a RapiDoc page's spec-url", rapidoc, "", "", []string{"Rapi"}, "/api-docs/", ""},
		{"flasgger's location", flasgger, "", "", []string{"Flasgger"}, "/apispec_1.json", ""},
		{"Jupyter's location, under a token", jupyter, "", "tok", []string{"Jupyter Notebook API"}, "/api/spec.yaml", ""},
		{"ASP.NET Swashbuckle's location", aspnet, "", "", []string{"Swashbuckle"}, "/swagger/v1/swagger.json", ""},
		{"a spec's own URL given as the base", flasgger, "/apispec_1.json", "", []string{"/apispec_1.json"}, "/apispec_1.json", ""},
		{"nothing anywhere", site{}, "", "", nil, "", "no spec found; tried:\n  "},
		{"a login page served with 200 everywhere is not a spec, and says so", loginWall, "", "", nil, "", "/openapi.json (login page)\n"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(tt.site.handler(t, tt.token))
		client := srv.Client()
		if tt.token != "" {
			client.Transport = bearer{token: tt.token, next: client.Transport}
		}
		got, err := Discover(context.Background(), client, srv.URL+tt.base, Options{})
		srv.Close()
		if tt.err != "" && err != nil && strings.Count(err.Error(), "\n") != len(got.Probes) {
			t.Errorf("%s: the tried list must give each of the %d places a line of its own:\n%v", tt.reason, len(got.Probes), err)
		}
		var probes []string
		if got != nil {
			for _, p := range got.Probes {
				probes = append(probes, strings.TrimPrefix(p.URL, srv.URL)+" "+p.Result)
			}
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), srv.URL) {
				t.Errorf("%s: error %v, want one naming the base URL and containing %q", tt.reason, err, tt.err)
			}
		} else if err != nil {
			t.Errorf("%s: %v\nprobes: %q", tt.reason, err, probes)
			continue
		}
		var names []string
		for _, src := range got.Sources {
			d, err := spec.Load(src)
			if err != nil {
				t.Errorf("%s: %v", tt.reason, err)
				continue
			}
			names = append(names, d.Name())
			if src.SHA256 == "" || src.Fetched.IsZero() || !strings.HasPrefix(src.URL, srv.URL) {
				t.Errorf("%s: source %q lacks its digest, time or URL", tt.reason, src.Name)
			}
		}
		if strings.Join(names, "|") != strings.Join(tt.names, "|") {
			t.Errorf("%s: found %q, want %q\nprobes: %q", tt.reason, names, tt.names, probes)
		}
		if tt.err == "" && got.Via != srv.URL+tt.via {
			t.Errorf("%s: found via %q, want %q\nprobes: %q", tt.reason, got.Via, srv.URL+tt.via, probes)
		}
	}
}

func TestDiscoverBadBase(t *testing.T) {
	for _, base := range []string{"", "ftp://host", "/just/a/path", "http://"} {
		if _, err := Discover(context.Background(), http.DefaultClient, base, Options{}); err == nil || !strings.Contains(err.Error(), "not an http(s) base URL") {
			t.Errorf("Discover(%q): %v, want a base URL error", base, err)
		}
	}
}

func TestDiscoverCancelled(t *testing.T) {
	srv := httptest.NewServer(site{}.handler(t, ""))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Discover(ctx, srv.Client(), srv.URL, Options{}); err != context.Canceled {
		t.Errorf("a cancelled discovery must say so, got %v", err)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			w.Write(make([]byte, spec.MaxSpecBytes+10))
		default:
			http.Error(w, "nope", http.StatusForbidden)
		}
	}))
	defer srv.Close()
	tests := []struct{ reason, path, want string }{
		{"a refused fetch names the URL and the status", "/denied", srv.URL + "/denied: server answered 403 Forbidden"},
		{"a reply over the size limit is cut off, not read whole", "/huge", srv.URL + "/huge: larger than 64 MB, the most a spec may be"},
	}
	for _, tt := range tests {
		_, err := Fetch(context.Background(), srv.Client(), srv.URL+tt.path, 0)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.reason, err, tt.want)
		}
	}
	if _, err := Fetch(context.Background(), nil, srv.URL, 0); err == nil || !strings.Contains(err.Error(), "no HTTP client given") {
		t.Errorf("a nil client must be refused, not replaced by a global one: %v", err)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	base := silent.Start(t)
	const limit = 300 * time.Millisecond
	start := time.Now()
	_, err := Fetch(context.Background(), &http.Client{}, base+"/openapi.json", limit)
	if err == nil || !strings.Contains(err.Error(), "no answer within 300ms") || !strings.HasPrefix(err.Error(), base+"/openapi.json: ") {
		t.Errorf("Fetch from a server that never answers: %v, want the URL and the timeout", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Fetch took %s with a %s timeout", took, limit)
	}
	start = time.Now()
	_, err = Discover(context.Background(), &http.Client{}, base, Options{Timeout: limit})
	if err == nil || !strings.Contains(err.Error(), "/api/spec.yaml (no answer within 300ms)") {
		t.Errorf("Discover on a server that never answers: %v", err)
	}
	// Every location is tried at once, eight at a time: a few timeouts in
	// all, not one for each of the dozens of places.
	if took := time.Since(start); took > 10*limit+5*time.Second {
		t.Errorf("Discover took %s with a %s timeout", took, limit)
	}
}
