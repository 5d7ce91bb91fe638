package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHostPatternMatch(t *testing.T) {
	tests := []struct {
		why, pattern, host string
		want               bool
	}{
		{"exact name, any port", "api.example.com", "api.example.com:443", true},
		{"names compare without case", "API.Example.com", "api.example.COM:443", true},
		{"a trailing dot is the same name", "example.com.", "example.com:80", true},
		{"another name", "api.example.com", "www.example.com:443", false},
		{"a suffix is not the name", "example.com", "badexample.com:443", false},
		{"wildcard covers a subdomain", "*.example.com", "api.example.com:443", true},
		{"wildcard covers deeper subdomains", "*.example.com", "a.b.example.com:443", true},
		{"wildcard needs the dot", "*.example.com", "example.com:443", false},
		{"wildcard does not cover lookalikes", "*.example.com", "api.example.com.evil.net:443", false},
		{"star alone is every host", "*", "anything:1", true},
		{"wildcard in the middle", "api-*.example.com", "api-eu.example.com:443", true},
		{"wildcard in the middle, no match", "api-*.example.com", "www-eu.example.com:443", false},
		{"port must match when given", "localhost:8443", "localhost:8443", true},
		{"another port", "localhost:8443", "localhost:443", false},
		{"port star", "localhost:*", "localhost:9", true},
		{"IP address", "127.0.0.1", "127.0.0.1:8080", true},
		{"IPv6 in brackets with port", "[::1]:8443", "[::1]:8443", true},
		{"bare IPv6", "::1", "[::1]:8443", true},
		{"host without a port", "example.com", "example.com", true},
		{"pattern port against a host without one", "example.com:443", "example.com", false},
	}
	for _, tt := range tests {
		p, err := ParseHostPattern(tt.pattern)
		if err != nil {
			t.Errorf("%s: ParseHostPattern(%q): %v", tt.why, tt.pattern, err)
			continue
		}
		if got := p.Match(tt.host); got != tt.want {
			t.Errorf("%s: %q matching %q = %v, want %v", tt.why, tt.pattern, tt.host, got, tt.want)
		}
	}
}

func TestHostPatternErrors(t *testing.T) {
	tests := []struct{ why, pattern, wantErr string }{
		{"empty", " ", "empty"},
		{"a URL", "https://api.example.com/v1", `give the host name only, such as "api.example.com"`},
		{"a path", "example.com/api", "no host name has"},
		{"a space", "exa mple.com", "no host name has"},
		{"port not a number", "example.com:https", "a port is a number"},
		{"a colon without port", "example.com:", "no port"},
		{"unclosed bracket", "[::1", "never closes"},
		{"junk after bracket", "[::1]x", "[address]:port"},
		{"no host", ":8080", "no host name"},
	}
	for _, tt := range tests {
		_, err := ParseHostPattern(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: ParseHostPattern(%q) = %v, want an error containing %q", tt.why, tt.pattern, err, tt.wantErr)
		}
	}
}

func FuzzHostPattern(f *testing.F) {
	for _, s := range []string{"*.example.com", "api.example.com:443", "[::1]:8443", "::1", "*", "a*b*c", "localhost:*", "x:"} {
		f.Add(s, "api.example.com:443")
	}
	f.Fuzz(func(t *testing.T, pattern, host string) {
		p, err := ParseHostPattern(pattern)
		if err != nil {
			return
		}
		p.Match(host)
		// A pattern without wildcards matches its own host.
		if !strings.Contains(p.host, "*") && p.port == "" && !strings.ContainsAny(p.host, "[]") {
			if !p.Match(net.JoinHostPort(p.host, "1")) {
				t.Errorf("pattern %q does not match its own host %q", pattern, p.host)
			}
		}
	})
}

