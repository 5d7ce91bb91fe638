package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/report/htmlreport/htmltest"
	"github.com/apitrail/apitrail/report/reporttest"
)

// suiteDir builds a folder of two recording folders, as recordings/ holds
// them: the UI flow, and a read-only flow that opens the page, signs in and
// reads a project, a closed launch, its statistic and a test case. It
// returns the folder and the cookie values the read-only flow's browser
// held, which must never reach a report.
func suiteDir(t *testing.T) (string, []string) {
	t.Helper()
	suite := filepath.Join(t.TempDir(), "suite")
	if err := os.MkdirAll(suite, 0o755); err != nil {
		t.Fatal(err)
	}
	ui := flowDir(t)
	if err := os.Rename(ui, filepath.Join(suite, "ui-flow")); err != nil {
		t.Fatal(err)
	}
	ui = filepath.Join(suite, "ui-flow")

	in := instance(t, sandbox.Knobs{})
	b := recorder.NewBrowser(in.URL(), nil)
	ctx := context.Background()
	calls := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/", nil},
		{"POST", "/api/login/system", url.Values{"username": {sandbox.SeedUsername}, "password": {"admin"}}},
		{"GET", "/api/project/1", nil},
		{"GET", "/api/launch/101", nil},
		{"GET", "/api/launch/101/statistic", nil},
		{"GET", "/api/testcase/1001", nil},
	}
	for _, c := range calls {
		if err := b.Call(ctx, c.method, c.path, nil, c.form, nil); err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
	}
	base, _ := url.Parse(in.URL())
	var secrets []string
	for _, c := range b.Client.Jar.Cookies(base) {
		secrets = append(secrets, c.Value)
	}
	if len(secrets) == 0 {
		t.Fatal("the browser holds no session cookie to look for")
	}
	ro := filepath.Join(suite, "read-only")
	if err := os.MkdirAll(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := har.WriteFile(filepath.Join(ro, flow.HARFile), b.Rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	// Both flows were recorded on the same kind of instance, so they share
	// its documents and noise.
	if err := os.CopyFS(filepath.Join(ro, flow.SpecDir), os.DirFS(filepath.Join(ui, flow.SpecDir))); err != nil {
		t.Fatal(err)
	}
	noise, err := os.ReadFile(filepath.Join(ui, "recording.noise"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ro, "recording.noise"), noise, 0o644); err != nil {
		t.Fatal(err)
	}
	return suite, secrets
}

// call is one call as a report shows it: its flow, name and outcome.
type call struct {
	flow, name, outcome string
}

// humanCalls reads the calls of the human report's tables, leaving out
// those that are not the API, which the CI reports leave out too.
func humanCalls(t *testing.T, out string) []call {
	t.Helper()
	var calls []call
	var flowName string
	inTable := false
	cols := regexp.MustCompile(`\s{2,}`)
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "replay of "):
			flowName = strings.Fields(line)[2]
		case strings.HasPrefix(line, "#  CALL"):
			inTable = true
		case line == "":
			inTable = false
		case inTable:
			f := cols.Split(line, 4)
			if len(f) != 4 {
				t.Fatalf("a report line without four columns: %q", line)
			}
			if strings.HasPrefix(f[3], "skipped: not the API") {
				continue
			}
			calls = append(calls, call{flowName, f[1], strings.FieldsFunc(f[3], func(r rune) bool { return r == ':' || r == ' ' })[0]})
		}
	}
	return calls
}

// problem is a JUnit failure or error: its one-line message and its text.
type problem struct{ message, text string }

// junitCalls reads the JUnit file back: each case as a call whose outcome
// is what the report's outcome becomes there, and the failures and errors.
func junitCalls(t *testing.T, path string) (*reporttest.JUnit, []call, map[call]problem) {
	t.Helper()
	doc := reporttest.ReadJUnit(t, path)
	var calls []call
	texts := map[call]problem{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			k := call{s.Name, c.Name, "passed"}
			switch {
			case c.Failure != nil:
				k.outcome = "failure"
				texts[k] = problem{c.Failure.Message, c.Failure.Text}
			case c.Error != nil:
				k.outcome = "error"
				texts[k] = problem{message: c.Error.Message}
			case c.Skipped != nil:
				k.outcome = "skipped"
			}
			if c.Classname != s.Name {
				t.Errorf("case %q has class %q in suite %q", c.Name, c.Classname, s.Name)
			}
			calls = append(calls, k)
		}
	}
	return doc, calls, texts
}

