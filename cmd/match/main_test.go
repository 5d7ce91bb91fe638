package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/silent"
)

// fixture writes the sandbox's document and a small recording of calls to
// it, and returns their paths.
func fixture(t *testing.T) (specPath, harPath string) {
	t.Helper()
	dir := t.TempDir()
	specPath = writeSandboxSpec(t, dir)
	launch := `{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`
	mk := func(method, u string, status int, body string) *har.Entry {
		e := &har.Entry{StartedDateTime: har.FormatTime(time.Now()), Request: har.Request{Method: method, URL: u, HTTPVersion: "HTTP/1.1"}, Response: har.Response{Status: status}}
		if body != "" {
			e.SetResponseBody([]byte(body), "application/json")
		}
		return e
	}
	f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}, Entries: []*har.Entry{
		mk("POST", "http://testops.test/api/login/system", 200, ""),
		mk("GET", "http://testops.test/api/launch/104", 200, launch),
		mk("GET", "http://testops.test/api/launch/104?debug=1", 200, launch),
		mk("POST", "http://testops.test/api/upload/start", 200, `{}`),
		mk("GET", "http://testops.test/api/nowhere", 404, `{"status":404,"message":"Not Found"}`),
	}}}
	harPath = filepath.Join(dir, "flow.har")
	if err := har.WriteFile(harPath, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	return specPath, harPath
}

