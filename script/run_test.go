package script_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
)

// runScript runs a generated script for real against an instance, with the
// tool a user would run it with, and returns what it printed.
func runScript(t *testing.T, f script.Format, src []byte, in *sandbox.Instance, extraEnv ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runScriptEnv(t, f, src, in.URL(), sandbox.SeedAPIToken, extraEnv...)
}

// runScriptEnv runs a script against the instance at endpoint with an API
// token; extraEnv are NAME=VALUE parameters (newman takes them as
// --env-var).
func runScriptEnv(t *testing.T, f script.Format, src []byte, endpoint, token string, extraEnv ...string) (stdout, stderr string, err error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "flow"+f.Ext())
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "ENDPOINT="+endpoint, "TESTOPS_TOKEN="+token)
	env = append(env, extraEnv...)
	var cmd *exec.Cmd
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	switch f {
	case script.Bash:
		for _, need := range []string{"bash", "curl", "jq"} {
			tool(t, need)
		}
		cmd = exec.CommandContext(ctx, tool(t, "bash"), file)
	case script.HTTP:
		cmd = exec.CommandContext(ctx, tool(t, "httpyac"), "send", file, "--all", "--bail", "-o", "short")
		// httpyac keeps its own state under HOME; keep the user's clean.
		env = append(env, "HOME="+dir)
	case script.Go:
		goCmd := goTool(t)
		for _, args := range [][]string{{"vet", file}, {"build", "-o", filepath.Join(dir, "flow"), file}} {
			c := exec.CommandContext(ctx, goCmd, args...)
			c.Dir = dir
			c.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=")
			if out, err := c.CombinedOutput(); err != nil {
				t.Fatalf("go %s on the generated program: %v\n%s", args[0], err, out)
			}
		}
		cmd = exec.CommandContext(ctx, filepath.Join(dir, "flow"))
	case script.Postman:
		cmd = exec.CommandContext(ctx, tool(t, "newman"), "run", file, "--bail", "--disable-unicode", "--reporters", "cli",
			"--env-var", "endpoint="+endpoint, "--env-var", "userToken="+token)
		for _, kv := range extraEnv {
			cmd.Args = append(cmd.Args, "--env-var", kv)
		}
	}
	cmd.Dir = dir
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// recordedLaunch returns the id the recorded POST /api/launch got.
func recordedLaunch(t *testing.T, results []match.Result) string {
	t.Helper()
	for _, r := range results {
		if r.Method == "POST" && r.Operation != nil && r.Operation.Path == "/api/launch" {
			body, _ := r.Entry.ResponseBody()
			var l struct {
				ID json.Number `json:"id"`
			}
			if err := json.Unmarshal(body, &l); err == nil && l.ID != "" {
				return l.ID.String()
			}
		}
	}
	t.Fatal("the recording creates no launch")
	return ""
}

