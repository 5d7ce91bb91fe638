package main

// BenchmarkReplay runs replay as a user does (run with the arguments of
// the command line) on a generated recording against the local instance
// running as a process of its own, so that a CPU profile of the benchmark
// is replay's work alone. docs/benchmarks.md ("Replaying against the
// local instance") has the figures, the profile and the commands.

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/replaybench"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// benchCalls is the size of the recording each iteration replays.
const benchCalls = replaybench.BenchCalls

func BenchmarkReplay(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, "../sandbox").CombinedOutput(); err != nil {
		b.Fatalf("building the sandbox: %v: %s", err, out)
	}
	sb, err := replaybench.StartSandbox(bin)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sb.Close)
	rec := filepath.Join(dir, "recording.har")
	f, err := os.Create(rec)
	if err != nil {
		b.Fatal(err)
	}
	if err := replaybench.WriteRecording(context.Background(), f, sb.URL, benchCalls); err != nil {
		b.Fatal(err)
	}
	f.Close()
	getenv := func(k string) string {
		if k == "TESTOPS_TOKEN" {
			return sandbox.SeedAPIToken
		}
		return ""
	}
	args := replaybench.ReplayArgs(sb.URL, rec, 16)
	b.ResetTimer()
	for b.Loop() {
		if code := run(args, nil, io.Discard, io.Discard, getenv); code != 0 {
			b.Fatalf("replay exited %d", code)
		}
	}
	b.ReportMetric(float64(benchCalls*b.N)/b.Elapsed().Seconds(), "calls/s")
}

// TestBenchRecordingReplaysAsRecorded: the harness's recording, made on an
// instance and replayed there at -c 16 as the benchmark runs it, gets
// every answer as recorded, so the benchmark times whole calls (send,
// read, diff, report), none cut short by a skip or a failure.
func TestBenchRecordingReplaysAsRecorded(t *testing.T) {
	in := instance(t, sandbox.Knobs{})
	rec := filepath.Join(t.TempDir(), "recording.har")
	f, err := os.Create(rec)
	if err != nil {
		t.Fatal(err)
	}
	const calls = 50
	if err := replaybench.WriteRecording(context.Background(), f, in.URL(), calls); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), replaybench.ReplayArgs(in.URL(), rec, 16)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if want := fmt.Sprintf("%d calls: %d ok, 0 regression, 0 drift, 0 infrastructure error, 0 skipped", calls, calls); !strings.Contains(out, want) {
		t.Errorf("summary %q, want %q", out, want)
	}
	if strings.Contains(out+errOut, "XSRF-TOKEN=5d3f") || strings.Contains(out+errOut, sandbox.SeedAPIToken) {
		t.Error("a recorded cookie or the API token reached the output")
	}
}
