package replaybench

import (
	"strings"
	"testing"
	"time"
)

// rowOf is the index of the row whose text starts with where.
func rowOf(t *testing.T, where string) int {
	t.Helper()
	for i, r := range rows {
		if strings.HasPrefix(r.where, where) {
			return i
		}
	}
	t.Fatalf("no row %q", where)
	return -1
}

func TestClassifyCountsAStackUnderItsFirstRow(t *testing.T) {
	row := func(where string) int { return rowOf(t, where) }
	for _, c := range []struct {
		reason string
		stack  []string // leaf first
		want   int
	}{
		{"a check made while planning is the planning's, not the answers'",
			[]string{"openapi3.(*Schema).VisitJSON", "github.com/apitrail/apitrail/spec.(*Index).Check", "github.com/apitrail/apitrail/match.(*Matcher).Entry", "github.com/apitrail/apitrail/replay.NewPlan.func1"},
			row("schema checks of the recorded")},
		{"a check of an answer is the spec's even under replay's runner",
			[]string{"github.com/apitrail/apitrail/spec.(*Index).Check", "github.com/apitrail/apitrail/replay.(*runner).compare", "github.com/apitrail/apitrail/replay.(*runner).call"},
			row("schema checks of the new")},
		{"redaction needs replay's runner below it",
			[]string{"github.com/apitrail/apitrail/har.(*Redactor).Header", "github.com/apitrail/apitrail/replay.(*runner).headers"},
			row("redaction of each call")},
		{"redaction of the recording's secrets is its own row, whoever asks",
			[]string{"github.com/apitrail/apitrail/har.(*Redactor).Entry", "github.com/apitrail/apitrail/har.(*Redactor).Secrets", "github.com/apitrail/apitrail/match.(*Matcher).ObserveAll.func1"},
			row("the recording's secrets")},
		{"the collector's own goroutine",
			[]string{"runtime.gcDrain", "runtime.gcBgMarkWorker"},
			row("garbage collection")},
		{"the benchmark writing its recording is left out",
			[]string{"github.com/apitrail/apitrail/har.(*Redactor).URL", "github.com/apitrail/apitrail/internal/replaybench.WriteRecording"},
			0},
		{"what no row names",
			[]string{"runtime.schedule", "runtime.mcall"},
			len(rows) - 1},
	} {
		if got := classify(c.stack); got != c.want {
			t.Errorf("%s: row %q, want %q", c.reason, rows[got].where, rows[c.want].where)
		}
	}
}

func TestTallyReadsPprofTraces(t *testing.T) {
	const traces = `File: replay.test
Build ID: 42f673d55be9365f1c92e40aa944cac99ae1de80
Type: cpu
Duration: 17.96s, Total samples = 8.45s (47.04%)
-----------+-------------------------------------------------------
      10ms   runtime.bgsweep
-----------+-------------------------------------------------------
     1.20s   runtime.scanobject
             runtime.gcDrain
             runtime.gcBgMarkWorker
-----------+-------------------------------------------------------
     30ms   github.com/apitrail/apitrail/correlate.requestValues
             github.com/apitrail/apitrail/correlate.Analyze.func1
             github.com/apitrail/apitrail/internal/parallel.For.func1
-----------+-------------------------------------------------------
     20ms   github.com/apitrail/apitrail/correlate.isNumber
             github.com/apitrail/apitrail/correlate.Analyze
-----------+-------------------------------------------------------
`
	sums, err := tally(strings.NewReader(traces))
	if err != nil {
		t.Fatal(err)
	}
	gc, corr, other := sums[rowOf(t, "garbage collection")], sums[rowOf(t, "correlation")], sums[len(rows)-1]
	if gc != 1200*time.Millisecond || corr != 50*time.Millisecond || other != 10*time.Millisecond {
		t.Errorf("gc %v, correlation %v, other %v; want 1.2s, 50ms, 10ms", gc, corr, other)
	}
	if _, err := tally(strings.NewReader("-----------+----\n  lots   runtime.main\n")); err == nil {
		t.Error("a sample value that is no duration must be an error")
	}
}