// writeSandboxSpec writes the sandbox's "All Services" document into dir.
func writeSandboxSpec(t *testing.T, dir string) string {
	t.Helper()
	data, err := sandbox.Document(sandbox.AllServices, false)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runMatch(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func TestTableAndSummary(t *testing.T) {
	specPath, harPath := fixture(t)
	code, out, errOut := runMatch(t, "--spec", specPath, harPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"auth          200     POST /api/login/system",
		"matched       200     GET /api/launch/104",
		"drift         200     GET /api/launch/104?debug=1",
		"undocumented-query query.debug",
		"upload        200     POST /api/upload/start",
		"(upload: use allurectl)",
		"undocumented  404     GET /api/nowhere",
		"5 calls: 1 matched, 1 drifted, 1 undocumented, 1 upload, 1 authentication, 0 not the API",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A recording killed mid-write is matched up to the cut, with a warning
// that says so; what finished before a crash is not lost.
func TestCutShortRecordingIsMatchedToTheCut(t *testing.T) {
	specPath, harPath := fixture(t)
	data, err := os.ReadFile(harPath)
	if err != nil {
		t.Fatal(err)
	}
	// Cut inside the last entry (GET /api/nowhere).
	cut := filepath.Join(t.TempDir(), "killed.har")
	os.WriteFile(cut, data[:bytes.LastIndex(data, []byte("/api/nowhere"))], 0o600)
	code, out, errOut := runMatch(t, "--spec", specPath, cut)
	if code != 0 || !strings.Contains(errOut, "match: warning: "+cut+": cut short") || !strings.Contains(errOut, "matching the 4 complete calls") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "4 calls: 1 matched, 1 drifted, 0 undocumented, 1 upload, 1 authentication") {
		t.Errorf("the complete calls were not all matched:\n%s", out)
	}
}

func TestJSONLinesAndStrict(t *testing.T) {
	specPath, harPath := fixture(t)
	code, out, _ := runMatch(t, "--json", "--strict", "--spec", specPath, harPath)
	if code != 1 {
		t.Errorf("--strict with drift: exit %d, want 1", code)
	}
	var kinds []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("not one JSON object per line: %q", sc.Text())
		}
		kinds = append(kinds, obj["kind"].(string)+":"+str(obj["verdict"]))
	}
	if got := strings.Join(kinds, " "); got != "entry:auth entry:matched entry:drift entry:upload entry:undocumented summary:" {
		t.Errorf("lines: %s", got)
	}
}

// A problem's keys are spelt like the summary's and every other key, so
// jq filters such as .problems[].kind work.
func TestJSONProblemKeysAreLowerCase(t *testing.T) {
	specPath, harPath := fixture(t)
	_, out, _ := runMatch(t, "--json", "--spec", specPath, harPath)
	want := `"problems":[{"kind":"undocumented-query","where":"query.debug","message":"query parameter is not in the spec"}]`
	if !strings.Contains(out, want) {
		t.Errorf("no line has %s:\n%s", want, out)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// TestBadRecordingsNameFileAndPlace runs match over each crafted broken
// recording of testdata/har/bad: exit 2, the one error line the file's
// entry in errors.txt names (file, line, column, what is wrong), and
// nothing on standard output.
func TestBadRecordingsNameFileAndPlace(t *testing.T) {
	specPath, _ := fixture(t)
	for _, b := range hartest.BadHARs(t) {
		code, out, errOut := runMatch(t, "--spec", specPath, b.Path)
		if want := "match: error: " + b.Want + "\n"; code != 2 || out != "" || errOut != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", b.Name, code, out, errOut, want)
		}
	}
}

func TestErrors(t *testing.T) {
	specPath, harPath := fixture(t)
	cases := []struct {
		reason string
		args   []string
		want   string
	}{
		{"no spec", []string{harPath}, "match: error: no spec"},
		{"an unknown flag", []string{"--nope", harPath}, "match: error: unknown flag: --nope"},
		{"a bad alias", []string{"--spec", specPath, "--alias", "x", harPath}, `match: error: alias "x" is not of the form`},
		{"a missing spec file", []string{"--spec", "/nonexistent.json", harPath}, "match: error: "},
		{"an HTML report in a missing folder", []string{"--spec", specPath, "--html", "/nonexistent/r.html", harPath}, "match: error: --html /nonexistent/r.html: no folder /nonexistent"},
		{"an unknown colour mode", []string{"--spec", specPath, "--color", "sometimes", harPath}, `match: error: --color "sometimes": want auto, always or never`},
	}
	for _, c := range cases {
		code, out, errOut := runMatch(t, c.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", c.reason, code)
		}
		if !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s: stderr %q, want it to start with %q", c.reason, errOut, c.want)
		}
		if lines := strings.Count(errOut, "\n"); lines < 1 || lines > 2 {
			t.Errorf("%s: want an error line and at most a hint line, got %q", c.reason, errOut)
		}
		if out != "" {
			t.Errorf("%s: nothing on stdout on error, got %q", c.reason, out)
		}
	}
}

func TestAgainstANewerSpec(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v2 bool) string {
		data, err := sandbox.Document(sandbox.AllServices, v2)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		return p
	}
	v1, v2 := write("v1.json", false), write("v2.json", true)
	mk := func(method, u string, body string) *har.Entry {
		e := &har.Entry{Request: har.Request{Method: method, URL: u}, Response: har.Response{Status: 200}}
		e.SetResponseBody([]byte(body), "application/json")
		return e
	}
	f := &har.File{Log: har.Log{Version: "1.2", Entries: []*har.Entry{
		mk("GET", "http://testops.test/api/launch/104", `{"id":104,"name":"n","projectId":1,"closed":false}`),
		mk("GET", "http://testops.test/api/launch/104/statistic", `[{"status":"passed","count":1}]`),
	}}}
	rec := filepath.Join(dir, "r.har")
	if err := har.WriteFile(rec, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMatch(t, "--spec", v1, "--against", v2, rec)
	if code != 1 {
		t.Fatalf("a removed operation breaks a call: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"1 calls still resolve unchanged, 0 changed without breaking, 1 break",
		"! #2 GET /api/launch/104/statistic: no longer resolves", "removed: no operation of the new spec fits GET /api/launch/104/statistic"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runMatch(t, "--spec", v2, "--against", v1, rec)
	if code != 0 {
		t.Errorf("v2 to v1: nothing the v2 spec resolves breaks: exit %d\n%s", code, out)
	}

	// -q keeps the totals and the breaking calls: without them exit 1
	// says only that something broke.
	code, out, _ = runMatch(t, "-q", "--spec", v1, "--against", v2, rec)
	if code != 1 {
		t.Errorf("-q: exit %d, want 1", code)
	}
	for _, want := range []string{rec + " against ", "1 calls still resolve unchanged, 0 changed without breaking, 1 break",
		"! #2 GET /api/launch/104/statistic: no longer resolves"} {
		if !strings.Contains(out, want) {
			t.Errorf("-q output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "#1 GET /api/launch/104:") || strings.Contains(out, "VERDICT") {
		t.Errorf("-q prints only the breaking calls and the totals:\n%s", out)
	}
}

func TestEmitWritesAScript(t *testing.T) {
	specPath, harPath := fixture(t)
	out := filepath.Join(t.TempDir(), "flow.sh")
	code, stdout, errOut := runMatch(t, "--spec", specPath, "--emit", "bash", "-o", out, harPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(out)
	if fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("a bash script should be executable: %v", fi.Mode())
	}
	for _, want := range []string{"#!/usr/bin/env bash", "launch-controller", "allurectl"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(string(b), "/api/upload/start") {
		t.Error("an upload endpoint was scripted")
	}
	if !strings.Contains(stdout, "matched") || !strings.Contains(errOut, "match: wrote "+out+" (bash)") {
		t.Errorf("the report goes to stdout when the script goes to a file: %q / %q", stdout, errOut)
	}

	code, stdout, errOut = runMatch(t, "--spec", specPath, "--emit", "go", harPath)
	if code != 0 || !strings.HasPrefix(stdout, "// ") && !strings.HasPrefix(stdout, "package main") || !strings.Contains(errOut, "VERDICT") {
		t.Errorf("--emit without -o: the script on stdout, the report on stderr; exit %d\n%.200s\n%.200s", code, stdout, errOut)
	}
	code, stdout, errOut = runMatch(t, "--spec", specPath, "--emit", "bash", "-o", "-", harPath)
	if code != 0 || !strings.HasPrefix(stdout, "#!/usr/bin/env bash") || strings.Contains(stdout, "VERDICT") || !strings.Contains(errOut, "VERDICT") {
		t.Errorf("-o -: the script alone on stdout (so | bash runs it), the report on stderr; exit %d\n%.300s\n%.200s", code, stdout, errOut)
	}
	if code, _, errOut = runMatch(t, "--spec", specPath, "--emit", "bash", "-o", out, "--force", harPath); code != 0 {
		t.Errorf("--force replaces the script: exit %d %s", code, errOut)
	}

	for _, c := range []struct {
		reason, want string
		args         []string
	}{
		{"an unknown format", "match: error: ", []string{"--spec", specPath, "--emit", "cobol", harPath}},
		{"two recordings", "match: error: --emit writes one script from one recording, and 2 were given", []string{"--spec", specPath, "--emit", "bash", harPath, harPath}},
		{"--output alone", "match: error: --output names the file --emit writes", []string{"--spec", specPath, "-o", out, harPath}},
		{"an existing -o is not replaced without --force", "match: error: -o " + out + ": the file exists\nmatch: hint: choose another file, or add --force", []string{"--spec", specPath, "--emit", "bash", "-o", out, harPath}},
		{"a folder for -o names the user's path", "match: error: -o " + filepath.Dir(out) + ": is a folder", []string{"--spec", specPath, "--emit", "bash", "-o", filepath.Dir(out), harPath}},
		{"an existing --infer is not replaced without --force", "match: error: --infer " + out + ": the file exists", []string{"--spec", specPath, "--infer", out, harPath}},
	} {
		code, _, errOut := runMatch(t, c.args...)
		if code != 2 || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s: exit %d, %q", c.reason, code, errOut)
		}
	}
}

func TestCoverageListsWhatNoRecordingCalls(t *testing.T) {
	specPath, harPath := fixture(t)
	code, out, errOut := runMatch(t, "--spec", specPath, "--coverage", "-q", harPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"operations not called, by tag", "  launch-controller: 1 of 8 called; not called:", "    POST /api/launch/{id}/close"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "VERDICT") {
		t.Error("-q prints only the totals")
	}
}

// --spec wins over the snapshots of recording folders, and serves them all
// from one load: a spec URL is fetched once, not once per folder.
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
	code, out, errOut := runMatch(t, "--spec", srv.URL+"/v3/api-docs", "-q", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("the spec was fetched %d times for three folders, want once", n)
	}
}

// --save-spec DIR keeps the documents so that a later run reads them back
// with --spec DIR, offline, as the usage text says.
func TestSpecReadsASavedSnapshot(t *testing.T) {
	specPath, harPath := fixture(t)
	saved := filepath.Join(t.TempDir(), "spec")
	code, first, errOut := runMatch(t, "--spec", specPath, "--save-spec", saved, "-q", harPath)
	if code != 0 {
		t.Fatalf("saving: exit %d: %s", code, errOut)
	}
	code, again, errOut := runMatch(t, "--spec", saved, "-q", harPath)
	if code != 0 {
		t.Fatalf("--spec %s: exit %d: %s", saved, code, errOut)
	}
	if again != first {
		t.Errorf("the saved documents match otherwise than the originals:\n%s\nvs\n%s", first, again)
	}
	empty := t.TempDir()
	code, _, errOut = runMatch(t, "--spec", empty, harPath)
	if want := "match: error: " + empty + " is a folder without specs.json\nmatch: hint: "; code != 2 || !strings.HasPrefix(errOut, want) {
		t.Errorf("a folder that is no snapshot: exit %d, %q, want it to start with %q", code, errOut, want)
	}
}

// A document without operations is a wrong file, not an API where every
// call is undocumented.
func TestSpecWithoutOperations(t *testing.T) {
	specPath, harPath := fixture(t)
	dir := t.TempDir()
	bare := filepath.Join(dir, "bare.json")
	os.WriteFile(bare, []byte(`{"openapi":"3.0.0"}`), 0o600)
	noPaths := filepath.Join(dir, "nopaths.json")
	os.WriteFile(noPaths, []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}`), 0o600)
	for _, p := range []string{bare, noPaths} {
		code, out, errOut := runMatch(t, "--spec", p, harPath)
		if want := "match: error: " + p + ": the spec declares no operations"; code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", p, code, errOut, want)
		}
		if out != "" {
			t.Errorf("%s: nothing on stdout on error, got %q", p, out)
		}
	}
	code, out, errOut := runMatch(t, "--spec", noPaths, "--spec", specPath, harPath, harPath)
	if code != 0 || !strings.Contains(out, "2 matched") {
		t.Errorf("beside a document with operations: exit %d\n%s%s", code, out, errOut)
	}
	if want := "match: warning: " + noPaths + ": the spec declares no operations"; strings.Count(errOut, want) != 1 {
		t.Errorf("want one warning %q for two recordings, got %q", want, errOut)
	}
}

// TestUploadSpellingsAreNeitherMatchedNorScripted: every spelling of an
// upload endpoint that the server resolves to one gets the upload verdict
// and stays out of every script format.
func TestUploadSpellingsAreNeitherMatchedNorScripted(t *testing.T) {
	specPath, _ := fixture(t)
	spellings := []string{"/api/./upload/start", "/api/x/../upload/start", "/api/upload;x=1", "/api/%75pload/start",
		"/api/launch/104/%2e/upload", "/api/uaa/upload"}
	var entries []*har.Entry
	for _, p := range spellings {
		e := &har.Entry{StartedDateTime: har.FormatTime(time.Now()), Request: har.Request{Method: "POST", URL: "http://testops.test" + p, HTTPVersion: "HTTP/1.1"}, Response: har.Response{Status: 200}}
		e.SetResponseBody([]byte(`{}`), "application/json")
		entries = append(entries, e)
	}
	launch := &har.Entry{StartedDateTime: har.FormatTime(time.Now()), Request: har.Request{Method: "GET", URL: "http://testops.test/api/launch/104", HTTPVersion: "HTTP/1.1"}, Response: har.Response{Status: 200}}
	launch.SetResponseBody([]byte(`{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`), "application/json")
	entries = append(entries, launch)
	harPath := filepath.Join(t.TempDir(), "uploads.har")
	if err := har.WriteFile(harPath, &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}, Entries: entries}}, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := runMatch(t, "--spec", specPath, "--host", "testops.test", "--json", harPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r struct{ URL, Verdict string }
		json.Unmarshal([]byte(line), &r)
		if r.URL == "" || strings.HasSuffix(r.URL, "/api/launch/104") {
			continue
		}
		n++
		if r.Verdict != "upload" {
			t.Errorf("%s: verdict %q", r.URL, r.Verdict)
		}
	}
	if n != len(spellings) {
		t.Errorf("%d calls reported, want %d", n, len(spellings))
	}
	for _, format := range []string{"bash", "go", "postman", "http"} {
		code, script, errOut := runMatch(t, "--spec", specPath, "--host", "testops.test", "--emit", format, harPath)
		if code != 0 || !strings.Contains(script, "/api/launch/") {
			t.Fatalf("--emit %s: exit %d, the launch call not scripted: %s\n%s", format, code, errOut, script)
		}
		for _, p := range spellings {
			if strings.Contains(script, p) || strings.Contains(errOut, "\n"+p) {
				t.Errorf("--emit %s scripted %s", format, p)
			}
		}
	}
}

// A spec URL whose server accepts the connection and never answers fails
// after --timeout, with the URL and the limit, instead of hanging.
func TestSpecURLThatNeverAnswersTimesOut(t *testing.T) {
	_, harPath := fixture(t)
	url := silent.Start(t) + "/openapi.json"
	start := time.Now()
	code, out, errOut := runMatch(t, "--spec", url, "--timeout", "400ms", harPath)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("match took %s with --timeout 400ms", took)
	}
	if code != 2 || out != "" || !strings.HasPrefix(errOut, "match: error: "+url+": no answer within 400ms") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, bad := range []string{"0s", "-1s"} {
		if code, _, errOut := runMatch(t, "--spec", url, "--timeout", bad, harPath); code != 2 || !strings.Contains(errOut, "must be positive") {
			t.Errorf("--timeout %s: exit %d, %q", bad, code, errOut)
		}
	}
}