// as maps replay's outcomes to a CI report's words for them.
func as(calls []call, words map[string]string) []call {
	out := make([]call, len(calls))
	for i, c := range calls {
		c.outcome = words[c.outcome]
		out[i] = c
	}
	return out
}

var (
	junitWords  = map[string]string{"ok": "passed", "regression": "failure", "drift": "failure", "infra": "error", "skipped": "skipped", "not-run": "skipped"}
	allureWords = map[string]string{"ok": "passed", "regression": "failed", "drift": "failed", "infra": "broken", "skipped": "skipped", "not-run": "skipped"}
)

func sortCalls(cs []call) []call {
	out := append([]call(nil), cs...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].flow != out[j].flow {
			return out[i].flow < out[j].flow
		}
		return out[i].name < out[j].name
	})
	return out
}

// checkReports holds the JUnit file and the Allure results to the human
// report: the same calls with the same verdicts, the same messages in both
// CI formats, a valid JUnit document, Allure totals that match, and no
// secret in any file. It returns the JUnit failures and errors by call.
func checkReports(t *testing.T, human, junitPath, allureDir string, secrets []string) map[call]problem {
	t.Helper()
	want := humanCalls(t, human)
	if len(want) == 0 {
		t.Fatalf("no calls in the report:\n%s", human)
	}
	doc, got, texts := junitCalls(t, junitPath)
	if w := as(want, junitWords); !equalCalls(got, w) {
		t.Errorf("JUnit cases differ from the report:\n got %v\nwant %v", got, w)
	}
	counts := map[string]int{}
	for _, c := range got {
		counts[c.outcome]++
	}
	if doc.Tests != len(got) || doc.Failures != counts["failure"] || doc.Errors != counts["error"] {
		t.Errorf("JUnit totals %d tests, %d failures, %d errors; its cases say %v", doc.Tests, doc.Failures, doc.Errors, counts)
	}
	t.Run("valid", func(t *testing.T) { reporttest.ValidateJUnit(t, junitPath) })

	results := reporttest.ReadAllure(t, allureDir)
	var allure []call
	for _, r := range results {
		// Allure names carry the call's number ("#4 ..."), JUnit names not.
		seq, name, _ := strings.Cut(r.Name, " ")
		if !strings.HasPrefix(r.FullName, r.Label("suite")+" "+seq+" ") || !regexp.MustCompile(`^#\d+$`).MatchString(seq) {
			t.Errorf("Allure name %q does not start with the call's number of %q", r.Name, r.FullName)
		}
		k := call{r.Label("suite"), name, r.Status}
		allure = append(allure, k)
		if p, ok := texts[call{k.flow, k.name, map[string]string{"failed": "failure", "broken": "error"}[r.Status]}]; ok {
			if p.message != r.StatusDetails.Message || p.text != "" && p.text != r.StatusDetails.Trace {
				t.Errorf("%s: Allure says %q, JUnit %q", r.FullName, r.StatusDetails.Message, p.message)
			}
		}
	}
	if w := sortCalls(as(want, allureWords)); !equalCalls(sortCalls(allure), w) {
		t.Errorf("Allure results differ from the report:\n got %v\nwant %v", sortCalls(allure), w)
	}
	var stat reporttest.Statistic
	for _, c := range as(want, allureWords) {
		stat.Total++
		switch c.outcome {
		case "passed":
			stat.Passed++
		case "failed":
			stat.Failed++
		case "broken":
			stat.Broken++
		case "skipped":
			stat.Skipped++
		}
	}

	files, _ := filepath.Glob(filepath.Join(allureDir, "*"))
	files = append(files, junitPath)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append([]string{sandbox.SeedAPIToken, "eyJ", "Authorization"}, secrets...) {
			if strings.Contains(string(data), s) {
				t.Errorf("%s holds a secret (%.12s...)", filepath.Base(f), s)
			}
		}
	}

	t.Run("allure generate", func(t *testing.T) {
		if got := reporttest.GenerateAllure(t, allureDir); got != stat {
			t.Errorf("the Allure report counts %+v, the replay %+v", got, stat)
		}
	})
	return texts
}

