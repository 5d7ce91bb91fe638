package diff

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Values that differ on every answer are hidden by what they are, whatever
// their member is called, and counted like any rule.
func TestValueHints(t *testing.T) {
	recorded := time.Date(2026, 11, 28, 10, 33, 37, 0, time.UTC)
	op := Operation{Method: "GET", Path: "/api/visit/{id}", Recorded: recorded}
	tests := []struct {
		reason   string
		rules    string
		a, b     string // the member "v" of each answer, as JSON
		hidden   string // the report's rule for it; "" when it is a change
		strictly bool   // the value is reported even with value hints
	}{
		{"two ISO 8601 times", "", `"2026-11-28T10:33:37.997Z"`, `"2026-12-06T02:40:16.120Z"`, "hint value timestamp", false},
		{"two HTTP dates", "", `"Sat, 28 Nov 2026 10:33:38 GMT"`, `"Sun, 06 Dec 2026 02:40:16 GMT"`, "hint value timestamp", false},
		{"epoch milliseconds as JSON numbers", "", `1795862018016`, `1796524816120`, "hint value timestamp", false},
		{"epoch seconds as JSON numbers", "", `1795862018`, `1796524816`, "hint value timestamp", false},
		{"two UUIDs", "", `"3f1c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57"`, `"8a2b7c1d-0e3f-4a5b-8c6d-7e8f9a0b1c2d"`, "hint value uuid", false},
		{"two entity tags", "", `"\"v1-abc\""`, `"\"v2-def\""`, "hint value etag", false},
		{"a time that changed form is a change of the answer", "", `"2026-11-28T10:33:37Z"`, `"Sun, 06 Dec 2026 02:40:16 GMT"`, "", true},
		{"a time that became a word", "", `"2026-11-28T10:33:37Z"`, `"never"`, "", true},
		{"a string time that became a number changed type", "", `"2026-11-28T10:33:37Z"`, `1796524816120`, "", true},
		{"ids of epoch size far from the recording are ids", "", `1234567890`, `1234567891`, "", true},
		{"versions are values", "", `"1.2.3"`, `"1.2.4"`, "", true},
		{"a compare rule makes the member strict again", "GET /api/visit/{id}: compare body $.v", `"2026-11-28T10:33:37.997Z"`, `"2026-12-06T02:40:16.120Z"`, "", true},
		{"a compare rule elsewhere leaves the hint be", "GET /api/visit/{id}: compare body $.w", `"2026-11-28T10:33:37.997Z"`, `"2026-12-06T02:40:16.120Z"`, "hint value timestamp", false},
	}
	for _, tt := range tests {
		a := jsonResp(`{"id":7,"v":` + tt.a + `}`)
		b := jsonResp(`{"id":7,"v":` + tt.b + `}`)
		r := mustDiffer(t, tt.rules, Config{ValueHints: true}).Compare(op, a, b)
		if r.Equal == tt.strictly {
			t.Errorf("%s: Equal = %v\n%s", tt.reason, r.Equal, r.Report())
			continue
		}
		var got *IgnoredPath
		for i := range r.Ignored {
			if strings.HasPrefix(r.Ignored[i].Rule, "hint ") {
				got = &r.Ignored[i]
			}
		}
		switch {
		case tt.hidden == "" && got != nil:
			t.Errorf("%s: hidden by %+v", tt.reason, *got)
		case tt.hidden != "" && (got == nil || got.Rule != tt.hidden || got.Differed != 1 || !strings.HasPrefix(got.Source, "value: ") || got.Examples[0] != "$.v"):
			t.Errorf("%s: ignored %+v, want %q hiding $.v", tt.reason, r.Ignored, tt.hidden)
		}
		// Off unless asked for: the zero Config hides nothing.
		if r := mustDiffer(t, "", Config{}).Compare(op, a, b); r.Equal {
			t.Errorf("%s: hidden without ValueHints", tt.reason)
		}
	}
}

// Without the recording's time no number is taken for a time.
func TestValueHintsNeedTheRecordingsTimeForNumbers(t *testing.T) {
	a, b := jsonResp(`{"n":1795862018016}`), jsonResp(`{"n":1796524816120}`)
	if r := mustDiffer(t, "", Config{ValueHints: true}).Compare(Operation{}, a, b); r.Equal {
		t.Errorf("a number hidden with no time to read it against:\n%s", r.Report())
	}
}

