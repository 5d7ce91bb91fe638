package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/report/reporttest"
	"github.com/apitrail/apitrail/spec/discover"
)

// call is one recorded call for writeHAR: its method and full URL.
type recorded struct{ method, url string }

// writeHAR writes a recording of the calls, each answered 200 with an
// empty JSON object, as a bare HAR in a fresh folder.
func writeHAR(t *testing.T, calls ...recorded) string {
	t.Helper()
	f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}}}
	for _, c := range calls {
		e := &har.Entry{Request: har.Request{Method: c.method, URL: c.url, HTTPVersion: "HTTP/1.1"},
			Response: har.Response{Status: 200, StatusText: "OK", HTTPVersion: "HTTP/1.1",
				Headers: []har.NameValue{{Name: "Content-Type", Value: "application/json"}}}}
		if strings.HasSuffix(c.url, ".js") {
			e.Response.Headers[0].Value = "application/javascript"
		}
		e.SetResponseBody([]byte("{}"), e.Response.Headers[0].Value)
		if c.method == "POST" {
			e.Request.Headers = []har.NameValue{{Name: "Content-Type", Value: "application/json"}}
			e.Request.PostData = &har.PostData{MimeType: "application/json", Text: `{"name":"nightly"}`}
		}
		f.Log.Entries = append(f.Log.Entries, e)
	}
	path := filepath.Join(t.TempDir(), "session.har")
	if err := har.WriteFile(path, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	return path
}

// bare answers the recorded API paths with {} and everything else (the
// spec discovery's probes) with 404: an instance without Swagger UI.
func bare(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "{}")
}

// apiPaths are the requests to /api/ a server got, spec discovery's
// probe left out.
func apiPaths(s *sandboxtest.Server) string {
	var out []string
	probes := map[string]bool{}
	for _, l := range discover.Locations() {
		probes["GET "+l] = true
	}
	for _, p := range s.Paths() {
		if strings.Contains(p, " /api/") && !probes[p] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// TestOnlyTheInstancesHostIsReplayed: which recorded host is the instance
// comes from --host, the flow's flow.json, or a spec; failing those, from a
// recording whose API calls all go to one host. A recording with API calls
// to several is refused with their list, and calls to any host that is not
// the instance are skipped with the reason, never sent to the endpoint.
func TestOnlyTheInstancesHostIsReplayed(t *testing.T) {
	twoHosts := []recorded{
		{"GET", "https://testops.test/api/launch/1"},
		{"GET", "https://other.test/api/widget/9"},
		{"GET", "https://cdn.test/static/app.js"},
	}
	cases := []struct {
		reason string
		calls  []recorded
		flags  []string
		hosts  []string // flow.json's, for a recording folder
		code   int
		sent   string // the API calls the endpoint got
		out    []string
	}{
		{"two API hosts and nothing to choose by", twoHosts, nil, nil, 2, "",
			[]string{"replay: error: ", "the API calls go to 2 hosts (other.test, testops.test) and nothing says which is the instance\nreplay: hint: name the instance's host with --host HOST"}},
		{"a dry run is refused the same way", twoHosts, []string{"--dry-run"}, nil, 2, "",
			[]string{"the API calls go to 2 hosts (other.test, testops.test)"}},
		{"--host names the instance", twoHosts, []string{"--host", "testops.test"}, nil, 0, "GET /api/launch/1",
			[]string{"skipped: not the API: another host: other.test"}},
		{"--host names the other host", twoHosts, []string{"--host", "other.test"}, nil, 0, "GET /api/widget/9",
			[]string{"skipped: not the API: another host: testops.test"}},
		{"flow.json names the instance", twoHosts, nil, []string{"testops.test"}, 0, "GET /api/launch/1",
			[]string{"skipped: not the API: another host: other.test"}},
		{"one API host is the instance", []recorded{{"GET", "https://testops.test/api/launch/1"}, {"GET", "https://cdn.test/static/app.js"}, {"GET", "https://testops.test/api/project"}},
			nil, nil, 0, "GET /api/launch/1, GET /api/project", []string{"2 ok"}},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			in := sandboxtest.NewServer(t, bare)
			rec := writeHAR(t, c.calls...)
			if c.hosts != nil {
				dir := filepath.Dir(rec)
				os.Rename(rec, filepath.Join(dir, flow.HARFile))
				m, _ := json.Marshal(map[string]any{"name": "session", "hosts": c.hosts})
				os.WriteFile(filepath.Join(dir, flow.ManifestFile), m, 0o644)
				rec = dir
			}
			args := append([]string{"--endpoint", in.URL, "-c", "1"}, c.flags...)
			code, out, errOut := runReplay(t, env("api-token"), append(args, rec)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			all := out + errOut
			for _, want := range c.out {
				if !strings.Contains(all, want) {
					t.Errorf("the output lacks %q:\nstdout:\n%s\nstderr:\n%s", want, out, errOut)
				}
			}
			if c.code == 2 {
				var lines []string
				for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
					if !strings.Contains(l, ": warning: ") {
						lines = append(lines, l)
					}
				}
				if len(lines) != 2 || !strings.Contains(lines[1], "--host") {
					t.Errorf("want one error line and one hint naming --host:\n%s", errOut)
				}
			}
			if got := apiPaths(in); got != c.sent {
				t.Errorf("the endpoint got %q, want %q", got, c.sent)
			}
		})
	}
}