// words puts text on one line with single spaces, as the aligned columns of
// a diff report are read.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

func equalCalls(a, b []call) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSuiteReportsWithoutDifferences(t *testing.T) {
	suite, secrets := suiteDir(t)
	in := instance(t, sandbox.Knobs{})
	out := t.TempDir()
	junit, allure := filepath.Join(out, "junit.xml"), filepath.Join(out, "allure-results")
	code, human, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--junit", junit, "--allure-results", allure, suite)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, human, errOut)
	}
	for _, want := range []string{"replay of read-only", "replay of ui-flow", "wrote the JUnit report " + junit, "wrote Allure results to " + allure} {
		if !strings.Contains(human+errOut, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, human, errOut)
		}
	}
	checkReports(t, human, junit, allure, secrets)
	doc, calls, _ := junitCalls(t, junit)
	if doc.Failures != 0 || doc.Errors != 0 || len(doc.Suites) != 2 || len(calls) < 10 {
		t.Errorf("a clean suite: %d failures, %d errors, %d suites, %d cases", doc.Failures, doc.Errors, len(doc.Suites), len(calls))
	}
}

func TestSuiteReportsVersion2Changes(t *testing.T) {
	suite, secrets := suiteDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	out := t.TempDir()
	junit, allure := filepath.Join(out, "junit.xml"), filepath.Join(out, "allure-results")
	code, human, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--junit", junit, "--allure-results", allure, suite)
	if code != 1 {
		t.Fatalf("exit %d, want 1 for regressions\n%s\n%s", code, human, errOut)
	}
	texts := checkReports(t, human, junit, allure, secrets)

	// Exactly the calls version 2 changes fail, each with what changed:
	// LaunchDto's closed renamed isClosed, ProjectDto's new archived and
	// the statistic operation gone.
	launch := []string{"$.closed removed", "$.isClosed added"}
	want := map[call][]string{
		{"ui-flow", "project-controller findAll_22: GET /api/project", "failure"}:                  {"archived added"},
		{"ui-flow", "launch-controller create_32: POST /api/launch", "failure"}:                    launch,
		{"ui-flow", "launch-controller findOne_23: GET /api/launch/{id}", "failure"}:               launch,
		{"ui-flow", "launch-search-controller search_2: GET /api/launch/__search", "failure"}:      {"closed removed", "isClosed added"},
		{"read-only", "project-controller findOne_19: GET /api/project/{id}", "failure"}:           {"$.archived added"},
		{"read-only", "launch-controller findOne_23: GET /api/launch/{id}", "failure"}:             launch,
		{"read-only", "launch-controller getStatistic: GET /api/launch/{id}/statistic", "failure"}: {"status 200 -> 404", "--- recorded"},
	}
	for c, p := range texts {
		fields, ok := want[c]
		if !ok {
			t.Errorf("%s %q fails, and version 2 does not change it:\n%s\n%s", c.flow, c.name, p.message, p.text)
			continue
		}
		if !strings.HasPrefix(p.message, "regression: ") || strings.Contains(p.message, "\n") {
			t.Errorf("%s %q: message %q, want one line saying regression", c.flow, c.name, p.message)
		}
		for _, f := range fields {
			if !strings.Contains(words(p.text), f) {
				t.Errorf("%s %q: the failure lacks %q:\n%s", c.flow, c.name, f, p.text)
			}
		}
	}
	for c := range want {
		if _, ok := texts[c]; !ok {
			t.Errorf("%s %q should fail in version 2", c.flow, c.name)
		}
	}
	// Allure's failed results attach the same differences.
	for _, r := range reporttest.ReadAllure(t, allure) {
		if r.Status != "failed" {
			continue
		}
		diffPage, typ := r.Attachment(t, allure, "diff")
		diffText := htmltest.Text(diffPage)
		_, name, _ := strings.Cut(r.Name, " ")
		for _, f := range want[call{r.Label("suite"), name, "failure"}] {
			// The page's table reads "status changed 200 404" where the
			// text says "status 200 -> 404".
			if f == "status 200 -> 404" {
				f = "status changed 200 404"
			}
			if typ != "text/html" || !strings.Contains(words(diffText), f) {
				t.Errorf("%s: the diff attachment (%s) lacks %q:\n%s", r.FullName, typ, f, diffText)
			}
		}
		for _, name := range []string{"request", "replayed response", "recorded response"} {
			if body, _ := r.Attachment(t, allure, name); body == "" {
				t.Errorf("%s: no %s attached", r.FullName, name)
			}
		}
	}
}

