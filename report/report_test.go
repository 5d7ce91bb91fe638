package report

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/internal/golden"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/report/reporttest"
	"github.com/apitrail/apitrail/spec"
)

const base = "https://testops.example.com"

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

// fixedReports builds, by hand and with fixed times, two flows whose calls
// take every outcome replay knows.
func fixedReports() []*replay.Report {
	launchOp := &match.Operation{Method: "GET", Path: "/api/launch/{id}", OperationID: "findOne_23", Tag: "launch-controller"}
	recorded := []byte(`{"id":104,"name":"nightly","closed":false,"projectId":1}`)
	replayed := []byte(`{"id":106,"name":"nightly","isClosed":false,"projectId":1}`)
	d := diff.Compare(
		diff.Response{Status: 200, Header: jsonHeader(), Body: recorded},
		diff.Response{Status: 200, Header: jsonHeader(), Body: []byte(`{"id":104,"name":"nightly","isClosed":false,"projectId":1}`)})
	started := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	ui := &replay.Report{
		Flow: "ui-flow", Endpoint: base, Started: started, Duration: 1234 * time.Millisecond,
		Entries: []*replay.EntryReport{
			{Seq: 1, Method: "GET", URL: "https://testops.example.com/", RecordedURL: "https://testops.example.com/",
				Verdict: match.NotAPI, Outcome: replay.Skipped, Reason: "not the API: a page", RecordedStatus: 200},
			{Seq: 2, Method: "POST", URL: base + "/api/login/system", RecordedURL: base + "/api/login/system",
				Outcome: replay.Skipped, Reason: "authentication call: replay signs in with a Bearer token instead", RecordedStatus: 200},
			{Seq: 3, Method: "GET", URL: base + "/api/project?page=0", RecordedURL: base + "/api/project?page=0",
				Operation: &match.Operation{Method: "GET", Path: "/api/project", OperationID: "findAll_22", Tag: "project-controller"},
				Outcome:   replay.OK, RecordedStatus: 200, Status: 200, Attempts: 1, DurationMS: 12.5,
				Diff:     &diff.Result{Equal: true, BodyKind: "json"},
				Request:  &replay.Message{Method: "GET", URL: base + "/api/project?page=0", Header: http.Header{"Accept": {"application/json"}}},
				Response: &replay.Message{Status: 200, Header: jsonHeader(), Body: []byte(`{"content":[{"id":1}]}`)},
				Recorded: &replay.Message{Status: 200, Header: jsonHeader(), Body: []byte(`{"content":[{"id":1}]}`)}},
			{Seq: 4, Method: "GET", URL: base + "/api/launch/106", RecordedURL: base + "/api/launch/104", Operation: launchOp,
				Outcome: replay.Regression, Regression: true, RecordedStatus: 200, Status: 200, Attempts: 1, DurationMS: 8.25, Diff: d,
				Substitutions: []correlate.Substitution{{Var: "launchId", Old: "104", New: "106", Place: correlate.Place{In: "path", Name: "id", Segment: 2}}},
				Request:       &replay.Message{Method: "GET", URL: base + "/api/launch/106", Header: http.Header{"Accept": {"application/json"}}},
				Response:      &replay.Message{Status: 200, Header: jsonHeader(), Body: replayed},
				Recorded:      &replay.Message{Status: 200, Header: jsonHeader(), Body: recorded}},
			{Seq: 5, Method: "GET", URL: base + "/api/launch/106/statistic", RecordedURL: base + "/api/launch/104/statistic",
				Outcome: replay.Drift, Drift: true, RecordedStatus: 200, Status: 200, Attempts: 1, DurationMS: 3,
				Diff: &diff.Result{Equal: true, BodyKind: "text"},
				SpecProblems: []spec.Problem{
					{Kind: spec.InvalidResponseBody, Where: "$.total", Message: "expected integer, got string"},
					{Kind: spec.UndocumentedStatus, Where: "status", Message: "200 is not documented"}},
				Request:  &replay.Message{Method: "GET", URL: base + "/api/launch/106/statistic"},
				Response: &replay.Message{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("total=3\n")},
				Recorded: &replay.Message{Status: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte{0xff, 0x00, 0xfe}}},
			{Seq: 6, Method: "GET", URL: base + "/api/testresult?launchId=106", RecordedURL: base + "/api/testresult?launchId=104",
				Operation: &match.Operation{Method: "GET", Path: "/api/testresult", OperationID: "findAll_5", Tag: "test-result-controller"},
				Outcome:   replay.Infra, Reason: "the instance answered 503 Service Unavailable after 4 attempts", RecordedStatus: 200, Status: 503, Attempts: 4, DurationMS: 1500,
				Warnings: []string{"the proxy in front said \x1b[31m]]>down\x1b[0m"},
				Request:  &replay.Message{Method: "GET", URL: base + "/api/testresult?launchId=106"},
				Response: &replay.Message{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("down <for> \"maintenance\" & more\x1b[0m")}},
			{Seq: 7, Method: "DELETE", URL: base + "/api/launch/104", RecordedURL: base + "/api/launch/104",
				Operation: &match.Operation{Method: "DELETE", Path: "/api/launch/{id}", OperationID: "delete_12", Tag: "launch-controller"},
				Outcome:   replay.NotRun, Reason: "it uses a value from #4, which got no answer", RecordedStatus: 204},
		},
		Counts: map[replay.Outcome]int{replay.OK: 1, replay.Regression: 1, replay.Drift: 1, replay.Infra: 1, replay.Skipped: 2, replay.NotRun: 1},
		Ignored: []diff.IgnoredPath{{Rule: "ignore body $..createdDate", Source: "recording.noise:1", Target: diff.Target("body"),
			Expr: "$..createdDate", Comparisons: 2, Hidden: 2, Differed: 2}},
	}
	readOnly := &replay.Report{
		Flow: "read-only", Endpoint: base, Started: started.Add(2 * time.Second), Duration: 250 * time.Millisecond,
		Entries: []*replay.EntryReport{
			{Seq: 1, Method: "GET", URL: base + "/api/project/1", RecordedURL: base + "/api/project/1",
				Outcome: replay.OK, RecordedStatus: 200, Status: 200, Attempts: 1, DurationMS: 4},
		},
		Counts: map[replay.Outcome]int{replay.OK: 1},
	}
	return []*replay.Report{ui, readOnly}
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, fixedReports(), Options{Host: "ci-runner-1"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "junit.golden.xml")
	golden.Check(t, path, b.Bytes())
	t.Run("valid", func(t *testing.T) { reporttest.ValidateJUnit(t, path) })
}

func TestJUnitCasesAndCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteJUnitFile(path, fixedReports(), Options{}); err != nil {
		t.Fatal(err)
	}
	doc := reporttest.ReadJUnit(t, path)
	if doc.Tests != 7 || doc.Failures != 2 || doc.Errors != 1 {
		t.Errorf("totals: %d tests, %d failures, %d errors; want 7, 2, 1 (the page is not the API)", doc.Tests, doc.Failures, doc.Errors)
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Skipped != 2 || doc.Suites[0].Tests != 6 {
		t.Fatalf("suites: %+v", doc.Suites)
	}
	cases := doc.Suites[0].Cases
	cases2 := []struct {
		reason, name, what, message string
		text                        []string
	}{
		{"an authentication call is skipped with its reason", "POST /api/login/system", "skipped", "skipped: authentication call", nil},
		{"a match is a passing case named by its operation", "project-controller findAll_22: GET /api/project", "pass", "", nil},
		{"a regression fails with the changed fields in one line and the diff in the text",
			"launch-controller findOne_23: GET /api/launch/{id}", "failure", "regression: $.closed removed, $.isClosed added",
			[]string{"--- recorded", "+++ replayed", `"isClosed"`}},
		{"drift fails with the first spec problem, all of them in the text", "GET /api/launch/104/statistic", "failure",
			"drift: invalid-response-body $.total: expected integer, got string and 1 more",
			[]string{"does not fit the spec:", "undocumented-status status: 200 is not documented"}},
		{"an infrastructure error is an error", "test-result-controller findAll_5: GET /api/testresult", "error",
			"infrastructure error: the instance answered 503", []string{"after 4 attempts"}},
		{"a call that never ran is skipped", "launch-controller delete_12: DELETE /api/launch/{id}", "skipped", "not run: it uses a value from #4", nil},
	}
	if len(cases) != len(cases2) {
		t.Fatalf("%d cases, want %d", len(cases), len(cases2))
	}
	for i, want := range cases2 {
		c := cases[i]
		if c.Name != want.name || c.Classname != "ui-flow" {
			t.Errorf("%s: case %q (class %q), want %q", want.reason, c.Name, c.Classname, want.name)
		}
		var what, msg, text string
		switch {
		case c.Failure != nil:
			what, msg, text = "failure", c.Failure.Message, c.Failure.Text
		case c.Error != nil:
			what, msg, text = "error", c.Error.Message, c.Error.Text
		case c.Skipped != nil:
			what, msg = "skipped", *c.Skipped
		default:
			what = "pass"
		}
		if what != want.what || !strings.HasPrefix(msg, want.message) || strings.Contains(msg, "\n") {
			t.Errorf("%s: %s %q, want %s starting %q on one line", want.reason, what, msg, want.what, want.message)
		}
		for _, s := range want.text {
			if !strings.Contains(text, s) {
				t.Errorf("%s: text lacks %q:\n%s", want.reason, s, text)
			}
		}
	}
	if got := cases[2].Time; got != 0.008 {
		t.Errorf("time %v, want 0.008 seconds", got)
	}
}

func TestJUnitFileIsWrittenWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "junit.xml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnitFile(filepath.Join(dir, "missing", "junit.xml"), fixedReports(), Options{}); err == nil {
		t.Error("writing into a missing folder should fail")
	}
	if err := WriteJUnitFile(path, fixedReports(), Options{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files were left: %v", entries)
	}
	t.Run("valid", func(t *testing.T) { reporttest.ValidateJUnit(t, path) })
}

func TestAllureResults(t *testing.T) {
	dir := t.TempDir()
	reps := fixedReports()
	if err := WriteAllure(dir, reps, Options{Host: "ci-runner-1"}); err != nil {
		t.Fatal(err)
	}
	results := reporttest.ReadAllure(t, dir)
	byName := map[string]*reporttest.Result{}
	for _, r := range results {
		byName[r.FullName] = r
		if r.Stage != "finished" || r.HistoryID == "" || r.TestCaseID == "" || r.Label("framework") != "apitrail" || r.Label("host") != "ci-runner-1" {
			t.Errorf("%s: stage %q, history %q, labels %v", r.FullName, r.Stage, r.HistoryID, r.Labels)
		}
	}
	if len(results) != 7 {
		t.Fatalf("%d results, want 7 (every call but the page)", len(results))
	}
	cases := []struct {
		reason, fullName, status, message string
		labels                            map[string]string
		attachments                       map[string]string
	}{
		{"a match passes, labelled by its operation", "ui-flow #3 project-controller findAll_22: GET /api/project", "passed", "",
			map[string]string{"suite": "ui-flow", "feature": "project-controller", "story": "findAll_22", "operation": "GET /api/project"},
			map[string]string{"request": "text/plain", "replayed response": "application/json", "recorded response": "application/json"}},
		{"a regression fails, with the diff attached", "ui-flow #4 launch-controller findOne_23: GET /api/launch/{id}", "failed", "regression: $.closed removed",
			map[string]string{"operation": "GET /api/launch/{id}"},
			map[string]string{"diff": "text/html", "replayed response": "application/json", "recorded response": "application/json"}},
		{"drift fails; a call without an operation is named by its recorded path", "ui-flow #5 GET /api/launch/104/statistic", "failed", "drift: ",
			map[string]string{"operation": "GET /api/launch/104/statistic", "feature": ""},
			map[string]string{"diff": "text/html", "replayed response": "text/plain", "recorded response": "text/plain"}},
		{"an infrastructure error is broken", "ui-flow #6 test-result-controller findAll_5: GET /api/testresult", "broken", "infrastructure error: ",
			nil, map[string]string{"replayed response": "text/plain"}},
		{"a skipped call is skipped", "ui-flow #2 POST /api/login/system", "skipped", "skipped: authentication call", nil, nil},
		{"a call not run is skipped", "ui-flow #7 launch-controller delete_12: DELETE /api/launch/{id}", "skipped", "not run: ", nil, nil},
		{"the second flow is its own suite", "read-only #1 GET /api/project/1", "passed", "", map[string]string{"suite": "read-only"}, nil},
	}
	for _, c := range cases {
		r := byName[c.fullName]
		if r == nil {
			t.Errorf("%s: no result %q", c.reason, c.fullName)
			continue
		}
		if r.Status != c.status || !strings.HasPrefix(r.StatusDetails.Message, c.message) || (c.message == "") != (r.StatusDetails.Message == "") {
			t.Errorf("%s: %s %q, want %s %q", c.reason, r.Status, r.StatusDetails.Message, c.status, c.message)
		}
		for k, v := range c.labels {
			if got := r.Label(k); got != v {
				t.Errorf("%s: label %s %q, want %q", c.reason, k, got, v)
			}
		}
		for name, typ := range c.attachments {
			if body, got := r.Attachment(t, dir, name); got != typ || body == "" {
				t.Errorf("%s: attachment %q of type %q, want %q", c.reason, name, got, typ)
			}
		}
		if c.attachments == nil && c.status == "skipped" && len(r.Attachments) != 0 {
			t.Errorf("%s: attachments %v", c.reason, r.Attachments)
		}
	}
	reg := byName["ui-flow #4 launch-controller findOne_23: GET /api/launch/{id}"]
	if reg.Name != "#4 launch-controller findOne_23: GET /api/launch/{id}" {
		t.Errorf("an Allure name carries the call's number: %q", reg.Name)
	}
	// The diff is HTML, coloured as the HTML report colours it: the
	// removed member on a red line, the added one on a green line.
	d, _ := reg.Attachment(t, dir, "diff")
	for _, want := range []string{`<span class="file">--- recorded</span>`, `<tr class="chg chg-removed"><td>$.closed</td>`,
		`<tr class="chg chg-added"><td>$.isClosed</td>`, "Content-Security-Policy"} {
		if !strings.Contains(d, want) {
			t.Errorf("the diff attachment lacks %s:\n%s", want, d)
		}
	}
	if !regexp.MustCompile(`<span class="del">-\s*&#34;closed&#34;: false,</span>`).MatchString(d) || !regexp.MustCompile(`<span class="ins">(?:\+|&#43;)\s*&#34;isClosed&#34;: false,</span>`).MatchString(d) {
		t.Errorf("the diff attachment does not colour the changed lines:\n%s", d)
	}
	if rec, _ := reg.Attachment(t, dir, "recorded response"); !strings.Contains(rec, `"closed": false`) || !strings.Contains(rec, `"status": 200`) {
		t.Errorf("the recorded response attachment:\n%s", rec)
	}
	if bin, _ := byName["ui-flow #5 GET /api/launch/104/statistic"].Attachment(t, dir, "recorded response"); !strings.Contains(bin, "(3 bytes of binary data)") {
		t.Errorf("a binary body should be described, not written:\n%q", bin)
	}

	containers, _ := filepath.Glob(filepath.Join(dir, "*-container.json"))
	if len(containers) != 2 {
		t.Errorf("%d containers, want one per flow", len(containers))
	}
	env, err := os.ReadFile(filepath.Join(dir, "environment.properties"))
	if err != nil || !strings.Contains(string(env), "endpoint=https://testops.example.com\n") {
		t.Errorf("environment.properties: %v\n%s", err, env)
	}

	// The same calls keep their ids on the next run, so their history holds.
	again := t.TempDir()
	if err := WriteAllure(again, reps, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, r := range reporttest.ReadAllure(t, again) {
		if old := byName[r.FullName]; old == nil || old.HistoryID != r.HistoryID || old.TestCaseID != r.TestCaseID || old.UUID == r.UUID {
			t.Errorf("%s: ids are not stable from run to run, or uuids repeat", r.FullName)
		}
	}

	t.Run("allure generate", func(t *testing.T) {
		got := reporttest.GenerateAllure(t, dir)
		want := reporttest.Statistic{Passed: 2, Failed: 2, Broken: 1, Skipped: 2, Total: 7}
		if got != want {
			t.Errorf("the Allure report counts %+v, want %+v", got, want)
		}
	})
}

func TestPropertyValues(t *testing.T) {
	cases := []struct{ reason, in, want string }{
		{"a URL stays readable", "http://127.0.0.1:8080/base", "http://127.0.0.1:8080/base"},
		{"backslashes and line ends are escaped", "a\\b\nc", `a\\b\nc`},
		{"non-ASCII becomes \\u escapes, outside the BMP as a surrogate pair", "é😀", `\u00e9\ud83d\ude00`},
	}
	for _, c := range cases {
		if got := propertyValue(c.in); got != c.want {
			t.Errorf("%s: %q, want %q", c.reason, got, c.want)
		}
	}
	if got := endpoint("https://user:secret@testops.example.com/"); strings.Contains(got, "secret") {
		t.Errorf("user info kept: %s", got)
	}
}
