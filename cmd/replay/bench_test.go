package main

// BenchmarkReplay runs replay as a user does (run with the arguments of
// the command line) on a generated recording against the local instance
// running as a process of its own, so that a CPU profile of the benchmark
// is replay's work alone. docs/benchmarks.md ("Replaying against the
// local instance") has the figures, the profile and the commands.

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/apitrail/apitrail/internal/replaybench"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// benchCalls is the size of the recording each iteration replays.
const benchCalls = 2000

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
