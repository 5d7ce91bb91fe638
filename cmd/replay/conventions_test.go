package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// TestRecordingFromStandardInput replays "-" as it would the file.
func TestRecordingFromStandardInput(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	data, err := os.ReadFile(filepath.Join(dir, "recording.har"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"--endpoint", in.URL(), "--unsafe", "--spec", filepath.Join(dir, "spec"), "--noise", filepath.Join(dir, "recording.noise"), "-"}, bytes.NewReader(data), &out, &errb, env(sandbox.SeedAPIToken))
	if code != 0 || !strings.Contains(out.String(), "replay of stdin") || !strings.Contains(out.String(), " ok") {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	for _, c := range []struct {
		reason string
		args   []string
		want   string
	}{
		{"the token and the recording cannot share standard input", []string{"--token-file", "-", "-"}, "replay: error: the recording and --token-file cannot both be standard input"},
		{"--update has no place to write for standard input", []string{"--update", "-"}, "replay: error: --update writes a baseline beside the recording"},
	} {
		code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), append([]string{"--endpoint", in.URL()}, c.args...)...)
		if code != 2 || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s: exit %d %q", c.reason, code, errOut)
		}
	}
}

// TestReportsReplaceOnlyWhenAsked: --junit refuses an existing file unless
// --force, and --clean starts the Allure folder afresh, keeping the user's
// other files.
func TestReportsReplaceOnlyWhenAsked(t *testing.T) {
	dir := flowDir(t)
	tmp := t.TempDir()
	junit, results := filepath.Join(tmp, "junit.xml"), filepath.Join(tmp, "allure")
	mine := filepath.Join(results, "notes.txt")
	os.MkdirAll(results, 0o755)
	os.WriteFile(mine, []byte("mine"), 0o644)
	countResults := func() int {
		m, _ := filepath.Glob(filepath.Join(results, "*-result.json"))
		return len(m)
	}
	// Each run gets a fresh instance, as the flow creates a launch.
	replay := func(flags ...string) (int, string, string) {
		in := instance(t, sandbox.Knobs{})
		return runReplay(t, env(sandbox.SeedAPIToken), append(flags, "--endpoint", in.URL(), "--unsafe", "--junit", junit, "--allure-results", results, dir)...)
	}
	if code, _, errOut := replay(); code != 0 {
		t.Fatalf("first run: exit %d %s", code, errOut)
	}
	first := countResults()
	if first == 0 {
		t.Fatal("no Allure result written")
	}
	if code, _, errOut := replay(); code != 2 || !strings.Contains(errOut, "--junit "+junit+": the file exists") {
		t.Fatalf("second run without --force: exit %d %s", code, errOut)
	}
	if code, _, errOut := replay("--force"); code != 0 || countResults() != 2*first {
		t.Fatalf("--force without --clean appends Allure results: exit %d, %d results after %d; %s", code, countResults(), first, errOut)
	}
	if code, _, errOut := replay("--force", "--clean"); code != 0 || countResults() != first {
		t.Fatalf("--clean keeps only this run's results: exit %d, %d results, want %d; %s", code, countResults(), first, errOut)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("--clean removed a file that is not Allure's: %v", err)
	}
}

// TestVersionNamesTheRevision builds the command from a clone of this
// repository at HEAD: its --version names that commit. A clone, because
// the go command stamps no revision in a git worktree (its .git is a file)
// nor when GOFLAGS says -buildvcs=false, as this machine's does.
func TestVersionNamesTheRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("clones and builds the command")
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not in a git work tree")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	if out, err := exec.Command("git", "clone", "-q", "--shared", strings.TrimSpace(string(top)), src).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	if out, err := exec.Command("git", "-C", src, "checkout", "-q", strings.TrimSpace(string(head))).CombinedOutput(); err != nil {
		t.Fatalf("git checkout: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "replay")
	build := exec.Command("go", "build", "-o", bin, "./cmd/replay")
	build.Dir = src
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if rev := strings.TrimSpace(string(head)); !strings.HasPrefix(string(out), "replay v") || !strings.Contains(string(out), "revision "+rev) {
		t.Errorf("--version printed %q, want the module version and the revision %s", out, rev)
	}
}

// TestHTTPToATLSPort: an http:// endpoint on a port that speaks TLS is
// named as such, with the https:// URL to use, not "no instance here".
func TestHTTPToATLSPort(t *testing.T) {
	dir := flowDir(t)
	in, err := sandbox.Start(sandbox.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	plain := strings.Replace(in.URL(), "https://", "http://", 1)
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", plain, dir)
	want := "replay: error: " + plain + ": the port speaks HTTPS (TLS), and an http:// request cannot reach the instance there\nreplay: hint: use --endpoint " + in.URL() + "\n"
	if code != 2 || errOut != want || out != "" {
		t.Errorf("exit %d\n%q\nwant\n%q", code, errOut, want)
	}
}

// TestRecordingOfAnotherSite: a recording none of whose calls fits the
// spec or goes to the endpoint is refused with the hosts it holds, before
// anything is sent.
func TestRecordingOfAnotherSite(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	f, err := har.ReadFile(filepath.Join(dir, "recording.har"))
	if err != nil {
		t.Fatal(err)
	}
	var other []*har.Entry
	for _, host := range []string{"shop.example.com", "cdn.example.net"} {
		e := *f.Log.Entries[0]
		e.Request.URL = "https://" + host + "/cart/items"
		other = append(other, &e)
	}
	f.Log.Entries = other
	path := filepath.Join(t.TempDir(), "shop.har")
	if err := har.WriteFile(path, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--spec", filepath.Join(dir, "spec"), path)
	want := "replay: error: shop: no call fits the spec or goes to " + strings.TrimPrefix(in.URL(), "http://") + "; the recording's calls go to shop.example.com, cdn.example.net\n"
	if code != 2 || !strings.HasPrefix(errOut, want) {
		t.Errorf("exit %d\n%s\nwant %s", code, errOut, want)
	}
	for _, r := range in.Requests() {
		if r.Path != "/api/uaa/oauth/token" {
			t.Errorf("%s was sent", r.Path)
		}
	}
}
