package spec

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	for _, p := range append(append([]string{springdocConfigPath, springfoxPath}, swaggerUIPages...), plainSpecPaths...) {
		loginWall[p] = "<html><form>Sign in</form></html>"
	}

	tests := []struct {
		reason string
		site   site
		base   string // under the server's URL
		token  string
		names  []string // Source.Name, or the title for unnamed ones
		probes int
		err    string
	}{
		{"springdoc's config lists the named definitions, under a context path, with a Bearer token",
			springdoc, "/testops", "t0ken", []string{"Report Service", "UAA Service", "All Services"}, 4, ""},
		{"springfox's resource list", springfox, "", "", []string{"default", "admin"}, 4, ""},
		{"a plain location when no configuration exists", plain, "", "", []string{"Plain"}, 6, ""},
		{"the Swagger UI page and its swagger-initializer.js", page, "", "", []string{"Report", "Users"}, 6, ""},
		{"springdoc's page redirects with configUrl in its address", springdocPage, "", "", []string{"Springdoc Single"}, 5, ""},
		{"a url inline in the page, relative to it", inlinePage, "", "", []string{"Inline"}, 4, ""},
		{"the page's own address given as the base", page, "/swagger-ui/index.html", "", []string{"Report", "Users"}, 6, ""},
		{"nothing anywhere", site{}, "", "", nil, 10, "no spec found; tried"},
		{"a login page served with 200 everywhere is not a spec", loginWall, "", "", nil, 10, "(not a spec)"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(tt.site.handler(t, tt.token))
		client := srv.Client()
		if tt.token != "" {
			client.Transport = bearer{token: tt.token, next: client.Transport}
		}
		got, err := Discover(context.Background(), client, srv.URL+tt.base)
		srv.Close()
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
			d, err := Load(src)
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
		if len(got.Probes) != tt.probes {
			t.Errorf("%s: %d probes, want %d: %q", tt.reason, len(got.Probes), tt.probes, probes)
		}
	}
}

func TestDiscoverBadBase(t *testing.T) {
	for _, base := range []string{"", "ftp://host", "/just/a/path", "http://"} {
		if _, err := Discover(context.Background(), http.DefaultClient, base); err == nil || !strings.Contains(err.Error(), "not an http(s) base URL") {
			t.Errorf("Discover(%q): %v, want a base URL error", base, err)
		}
	}
}

func TestDiscoverCancelled(t *testing.T) {
	srv := httptest.NewServer(site{}.handler(t, ""))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Discover(ctx, srv.Client(), srv.URL); err != context.Canceled {
		t.Errorf("a cancelled discovery must say so, got %v", err)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			w.Write(make([]byte, MaxSpecBytes+10))
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
		_, err := LoadURL(context.Background(), srv.Client(), srv.URL+tt.path)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.reason, err, tt.want)
		}
	}
	if _, err := Fetch(context.Background(), nil, srv.URL); err == nil || !strings.Contains(err.Error(), "no HTTP client given") {
		t.Errorf("a nil client must be refused, not replaced by a global one: %v", err)
	}
}

func TestSnapshot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec", "spec")
	report, err := ReadFile(filepath.Join("testdata", "shop-3.0.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	report.Name = "Report Service"
	report.URL = "https://admin:secret@testops.example.com/v3/api-docs/Report%20Service?access_token=abc&group=x"
	all, err := ReadFile(filepath.Join("testdata", "petshop-2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	all.Name = "All Services"
	if err := SaveSnapshot(dir, []Source{report, all}); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0].Data) != string(report.Data) || got[1].SHA256 != all.SHA256 || got[0].Name != "Report Service" ||
		!got[1].Fetched.Equal(all.Fetched) {
		t.Fatalf("the snapshot must give back the bytes, names, digests and times saved, got %+v", got)
	}
	if got[0].URL != "https://REDACTED@testops.example.com/v3/api-docs/Report%20Service?access_token=REDACTED&group=x" {
		t.Errorf("credentials in a URL must not reach the manifest, got %q", got[0].URL)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, SnapshotManifest))
	if strings.Contains(string(manifest), "secret") || strings.Contains(string(manifest), "abc") {
		t.Errorf("the manifest holds a credential:\n%s", manifest)
	}
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if strings.Join(files, " ") != "01-report-service.yaml 02-all-services.json specs.json" {
		t.Errorf("snapshot files: %v", files)
	}

	// Saving again with one document drops the other's file.
	if err := SaveSnapshot(dir, []Source{all}); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("a re-saved snapshot must not keep documents it no longer lists: %d files", len(entries))
	}

	// Changed bytes are caught.
	if err := os.WriteFile(filepath.Join(dir, "01-all-services.json"), []byte(`{"swagger":"2.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadSnapshot(dir)
	if err == nil || !strings.Contains(err.Error(), "01-all-services.json: sha256 ") || !strings.Contains(err.Error(), "the snapshot was changed after it was saved") {
		t.Errorf("a changed document must be refused, got %v", err)
	}
}

func TestSnapshotBadManifest(t *testing.T) {
	tests := []struct{ reason, manifest, want string }{
		{"a file name that climbs out of the folder", `{"format":1,"specs":[{"name":"x","file":"../x.json","sha256":"00"}]}`,
			`specs.json: /specs/0: file "../x.json" is not a plain file name in the snapshot folder`},
		{"a later format", `{"format":2,"specs":[]}`, "specs.json: /format: snapshot format 2 is not one this version reads (1)"},
		{"not a manifest", `[1,2]`, "specs.json: not a snapshot manifest: json: cannot unmarshal array into Go value of type spec.manifest"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, SnapshotManifest), []byte(tt.manifest), 0o644)
		_, err := LoadSnapshot(dir)
		if err == nil || err.Error() != filepath.Join(dir, tt.want) {
			t.Errorf("%s: got %v, want %q", tt.reason, err, filepath.Join(dir, tt.want))
		}
	}
	if _, err := LoadSnapshot(t.TempDir()); err == nil || !strings.HasSuffix(err.Error(), "specs.json: no such file or directory") {
		t.Errorf("a folder without a manifest: %v", err)
	}
}
