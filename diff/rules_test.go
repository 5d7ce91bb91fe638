package diff

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseRulesFile(t *testing.T) {
	rules, err := LoadRules("testdata/rules/launches.noise")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.Pos.String()+" "+r.String()+" #"+r.Comment)
	}
	want := []string{
		"testdata/rules/launches.noise:3 ignore header X-Trace-Id #",
		"testdata/rules/launches.noise:4 ignore header X-Kong-* #every header the gateway adds",
		"testdata/rules/launches.noise:5 compare header Etag #this API's ETags are stable: check them",
		"testdata/rules/launches.noise:7 ignore body $..lastModifiedDate #",
		"testdata/rules/launches.noise:8 ignore body $.content[*].createdDate #",
		"testdata/rules/launches.noise:11 GET /api/launch/{id}: ignore body $.statistic[*].count #",
		"testdata/rules/launches.noise:12 GET /api/launch/{id}: ignore body $['external id'] #a space before the colon is fine",
		"testdata/rules/launches.noise:13 POST /api/launch: ignore header Location #",
		"testdata/rules/launches.noise:16 findAll_15: ignore body $.content[*].uuid #",
		"testdata/rules/launches.noise:17 ignore header *-Upstream-Latency #one * may stand anywhere in a name",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := rules[5].Scope; s.Method != "GET" || s.Path != "/api/launch/{id}" || s.OperationID != "" {
		t.Errorf("scope of line 11 = %+v", s)
	}
	if s := rules[8].Scope; s.OperationID != "findAll_15" || s.Method != "" {
		t.Errorf("scope of line 16 = %+v", s)
	}
}

func TestParseRulesMistakes(t *testing.T) {
	_, err := LoadRules("testdata/rules/mistakes.noise")
	if err == nil {
		t.Fatal("no error for a file full of mistakes")
	}
	const f = "testdata/rules/mistakes.noise"
	want := []string{
		f + `:2: "/content/0/name" looks like a JSON Pointer; write a JSON path such as $.content[0].name`,
		f + `:3: want ignore, compare or a scope such as "GET /api/launch/{id}:" or "getLaunch:", not "ignor"`,
		f + `:4: unknown target "headers"; want header or body`,
		f + `:5: "X Trace" is not a header name`,
		f + `:6: want a member name or index after "by", not "a.b"`,
		f + `:7: want a path template starting with / after GET, not "api/launch:"`,
		f + `:8: want a colon after "GET /api/launch"`,
		f + `:10: "ignore body $.a" repeats line 9`,
		f + `:12: "ignore header X-Trace-Id" contradicts line 11`,
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Pos.Line != 2 {
		t.Errorf("errors.As(*ParseError) = %v, %+v", pe, pe)
	}
}

func TestParseRulesLines(t *testing.T) {
	for _, tc := range []struct{ line, want, reason string }{
		{"   # only a comment", "", "comment lines are skipped"},
		{"", "", "blank lines are skipped"},
		{"ignore header x-b3-*", "ignore header X-B3-*", "header names take canonical case"},
		{"ignore body $.a#b", "ignore body $['a#b']", "a # inside a path is not a comment"},
		{"ignore body $['a #b']  # c", "ignore body $['a #b']", "nor inside quotes"},
		{"ignore\tbody\t$.x", "ignore body $.x", "tabs separate fields"},
		{"PURGE /cache/{key}: ignore header Age", "PURGE /cache/{key}: ignore header Age", "custom methods"},
		{"POST /v1/things/{id}:cancel: ignore body $.at", "POST /v1/things/{id}:cancel: ignore body $.at", "a colon inside the template"},
	} {
		rules, err := ParseRules("t.noise", strings.NewReader(tc.line))
		if err != nil {
			t.Errorf("%s: %q: %v", tc.reason, tc.line, err)
			continue
		}
		got := ""
		if len(rules) == 1 {
			got = rules[0].String()
		}
		if got != tc.want || len(rules) > 1 {
			t.Errorf("%s: %q parsed as %q, want %q", tc.reason, tc.line, got, tc.want)
		}
	}
	for _, tc := range []struct{ line, want, reason string }{
		{"ignore header *", "would ignore every header", "a bare star"},
		{"ignore", "want header or body after ignore", "no target"},
		{"ignore body", "empty JSON path", "no path"},
		{"getLaunch:", "want ignore or compare after the colon", "a scope and nothing else"},
		{"{id}: ignore body $", "bad operationId", "braces are not an operationId"},
		{"G3T /x: ignore body $", `"G3T" is not an HTTP method`, "a method with a digit"},
	} {
		_, err := ParseRules("t.noise", strings.NewReader(tc.line))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "t.noise:1: ") {
			t.Errorf("%s: %q: error %v, want t.noise:1: ... %s", tc.reason, tc.line, err, tc.want)
		}
	}
}