// checkRun runs one format's script on a fresh instance that already holds
// more launches than the recorded one did, so the new launch's id cannot be
// the recorded one, and checks on the server side that the script created
// a launch with a Bearer token and then read that new launch back.
func checkRun(t *testing.T, f script.Format, results []match.Result) {
	src, err := script.Generate(f, results, script.Options{Name: "ui-flow"})
	if err != nil {
		t.Fatal(err)
	}
	recorded := recordedLaunch(t, results)
	in := startInstance(t, sandbox.Options{})
	for i := 0; i < 3; i++ {
		apiCall(t, in, "POST", "/api/launch", map[string]any{"name": fmt.Sprintf("before %d", i), "projectId": 1})
	}
	before := launchIDs(t, in)
	if !before[recorded] {
		t.Fatalf("the fresh instance should already hold a launch %s, so that reusing the recorded id would not go unnoticed", recorded)
	}
	in.ResetRequests()

	stdout, stderr, err := runScript(t, f, src, in)
	if err != nil {
		t.Fatalf("the %s script failed: %v\nstdout:\n%s\nstderr:\n%s", f, err, stdout, stderr)
	}
	log := in.Requests()

	var created []string
	for id := range launchIDs(t, in) {
		if !before[id] {
			created = append(created, id)
		}
	}
	if len(created) != 1 {
		t.Fatalf("the script created launches %v, want exactly one\nlog: %s", created, describeLog(log))
	}
	id := created[0]
	if id == recorded {
		t.Fatalf("the new launch has the recorded id %s", id)
	}

	step := 0
	next := func(what string, ok func(sandbox.Request) bool) {
		t.Helper()
		for ; step < len(log); step++ {
			if ok(log[step]) {
				step++
				return
			}
		}
		t.Fatalf("the instance never saw %s in order\nlog: %s", what, describeLog(log))
	}
	next("the token exchange", func(r sandbox.Request) bool {
		return r.Method == "POST" && r.Path == "/api/uaa/oauth/token" && r.Status == 200
	})
	next("POST /api/launch with a Bearer token", func(r sandbox.Request) bool {
		return r.Method == "POST" && r.Path == "/api/launch" && r.Auth == sandbox.AuthBearer && r.Status == 200
	})
	next("GET /api/launch/"+id+" with a Bearer token", func(r sandbox.Request) bool {
		return r.Method == "GET" && r.Path == "/api/launch/"+id && r.Auth == sandbox.AuthBearer && r.Status == 200
	})
	next("GET /api/testresult?launchId="+id, func(r sandbox.Request) bool {
		return r.Method == "GET" && r.Path == "/api/testresult" && strings.Contains("&"+r.Query+"&", "&launchId="+id+"&") && r.Status == 200
	})
	next("the launch search in project 1", func(r sandbox.Request) bool {
		return r.Path == "/api/launch/__search" && strings.Contains(r.Query, "projectId=1") && r.Status == 200
	})
	for _, r := range log {
		if r.Auth == sandbox.AuthSession || r.XSRF {
			t.Errorf("%s %s came with a session cookie or an XSRF header", r.Method, r.Path)
		}
		if r.Path == "/api/launch/"+recorded || strings.Contains(r.Query, "launchId="+recorded) {
			t.Errorf("%s %s?%s uses the recorded launch id", r.Method, r.Path, r.Query)
		}
		if strings.HasPrefix(r.Path, "/api/login") || strings.Contains(r.Path, "upload") || r.Path == "/" {
			t.Errorf("%s %s was left out of the recording's script, but the script called it", r.Method, r.Path)
		}
	}
	if n := count(log, func(r sandbox.Request) bool { return r.Path == "/api/project" }); n != 1 {
		t.Errorf("the project list was called %d times; the UI's duplicate should be left out", n)
	}
}

func count(log []sandbox.Request, ok func(sandbox.Request) bool) int {
	n := 0
	for _, r := range log {
		if ok(r) {
			n++
		}
	}
	return n
}

func describeLog(log []sandbox.Request) string {
	var b strings.Builder
	for _, r := range log {
		fmt.Fprintf(&b, "\n  %s %s?%s auth=%s status=%d", r.Method, r.Path, r.Query, r.Auth, r.Status)
	}
	return b.String()
}

// TestScriptsRunForReal records the sandbox page's flow on one instance,
// generates every format, and runs each with its real tool against a fresh
// instance: bash with curl and jq, the .http file with httpyac, the Go
// program built with go build (after go vet), the collection with newman.
func TestScriptsRunForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real tools against a local instance")
	}
	rec := startInstance(t, sandbox.Options{})
	path := filepath.Join(t.TempDir(), "ui-flow.har")
	recordUIFlow(t, rec.URL(), path)
	results := readRecording(t, path)
	for _, f := range script.Formats() {
		t.Run(string(f), func(t *testing.T) { checkRun(t, f, results) })
	}
}

