package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/proxy/ca"
)

// testCA is made once: key generation is the slow part of a proxy start.
var testCA = sync.OnceValues(func() (*ca.CA, error) {
	dir, err := os.MkdirTemp("", "apitrail-proxy-test-ca-")
	if err != nil {
		return nil, err
	}
	c, _, err := ca.LoadOrCreate(filepath.Join(dir, "ca"), "test")
	return c, err
})

func mustCA(t testing.TB) *ca.CA {
	t.Helper()
	c, err := testCA()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawLog keeps every entry as the proxy made it, before redaction, next
// to the real har.Writer that writes the file.
type rawLog struct {
	mu      sync.Mutex
	entries []*har.Entry
	w       *har.Writer
}

func (l *rawLog) Write(e *har.Entry) error {
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.mu.Unlock()
	return l.w.Write(e)
}

func (l *rawLog) raw() []*har.Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*har.Entry(nil), l.entries...)
}

// rec is a proxy under test, recording to a real HAR file.
type rec struct {
	t    testing.TB
	p    *Proxy
	addr string
	path string
	log  *rawLog
	hw   *har.Writer
	once sync.Once
	errs chan error
}

func startProxy(t testing.TB, opts Options) *rec {
	t.Helper()
	if opts.CA == nil {
		opts.CA = mustCA(t)
	}
	path := filepath.Join(t.TempDir(), "recording.har")
	hw, err := har.Create(path, har.WriterOptions{Creator: har.Creator{Name: "proxy test", Version: "0"}})
	if err != nil {
		t.Fatal(err)
	}
	log := &rawLog{w: hw}
	opts.Writer = log
	errs := make(chan error, 100)
	if opts.OnError == nil {
		opts.OnError = func(err error) {
			select {
			case errs <- err:
			default:
			}
		}
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- p.Serve(l) }()
	r := &rec{t: t, p: p, addr: l.Addr().String(), path: path, log: log, hw: hw, errs: errs}
	t.Cleanup(func() {
		r.stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return r
}

// stop finishes the recording and closes the file.
func (r *rec) stop() {
	r.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.p.Shutdown(ctx); err != nil {
			r.t.Errorf("Shutdown: %v", err)
		}
		if err := r.hw.Close(); err != nil {
			r.t.Errorf("closing the HAR: %v", err)
		}
	})
}

// waitRecorded waits until the proxy has recorded n exchanges: a client can
// read the end of a stream a moment before the proxy has finished the
// exchange, and stopping in between would record it as cut short.
func (r *rec) waitRecorded(n int) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.p.Stats().Recorded < int64(n) {
		if time.Now().After(deadline) {
			r.t.Fatalf("the proxy recorded %d exchanges in 10s, want %d", r.p.Stats().Recorded, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// entries stops the proxy and reads the recording back from its file.
func (r *rec) entries() []*har.Entry {
	r.t.Helper()
	r.stop()
	data, err := os.ReadFile(r.path)
	if err != nil {
		r.t.Fatal(err)
	}
	if !json.Valid(data) {
		r.t.Fatalf("the recording is not valid JSON:\n%s", data)
	}
	return readAll(r.t, r.path)
}

func (r *rec) bytes() []byte {
	r.t.Helper()
	r.stop()
	data, err := os.ReadFile(r.path)
	if err != nil {
		r.t.Fatal(err)
	}
	return data
}

// client returns an HTTP client that goes through the proxy and trusts
// its CA, as a browser set up for it would.
func (r *rec) client() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(r.p.opts.CA.Cert)
	return &http.Client{
		Transport: &http.Transport{
			Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: r.addr}),
			TLSClientConfig: &tls.Config{RootCAs: pool},
			// Compressed bodies are the test's business, not the client's.
			DisableCompression: true,
		},
		Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func upstreamPool(srv *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return pool
}

func get(t testing.TB, c *http.Client, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", u, err)
	}
	return resp, body
}

func find(t testing.TB, entries []*har.Entry, method, suffix string) *har.Entry {
	t.Helper()
	for _, e := range entries {
		if e.Request.Method == method && len(e.Request.URL) >= len(suffix) && e.Request.URL[len(e.Request.URL)-len(suffix):] == suffix {
			return e
		}
	}
	var urls bytes.Buffer
	for _, e := range entries {
		urls.WriteString("\n  " + e.Request.Method + " " + e.Request.URL)
	}
	t.Fatalf("no %s entry whose URL ends in %q; the recording has:%s", method, suffix, urls.String())
	return nil
}

func header(hs []har.NameValue, name string) string {
	for _, h := range hs {
		if http.CanonicalHeaderKey(h.Name) == http.CanonicalHeaderKey(name) {
			return h.Value
		}
	}
	return ""
}