func TestParseRulesCountsMistakesPastTen(t *testing.T) {
	src := strings.Repeat("bogus\n", 14)
	_, err := ParseRules("many.noise", strings.NewReader(src))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 11 || lines[10] != "many.noise: 4 more mistakes not listed" {
		t.Fatalf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestWriteRulesRoundTrip(t *testing.T) {
	rules, err := LoadRules("testdata/rules/launches.noise")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteRules(&buf, rules); err != nil {
		t.Fatal(err)
	}
	again, err := ParseRules("again", &buf)
	if err != nil {
		t.Fatalf("written rules do not parse: %v\n%s", err, buf.String())
	}
	for i := range rules {
		rules[i].Pos, again[i].Pos = Pos{}, Pos{}
	}
	if !reflect.DeepEqual(rules, again) {
		t.Fatalf("round trip changed the rules:\n%+v\n%+v", rules, again)
	}
}

func TestAddRules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flow.noise")
	learned := []Rule{
		{Scope: Scope{Method: "GET", Path: "/api/launch/{id}"}, Action: IgnoreAction, Target: BodyTarget, Expr: "$.lastModifiedDate", Comment: "learned"},
		{Action: IgnoreAction, Target: HeaderTarget, Expr: "x-served-by"},
	}

	added, err := AddRules(path, learned)
	if err != nil || len(added) != 2 {
		t.Fatalf("AddRules on a new file: %v, %v", added, err)
	}
	created, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(created), "# Noise rules for apitrail replay") {
		t.Errorf("a new file starts with the format's description, got:\n%s", created)
	}
	if !strings.HasSuffix(string(created), "GET /api/launch/{id}: ignore body $.lastModifiedDate  # learned\nignore header X-Served-By\n") {
		t.Errorf("new file ends:\n%s", created)
	}

	// The user edits the file; adding again keeps the edit and skips rules already there.
	edited := string(created) + "# my own note\nignore header X-Mine"
	os.WriteFile(path, []byte(edited), 0o600)
	os.Chmod(path, 0o600)
	added, err = AddRules(path, append(learned, Rule{Action: IgnoreAction, Target: BodyTarget, Expr: "$['new']"}))
	if err != nil || len(added) != 1 || added[0].Expr != "$.new" {
		t.Fatalf("AddRules again: %+v, %v", added, err)
	}
	got, _ := os.ReadFile(path)
	if want := edited + "\nignore body $.new\n"; string(got) != want {
		t.Errorf("after a second add:\n%s\nwant:\n%s", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want the user's 0600 kept", fi.Mode().Perm())
	}

	// A file with a mistake is left alone.
	os.WriteFile(path, []byte("ignore bdy $.x\n"), 0o644)
	if _, err := AddRules(path, learned); err == nil || !strings.Contains(err.Error(), path+":1:") {
		t.Errorf("AddRules on a broken file: err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "ignore bdy $.x\n" {
		t.Errorf("broken file was changed to %q", got)
	}

	// A bad rule is refused before anything is written.
	os.Remove(path)
	if _, err := AddRules(path, []Rule{{Action: IgnoreAction, Target: BodyTarget, Expr: "content.id"}}); err == nil {
		t.Error("AddRules took a path without $")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused add created the file: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestRulesFileFor(t *testing.T) {
	if got := RulesFileFor("recordings/launches.har"); got != "recordings/launches.noise" {
		t.Errorf("RulesFileFor = %s", got)
	}
	if _, err := LoadRules(filepath.Join(t.TempDir(), "none.noise")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadRules on a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestScopeCovers(t *testing.T) {
	op := Operation{Method: "get", Path: "/api/launch/{launchId}/tags", ID: "getTags"}
	for _, tc := range []struct {
		scope  Scope
		covers bool
		reason string
	}{
		{Scope{}, true, "global"},
		{Scope{Method: "GET", Path: "/api/launch/{id}/tags"}, true, "parameter names do not matter, method case does not"},
		{Scope{Method: "POST", Path: "/api/launch/{id}/tags"}, false, "other method"},
		{Scope{Method: "GET", Path: "/api/launch/{id}"}, false, "other path"},
		{Scope{Method: "GET", Path: "/api/launch/tags"}, false, "a literal segment is not a parameter"},
		{Scope{OperationID: "getTags"}, true, "operationId"},
		{Scope{OperationID: "getTags_1"}, false, "other operationId"},
	} {
		if got := tc.scope.covers(op); got != tc.covers {
			t.Errorf("%s: %q covers %+v = %v", tc.reason, tc.scope, op, got)
		}
	}
}
