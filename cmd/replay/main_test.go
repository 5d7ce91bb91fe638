package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec/discover"
)

// flowDir records the UI flow on a fresh instance into a recording folder
// with its spec snapshot and noise rules, as capture and match leave one.
func flowDir(t *testing.T) string {
	t.Helper()
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	return flowDirOn(t, in)
}

// flowDirOn records the bundled flow on a running instance, as a user
// records on the instance they later replay against.
func flowDirOn(t *testing.T, in *sandbox.Instance) string {
	t.Helper()
	b := recorder.NewBrowser(in.URL(), nil)
	if _, err := b.UIFlow(context.Background(), "nightly"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ui-flow")
	os.MkdirAll(dir, 0o755)
	if err := har.WriteFile(filepath.Join(dir, flow.HARFile), b.Rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := discover.Discover(context.Background(), in.Client(), in.URL(), discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := discover.SaveSnapshot(filepath.Join(dir, flow.SpecDir), d.Sources); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "recording.noise"), []byte("# timestamps the instance sets\nignore body $..createdDate\nignore body $..lastModifiedDate\n"), 0o644)
	return dir
}

func instance(t *testing.T, knobs sandbox.Knobs) *sandbox.Instance {
	t.Helper()
	in, err := sandbox.Start(sandbox.Options{Knobs: knobs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func env(token string) func(string) string {
	return func(k string) string {
		if k == "TESTOPS_TOKEN" {
			return token
		}
		return ""
	}
}

func runReplay(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func TestDemoRunsTheWholeLoop(t *testing.T) {
	code, out, errOut := runReplay(t, env(""), "--demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"a local TestOps-like instance runs at http://127.0.0.1:", "match ui-flow", "launch-controller create_32: POST /api/launch",
		"replay of ui-flow", "values carried between calls", "recordings/ui-flow/recording.noise:", " 0 regression, 0 drift, 0 infrastructure error"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
}

func TestReplayAFlowFolder(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "7 calls: 5 ok, 0 regression, 0 drift, 0 infrastructure error, 2 skipped") {
		t.Errorf("report:\n%s", out)
	}
	if strings.Contains(out+errOut, sandbox.SeedAPIToken) {
		t.Error("the API token reached the output")
	}
}

func TestVersion2ExitsOne(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	code, out, _ := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1 for regressions\n%s", code, out)
	}
	for _, want := range []string{"--- recorded", "+++ replayed", "isClosed"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestInfrastructureErrorsExitThree(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	// A token first, then every API call fails.
	code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--whoami")
	if code != 0 || errOut != "" {
		t.Fatalf("whoami: %d %s", code, errOut)
	}
	done := make(chan struct{})
	go func() {
		// Faults start once the up-front token exchange is through.
		for len(in.Requests()) == 0 || !strings.HasSuffix(in.Requests()[len(in.Requests())-1].Path, "/token") {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
		in.SetKnobs(sandbox.Knobs{FailureRate: 1})
	}()
	in.ResetRequests()
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--retries", "1", dir)
	close(done)
	if code != 3 {
		t.Fatalf("exit %d, want 3 for infrastructure errors only\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "infra: the instance answered 503 Service Unavailable after 2 attempts") {
		t.Errorf("report:\n%s", out)
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	code, out, errOut := runReplay(t, env(""), "--endpoint", in.URL(), "--dry-run", "--unsafe", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := len(in.Requests()); n != 0 {
		t.Errorf("a dry run sent %d requests", n)
	}
	for _, want := range []string{"plan for ui-flow: 5 of 7 calls would be sent to " + in.URL(), "send    POST " + in.URL() + "/api/launch",
		"path {id} launchId from #4 body $.id (recorded 104)", "after #4"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}

func TestUpdateWritesTheBaseline(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--update", dir)
	if code != 1 || !strings.Contains(errOut, "baseline.har: 4 answer(s) changed") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Against the same kind of instance, the new baseline holds.
	in2 := instance(t, sandbox.Knobs{V2: true})
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in2.URL(), "--unsafe", dir)
	if code != 0 {
		t.Fatalf("after --update: exit %d\n%s\n%s", code, out, errOut)
	}
	f, err := har.ReadFile(filepath.Join(dir, "baseline.har"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := f.Log.Entries[4].ResponseBody()
	if !bytes.Contains(body, []byte(`"isClosed"`)) {
		t.Errorf("the baseline should hold the new answers: %s", body)
	}
}

func TestLearnNoiseSavesRules(t *testing.T) {
	// A service whose answers carry a fresh request id and time every time,
	// behind the instance's token endpoint so that replay can sign in.
	in := instance(t, sandbox.Knobs{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/uaa/") {
			proxyTo(t, in.URL(), w, r)
			return
		}
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":7,"name":"stable","requestId":"req-%d","servedAt":%d}`, i, time.Now().UnixNano()+i)
	}))
	defer srv.Close()
	rec := &recorder.Recorder{}
	c := &http.Client{Transport: rec}
	for _, p := range []string{"/api/thing/7", "/api/other/7"} {
		resp, err := c.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	dir := filepath.Join(t.TempDir(), "volatile")
	os.MkdirAll(dir, 0o755)
	if err := har.WriteFile(filepath.Join(dir, flow.HARFile), rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", srv.URL, "--learn-noise", "--save-noise", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d: the learnt noise must cover the differences\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "added 4 noise rule(s) to") {
		t.Errorf("stderr: %s", errOut)
	}
	rules, err := os.ReadFile(filepath.Join(dir, "recording.noise"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GET /api/thing/7: ignore body $.requestId", "GET /api/thing/7: ignore body $.servedAt", "GET /api/other/7: ignore body $.requestId"} {
		if !strings.Contains(string(rules), want) {
			t.Errorf("saved rules lack %q:\n%s", want, rules)
		}
	}
	if strings.Contains(string(rules), "$.name") || strings.Contains(string(rules), "$.id") {
		t.Errorf("stable values must not become noise:\n%s", rules)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	kinds := map[string]int{}
	for sc.Scan() {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("not JSON lines: %q", sc.Text())
		}
		kinds[obj["kind"].(string)]++
	}
	if kinds["entry"] != 2 || kinds["flow"] != 1 || kinds["summary"] != 1 {
		t.Errorf("JSON lines per kind: %v", kinds)
	}
	// The saved rules now keep a plain replay clean.
	if code, out, _ := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", srv.URL, dir); code != 0 {
		t.Errorf("with the saved rules: exit %d\n%s", code, out)
	}
}

// proxyTo passes a request on to another server.
func proxyTo(t *testing.T, base string, w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(r.Method, base+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func TestErrorsSayWhatToDo(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	cases := []struct {
		reason string
		getenv func(string) string
		args   []string
		want   []string
	}{
		{"no endpoint", env(sandbox.SeedAPIToken), []string{dir}, []string{"replay: error: no instance: give --endpoint URL", "replay: hint: "}},
		{"no token", env(""), []string{"--endpoint", in.URL(), dir}, []string{"replay: error: no API token for", "replay: hint: export TESTOPS_TOKEN="}},
		{"a rejected token", env("wrong-token-123456"), []string{"--endpoint", in.URL(), dir}, []string{"replay: error: ", "replay: hint: "}},
		{"a missing recording", env(sandbox.SeedAPIToken), []string{"--endpoint", in.URL(), "/nonexistent.har"}, []string{"replay: error: "}},
		{"--save-noise alone", env(""), []string{"--save-noise", dir}, []string{"replay: error: --save-noise saves what --learn-noise finds", "replay: hint: add --learn-noise"}},
		{"no recording", env(sandbox.SeedAPIToken), []string{"--endpoint", in.URL()}, []string{"replay: error: no recording given", "replay: hint: "}},
		{"--dry-run --json", env(""), []string{"--endpoint", in.URL(), "--dry-run", "--json", dir}, []string{"replay: error: --json reports a replay, and --dry-run", "replay: hint: "}},
		{"a zero time limit would end every call at once or never", env(sandbox.SeedAPIToken), []string{"--endpoint", in.URL(), "--timeout", "0s", dir}, []string{`replay: error: invalid argument "0s" for "--timeout" flag: must be positive`, "replay: hint: "}},
		{"a negative time limit means nothing", env(sandbox.SeedAPIToken), []string{"--endpoint", in.URL(), "--timeout=-5s", dir}, []string{`replay: error: invalid argument "-5s" for "--timeout" flag: must be positive`, "replay: hint: "}},
		{"--dry-run --update", env(""), []string{"--endpoint", in.URL(), "--dry-run", "--update", dir}, []string{"replay: error: --update stores the answers a replay gets, and --dry-run sends nothing"}},
	}
	for _, c := range cases {
		code, out, errOut := runReplay(t, c.getenv, c.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", c.reason, code, errOut)
		}
		lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
		if len(lines) != len(c.want) {
			t.Errorf("%s: stderr has %d lines, want %d: %q", c.reason, len(lines), len(c.want), errOut)
		}
		for i, w := range c.want {
			if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s: stderr %q, want line %d to start with %q", c.reason, errOut, i+1, w)
			}
		}
		if out != "" {
			t.Errorf("%s: stdout %q", c.reason, out)
		}
		if strings.Contains(errOut, "wrong-token-123456") || strings.Contains(errOut, sandbox.SeedAPIToken) {
			t.Errorf("%s: a token reached the error", c.reason)
		}
	}
}

// --spec serves every recording folder from one load, though each carries
// a snapshot of its own: a spec URL is fetched once, not once per folder.
func TestSpecIsLoadedOnceForManyFolders(t *testing.T) {
	data, err := sandbox.Document(sandbox.AllServices, false)
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}))
	defer srv.Close()
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		if err := os.CopyFS(filepath.Join(dir, name), os.DirFS("../../recordings/ui-flow")); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runReplay(t, env(""), "--endpoint", srv.URL, "--dry-run", "--spec", srv.URL+"/v3/api-docs", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("the spec was fetched %d times for three folders, want once", n)
	}
}

func TestUpdateBaselineOfABareHAR(t *testing.T) {
	dir := flowDir(t)
	bare := filepath.Join(t.TempDir(), "ui.har")
	data, err := os.ReadFile(filepath.Join(dir, flow.HARFile))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bare, data, 0o600)
	noise := []string{"--noise", filepath.Join(dir, "recording.noise"), "--spec", filepath.Join(dir, flow.SpecDir)}
	in := instance(t, sandbox.Knobs{V2: true})
	args := append([]string{"--endpoint", in.URL(), "--unsafe", "--update"}, append(noise, bare)...)
	if code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), args...); code != 1 || !strings.Contains(errOut, "ui.baseline.har") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	in2 := instance(t, sandbox.Knobs{V2: true})
	args = append([]string{"--endpoint", in2.URL(), "--unsafe"}, append(noise, bare)...)
	if code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), args...); code != 0 {
		t.Errorf("the baseline beside a bare HAR must be read back: exit %d\n%s\n%s", code, out, errOut)
	}
}

// A run where some calls fail must not store the failures as the answers
// to expect: the next good run would report each as a regression.
func TestUpdateKeepsTheBaselineOfCallsThatFailed(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	if code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--update", dir); code != 1 {
		t.Fatalf("first update: exit %d: %s", code, errOut)
	}
	// The same kind of instance, except that opening a launch fails.
	in2 := instance(t, sandbox.Knobs{V2: true})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/launch/") && r.URL.Path != "/api/launch/__search" {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		proxyTo(t, in2.URL(), w, r)
	}))
	defer srv.Close()
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", srv.URL, "--unsafe", "--update", "--retries", "0", dir)
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	f, err := har.ReadFile(filepath.Join(dir, "baseline.har"))
	if err != nil {
		t.Fatal(err)
	}
	var opened int
	for i, e := range f.Log.Entries {
		if e.Response.Status >= 500 {
			t.Errorf("#%d: the baseline holds the failed answer %d", i+1, e.Response.Status)
		}
		if strings.Contains(e.Request.URL, "/api/launch/") && !strings.Contains(e.Request.URL, "__search") {
			opened++
			if body, _ := e.ResponseBody(); !bytes.Contains(body, []byte(`"isClosed"`)) {
				t.Errorf("#%d: the previous baseline answer must stay: %s", i+1, body)
			}
		}
	}
	if opened == 0 {
		t.Fatal("the flow opens no launch")
	}
	if !strings.Contains(errOut, "got no usable answer and keep the previous one") {
		t.Errorf("the message must say which calls kept their answer: %s", errOut)
	}
}

