package htmlreport

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/internal/thirdparty"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
)

// synthetic builds a replay of n calls shaped like a nightly suite's: 50
// flows, most calls ok, one in 100 a regression with a real diff of a
// launch page, one in 100 drift and one in 200 an infrastructure error.
func synthetic(n int) []*replay.Report {
	ops := []*match.Operation{
		{Method: "GET", Path: "/api/launch/{id}", OperationID: "findOne_23", Tag: "launch-controller"},
		{Method: "GET", Path: "/api/project", OperationID: "findAll_22", Tag: "project-controller"},
		{Method: "GET", Path: "/api/testresult", OperationID: "findAll_5", Tag: "test-result-controller"},
		{Method: "POST", Path: "/api/launch", OperationID: "create_32", Tag: "launch-controller"},
	}
	page := func(closedKey string, k int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"content":[`)
		for i := 0; i < 20; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":%d,"name":"launch %d","projectId":1,"%s":false,"createdDate":%d}`, 100+i, i, closedKey, 1764320000000+k)
		}
		b.WriteString(`],"totalElements":20}`)
		return b.Bytes()
	}
	d, err := diff.New(diff.Config{})
	if err != nil {
		panic(err)
	}
	flows := 50
	var reps []*replay.Report
	for f := 0; f < flows; f++ {
		r := &replay.Report{Flow: fmt.Sprintf("flow-%02d", f), Endpoint: "https://testops.example.com", Started: time.Unix(1764320000, 0), Counts: map[replay.Outcome]int{}}
		for i := 0; i < n/flows; i++ {
			seq := i + 1
			op := ops[seq%len(ops)]
			e := &replay.EntryReport{Seq: seq, Method: op.Method, URL: fmt.Sprintf("https://testops.example.com/api/launch/%d?page=0&size=20", 100+seq),
				Operation: op, Verdict: match.Matched, Outcome: replay.OK, RecordedStatus: 200, Status: 200, Attempts: 1, DurationMS: 12,
				Request: &replay.Message{Method: op.Method, URL: "https://testops.example.com/api/launch/1", Header: http.Header{"Accept": {"application/json"}, "Authorization": {"Bearer REDACTED-0123456789abcdef"}}}}
			k := seq + f*n
			switch {
			case k%100 == 0:
				e.Outcome, e.Regression = replay.Regression, true
				e.Diff = d.Compare(diff.Operation{Method: op.Method, Path: op.Path}, diff.Response{Status: 200, Body: page("closed", k), ContentType: "application/json"},
					diff.Response{Status: 200, Body: page("isClosed", k), ContentType: "application/json"})
				e.Substitutions = []correlate.Substitution{{Var: "launchId", Old: "104", New: "106"}}
			case k%100 == 1:
				e.Outcome, e.Drift = replay.Drift, true
			case k%200 == 2:
				e.Outcome, e.Reason, e.Status = replay.Infra, "503 Service Unavailable after 3 retries", 503
			}
			r.Entries = append(r.Entries, e)
			r.Counts[e.Outcome]++
		}
		reps = append(reps, r)
	}
	return reps
}

// TestTenThousandCallsStayUnder5MB holds the report of a 10,000-call
// replay to the size the issue sets; docs/benchmarks.md has the figures.
func TestTenThousandCallsStayUnder5MB(t *testing.T) {
	var b bytes.Buffer
	if err := WriteReplay(&b, synthetic(10000), Options{}); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= 5<<20 {
		t.Errorf("a report of 10,000 calls is %d bytes, over 5 MB", b.Len())
	}
	if !bytes.Contains(b.Bytes(), []byte(`data-outcome="regression"`)) || bytes.Contains(b.Bytes(), []byte("Bearer ")) && !bytes.Contains(b.Bytes(), []byte("REDACTED-")) {
		t.Error("the synthetic report lacks its regressions")
	}
}

// BenchmarkReplayReport10k writes the report of a 10,000-call replay and
// reports its size.
func BenchmarkReplayReport10k(b *testing.B) {
	reps := synthetic(10000)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteReplay(&buf, reps, Options{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}

// BenchmarkChromiumLoad10k loads the report of a 10,000-call replay in
// headless Chromium, in a frame of a page that times it: page-ms is from
// that page's start to the frame's load event, which comes after the
// report's script has run. cpu-ms is the CPU time Chromium spent on it
// beyond what it spends on a blank page: on a shared, busy machine it says
// more than the wall clock.
func BenchmarkChromiumLoad10k(b *testing.B) {
	bin := thirdparty.Chromium(b)
	dir := b.TempDir()
	page := filepath.Join(dir, "replay.html")
	if err := WriteReplayFile(page, synthetic(10000), Options{}); err != nil {
		b.Fatal(err)
	}
	timer := filepath.Join(dir, "timer.html")
	os.WriteFile(timer, []byte(`<!DOCTYPE html><title>-</title><script>var t0 = performance.now();</script>`+
		`<iframe src="replay.html" onload="document.title = String(Math.round(performance.now() - t0))"></iframe>`), 0o644)
	blank := filepath.Join(dir, "blank.html")
	os.WriteFile(blank, []byte(`<!DOCTYPE html><title>-</title><iframe src="about:blank"></iframe>`), 0o644)
	load := func(path string) (cpu time.Duration, pageMS float64) {
		cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+path)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("chromium: %v", err)
		}
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if m := regexp.MustCompile(`<title>(\d+)</title>`).FindSubmatch(out); m != nil {
			pageMS, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		return cpu, pageMS
	}
	load(blank) // a warm profile for both
	var cpuPage, cpuBlank time.Duration
	var ms float64
	for b.Loop() {
		c, p := load(timer)
		if p == 0 {
			b.Fatal("the timing page did not see the report load")
		}
		cpuPage += c
		ms += p
		c, _ = load(blank)
		cpuBlank += c
	}
	b.ReportMetric(ms/float64(b.N), "page-ms")
	b.ReportMetric(float64(cpuPage-cpuBlank)/float64(b.N)/1e6, "cpu-ms")
}