// buildReplay builds the command, for tests that run it as a process.
func buildReplay(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "replay")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// whoami answers /api/uaa/me for a Server.
func whoami(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/uaa/me" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":7,"username":"alice"}`)
		return
	}
	http.NotFound(w, r)
}

// TestPlainHTTPToAnotherHostWarns: a token sent over plain http to a host
// that is not this machine gets a warning. The name decides, not where it
// resolves: testops.example.test reaches a loopback server here through an
// HTTP proxy (HTTP_PROXY, as behind a corporate proxy), a real path on
// which the token would cross the network.
func TestPlainHTTPToAnotherHostWarns(t *testing.T) {
	const warning = "is plain http to a host that is not this machine"
	in := sandboxtest.NewServer(t, whoami)
	port := in.URL[strings.LastIndex(in.URL, ":"):]
	for _, c := range []struct {
		reason, endpoint string
	}{
		{"a loopback address", in.URL},
		{"localhost", "http://localhost" + port},
	} {
		code, out, errOut := runReplay(t, env("api-token"), "--endpoint", c.endpoint, "--whoami")
		if code != 0 || !strings.Contains(out, "signed in as alice") {
			t.Fatalf("%s: exit %d\n%s%s", c.reason, code, out, errOut)
		}
		if strings.Contains(errOut, warning) {
			t.Errorf("%s: a warning about this machine: %s", c.reason, errOut)
		}
	}

	bin := buildReplay(t)
	cmd := exec.Command(bin, "--endpoint", "http://testops.example.test", "--whoami")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TESTOPS_TOKEN=api-token",
		"HTTP_PROXY=" + in.URL, "http_proxy=" + in.URL, "NO_PROXY=", "no_proxy="}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "signed in as alice") {
		t.Fatalf("stdout: %s", stdout.String())
	}
	if want := "replay: warning: http://testops.example.test " + warning; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	var sent bool
	for _, h := range in.Hits() {
		sent = sent || (h.Host == "testops.example.test" && h.Authorization == "Bearer "+sandboxtest.AccessToken)
	}
	if !sent {
		t.Errorf("the Bearer token did not go to testops.example.test, so the test proves nothing: %+v", in.Hits())
	}
}

// TestCtrlCAfterAPOSTWasSent interrupts the real command while the
// instance holds a POST it has read and applied: every report says the
// call was interrupted after sending and may have been applied, none says
// it was not run.
func TestCtrlCAfterAPOSTWasSent(t *testing.T) {
	bin := buildReplay(t)
	const why = "interrupted after sending, before the answer: the instance may have applied it"
	for _, c := range []struct {
		reason string
		flags  []string
	}{
		{"text, JUnit and Allure", []string{"--junit", "junit.xml", "--allure-results", "allure-results"}},
		{"--json", []string{"--json"}},
	} {
		t.Run(c.reason, func(t *testing.T) {
			applied := make(chan string, 1)
			in := sandboxtest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					bare(w, r)
					return
				}
				// The body is read and the launch made; the answer is
				// held until the client goes away.
				body, _ := io.ReadAll(r.Body)
				applied <- string(body)
				select {
				case <-r.Context().Done():
				case <-time.After(20 * time.Second):
				}
			})
			rec := writeHAR(t, recorded{"GET", "https://testops.test/api/project"}, recorded{"POST", "https://testops.test/api/launch"},
				recorded{"GET", "https://testops.test/api/launch/1"})
			dir := t.TempDir()
			cmd := exec.Command(bin, append(append([]string{"--endpoint", in.URL, "--unsafe"}, c.flags...), rec)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TESTOPS_TOKEN=api-token")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var once sync.Once
			kill := func() { once.Do(func() { cmd.Process.Kill() }) }
			defer kill()
			select {
			case body := <-applied:
				if body != `{"name":"nightly"}` {
					t.Errorf("the instance applied %q", body)
				}
			case <-time.After(30 * time.Second):
				kill()
				t.Fatalf("the POST never came\n%s%s", stdout.String(), stderr.String())
			}
			cmd.Process.Signal(syscall.SIGINT)
			err := cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
			}
			if got := apiPaths(in); got != "GET /api/project, POST /api/launch" {
				t.Errorf("the instance got %s", got)
			}
			out := stdout.String()
			if c.flags[0] == "--json" {
				checkJSONInterrupted(t, out, why)
				return
			}
			for _, want := range []string{"2 POST /api/launch 200 " + why, "3 GET /api/launch/1 200 not-run: interrupted", "1 interrupted after sending"} {
				if !strings.Contains(words(out), want) {
					t.Errorf("the text report lacks %q:\n%s", want, out)
				}
			}
			checkAllureInterrupted(t, filepath.Join(dir, "allure-results"), why)
			checkJUnitInterrupted(t, filepath.Join(dir, "junit.xml"), why)
		})
	}
}

func checkJSONInterrupted(t *testing.T, out, why string) {
	t.Helper()
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Kind, Method, Outcome, Reason string
			Counts                        map[string]int
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		switch {
		case e.Kind == "entry" && e.Method == "POST":
			found = true
			if e.Outcome != "interrupted" || e.Reason != why {
				t.Errorf("the POST's line: %s", line)
			}
		case e.Kind == "flow" && e.Counts["interrupted"] != 1:
			t.Errorf("the flow's counts: %s", line)
		}
	}
	if !found {
		t.Errorf("no line for the POST:\n%s", out)
	}
}

func checkJUnitInterrupted(t *testing.T, path, why string) {
	t.Helper()
	doc := reporttest.ReadJUnit(t, path)
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Name != "POST /api/launch" {
				continue
			}
			found = true
			if c.Error == nil || c.Error.Type != "interrupted" || c.Error.Message != why || c.Skipped != nil {
				t.Errorf("the POST's test case: %+v", c)
			}
		}
	}
	if !found {
		t.Errorf("no test case for the POST in %s", path)
	}
	// Last, as it skips where the schema is not installed.
	reporttest.ValidateJUnit(t, path)
}

func checkAllureInterrupted(t *testing.T, dir, why string) {
	t.Helper()
	for _, r := range reporttest.ReadAllure(t, dir) {
		if r.Name != "#2 POST /api/launch" { // Allure names carry the call's number
			continue
		}
		if r.Status != "broken" || r.StatusDetails.Message != why {
			t.Errorf("the POST's Allure result: %s, %q", r.Status, r.StatusDetails.Message)
		}
		return
	}
	t.Errorf("no Allure result for the POST in %s", dir)
}