func TestUpdateOfAFoldersRecordingWritesTheFoldersBaseline(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	args := []string{"--endpoint", in.URL(), "--unsafe", "--update", "--spec", filepath.Join(dir, flow.SpecDir), filepath.Join(dir, flow.HARFile)}
	if code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), args...); code != 1 || !strings.Contains(errOut, filepath.Join(dir, flow.BaselineFile)) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "recording.baseline.har")); err == nil {
		t.Error("recording.baseline.har was written, which replaying the folder never reads")
	}
	in2 := instance(t, sandbox.Knobs{V2: true})
	if code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in2.URL(), "--unsafe", dir); code != 0 {
		t.Errorf("replaying the folder must read the baseline --update wrote: exit %d\n%s\n%s", code, out, errOut)
	}
}

// An instance that is down or failing is infrastructure (exit 3), which CI
// tells apart from a wrong set-up (exit 2), and the advice still comes.
func TestUnreachableOrFailingInstanceExitsThree(t *testing.T) {
	dir := flowDir(t)
	failing := instance(t, sandbox.Knobs{FailureRate: 1})
	for _, endpoint := range []string{"http://127.0.0.1:1", failing.URL()} {
		code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", endpoint, dir)
		if code != 3 {
			t.Errorf("%s: exit %d, want 3\n%s", endpoint, code, errOut)
		}
		lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "replay: error: token exchange") || !strings.Contains(lines[0], "(after 4 attempts)") ||
			!strings.HasPrefix(lines[1], "replay: hint: ") {
			t.Errorf("%s: stderr %q", endpoint, errOut)
		}
		if out != "" || strings.Contains(errOut, sandbox.SeedAPIToken) {
			t.Errorf("%s: stdout %q, or the token reached stderr", endpoint, out)
		}
	}
	if n := len(failing.Requests()); n != 4 {
		t.Errorf("the failing instance got %d exchanges, want 4 (3 retries)", n)
	}
}

