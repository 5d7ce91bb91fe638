package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// launchPage writes a page of count launches shaped like Allure TestOps'
// GET /api/launch reply. edit, when not nil, may change launch i as it is
// written, and the page number is then 1 instead of 0.
func launchPage(count int, edit func(i int, l map[string]any)) []byte {
	var b bytes.Buffer
	b.WriteString(`{"content":[`)
	n := 0
	for ; n < count; n++ {
		l := map[string]any{
			"id":               json.Number(fmt.Sprint(9007199254740993 + n)), // above 2^53
			"name":             fmt.Sprintf("Nightly regression #%d", n),
			"projectId":        12,
			"closed":           n%3 == 0,
			"createdDate":      json.Number(fmt.Sprint(1700000000000 + n*1000)),
			"lastModifiedDate": json.Number(fmt.Sprint(1700000500000 + n*1000)),
			"createdBy":        "jane.doe",
			"tags":             []any{map[string]any{"id": n % 50, "name": "smoke"}, map[string]any{"id": 2, "name": "nightly"}},
			"statistic": []any{
				map[string]any{"status": "passed", "count": 100 + n%17},
				map[string]any{"status": "failed", "count": n % 5},
				map[string]any{"status": "skipped", "count": 1},
			},
			"links":    []any{},
			"external": false,
			"env":      map[string]any{"browser": "chromium", "os": "linux", "build": fmt.Sprintf("1.%d.0", n%40)},
		}
		if edit != nil {
			edit(n, l)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		enc, _ := json.Marshal(l)
		b.Write(enc)
	}
	page := 0
	if edit != nil {
		page = 1
	}
	fmt.Fprintf(&b, `],"totalElements":%d,"number":%d,"size":%d}`, n, page, n)
	return b.Bytes()
}

// benchBodies are two 10 MB pages that differ in five places: a renamed
// launch, a changed count deep inside, an added member, a removed member
// and a changed total. Generated once, as the benchmarks share them.
var benchBodies = sync.OnceValues(func() ([]byte, []byte) {
	a := launchPage(benchLaunches, nil)
	b := launchPage(benchLaunches, editLaunch)
	return a, b
})

// About 470 bytes a launch: 22,300 launches make 10 MB.
const benchLaunches = 22300

// editLaunch makes the four changes inside the list; launchPage adds a
// fifth, the page number.
func editLaunch(i int, l map[string]any) {
	switch i {
	case 100:
		l["name"] = "Nightly regression (rerun)"
	case 9000:
		l["statistic"].([]any)[1].(map[string]any)["count"] = 42
	case 15000:
		l["retries"] = 2
	case 21000:
		delete(l, "createdBy")
	}
}

func BenchmarkDiff10MB(b *testing.B) {
	recorded, replayed := benchBodies()
	h := http.Header{"Content-Type": {"application/json"}}
	d, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	// The same work the replay engine asks for: parse, compare, list the
	// changes and render the unified diff of the collapsed pretty-print.
	b.Run("structural", func(b *testing.B) {
		b.SetBytes(int64(len(recorded) + len(replayed)))
		for b.Loop() {
			r := d.Compare(Operation{}, Response{Status: 200, Header: h, Body: recorded}, Response{Status: 200, Header: h, Body: replayed})
			if len(r.Body) != 5 || r.Diff == "" {
				b.Fatalf("want 5 changes and a diff, got %d", len(r.Body))
			}
		}
	})
	// Baseline: go-diff's line mode on the raw bodies pretty-printed by
	// json.Indent, which is what a differ without the structural pass
	// would hand it. The indenting is done outside the timer, and go-diff
	// keeps its default one-second time limit.
	b.Run("go-diff-raw-text", func(b *testing.B) {
		ta, tb := indented(b, recorded), indented(b, replayed)
		b.SetBytes(int64(len(recorded) + len(replayed)))
		for b.Loop() {
			goDiffLines(b, ta, tb)
		}
	})
}

func indented(b *testing.B, body []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		b.Fatal(err)
	}
	return buf.String()
}