// TestBundledRecordingRunsForReal does the same for the recording of the
// sandbox's UI flow that a real headless Chromium captured.
func TestBundledRecordingRunsForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real tools against a local instance")
	}
	path := filepath.Join("..", "recordings", "ui-flow", "recording.har")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no bundled recording at %s yet", path)
	}
	results := readRecording(t, path)
	for _, f := range script.Formats() {
		t.Run(string(f), func(t *testing.T) { checkRun(t, f, results) })
	}
}

// TestScriptsExchangeAgainOn401 runs the bash script and the Go program on
// an instance whose tokens live one second while every call takes more
// than half of one, so a token dies mid-run: the script must get a new one
// and repeat the refused call.
func TestScriptsExchangeAgainOn401(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real tools against a local instance")
	}
	results := uiFlowResults(t)
	for _, f := range []script.Format{script.Bash, script.Go} {
		t.Run(string(f), func(t *testing.T) {
			src, err := script.Generate(f, results, script.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Six calls of 600 ms outlive a 2 s token, so it dies mid-run, while
			// the exchange and the repeated call (1.2 s) fit in a new one even
			// on a loaded machine; a 1 s token could die again before its retry.
			in := startInstance(t, sandbox.Options{Knobs: sandbox.Knobs{TokenValidity: 2 * time.Second, Latency: 600 * time.Millisecond}})
			stdout, stderr, err := runScript(t, f, src, in)
			if err != nil {
				t.Fatalf("the script failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
			}
			log := in.Requests()
			exchanges := count(log, func(r sandbox.Request) bool { return r.Path == "/api/uaa/oauth/token" && r.Status == 200 })
			if exchanges < 2 {
				t.Errorf("%d token exchanges; the token died mid-run, so there must be a second\nlog: %s", exchanges, describeLog(log))
			}
			for i, r := range log {
				if r.Status != 401 {
					continue
				}
				retried := false
				for _, later := range log[i+1:] {
					if later.Method == r.Method && later.Path == r.Path && later.Query == r.Query && later.Status == 200 {
						retried = true
						break
					}
				}
				if !retried {
					t.Errorf("%s %s got 401 and was not repeated with a new token\nlog: %s", r.Method, r.Path, describeLog(log))
				}
			}
			if count(log, func(r sandbox.Request) bool { return r.Status == 401 }) == 0 {
				t.Errorf("no call got 401; the test did not exercise the retry\nlog: %s", describeLog(log))
			}
			if !strings.Contains(stderr, "401, exchanging the API token again") {
				t.Errorf("the script did not say it exchanged the token again:\n%s", stderr)
			}
		})
	}
}

// TestScriptsStopAtTheFirstFailure runs every format against an instance
// where the recorded project does not exist (a context parameter set to an
// unknown id), so the launch cannot be created: each runner must fail,
// show the status, and make no call after the failed one.
func TestScriptsStopAtTheFirstFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real tools against a local instance")
	}
	results := uiFlowResults(t)
	for _, f := range script.Formats() {
		t.Run(string(f), func(t *testing.T) {
			src, err := script.Generate(f, results, script.Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := startInstance(t, sandbox.Options{})
			override := "PROJECT_ID=999"
			switch f {
			case script.Postman:
				override = "projectId=999"
			case script.HTTP:
				src = bytes.Replace(src, []byte("@projectId = 1\n"), []byte("@projectId = 999\n"), 1)
			}
			stdout, stderr, err := runScript(t, f, src, in, override)
			if err == nil {
				t.Fatalf("the script succeeded with an unknown project\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
			}
			log := in.Requests()
			last := log[len(log)-1]
			if last.Method != "POST" || last.Path != "/api/launch" || last.Status < 400 {
				t.Errorf("the last call was %s %s (%d); the script must stop at the failed POST /api/launch\nlog: %s", last.Method, last.Path, last.Status, describeLog(log))
			}
			if f == script.Bash || f == script.Go {
				if !strings.Contains(stderr, fmt.Sprint(last.Status)) || !strings.Contains(stderr, "999") {
					t.Errorf("the failure message lacks the status %d or the body:\n%s", last.Status, stderr)
				}
			}
		})
	}
}
