package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/syncbuf"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
)

// runCapture runs the command in this process.
func runCapture(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "apitrail-capture-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "capture")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if bin, err := buildOnce(); err == nil {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

// binary builds the command once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// process is capture running as a separate program.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *syncbuf.Buffer
	addr   string
	done   chan struct{}
}

var proxyLine = regexp.MustCompile(`proxy on http://([0-9.:]+),`)

// startProcess runs capture and waits for it to say where it listens.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	p := &process{t: t, cmd: cmd, stderr: &syncbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	cmd.Stdout = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.After(60 * time.Second)
	for {
		if m := proxyLine.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("capture exited before listening:\n%s", p.stderr.String())
		case <-deadline:
			t.Fatalf("capture did not start in 60s:\n%s", p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait returns the exit code.
func (p *process) wait(limit time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		p.t.Fatalf("capture still runs %v after being told to stop:\n%s", limit, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// clientVia returns a client that goes through the proxy at addr and
// trusts the CA in caDir.
func clientVia(t *testing.T, addr, caDir string) *http.Client {
	t.Helper()
	pemData, err := os.ReadFile(filepath.Join(caDir, "rootCA.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemData)
	return &http.Client{
		Transport: &http.Transport{
			Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: addr}),
			TLSClientConfig: &tls.Config{RootCAs: roots},
		},
		Timeout: time.Minute,
	}
}

func writeCertPEM(t testing.TB, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upstream-ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readEntries(t *testing.T, path string) ([]*har.Entry, error) {
	t.Helper()
	r, err := har.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*har.Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

// api is a small HTTPS backend: /api/item/N answers JSON, /api/stream
// sends a line every 20ms until the client goes.
func api(t *testing.T) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/item/"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":%q,"pad":%q}`, strings.TrimPrefix(r.URL.Path, "/api/item/"), strings.Repeat("x", 2000))
		case r.URL.Path == "/api/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			for i := 0; ; i++ {
				if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUsageAndBadFlags(t *testing.T) {
	code, out, _ := runCapture(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, "-o, --output FILE") || !strings.Contains(out, "Exit status:") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.har")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	tests := []struct {
		why      string
		args     []string
		wantErr  string
		wantHint string
	}{
		{"unknown flag", []string{"--bogus"}, "unknown flag: --bogus", "capture --help"},
		{"a URL without --browser", []string{"https://example.com/"}, `unexpected argument "https://example.com/"`, "--browser https://example.com/"},
		{"bad size", []string{"--max-body", "lots"}, `"lots" is not a size`, ""},
		{"host as a URL", []string{"--host", "https://api.example.com/v1"}, `give the host name only, such as "api.example.com"`, "*.example.com"},
		{"headless alone", []string{"--headless"}, "--headless needs --browser URL", "--browser https://"},
		{"browser without scheme", []string{"--browser", "testops.example.com"}, "is not an http or https URL", "--browser https://testops.example.com"},
		{"import with browser", []string{"--from", "x.har", "--browser", "https://x/"}, "--browser does not go with --from", ""},
		{"import of a missing file", []string{"--from", filepath.Join(dir, "nope.har"), "-o", filepath.Join(dir, "out.har")}, "nope.har: no such file", ""},
		{"import over an existing file", []string{"--from", existing, "-o", existing}, "would replace the file being imported", ""},
		{"a folder for -o is named as given", []string{"--from", existing, "-o", dir, "--force"}, "-o " + dir + ": is a folder", ""},
		{"bad listen address", []string{"--listen", "8080"}, `--listen "8080"`, "host:port"},
		{"redact and keep secrets", []string{"--redact", "X-Id", "--keep-secrets"}, "contradict", ""},
		{"bad upstream CA", []string{"--ca-dir", filepath.Join(dir, "ca"), "--upstream-ca", existing, "-o", filepath.Join(dir, "never.har")}, "holds no PEM certificate", "BEGIN CERTIFICATE"},
	}
	for _, tt := range tests {
		code, _, stderr := runCapture(t, nil, tt.args...)
		lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
		if code != 2 || !strings.HasPrefix(lines[0], "capture: error: ") || !strings.Contains(lines[0], tt.wantErr) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 2 and an error containing %q", tt.why, code, stderr, tt.wantErr)
			continue
		}
		if tt.wantHint != "" && (len(lines) < 2 || !strings.HasPrefix(lines[1], "capture: hint: ") || !strings.Contains(lines[1], tt.wantHint)) {
			t.Errorf("%s: stderr:\n%s\nwant a hint containing %q", tt.why, stderr, tt.wantHint)
		}
		if len(lines) > 2 {
			t.Errorf("%s: more than an error and a hint:\n%s", tt.why, stderr)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("a failed command changed an existing file")
	}
	if _, err := os.Stat(filepath.Join(dir, "never.har")); err == nil {
		t.Error("a command that failed before recording left a file behind")
	}
}

func TestOutputIsNotReplacedWithoutForce(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rec.har")
	os.WriteFile(out, []byte("an earlier recording"), 0o600)
	code, _, stderr := runCapture(t, nil, "--ca-dir", filepath.Join(dir, "ca"), "--listen", "127.0.0.1:0", "-o", out)
	if code != 2 || !strings.Contains(stderr, "rec.har: the file exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "an earlier recording" {
		t.Error("the earlier recording was touched")
	}
}

func TestCAInfo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca-from-env")
	code, stdout, stderr := runCapture(t, map[string]string{"APITRAIL_CAROOT": dir}, "--ca-info")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "made a new local CA in "+dir) {
		t.Errorf("the first run did not say it made the CA:\n%s", stderr)
	}
	for _, want := range []string{filepath.Join(dir, "rootCA.pem"), "Firefox", "Chromium", "curl --proxy http://127.0.0.1:8080 --cacert"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--ca-info does not mention %q:\n%s", want, stdout)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "rootCA-key.pem"))
	if err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("key: %v, mode %v", err, fi.Mode())
	}
	// The flag wins over the environment, and the second run is quiet.
	other := filepath.Join(t.TempDir(), "ca-from-flag")
	runCapture(t, map[string]string{"APITRAIL_CAROOT": dir}, "--ca-info", "--ca-dir", other)
	code, stdout, stderr = runCapture(t, map[string]string{"APITRAIL_CAROOT": dir}, "--ca-info", "--ca-dir", other)
	if code != 0 || stderr != "" || !strings.Contains(stdout, filepath.Join(other, "rootCA.pem")) {
		t.Errorf("second run with --ca-dir: exit %d, stderr %q", code, stderr)
	}
	// Without either, it lives in the user's data folder.
	home := t.TempDir()
	if code, stdout, _ := runCapture(t, map[string]string{"HOME": home}, "--ca-info"); code != 0 || !strings.Contains(stdout, filepath.Join(home, ".local", "share", "apitrail", "ca", "rootCA.pem")) {
		t.Errorf("default folder: exit %d\n%s", code, stdout)
	}
}

// recordAPI starts capture as a process in front of the api backend and
// returns a client that goes through it.
func recordAPI(t *testing.T) (*httptest.Server, *process, *http.Client, string) {
	srv := api(t)
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	out := filepath.Join(dir, "rec.har")
	p := startProcess(t, nil, "--ca-dir", caDir, "--upstream-ca", writeCertPEM(t, srv), "--listen", "127.0.0.1:0", "-o", out)
	return srv, p, clientVia(t, p.addr, caDir), out
}

func TestInterruptFinishesTheFile(t *testing.T) {
	srv, p, c, out := recordAPI(t)
	const n = 25
	for i := range n {
		resp, err := c.Get(fmt.Sprintf("%s/api/item/%d", srv.URL, i))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// A stream is in flight when the signal comes.
	resp, err := c.Get(srv.URL + "/api/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for range 3 {
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit %d after Ctrl-C:\n%s", code, p.stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatalf("the file is not complete JSON after Ctrl-C (%d bytes)", len(data))
	}
	entries, err := readEntries(t, out)
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	if len(entries) != n+1 {
		t.Fatalf("%d entries, want %d completed and the stream", len(entries), n)
	}
	for i, e := range entries[:n] {
		want := fmt.Sprintf(`{"id":"%d"`, i)
		if e.NetworkError() != "" || !strings.HasPrefix(e.Response.Content.Text, want) {
			t.Errorf("entry %d: error %q, body %.30q", i, e.NetworkError(), e.Response.Content.Text)
		}
	}
	stream := entries[n]
	if !strings.Contains(stream.NetworkError(), "capture stopped") || !strings.HasPrefix(stream.Response.Content.Text, "data: 0\n\ndata: 1\n\n") {
		t.Errorf("the stream's entry: error %q, body %.40q", stream.NetworkError(), stream.Response.Content.Text)
	}
	if !strings.Contains(p.stderr.String(), fmt.Sprintf("stopped by Ctrl-C: recorded %d exchanges", n+1)) {
		t.Errorf("no summary:\n%s", p.stderr.String())
	}
}

// A refused certificate, on either side of the proxy, only shows as an
// error in the client; the console must say what happened and how to fix
// it.
func TestConsoleSaysWhyTLSFailed(t *testing.T) {
	srv := api(t)
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	// No --upstream-ca: the server's private CA is not trusted.
	p := startProcess(t, nil, "--ca-dir", caDir, "--listen", "127.0.0.1:0", "-o", filepath.Join(dir, "rec.har"))

	distrusting := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: p.addr}),
		TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()},
	}, Timeout: time.Minute}
	if _, err := distrusting.Get(srv.URL + "/api/item/1"); err == nil {
		t.Fatal("a client that does not trust the capture CA got an answer")
	}
	resp, err := clientVia(t, p.addr, caDir).Get(srv.URL + "/api/item/2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d through a proxy that does not trust the server, want 502", resp.StatusCode)
	}

	wants := []string{"does not trust the capture CA", "capture --ca-info", "server certificate not trusted for " + srv.Listener.Addr().String(), "--upstream-ca FILE"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		missing := ""
		for _, w := range wants {
			if !strings.Contains(p.stderr.String(), w) {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console does not say %q:\n%s", missing, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.cmd.Process.Signal(os.Interrupt)
	p.wait(15 * time.Second)
}

func TestKilledRecordingReadsBack(t *testing.T) {
	srv, p, c, out := recordAPI(t)
	// Several clients keep the writer busy when the kill comes.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Get(fmt.Sprintf("%s/api/item/%d-%d", srv.URL, w, i))
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	// Kill once the file holds a good number of entries.
	deadline := time.Now().Add(30 * time.Second)
	for {
		entries, _ := readEntries(t, out)
		if len(entries) >= 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d entries after 30s", len(entries))
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.cmd.Process.Kill()
	p.wait(10 * time.Second)
	close(stop)
	wg.Wait()

	entries, err := readEntries(t, out)
	if !errors.Is(err, har.ErrTruncated) {
		t.Fatalf("reading a killed recording: %v, want it reported as cut short", err)
	}
	if len(entries) < 50 {
		t.Fatalf("read back %d entries, the file held at least 50 before the kill", len(entries))
	}
	for i, e := range entries {
		var v struct{ ID, Pad string }
		if err := json.Unmarshal([]byte(e.Response.Content.Text), &v); err != nil || len(v.Pad) != 2000 {
			t.Fatalf("entry %d is not complete: %v", i, err)
		}
	}

	// --from makes the killed recording whole again, for tools that want
	// a complete HAR.
	fixed := filepath.Join(t.TempDir(), "fixed.har")
	code, _, stderr := runCapture(t, nil, "--from", out, "-o", fixed)
	if code != 0 || !strings.Contains(stderr, "cut short") || !strings.Contains(stderr, fmt.Sprintf("imported the %d complete entries", len(entries))) {
		t.Fatalf("--from on the killed recording: exit %d\n%s", code, stderr)
	}
	again, err := readEntries(t, fixed)
	if err != nil || len(again) != len(entries) {
		t.Fatalf("the repaired file: %d entries, %v; want all %d, whole", len(again), err, len(entries))
	}
}

// TestImportRealExport runs --from on a real DevTools export.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "devtools.har")
	// A small export with what a user would hand over: a session cookie,
	// a bearer token, an API call and a script.
	export := `{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},
	"pages":[{"startedDateTime":"2026-01-01T00:00:00.000Z","id":"page_1","title":"TestOps","pageTimings":{"onLoad":10}}],
	"entries":[
	{"pageref":"page_1","startedDateTime":"2026-01-01T00:00:01.000Z","time":5,"_resourceType":"fetch",
	 "request":{"method":"GET","url":"https://testops.example.com/api/launch?page=0","httpVersion":"http/2.0",
	  "headers":[{"name":"cookie","value":"ALLURE_TESTOPS_SESSION=sess-1234567890abcdef"},{"name":"authorization","value":"Bearer tok-abcdefghijklmnop"}],
	  "cookies":[{"name":"ALLURE_TESTOPS_SESSION","value":"sess-1234567890abcdef"}],"queryString":[{"name":"page","value":"0"}],"headersSize":-1,"bodySize":0},
	 "response":{"status":200,"statusText":"","httpVersion":"http/2.0","headers":[{"name":"content-type","value":"application/json"}],"cookies":[],
	  "content":{"size":13,"mimeType":"application/json","text":"{\"content\":[]}"},"redirectURL":"","headersSize":-1,"bodySize":13},
	 "cache":{},"timings":{"send":1,"wait":3,"receive":1}},
	{"pageref":"page_1","startedDateTime":"2026-01-01T00:00:02.000Z","time":5,"_resourceType":"script",
	 "request":{"method":"GET","url":"https://testops.example.com/static/app.js","httpVersion":"http/2.0","headers":[{"name":"cookie","value":"ALLURE_TESTOPS_SESSION=sess-1234567890abcdef"}],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},
	 "response":{"status":200,"statusText":"","httpVersion":"http/2.0","headers":[],"cookies":[],"content":{"size":3,"mimeType":"text/javascript","text":"x=1"},"redirectURL":"","headersSize":-1,"bodySize":3},
	 "cache":{},"timings":{"send":1,"wait":3,"receive":1}}]}}`
	os.WriteFile(src, []byte(export), 0o600)
	out := filepath.Join(dir, "clean.har")
	code, _, stderr := runCapture(t, nil, "--from", src, "-o", out)
	if code != 0 || !strings.Contains(stderr, "kept 1 of 2 entries") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	for _, secret := range []string{"sess-1234567890abcdef", "tok-abcdefghijklmnop"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s is in the clean recording", secret)
		}
	}
	f, err := har.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Log.Creator.Name != "apitrail capture" || !strings.Contains(f.Log.Comment, "devtools.har, made by WebInspector 537.36") || len(f.Log.Pages) != 1 {
		t.Errorf("header: creator %+v, comment %q, %d pages", f.Log.Creator, f.Log.Comment, len(f.Log.Pages))
	}
	if len(f.Log.Entries) != 1 || f.Log.Entries[0].Response.Content.Text != `{"content":[]}` {
		t.Errorf("entries: %d", len(f.Log.Entries))
	}
	// --from - reads standard input, redacted the same; its temporary
	// copy (which holds the secrets) is gone afterwards.
	spool := t.TempDir()
	t.Setenv("TMPDIR", spool) // where the copy goes, away from other runs
	var piped, errb bytes.Buffer
	code = run([]string{"--from", "-", "-o", "-"}, strings.NewReader(export), &piped, &errb, func(string) string { return "" })
	if code != 0 || !strings.Contains(errb.String(), "kept 1 of 2 entries") || !strings.Contains(piped.String(), `"/api/launch?page=0"`) && !strings.Contains(piped.String(), "api/launch") {
		t.Fatalf("--from -: exit %d\n%s\n%.300s", code, errb.String(), piped.String())
	}
	for _, secret := range []string{"sess-1234567890abcdef", "tok-abcdefghijklmnop"} {
		if strings.Contains(piped.String(), secret) {
			t.Errorf("--from -: %s is in the clean recording", secret)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(spool, "capture-stdin-*")); len(m) > 0 {
		t.Errorf("--from - left its copy of standard input: %v", m)
	}
	// Everything filtered out: the file is written, and exit 1 says so.
	code, _, stderr = runCapture(t, nil, "--from", src, "-o", filepath.Join(dir, "none.har"), "--host", "other.example.com")
	if code != 1 || !strings.Contains(stderr, "kept 0 of 2") {
		t.Errorf("nothing kept: exit %d\n%s", code, stderr)
	}
	// A file cut short inside its first entry: a warning that names it,
	// a whole HAR with nothing in it, and exit 1 as for nothing kept.
	cut := filepath.Join(dir, "cut.har")
	os.WriteFile(cut, []byte(export[:len(export)/2]), 0o600)
	code, _, stderr = runCapture(t, nil, "--from", cut, "-o", filepath.Join(dir, "from-cut.har"))
	if code != 1 || !strings.Contains(stderr, "warning: "+cut+": cut short") {
		t.Errorf("cut file: exit %d\n%s", code, stderr)
	}
	if got, err := readEntries(t, filepath.Join(dir, "from-cut.har")); err != nil || len(got) != 0 {
		t.Errorf("from a file cut before its first entry ended: %d entries, %v", len(got), err)
	}
}

// TestImportOfBadRecordingsNamesFileAndPlace imports each crafted broken
// recording of testdata/har/bad: exit 2, the one error line its entry in
// errors.txt names, and no output file left half-written.
func TestImportOfBadRecordingsNamesFileAndPlace(t *testing.T) {
	dir := t.TempDir()
	for _, b := range hartest.BadHARs(t) {
		out := filepath.Join(dir, b.Name)
		code, _, stderr := runCapture(t, nil, "--from", b.Path, "-o", out)
		if want := "capture: error: " + b.Want + "\n"; code != 2 || stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", b.Name, code, stderr, want)
		}
		if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %s is left behind (%v)", b.Name, out, err)
		}
	}
}

func TestWarningsAndEmptyRecording(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rec.har")
	p := startProcess(t, nil, "--ca-dir", filepath.Join(dir, "ca"), "--listen", "0.0.0.0:0", "--keep-secrets", "--insecure", "-o", out)
	if !strings.HasPrefix(p.addr, "127.0.0.1:") {
		t.Errorf("the banner names %s; clients on this machine should be told 127.0.0.1", p.addr)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	code := p.wait(15 * time.Second)
	log := p.stderr.String()
	for _, want := range []string{
		"capture: warning: listening on 0.0.0.0:",
		"capture: warning: --keep-secrets",
		"capture: warning: --insecure",
		"stopped by SIGTERM: recorded 0 exchanges",
		"nothing was recorded",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if code != 1 {
		t.Errorf("exit %d for an empty recording, want 1", code)
	}
	if f, err := har.ReadFile(out); err != nil || len(f.Log.Entries) != 0 {
		t.Errorf("the empty recording does not read back as an empty HAR: %v", err)
	}
}

func TestNoBrowserSaysHowToInstallOne(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	code, _, stderr := runCapture(t, nil, "--ca-dir", filepath.Join(dir, "ca"), "--browser", "https://testops.example.com/", "-o", filepath.Join(dir, "rec.har"))
	if code != 2 || !strings.Contains(stderr, "capture: error: no Chromium or Chrome found") || !strings.Contains(stderr, "capture: hint: install one") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if runtime.GOOS == "linux" && !strings.Contains(stderr, "apt-get install chromium") {
		t.Errorf("the hint does not say how to install Chromium:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "rec.har")); err == nil {
		t.Error("a recording file was left although nothing was recorded")
	}
	code, _, stderr = runCapture(t, nil, "--ca-dir", filepath.Join(dir, "ca"), "--browser", "https://x/", "--browser-path", filepath.Join(dir, "no-such-browser"))
	if code != 2 || !strings.Contains(stderr, "--browser-path") {
		t.Errorf("missing --browser-path: exit %d:\n%s", code, stderr)
	}
}

// TestRefusesCAFolderOthersCanWrite: the CA is not used, and its key not
// described as "readable by you only", when others can swap it.
func TestRefusesCAFolderOthersCanWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("group and other mode bits mean nothing on Windows")
	}
	dir := filepath.Join(t.TempDir(), "ca")
	if code, _, stderr := runCapture(t, nil, "--ca-info", "--ca-dir", dir); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCapture(t, nil, "--ca-info", "--ca-dir", dir)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 2 || stdout != "" || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "capture: error: "+dir+" can be written by other users (mode 0777)") ||
		lines[1] != "capture: hint: run: chmod go-w "+dir {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}
