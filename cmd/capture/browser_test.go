package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/golden"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/thirdparty"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

// demoAddr is where the instance listens when the test regenerates the
// bundled recording, so that its URLs stay the same from one run to the
// next.
const demoAddr = "127.0.0.1:47443"

// secretLog wraps the instance and notes every credential that crosses
// it, so the test can look for each one in the recording's bytes.
type secretLog struct {
	mu     sync.Mutex
	values map[string]string // value -> where it was seen
}

func (s *secretLog) add(v, where string) {
	if len(v) < 4 {
		return
	}
	s.mu.Lock()
	s.values[v] = where
	s.mu.Unlock()
}

func (s *secretLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range r.Cookies() {
			s.add(c.Value, "cookie "+c.Name)
		}
		s.add(r.Header.Get("X-XSRF-TOKEN"), "X-XSRF-TOKEN")
		s.add(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "Authorization")
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if v, err := url.ParseQuery(string(body)); err == nil && v.Get("password") != "" {
				s.add("password="+url.QueryEscape(v.Get("password")), "the login form")
			}
		}
		h.ServeHTTP(&setCookieSpy{ResponseWriter: w, s: s}, r)
	})
}

type setCookieSpy struct {
	http.ResponseWriter
	s *secretLog
}

func (w *setCookieSpy) WriteHeader(code int) {
	for _, v := range w.Header().Values("Set-Cookie") {
		first, _, _ := strings.Cut(v, ";")
		_, val, _ := strings.Cut(first, "=")
		w.s.add(val, "Set-Cookie")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *setCookieSpy) Write(b []byte) (int, error) {
	if w.Header().Get("Set-Cookie") != "" {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// TestBrowserRecordsTheUIFlow runs capture --browser with a real headless
// Chromium against the local instance's web UI over HTTPS, and checks the
// recording. With -update it also replaces the bundled demo recording.
func TestBrowserRecordsTheUIFlow(t *testing.T) {
	browserPath := thirdparty.Chromium(t)
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	secrets := &secretLog{values: map[string]string{}}
	srv := httptest.NewUnstartedServer(secrets.wrap(in))
	if golden.Updating() {
		l, err := net.Listen("tcp", demoAddr)
		if err != nil {
			t.Fatalf("-update needs %s free: %v", demoAddr, err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.StartTLS()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")

	dir := t.TempDir()
	out := filepath.Join(dir, "ui-flow.har")
	p := startProcess(t, nil,
		"--ca-dir", filepath.Join(dir, "ca"),
		"--upstream-ca", writeCertPEM(t, srv),
		"--host", host,
		"--browser", srv.URL+"/?auto=1",
		"--browser-path", browserPath,
		"--headless",
		"-o", out)

	// The page runs the whole flow on load; its last call is the search.
	searched := func() bool {
		for _, r := range in.Requests() {
			if r.Path == "/api/launch/__search" && r.Status == 200 {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(90 * time.Second)
	for !searched() {
		if time.Now().After(deadline) {
			t.Fatalf("the UI flow did not finish in 90s; the instance saw %d requests; capture said:\n%s", len(in.Requests()), p.stderr.String())
		}
		select {
		case <-p.done:
			t.Fatalf("capture ended before the flow did:\n%s", p.stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The search's entry reaches the file once its response has ended.
	for {
		entries, _ := readEntries(t, out)
		if len(entries) > 0 && strings.Contains(entries[len(entries)-1].Request.URL, "/api/launch/__search") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search never reached the recording:\n%s", p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// CI stops a headless recording with SIGTERM.
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.stderr.String())
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := har.ReadFile(out)
	if err != nil {
		t.Fatalf("reading the recording: %v", err)
	}
	if f.Log.Browser == nil || !strings.Contains(f.Log.Browser.Name, "Chrom") {
		t.Errorf("log.browser = %+v", f.Log.Browser)
	}
	calls := map[string]*har.Entry{}
	var order []string
	for _, e := range f.Log.Entries {
		u, _ := url.Parse(e.Request.URL)
		key := e.Request.Method + " " + u.Path
		if strings.HasPrefix(u.Path, "/api/launch/") && u.Path != "/api/launch/__search" {
			key = e.Request.Method + " /api/launch/{id}"
		}
		calls[key] = e
		order = append(order, key)
		if u.Host != host || u.Scheme != "https" {
			t.Errorf("entry for %s: the recording should hold only https://%s", e.Request.URL, host)
		}
		if assetLike(u.Path) {
			t.Errorf("a static asset was recorded: %s", e.Request.URL)
		}
		if !strings.Contains(header(e.Request.Headers, "User-Agent"), "Chrome/") {
			t.Errorf("%s: User-Agent %q is not the browser's", key, header(e.Request.Headers, "User-Agent"))
		}
	}
	for _, want := range []string{
		"GET /", "POST /api/login/system", "GET /api/uaa/me", "GET /api/project",
		"POST /api/launch", "GET /api/launch/{id}", "GET /api/testresult", "GET /api/launch/__search",
	} {
		e := calls[want]
		if e == nil {
			t.Errorf("no %s in the recording; it has %v", want, order)
			continue
		}
		if e.Response.Status != 200 || e.NetworkError() != "" {
			t.Errorf("%s: status %d, error %q", want, e.Response.Status, e.NetworkError())
		}
		if want != "POST /api/login/system" && e.Response.Content.Text == "" {
			t.Errorf("%s: no response body", want)
		}
		if e.Timings.Wait < 0 || e.Timings.Send < 0 || e.ServerIPAddress != "127.0.0.1" {
			t.Errorf("%s: timings %+v, server %q", want, e.Timings, e.ServerIPAddress)
		}
	}
	if e := calls["POST /api/launch"]; e != nil {
		if pd := e.Request.PostData; pd == nil || !strings.Contains(pd.Text, `"projectId":1`) || !strings.Contains(e.Response.Content.Text, `"id":104`) {
			t.Errorf("POST /api/launch: request %+v, response %.80q", pd, e.Response.Content.Text)
		}
	}
	if e := calls["POST /api/login/system"]; e != nil {
		if pd := e.Request.PostData; pd == nil || !strings.Contains(pd.Text, "username=admin") || !strings.Contains(pd.Text, "password="+har.PlaceholderPrefix) {
			t.Errorf("login form: %+v", pd)
		}
	}
	secrets.mu.Lock()
	if len(secrets.values) < 3 {
		t.Errorf("the instance saw only %d credentials; the flow did not log in", len(secrets.values))
	}
	for v, where := range secrets.values {
		if bytes.Contains(data, []byte(v)) {
			t.Errorf("the %s value is in the recording's bytes", where)
		}
	}
	secrets.mu.Unlock()
	for _, e := range f.Log.Entries {
		for _, c := range append(e.Request.Cookies, e.Response.Cookies...) {
			if !har.IsPlaceholder(c.Value) {
				t.Errorf("%s: cookie %s is not redacted", e.Request.URL, c.Name)
			}
		}
	}
	// match resolves every API call of the recording to its operation.
	docs, err := discover.Discover(context.Background(), in.Client(), in.URL(), discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := spec.LoadAll(docs.Sources)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex(loaded, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{})
	for _, e := range f.Log.Entries {
		m.Observe(e)
	}
	resolved := 0
	for i, e := range f.Log.Entries {
		r := m.Entry(i+1, e)
		switch r.Verdict {
		case match.Matched:
			resolved++
		case match.Auth, match.NotAPI:
		default:
			t.Errorf("match: #%d %s %s is %s (%s) %v", r.Seq, r.Method, r.URL, r.Verdict, r.Reason, r.Problems)
		}
	}
	if resolved != 5 {
		t.Errorf("match resolved %d API calls to their operations, want the 5 of the flow", resolved)
	}
	if t.Failed() {
		return
	}
	if golden.Updating() {
		dest := filepath.Join("..", "..", "recordings", "ui-flow", "recording.har")
		if err := os.WriteFile(dest, data, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d entries", dest, len(f.Log.Entries))
	}
}

func assetLike(p string) bool {
	for _, ext := range []string{".js", ".css", ".png", ".ico", ".svg", ".woff2"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

func header(hs []har.NameValue, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// TestRecordingEndsWhenTheBrowserCloses lets a real headless Chromium
// close by itself (--dump-dom exits once the page has loaded) and checks
// that capture then finishes the recording on its own.
func TestRecordingEndsWhenTheBrowserCloses(t *testing.T) {
	browserPath := thirdparty.Chromium(t)
	in, err := sandbox.Start(sandbox.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "instance-ca.pem")
	os.WriteFile(caFile, in.CACertPEM(), 0o644)
	out := filepath.Join(dir, "rec.har")
	p := startProcess(t, nil,
		"--ca-dir", filepath.Join(dir, "ca"),
		"--upstream-ca", caFile,
		"--browser", in.URL()+"/",
		"--browser-path", browserPath,
		"--headless", "--browser-arg=--dump-dom",
		"-o", out)
	if code := p.wait(60 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.stderr.String())
	}
	for _, want := range []string{"the browser closed: recorded ", "recording 127.0.0.1 only, the page's host"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("capture did not say %q:\n%s", want, p.stderr.String())
		}
	}
	f, err := har.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Log.Entries) == 0 || f.Log.Entries[0].Request.URL != in.URL()+"/" || !strings.Contains(f.Log.Entries[0].Response.Content.Text, "apitrail sandbox") {
		for _, e := range f.Log.Entries {
			t.Logf("%s %s %d", e.Request.Method, e.Request.URL, e.Response.Status)
		}
		t.Errorf("the page is not the first entry of the recording: %d entries", len(f.Log.Entries))
	}
}