func TestLearnHints(t *testing.T) {
	op := Operation{Method: "GET", Path: "/pets/{id}", Recorded: time.Date(2026, 11, 28, 10, 33, 37, 0, time.UTC),
		Hints: []Hint{{Path: "$.schemaTime", Reason: "format: date-time"}}}
	recorded := jsonResp(`{"id":2,"name":"Tom","admitted":"2026-11-28T10:33:37.997Z","fed":1795862018,"weighed":1795862018016,` +
		`"checked":"Sat, 28 Nov 2026 10:33:38 GMT","visits":[{"at":"2026-11-28T09:00:00Z"},{"at":"2026-11-28T09:30:00Z"}],"schemaTime":"a","stale":"2026-11-28T10:33:37Z"}`)
	replayed := jsonResp(`{"id":2,"name":"Tom","admitted":"2026-12-06T02:40:16.120Z","fed":1796524816,"weighed":1796524816120,` +
		`"checked":"Sun, 06 Dec 2026 02:40:16 GMT","visits":[{"at":"2026-12-06T01:00:00Z"},{"at":"2026-12-06T01:30:00Z"}],"schemaTime":"b","stale":"2026-11-28T10:33:37Z"}`)
	d := mustDiffer(t, "GET /pets/{id}: ignore body $.fed", Config{ValueHints: true})
	var buf bytes.Buffer
	WriteRules(&buf, d.LearnHints(op, recorded, replayed))
	want := `GET /pets/{id}: ignore body $.admitted  # learned: the recorded and replayed values differ (hint: value: ISO 8601)
GET /pets/{id}: ignore body $.checked  # learned: the recorded and replayed values differ (hint: value: RFC 1123)
GET /pets/{id}: ignore body $.schemaTime  # learned: the recorded and replayed values differ (hint: format: date-time)
GET /pets/{id}: ignore body $.visits[*].at  # learned: the recorded and replayed values differ (hint: value: ISO 8601)
GET /pets/{id}: ignore body $.weighed  # learned: the recorded and replayed values differ (hint: value: epoch milliseconds)
`
	if buf.String() != want {
		t.Errorf("learned:\n%s\nwant (fed has a rule already; stale did not differ; name and id are values):\n%s", buf.String(), want)
	}
	if got := mustDiffer(t, "", Config{}).LearnHints(Operation{}, recorded, replayed); got != nil {
		t.Errorf("no hints, yet learned %+v", got)
	}
}

func TestCoverage(t *testing.T) {
	op := Operation{Method: "GET", Path: "/x"}
	rules := func(text string) []Rule {
		rs, err := ParseRules("t", strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	body := jsonResp(`{"id":1,"name":"a","at":"t","tags":[],"items":[{"x":1,"y":2},{"x":3,"y":4}],"meta":{"n":null}}`)
	tests := []struct {
		reason        string
		rules         string
		resp          Response
		hidden, total int
	}{
		{"no rules hide nothing; scalars and empty containers count", "", body, 0, 9},
		{"one member", "ignore body $.at", body, 1, 9},
		{"a wildcard over the items", "ignore body $.items[*].x", body, 2, 9},
		{"a container hides what is inside", "ignore body $.items\nignore body $.meta", body, 5, 9},
		{"at any depth", "ignore body $..y", body, 2, 9},
		{"a rule for another operation does not count", "GET /y: ignore body $.at", body, 0, 9},
		{"compare rules hide nothing", "compare body $.at", body, 0, 9},
		{"the whole body", "ignore body $", body, 9, 9},
		{"a text body is one value", "ignore body $", Response{Status: 200, Body: []byte("hello")}, 1, 1},
		{"an empty body has none", "ignore body $", Response{Status: 204}, 0, 0},
	}
	for _, tt := range tests {
		h, n := Coverage(op, rules(tt.rules), tt.resp)
		if h != tt.hidden || n != tt.total {
			t.Errorf("%s: Coverage = %d of %d, want %d of %d", tt.reason, h, n, tt.hidden, tt.total)
		}
	}
}