// --save-noise learns what hints hid between the recording and the run,
// and one that saves nothing says so.
func TestSaveNoiseSaysWhenNothingWasLearned(t *testing.T) {
	in := instance(t, sandbox.Knobs{})
	// The resource changed since it was recorded and not since: both
	// replies of a learning run agree, and differ from the recording.
	var modified atomic.Value
	modified.Store("2026-01-01T00:00:00Z")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/uaa/") {
			proxyTo(t, in.URL(), w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":7,"lastModifiedDate":%q}`, modified.Load())
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "dated")
	os.MkdirAll(dir, 0o755)
	record := func() {
		rec := &recorder.Recorder{}
		resp, err := (&http.Client{Transport: rec}).Get(srv.URL + "/api/thing/7")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := har.WriteFile(filepath.Join(dir, flow.HARFile), rec.File(), har.WriterOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	record()
	modified.Store("2026-02-01T00:00:00Z")
	args := []string{"--endpoint", srv.URL, "--learn-noise", "--save-noise", "-q", dir}
	// The two replies agree, but a hint hid the recorded date: that is
	// learned, so the noise file says what the replay relies on.
	_, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), args...)
	saved, _ := os.ReadFile(filepath.Join(dir, "recording.noise"))
	if !strings.Contains(errOut, "replay: added 1 noise rule(s) to "+filepath.Join(dir, "recording.noise")) ||
		!strings.Contains(string(saved), "GET /api/thing/7: ignore body $.lastModifiedDate  # learned: the recorded and replayed values differ (hint: field name)") {
		t.Errorf("stderr: %s\nsaved:\n%s", errOut, saved)
	}
	os.Remove(filepath.Join(dir, "recording.noise"))
	record()
	_, _, errOut = runReplay(t, env(sandbox.SeedAPIToken), args...)
	if !strings.Contains(errOut, "no noise rule learned") || !strings.Contains(errOut, "each call answered the same both times") {
		t.Errorf("stderr: %s", errOut)
	}
}

// -q prints no differences, so --update must not point above to them.
func TestQuietUpdateSaysWhereTheDifferencesAre(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--update", "-q", dir)
	if code != 1 || strings.Contains(out, "isClosed") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if strings.Contains(errOut, "above") || !strings.Contains(errOut, "4 answer(s) changed: #3, #4, #5, #7 (-q printed no differences; run without it to see them)") {
		t.Errorf("stderr: %s", errOut)
	}
}