func TestAssetDetection(t *testing.T) {
	tests := []struct {
		why, path, dest, contentType string
		asset                        bool
	}{
		{"script by extension", "/static/app.3f2a.js", "", "", true},
		{"source map", "/static/app.js.map", "", "", true},
		{"font by extension", "/fonts/inter.woff2", "", "", true},
		{"image by destination", "/avatar", "image", "", true},
		{"style by content type", "/theme", "", "text/css; charset=utf-8", true},
		{"image by content type", "/logo", "", "image/svg+xml", true},
		{"font by content type", "/f", "", "font/woff2", true},
		{"JSON API call", "/api/launch", "empty", "application/json", false},
		{"HTML page", "/", "document", "text/html; charset=utf-8", false},
		{"API path that looks like a file", "/api/export.json", "", "application/json", false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.dest != "" {
			h.Set("Sec-Fetch-Dest", tt.dest)
		}
		got := AssetRequest(&url.URL{Path: tt.path}, h) || AssetType(tt.contentType)
		if got != tt.asset {
			t.Errorf("%s: asset = %v, want %v", tt.why, got, tt.asset)
		}
	}
}

func TestHostFilterTunnelsOtherHosts(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"host":"`+r.Host+`"}`)
	})
	recorded := httptest.NewTLSServer(handler)
	defer recorded.Close()
	other := httptest.NewTLSServer(handler)
	defer other.Close()
	plain := httptest.NewServer(handler)
	defer plain.Close()

	pat, err := ParseHostPattern(strings.TrimPrefix(recorded.URL, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(recorded), Filter: &Filter{Hosts: []HostPattern{pat}}})
	c := r.client()
	// The client also trusts the other server's own certificate: if the
	// proxy tunnels that host, the client talks to the server directly.
	roots := x509.NewCertPool()
	roots.AddCert(r.p.opts.CA.Cert)
	roots.AddCert(other.Certificate())
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: roots}

	if resp, _ := get(t, c, recorded.URL+"/api/a"); resp.TLS.PeerCertificates[0].Issuer.CommonName != r.p.opts.CA.Cert.Subject.CommonName {
		t.Error("the recorded host was not intercepted")
	}
	resp, body := get(t, c, other.URL+"/api/b")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "127.0.0.1") {
		t.Fatalf("other host through the proxy: %d %s", resp.StatusCode, body)
	}
	if !resp.TLS.PeerCertificates[0].Equal(other.Certificate()) {
		t.Error("the other host was decrypted by the proxy instead of tunnelled")
	}
	if resp, _ := get(t, c, plain.URL+"/api/c"); resp.StatusCode != 200 {
		t.Fatalf("plain HTTP to another host: %d", resp.StatusCode)
	}
	st := r.p.Stats()
	entries := r.entries()
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Request.URL, "/api/a") {
		var urls []string
		for _, e := range entries {
			urls = append(urls, e.Request.URL)
		}
		t.Fatalf("recorded %v, want only the /api/a call", urls)
	}
	if st.Recorded != 1 || st.Passed != 2 {
		t.Errorf("stats %+v, want 1 recorded and 2 passed", st)
	}
}

func TestAssetsPassUnrecorded(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "application/javascript")
			io.WriteString(w, "console.log(1)")
		case "/theme":
			w.Header().Set("Content-Type", "text/css")
			io.WriteString(w, "body{}")
		case "/logo":
			w.Header().Set("Content-Type", "image/png")
			w.Write([]byte{0x89, 'P', 'N', 'G'})
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	paths := []string{"/app.js", "/theme", "/logo", "/font.woff2", "/api/data"}
	for _, keep := range []bool{false, true} {
		r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv), Filter: &Filter{KeepAssets: keep}})
		c := r.client()
		for _, p := range paths {
			if resp, _ := get(t, c, srv.URL+p); resp.StatusCode != 200 {
				t.Fatalf("GET %s: %d", p, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("GET", srv.URL+"/avatar", nil)
		req.Header.Set("Sec-Fetch-Dest", "image")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		entries := r.entries()
		var got []string
		for _, e := range entries {
			u, _ := url.Parse(e.Request.URL)
			got = append(got, u.Path)
		}
		want := "/api/data"
		if keep {
			want = "/app.js /theme /logo /font.woff2 /api/data /avatar"
		}
		if strings.Join(got, " ") != want {
			t.Errorf("KeepAssets %v: recorded %v, want %s", keep, got, want)
		}
	}
}