func TestInfrastructureErrorsReport(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	done := make(chan struct{})
	defer close(done)
	go failAfterToken(in, done)
	out := t.TempDir()
	junit, allure := filepath.Join(out, "junit.xml"), filepath.Join(out, "allure-results")
	code, human, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--retries", "1", "--junit", junit, "--allure-results", allure, dir)
	if code != 3 {
		t.Fatalf("exit %d, want 3 for infrastructure errors only\n%s\n%s", code, human, errOut)
	}
	checkReports(t, human, junit, allure, nil)
	doc, _, texts := junitCalls(t, junit)
	if doc.Errors == 0 || doc.Failures != 0 {
		t.Errorf("%d errors and %d failures, want errors only", doc.Errors, doc.Failures)
	}
	for c, p := range texts {
		if !strings.HasPrefix(p.message, "infrastructure error: the instance answered 503 Service Unavailable") {
			t.Errorf("%q: error %q", c.name, p.message)
		}
	}
	broken := 0
	for _, r := range reporttest.ReadAllure(t, allure) {
		if r.Status == "broken" {
			broken++
		}
	}
	if broken != doc.Errors {
		t.Errorf("%d broken Allure results, %d JUnit errors", broken, doc.Errors)
	}
}

// failAfterToken makes every API call fail with 503 once the up-front token
// exchange is through.
func failAfterToken(in *sandbox.Instance, done <-chan struct{}) {
	for {
		reqs := in.Requests()
		if len(reqs) > 0 && strings.HasSuffix(reqs[len(reqs)-1].Path, "/token") {
			in.SetKnobs(sandbox.Knobs{FailureRate: 1})
			return
		}
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

func TestReportFlagErrors(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		reason string
		args   []string
		want   string
	}{
		{"a JUnit file in a missing folder", []string{"--junit", filepath.Join(tmp, "missing", "junit.xml")}, "replay: error: --junit " + filepath.Join(tmp, "missing", "junit.xml") + ": no folder"},
		{"a JUnit file that is a folder", []string{"--junit", tmp}, "replay: error: --junit " + tmp + ": is a folder"},
		{"Allure results in a file", []string{"--allure-results", file}, "replay: error: --allure-results: "},
		{"reports of a dry run", []string{"--dry-run", "--junit", filepath.Join(tmp, "junit.xml")}, "replay: error: --junit, --allure-results and --html report a replay, and --dry-run sends nothing"},
		{"an HTML report of a dry run", []string{"--dry-run", "--html", filepath.Join(tmp, "r.html")}, "replay: error: --junit, --allure-results and --html report a replay, and --dry-run sends nothing"},
		{"an HTML report in a missing folder", []string{"--html", filepath.Join(tmp, "missing", "r.html")}, "replay: error: --html " + filepath.Join(tmp, "missing", "r.html") + ": no folder"},
		{"an HTML report that is a folder", []string{"--html", tmp}, "replay: error: --html " + tmp + ": is a folder"},
		{"an unknown colour mode", []string{"--color", "sometimes"}, `replay: error: --color "sometimes": want auto, always or never`},
		{"an existing JUnit file without --force", []string{"--junit", file}, "replay: error: --junit " + file + ": the file exists\nreplay: hint: choose another file, or add --force"},
		{"--clean without a results folder", []string{"--clean"}, "replay: error: --clean empties the --allure-results folder, and none is given"},
	}
	for _, c := range cases {
		in.ResetRequests()
		code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), append(append([]string{"--endpoint", in.URL()}, c.args...), dir)...)
		if n := strings.Count(errOut, "\n"); code != 2 || !strings.HasPrefix(errOut, c.want) || n < 1 || n > 2 || out != "" {
			t.Errorf("%s: exit %d, stderr %q, want 2 and one line starting %q (and at most a hint)", c.reason, code, errOut, c.want)
		}
		if n := len(in.Requests()); n != 0 {
			t.Errorf("%s: %d requests were sent before the error", c.reason, n)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Errorf("the refused runs left files: %v", entries)
	}
}
