package diff

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/golden"
)

// jsonResp is a 200 response with a JSON body.
func jsonResp(body string) Response {
	return Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func mustDiffer(t *testing.T, rules string, cfg Config) *Differ {
	t.Helper()
	if rules != "" {
		rs, err := ParseRules("test.noise", strings.NewReader(rules))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Rules = rs
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func changes(r *Result) []string {
	var out []string
	for _, c := range r.Body {
		out = append(out, string(c.Kind)+" "+c.Path+" "+c.Old+" -> "+c.New)
	}
	return out
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reason   string
		a, b     Response
		rules    string
		op       Operation
		cfg      Config
		equal    bool
		kind     string
		changes  []string
		noteHas  string
		diffHas  []string
		omitted  int
		headers  int
		statusCh bool
	}{
		{
			name: "key order and spacing", reason: "JSON is compared as JSON, not as text",
			a: jsonResp(`{"a":1,"b":[true,null]}`), b: jsonResp("{\n  \"b\": [ true, null ],\n  \"a\": 1\n}"),
			equal: true, kind: "json",
		},
		{
			name: "numbers by value", reason: "1.0 and 1 are the same number; 1e2 is 100",
			a: jsonResp(`{"a":1.0,"b":1e2}`), b: jsonResp(`{"a":1,"b":100}`),
			equal: true, kind: "json",
		},
		{
			name: "big ids", reason: "ids above 2^53 must not collapse through float64",
			a: jsonResp(`{"id":9007199254740993}`), b: jsonResp(`{"id":9007199254740992}`),
			kind: "json", changes: []string{"changed $.id 9007199254740993 -> 9007199254740992"},
		},
		{
			name: "changed added removed", reason: "each difference is listed by its path",
			a:    jsonResp(`{"content":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"gone":true}`),
			b:    jsonResp(`{"content":[{"id":1,"name":"a"},{"id":2,"name":"B","new":[1]}]}`),
			kind: "json",
			changes: []string{
				`changed $.content[1].name "b" -> "B"`,
				"added $.content[1].new  -> [1]",
				"removed $.gone true -> ",
			},
			diffHas: []string{"-      \"name\": \"b\",\n+      \"name\": \"B\",\n+      \"new\": [\n"},
		},
		{
			name: "array grows", reason: "arrays compare by index, extra elements are added",
			a: jsonResp(`[1,2]`), b: jsonResp(`[1,2,3,4]`),
			kind: "json", changes: []string{"added $[2]  -> 3", "added $[3]  -> 4"},
		},
		{
			name: "type change", reason: "a value turning null is a change, shown whole",
			a: jsonResp(`{"owner":{"id":1}}`), b: jsonResp(`{"owner":null}`),
			kind: "json", changes: []string{`changed $.owner {"id":1} -> null`},
		},
		{
			name: "odd member names", reason: "paths quote names that are not plain",
			a: jsonResp(`{"a b":{"it's":1}}`), b: jsonResp(`{"a b":{"it's":2}}`),
			kind: "json", changes: []string{`changed $['a b']['it\'s'] 1 -> 2`},
		},
		{
			name: "status only", reason: "the status is compared even when the bodies agree",
			a: jsonResp(`{}`), b: Response{Status: 404, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)},
			kind: "json", statusCh: true,
		},
		{
			name: "text body", reason: "text is diffed by lines, the change points at the first differing line",
			a:    Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("one\ntwo\nthree\n")},
			b:    Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("one\n2\nthree\n")},
			kind: "text", changes: []string{`changed $ line 2: "two" -> line 2: "2"`},
			diffHas: []string{"@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"},
		},
		{
			name: "binary body", reason: "binary bodies compare by size and sha256",
			a:       Response{Status: 200, Header: http.Header{"Content-Type": {"image/png"}}, Body: []byte("\x89PNG\x00\x01")},
			b:       Response{Status: 200, Header: http.Header{"Content-Type": {"image/png"}}, Body: []byte("\x89PNG\x00\x02\x03")},
			kind:    "binary",
			changes: []string{"changed $ " + binarySummary([]byte("\x89PNG\x00\x01")) + " -> " + binarySummary([]byte("\x89PNG\x00\x02\x03"))},
		},
		{
			name: "invalid JSON", reason: "a body that claims JSON but is not is compared as text, with a note",
			a: jsonResp(`{"a":1}`), b: jsonResp(`{"a":1`),
			kind: "text", noteHas: "replayed body is not valid JSON (invalid JSON at byte 6: unexpected end of input in an object); compared as text",
			changes: []string{`changed $ line 1: "{\"a\":1}" -> line 1: "{\"a\":1"`},
		},
		{
			name: "empty against JSON", reason: "an empty reply where JSON was recorded is a text change",
			a: jsonResp(`{"a":1}`), b: jsonResp(``),
			kind: "text", changes: []string{`changed $ line 1: "{\"a\":1}" -> line 1: end of body`},
		},
		{
			name: "body not recorded", reason: "a HAR entry without body text says nothing about the body",
			a: Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, BodyUnknown: true}, b: jsonResp(`{"a":1}`),
			equal: true, kind: "unknown", noteHas: "the recorded body is not known, so the bodies were not compared",
		},
		{
			name: "both empty", reason: "two empty bodies are equal",
			a: jsonResp(``), b: jsonResp(``), equal: true, kind: "empty",
		},
		{
			name: "byte order mark", reason: "a UTF-8 BOM before JSON is ignored, as RFC 8259 allows",
			a: jsonResp("\xef\xbb\xbf{\"a\":1}"), b: jsonResp(`{"a":1}`),
			equal: true, kind: "json",
		},
		{
			name: "sniffed JSON", reason: "without a content type, a body that parses as JSON is JSON",
			a:     Response{Status: 200, Body: []byte(`{"b":1,"a":2}`)},
			b:     Response{Status: 200, Body: []byte(`{"a":2,"b":1}`)},
			equal: true, kind: "json",
		},
		{
			name: "whole body ignored", reason: "ignore body $ hides a text body too, and counts it",
			a:     Response{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>a</p>")},
			b:     Response{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>b</p>")},
			rules: "ignore body $", equal: true, kind: "text",
		},
		{
			name: "scoped rule elsewhere", reason: "a rule for another operation does not apply",
			a: jsonResp(`{"at":1}`), b: jsonResp(`{"at":2}`),
			rules: "GET /api/other: ignore body $.at", op: Operation{Method: "GET", Path: "/api/launch"},
			kind: "json", changes: []string{"changed $.at 1 -> 2"},
		},
		{
			name: "scoped rule here", reason: "a rule for this operation applies, whatever its parameter names",
			a: jsonResp(`{"at":1}`), b: jsonResp(`{"at":2}`),
			rules: "GET /api/launch/{id}: ignore body $.at", op: Operation{Method: "GET", Path: "/api/launch/{launchId}"},
			equal: true, kind: "json",
		},
		{
			name: "rule hides an added member", reason: "a member only one side has is hidden too, and printed on neither",
			a: jsonResp(`{"x":1}`), b: jsonResp(`{"x":1,"debug":{"ms":3}}`),
			rules: "ignore body $.debug", equal: true, kind: "json",
		},
		{
			name: "many changes", reason: "the change list stops at MaxChanges and counts the rest",
			a: jsonResp(`[1,2,3,4,5]`), b: jsonResp(`[6,7,8,9,10]`), cfg: Config{MaxChanges: 2},
			kind: "json", changes: []string{"changed $[0] 1 -> 6", "changed $[1] 2 -> 7"}, omitted: 3,
		},
		{
			name: "long values", reason: "values are cut for display",
			a: jsonResp(`{"s":"` + strings.Repeat("a", 50) + `"}`), b: jsonResp(`{"s":"b"}`), cfg: Config{MaxValueLen: 10},
			kind: "json", changes: []string{`changed $.s "aaaaaaaaa… -> "b"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustDiffer(t, tc.rules, tc.cfg).Compare(tc.op, tc.a, tc.b)
			if r.Equal != tc.equal {
				t.Errorf("%s: Equal = %v\n%s", tc.reason, r.Equal, r.Report())
			}
			if r.BodyKind != tc.kind {
				t.Errorf("%s: BodyKind = %q, want %q", tc.reason, r.BodyKind, tc.kind)
			}
			got := changes(r)
			if !reflect.DeepEqual(got, tc.changes) {
				t.Errorf("%s: changes:\n%s\nwant:\n%s", tc.reason, strings.Join(got, "\n"), strings.Join(tc.changes, "\n"))
			}
			if r.BodyOmitted != tc.omitted {
				t.Errorf("%s: BodyOmitted = %d, want %d", tc.reason, r.BodyOmitted, tc.omitted)
			}
			if (r.Status != nil) != tc.statusCh {
				t.Errorf("%s: Status = %+v", tc.reason, r.Status)
			}
			if tc.noteHas != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.noteHas) {
				t.Errorf("%s: notes %q lack %q", tc.reason, r.Notes, tc.noteHas)
			}
			for _, s := range tc.diffHas {
				if !strings.Contains(r.Diff, s) {
					t.Errorf("%s: diff lacks %q:\n%s", tc.reason, s, r.Diff)
				}
			}
			// The diff is empty exactly when the bodies are equal.
			bodyEqual := len(r.Body) == 0 && r.BodyOmitted == 0
			if (r.Diff == "") != bodyEqual {
				t.Errorf("%s: Diff empty = %v but body equal = %v:\n%s", tc.reason, r.Diff == "", bodyEqual, r.Diff)
			}
			if r.Diff != "" && !strings.HasPrefix(r.Diff, "--- recorded\n+++ replayed\n@@ ") {
				t.Errorf("%s: diff does not start with the unified header:\n%s", tc.reason, r.Diff)
			}
		})
	}
}

func TestDifferIsSafeForConcurrentUse(t *testing.T) {
	d := mustDiffer(t, "ignore body $..createdDate\nignore header X-Trace-Id", Config{NameHints: true})
	a := jsonResp(`{"content":[{"id":1,"createdDate":1,"updatedAt":"x"},{"id":2,"createdDate":2}]}`)
	b := jsonResp(`{"content":[{"id":1,"createdDate":9,"updatedAt":"y"},{"id":3,"createdDate":2}]}`)
	want := d.Compare(Operation{}, a, b).Report()
	done := make(chan string)
	for range 8 {
		go func() {
			var got string
			for range 50 {
				got = d.Compare(Operation{}, a, b).Report()
			}
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Fatalf("concurrent Compare gave\n%s\nwant\n%s", got, want)
		}
	}
}

func TestBinarySummary(t *testing.T) {
	// sha256 of "abc" is a published test vector (FIPS 180-2).
	if got := binarySummary([]byte("abc")); got != "3 bytes, sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal(got)
	}
}

// TestNoiseRuleIsReportedWithCount is the "what must show": a rule
// that hides values appears in the report with how many it hid, and a rule
// that matched nothing says so.
func TestNoiseRuleIsReportedWithCount(t *testing.T) {
	d := mustDiffer(t, "ignore body $.content[*].createdDate\nignore body $.content[*].createdDat\n", Config{})
	r := d.Compare(Operation{},
		jsonResp(`{"content":[{"id":1,"createdDate":100},{"id":2,"createdDate":200},{"id":3,"createdDate":300}]}`),
		jsonResp(`{"content":[{"id":1,"createdDate":101},{"id":2,"createdDate":200},{"id":3,"createdDate":301}]}`))
	if !r.Equal {
		t.Fatalf("want equal once createdDate is ignored:\n%s", r.Report())
	}
	want := []IgnoredPath{
		{Rule: "ignore body $.content[*].createdDate", Source: "test.noise:1", Target: BodyTarget, Expr: "$.content[*].createdDate",
			Comparisons: 1, Hidden: 3, Differed: 2, Examples: []string{"$.content[0].createdDate", "$.content[2].createdDate", "$.content[1].createdDate"}},
		{Rule: "ignore body $.content[*].createdDat", Source: "test.noise:2", Target: BodyTarget, Expr: "$.content[*].createdDat", Comparisons: 1},
	}
	if !reflect.DeepEqual(r.Ignored, want) {
		t.Fatalf("Ignored = %+v\nwant %+v", r.Ignored, want)
	}
	report := r.Report()
	for _, line := range []string{
		"ignore body $.content[*].createdDate  test.noise:1  hid 3, 2 differed",
		"ignore body $.content[*].createdDat   test.noise:2  matched nothing",
	} {
		if !strings.Contains(report, line) {
			t.Errorf("report lacks %q:\n%s", line, report)
		}
	}
}

func TestHints(t *testing.T) {
	a := jsonResp(`{"createdDate":1,"lastModifiedDate":5,"closedAt":"x","uuid":"u1","owner":{"createdAt":"2026-01-01"},"name":"n","stamp":1}`)
	b := jsonResp(`{"createdDate":2,"lastModifiedDate":5,"closedAt":null,"uuid":"u2","owner":{"createdAt":"2026-01-02"},"name":"m","stamp":2}`)
	op := Operation{Hints: []Hint{{Path: "$.stamp", Reason: "format: date-time"}, {Path: "stamp", Reason: "a bad path"}}}

	off := mustDiffer(t, "", Config{}).Compare(Operation{}, a, b)
	if len(off.Body) != 6 || len(off.Ignored) != 0 {
		t.Fatalf("without hints every change shows:\n%s", off.Report())
	}

	r := mustDiffer(t, "", Config{NameHints: true}).Compare(op, a, b)
	if got := changes(r); !reflect.DeepEqual(got, []string{`changed $.closedAt "x" -> null`, `changed $.name "n" -> "m"`}) {
		t.Errorf("hints must hide differing timestamps and ids but not a value turning null, nor other names:\n%s", strings.Join(got, "\n"))
	}
	var got []string
	for _, e := range r.Ignored {
		got = append(got, e.Rule+" | "+e.Source+" | "+strings.Join(e.Examples, ","))
		if e.Hidden != e.Differed {
			t.Errorf("%s: a hint hides only values that differ, but Hidden %d != Differed %d", e.Rule, e.Hidden, e.Differed)
		}
	}
	want := []string{
		"hint name *Date | field name | $.createdDate",
		"hint name *At | field name | $.owner.createdAt",
		"hint body $.stamp | format: date-time | $.stamp",
		"hint name uuid | field name | $.uuid",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ignored:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), `hint left out: JSON path "stamp" must start with $`) {
		t.Errorf("a bad hint must be noted, notes: %q", r.Notes)
	}
	for _, e := range r.Ignored {
		if strings.Contains(strings.Join(e.Examples, ","), "lastModifiedDate") {
			t.Errorf("an equal lastModifiedDate was not hidden, so it must not be counted: %+v", e)
		}
	}
	if !strings.Contains(r.Diff, `"lastModifiedDate": 5,`) {
		t.Errorf("an equal hinted value is printed as it is:\n%s", r.Diff)
	}
}

func TestNameHint(t *testing.T) {
	for _, tc := range []struct{ name, label string }{
		{"createdDate", "*Date"}, {"lastModifiedDate", "*Date"}, {"updatedAt", "*At"}, {"created_at", "*_at"},
		{"timestamp", "timestamp"}, {"eventTimestamp", "*Timestamp"}, {"UUID", "uuid"}, {"launchUuid", "*Uuid"},
		{"ownerUUID", "*Uuid"}, {"run_uuid", "*_uuid"}, {"due_date", "*_date"},
		{"Date", ""}, {"At", ""}, {"format", ""}, {"chat", ""}, {"candidate", ""}, {"name", ""}, {"_at", ""},
	} {
		label, ok := nameHint(tc.name)
		if label != tc.label || ok != (tc.label != "") {
			t.Errorf("nameHint(%q) = %q, %v; want %q", tc.name, label, ok, tc.label)
		}
	}
}

func TestHeaders(t *testing.T) {
	base := http.Header{
		"Content-Type":  {"application/json;charset=UTF-8"},
		"Cache-Control": {"no-cache"},
		"Date":          {"Mon, 01 Jan 2026 00:00:00 GMT"},
		"X-Request-Id":  {"a1"},
		"X-B3-Traceid":  {"t1"},
		"Etag":          {`"v1"`},
	}
	other := http.Header{
		"content-type":  {"application/json"}, // HTTP/2 HARs have lower-case names
		"cache-control": {"no-store"},
		"date":          {"Tue, 02 Jan 2026 00:00:00 GMT"},
		"x-request-id":  {"b2"},
		"x-b3-traceid":  {"t2"},
		"etag":          {`"v2"`},
		"deprecation":   {"true"},
	}
	for _, tc := range []struct {
		name, rules string
		cfg         Config
		want        []string
		reason      string
	}{
		{"defaults", "", Config{}, []string{
			`changed Cache-Control "no-cache" -> "no-store"`,
			`added Deprecation "" -> "true"`,
		}, "volatile headers are skipped; JSON's charset=utf-8 is the same as none"},
		{"compare rule", "compare header ETag\ncompare header X-B3-*", Config{}, []string{
			`changed Cache-Control "no-cache" -> "no-store"`,
			`added Deprecation "" -> "true"`,
			`changed Etag "\"v1\"" -> "\"v2\""`,
			`changed X-B3-Traceid "t1" -> "t2"`,
		}, "compare rules check default-ignored headers again"},
		{"ignore rule", "ignore header cache-control\nignore header Deprecation", Config{}, nil, "ignore rules add headers"},
		{"no defaults", "", Config{IgnoreHeaders: []string{}}, []string{
			`changed Cache-Control "no-cache" -> "no-store"`,
			`changed Date "Mon, 01 Jan 2026 00:00:00 GMT" -> "Tue, 02 Jan 2026 00:00:00 GMT"`,
			`added Deprecation "" -> "true"`,
			`changed Etag "\"v1\"" -> "\"v2\""`,
			`changed X-B3-Traceid "t1" -> "t2"`,
			`changed X-Request-Id "a1" -> "b2"`,
		}, "an empty IgnoreHeaders compares everything"},
	} {
		r := mustDiffer(t, tc.rules, tc.cfg).Compare(Operation{}, Response{Status: 200, Header: base}, Response{Status: 200, Header: other})
		var got []string
		for _, h := range r.Headers {
			got = append(got, string(h.Kind)+" "+h.Name+" "+quoteValue(h.Old)+" -> "+quoteValue(h.New))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s (%s):\n%s\nwant:\n%s", tc.name, tc.reason, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
	// Every default that hid something is listed with its count.
	r := Compare(Response{Header: base}, Response{Header: other})
	var got []string
	for _, e := range r.Ignored {
		got = append(got, e.Rule+" "+e.Source)
	}
	want := []string{"ignore header Date default", "ignore header Etag default", "ignore header X-B3-* default", "ignore header *-Request-Id default"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default entries %q, want %q", got, want)
	}
}

func TestHeaderMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		match         bool
	}{
		{"Date", "Date", true},
		{"Date", "Dates", false},
		{"X-B3-*", "X-B3-Traceid", true},
		{"X-B3-*", "X-B3-", true},
		{"X-B3-*", "X-B4-Traceid", false},
		{"*-Request-Id", "Fly-Request-Id", true},
		{"*-Request-Id", "X-Amz-Request-Id", true},
		{"*-Request-Id", "Request-Id", false},
		{"X-*-Id", "X-Trace-Id", true},
		{"X-*-Id", "X-Id", false},
	} {
		if got := headerMatches(tc.pattern, tc.name); got != tc.match {
			t.Errorf("headerMatches(%q, %q) = %v", tc.pattern, tc.name, got)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"x-b3-*", "X-B3-*"}, {"*-request-id", "*-Request-Id"}, {"x-*-id", "X-*-Id"},
		{"**", "error"}, {"a*b*", "error"}, {"a b", "error"}, {"*", "error"},
	} {
		got, err := canonicalHeaderPattern(tc.in)
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("canonicalHeaderPattern(%q) = %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestBrowserOnlyHeaders(t *testing.T) {
	// What a browser's HAR holds and a replay from Go does not: HTTP/2
	// pseudo-headers, CORS answers to the Origin header, compression.
	recorded := Response{Status: 200, Header: http.Header{
		":status": {"200"}, "status": {"200"}, "content-type": {"application/json"},
		"access-control-allow-origin": {"https://testops.example"}, "access-control-allow-credentials": {"true"},
		"content-encoding": {"br"}, "content-length": {"1234"}, "fly-request-id": {"01J"},
	}, Body: []byte(`{"a":1}`)}
	replayed := Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"a":1}`)}
	if r := Compare(recorded, replayed); !r.Equal {
		t.Fatalf("a browser recording and a Go replay of the same answer differ:\n%s", r.Report())
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{IgnoreHeaders: []string{"Bad Header"}}, `ignored header: "Bad Header" is not a header name`},
		{Config{Rules: []Rule{{Action: IgnoreAction, Target: BodyTarget, Expr: "$.a["}}}, `rule "ignore body $.a[":`},
		{Config{Rules: []Rule{{Action: "skip", Target: BodyTarget, Expr: "$", Pos: Pos{File: "f.noise", Line: 3}}}}, `f.noise:3: unknown action "skip"`},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) error = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestTally(t *testing.T) {
	rules, _ := ParseRules("t.noise", strings.NewReader("ignore body $.at\nGET /never: ignore body $.x\nignore body $.nope\n"))
	d := mustDiffer(t, "", Config{Rules: rules})
	tally := NewTally(rules)
	for i := range 3 {
		h := http.Header{"Date": {string(rune('a' + i))}}
		tally.Add(d.Compare(Operation{Method: "GET", Path: "/x"},
			Response{Status: 200, Header: h, Body: []byte(`{"at":1}`)},
			Response{Status: 200, Header: http.Header{"Date": {"z"}}, Body: []byte(`{"at":` + string(rune('1'+i)) + `}`)}))
	}
	var got []string
	for _, e := range tally.Ignored() {
		got = append(got, e.Rule+" ("+e.Source+")")
		got[len(got)-1] += " " + strings.Join([]string{strconv.Itoa(e.Comparisons), strconv.Itoa(e.Hidden), strconv.Itoa(e.Differed)}, "/")
	}
	want := []string{
		"ignore body $.at (t.noise:1) 3/3/2",
		"GET /never: ignore body $.x (t.noise:2) 0/0/0",
		"ignore body $.nope (t.noise:3) 3/0/0",
		"ignore header Date (default) 3/3/3",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tally:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if u := tally.Unused(); len(u) != 2 || u[0].Expr != "$.x" || u[1].Expr != "$.nope" {
		t.Errorf("Unused = %+v", u)
	}
	report := tally.Report()
	for _, s := range []string{"never applied: no comparison was in its scope", "matched nothing in 3 comparisons", "hid 3, 2 differed in 3 comparisons"} {
		if !strings.Contains(report, s) {
			t.Errorf("tally report lacks %q:\n%s", s, report)
		}
	}
}

func TestReportGolden(t *testing.T) {
	launch := func(name string, created, total int, extra string) string {
		return `{"content":[` +
			`{"id":1,"name":"smoke","createdDate":1700000000001,"statistic":[{"status":"passed","count":10}],"tags":[{"id":1,"name":"a"}]},` +
			`{"id":2,"name":"` + name + `","createdDate":` + strconv.Itoa(created) + `,"statistic":[{"status":"passed","count":3},{"status":"failed","count":1}],"tags":[]` + extra + `},` +
			`{"id":3,"name":"api","createdDate":1700000000003,"statistic":[],"tags":[]}` +
			`],"totalElements":` + strconv.Itoa(total) + `,"number":0,"size":20}`
	}
	rules := "ignore header X-Trace-Id\nignore body $.content[*].createdDate\nGET /api/launch: ignore body $.number\nignore body $.content[*].uuid\n"
	long := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			line := "line " + strconv.Itoa(i)
			if c, ok := change[i]; ok {
				line = c
			}
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	text := func(s string) Response {
		return Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte(s)}
	}
	for _, tc := range []struct {
		name   string
		a, b   Response
		rules  string
		op     Operation
		cfg    Config
		reason string
	}{
		{
			name: "launch-regression", reason: "a typical page of launches: rules hide the noise, the rest is reported",
			a:     Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Trace-Id": {"1"}, "Date": {"a"}}, Body: []byte(launch("nightly", 1700000000002, 3, ""))},
			b:     Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Trace-Id": {"2"}, "Date": {"b"}, "Deprecation": {"true"}}, Body: []byte(launch("nightly (rerun)", 1700000000999, 4, `,"retries":2`))},
			rules: rules, op: Operation{Method: "GET", Path: "/api/launch"},
		},
		{
			name: "equal-with-noise", reason: "equal once noise is removed: no diff, but the ignored values are still listed",
			a:     jsonResp(launch("nightly", 1700000000002, 3, "")),
			b:     jsonResp(launch("nightly", 1700000000777, 3, "")),
			rules: rules, op: Operation{Method: "GET", Path: "/api/launch"},
		},
		{
			name: "array-insert", reason: "an element inserted at the front, by index as a rule asks: listed by index, but go-diff lines the text up",
			a:     jsonResp(`{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c"}]}`),
			b:     jsonResp(`{"items":[{"id":0,"name":"new"},{"id":1,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c"}]}`),
			rules: "compare body $.items by index\n",
		},
		{
			name: "array-insert-keyed", reason: "an item others added to an item array, and one of the flow's changed: the change is reported, the rest is information",
			a: jsonResp(`{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c"}],"total":3}`),
			b: jsonResp(`{"items":[{"id":0,"name":"new"},{"id":1,"name":"a"},{"id":2,"name":"B"},{"id":3,"name":"c"}],"total":4}`),
		},
		{
			name: "long-array", reason: "unchanged runs are cut down to context and a count",
			a: jsonResp("[" + strings.TrimSuffix(strings.Repeat(`{"k":1},`, 30), ",") + "]"),
			b: jsonResp("[" + strings.TrimSuffix(strings.Repeat(`{"k":1},`, 14), ",") + `,{"k":2},` + strings.TrimSuffix(strings.Repeat(`{"k":1},`, 15), ",") + "]"),
		},
		{
			name: "text-hunks", reason: "a text body: two hunks, and a missing final newline",
			a: text(long(30, nil)),
			b: text(strings.TrimSuffix(long(30, map[int]string{3: "line three", 25: "line twenty-five"}), "\n")),
		},
		{
			name: "status-and-headers", reason: "status and header changes come first",
			a: Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-cache"}}, Body: []byte(`{"ok":true}`)},
			b: Response{Status: 500, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<h1>Internal Server Error</h1>\n")},
		},
		{
			name: "binary", reason: "binary bodies by size and hash",
			a: Response{Status: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte{0, 1, 2, 3}},
			b: Response{Status: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte{0, 1, 2, 4, 5}},
		},
		{
			name: "hints", reason: "name hints hide a differing timestamp, and say so",
			a:   jsonResp(`{"id":7,"updatedAt":"2026-01-01T10:00:00Z","status":"open"}`),
			b:   jsonResp(`{"id":7,"updatedAt":"2026-01-01T10:05:00Z","status":"closed"}`),
			cfg: Config{NameHints: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustDiffer(t, tc.rules, tc.cfg).Compare(tc.op, tc.a, tc.b)
			golden.Check(t, filepath.Join("testdata", "golden", tc.name+".txt"), "# "+tc.reason+"\n"+r.Report())
			if tc.name == "launch-regression" {
				js, err := json.MarshalIndent(r, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", tc.name+".json"), append(js, '\n'))
			}
		})
	}
}
