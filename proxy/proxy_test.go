package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Seen-Proxy-Connection", r.Header.Get("Proxy-Connection"))
		io.WriteString(w, `{"path":"`+r.URL.Path+`","got":`+string(orNull(body))+`}`)
	}))
	defer srv.Close()
	r := startProxy(t, Options{})
	c := r.client()

	resp, body := get(t, c, srv.URL+"/api/items?page=2")
	if resp.StatusCode != 200 || string(body) != `{"path":"/api/items","got":null}` {
		t.Fatalf("GET through the proxy: %d %s", resp.StatusCode, body)
	}
	post, err := c.Post(srv.URL+"/api/items", "application/json", strings.NewReader(`{"name":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(post.Body)
	post.Body.Close()
	if string(pb) != `{"path":"/api/items","got":{"name":"x"}}` {
		t.Fatalf("POST through the proxy got %s", pb)
	}

	entries := r.entries()
	if len(entries) != 2 {
		t.Fatalf("recorded %d entries, want 2", len(entries))
	}
	g := find(t, entries, "GET", "/api/items?page=2")
	if g.Response.Status != 200 || g.Response.Content.Text != string(body) || g.Response.Content.MimeType != "application/json" {
		t.Errorf("GET entry response = %d %q %q", g.Response.Status, g.Response.Content.MimeType, g.Response.Content.Text)
	}
	if len(g.Request.QueryString) != 1 || g.Request.QueryString[0].Name != "page" {
		t.Errorf("GET entry query = %+v", g.Request.QueryString)
	}
	if g.ServerIPAddress != "127.0.0.1" || g.Connection == "" {
		t.Errorf("serverIPAddress %q, connection %q", g.ServerIPAddress, g.Connection)
	}
	tm := g.Timings
	for name, v := range map[string]float64{"blocked": tm.Blocked, "send": tm.Send, "wait": tm.Wait, "receive": tm.Receive} {
		if v < 0 {
			t.Errorf("timings.%s = %v, want a measured value", name, v)
		}
	}
	if tm.SSL != -1 {
		t.Errorf("timings.ssl = %v for plain HTTP, want -1", tm.SSL)
	}
	if g.Time <= 0 {
		t.Errorf("time = %v", g.Time)
	}
	p := find(t, entries, "POST", "/api/items")
	if p.Request.PostData == nil || p.Request.PostData.Text != `{"name":"x"}` || p.Request.BodySize != 12 {
		t.Errorf("POST entry postData = %+v, bodySize %d", p.Request.PostData, p.Request.BodySize)
	}
	if header(p.Request.Headers, "Proxy-Connection") != "" {
		t.Errorf("the recording kept the Proxy-Connection header meant for the proxy")
	}
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

func TestHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"secure":true,"n":"`+r.URL.Query().Get("n")+`"}`)
	}))
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	c := r.client()
	for _, n := range []string{"1", "2"} {
		resp, body := get(t, c, srv.URL+"/secure?n="+n)
		if resp.StatusCode != 200 || string(body) != `{"secure":true,"n":"`+n+`"}` {
			t.Fatalf("GET %s: %d %s", n, resp.StatusCode, body)
		}
		// The client saw a certificate made by the proxy's CA.
		if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 ||
			resp.TLS.PeerCertificates[0].Issuer.CommonName != r.p.opts.CA.Cert.Subject.CommonName {
			t.Fatalf("the client did not get a certificate from the capture CA")
		}
	}
	entries := r.entries()
	if len(entries) != 2 {
		t.Fatalf("recorded %d entries, want 2", len(entries))
	}
	first := find(t, entries, "GET", "/secure?n=1")
	if !strings.HasPrefix(first.Request.URL, "https://127.0.0.1:") {
		t.Errorf("url %q is not https", first.Request.URL)
	}
	if first.Timings.SSL < 0 || first.Timings.Connect < first.Timings.SSL {
		t.Errorf("first request: ssl %v, connect %v: want a measured handshake inside connect", first.Timings.SSL, first.Timings.Connect)
	}
	second := find(t, entries, "GET", "/secure?n=2")
	if second.Timings.SSL != -1 || second.Timings.Connect != -1 || second.Timings.DNS != -1 {
		t.Errorf("second request on a reused connection: dns %v connect %v ssl %v, want -1",
			second.Timings.DNS, second.Timings.Connect, second.Timings.SSL)
	}
	if second.Response.Content.Text != `{"secure":true,"n":"2"}` {
		t.Errorf("second response text %q", second.Response.Content.Text)
	}
}