// goDiffLines is the baseline: go-diff's line mode with its default
// one-second time limit.
func goDiffLines(b *testing.B, ta, tb string) {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = time.Second
	ca, cb, lines := dmp.DiffLinesToChars(ta, tb)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	if len(diffs) < 2 {
		b.Fatal("go-diff found no difference")
	}
}

// BenchmarkDiff10MBNoisy is the case noise rules are for: besides the five
// changes, every launch's lastModifiedDate differs, as it does between a
// recording and a replay. A rule hides them in the structural comparison;
// go-diff on the raw text has to align some 22,000 scattered changes.
func BenchmarkDiff10MBNoisy(b *testing.B) {
	recorded, _ := benchBodies()
	replayed := noisyBody()
	h := http.Header{"Content-Type": {"application/json"}}
	d, err := New(Config{Rules: []Rule{{Action: IgnoreAction, Target: BodyTarget, Expr: "$.content[*].lastModifiedDate"}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("structural", func(b *testing.B) {
		b.SetBytes(int64(len(recorded) + len(replayed)))
		for b.Loop() {
			r := d.Compare(Operation{}, Response{Status: 200, Header: h, Body: recorded}, Response{Status: 200, Header: h, Body: replayed})
			if len(r.Body) != 5 || r.Ignored[0].Differed < 20000 {
				b.Fatalf("want 5 changes and the noise hidden, got %d", len(r.Body))
			}
		}
	})
	b.Run("go-diff-raw-text", func(b *testing.B) {
		ta, tb := indented(b, recorded), indented(b, replayed)
		b.SetBytes(int64(len(recorded) + len(replayed)))
		for b.Loop() {
			goDiffLines(b, ta, tb)
		}
	})
}

var noisyBody = sync.OnceValue(func() []byte {
	return launchPage(benchLaunches, func(i int, l map[string]any) {
		editLaunch(i, l)
		l["lastModifiedDate"] = json.Number(fmt.Sprint(1800000500000 + i*1000))
	})
})

// BenchmarkDiff10MBShifted is the worst case of comparing arrays by index:
// a launch inserted at the front makes every later element differ, so
// nothing collapses and go-diff sees the whole body. (By default the
// content array pairs by id; the rule asks for index.)
func BenchmarkDiff10MBShifted(b *testing.B) {
	recorded, _ := benchBodies()
	shifted := strings.Replace(string(recorded), `{"content":[`, `{"content":[{"id":1},`, 1)
	h := http.Header{"Content-Type": {"application/json"}}
	d, _ := New(Config{Rules: []Rule{{Action: CompareAction, Target: BodyTarget, Expr: "$.content", By: "index"}}})
	b.SetBytes(int64(2 * len(recorded)))
	for b.Loop() {
		r := d.Compare(Operation{}, Response{Status: 200, Header: h, Body: recorded}, Response{Status: 200, Header: h, Body: []byte(shifted)})
		if r.Equal {
			b.Fatal("want a difference")
		}
	}
}

// BenchmarkDiff10MBEqual is the common case of a replay that matches: the
// bodies are equal but a rule is in force, so both are parsed and walked.
func BenchmarkDiff10MBEqual(b *testing.B) {
	recorded, _ := benchBodies()
	h := http.Header{"Content-Type": {"application/json"}}
	d, _ := New(Config{Rules: []Rule{{Action: IgnoreAction, Target: BodyTarget, Expr: "$.content[*].createdDate"}}})
	b.SetBytes(int64(2 * len(recorded)))
	for b.Loop() {
		r := d.Compare(Operation{}, Response{Status: 200, Header: h, Body: recorded}, Response{Status: 200, Header: h, Body: bytes.Clone(recorded)})
		if !r.Equal || r.Ignored[0].Hidden == 0 {
			b.Fatal("want equal bodies with hidden values")
		}
	}
}

// BenchmarkParse10MB is the parsing part of the structural comparison, for
// one body.
func BenchmarkParse10MB(b *testing.B) {
	recorded, _ := benchBodies()
	b.SetBytes(int64(len(recorded)))
	for b.Loop() {
		if _, err := parseJSON(recorded); err != nil {
			b.Fatal(err)
		}
	}
}
