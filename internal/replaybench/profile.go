package replaybench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// A profile row: where the CPU of a replayed call goes, by owner. Each
// sample's stack is counted once, under the first row one of whose frame
// patterns it holds; a pattern of several parts (joined by " under ")
// needs every part in the stack.
type row struct {
	where, owner string
	frames       []string
}

// rows are the profile table's rows in docs/benchmarks.md's order, which
// is the order they are matched in; the first is the set-up, left out.
var rows = []row{
	{"benchmark set-up (left out)", "", []string{"replaybench.WriteRecording", "replaybench.StartSandbox", "os/exec."}},
	{"garbage collection (`gcBgMarkWorker`)", "all", []string{"runtime.gcBgMarkWorker"}},
	{"schema checks of the recorded exchanges (planning)", "spec", []string{"spec.(*Index).Check under replay.NewPlan"}},
	{"schema checks of the new answers (`spec.(*Index).Check`)", "spec", []string{"spec.(*Index).Check"}},
	{"the recording's secrets (`har.(*Redactor).Secrets`)", "har", []string{"har.(*Redactor).Secrets"}},
	{"HAR reading (`har.ReadFile`)", "har", []string{"replayRun).readHAR"}},
	{"spec discovery and loading", "spec", []string{"SpecFlags).For", "SpecFlags).Index"}},
	{"matching the recorded calls (`match.(*Matcher).Entry`)", "match", []string{"match.(*Matcher).Entry", "match.(*Matcher).SoleHost"}},
	{"correlation (`correlate.Analyze`)", "correlate", []string{"correlate.Analyze"}},
	{"diffing (`diff.(*Differ)`)", "diff", []string{"diff.(*Differ)"}},
	{"redaction of each call (`har.(*Redactor)`)", "har", []string{"har.(*Redactor) under replay.(*runner)", "har.(*Redactor) under replay.(*Plan).Run"}},
	{"sending and reading (`runner.send`, net/http's connection goroutines)", "replay, net/http", []string{"runner).send", "net/http.(*persistConn)"}},
	{"the rest of replay's per-call code and planning", "replay", []string{"replay.(*runner)", "replay.(*Plan).Run", "replay.NewPlan"}},
	{"the rest of cmd/replay", "cmd/replay", []string{"cmd/replay.run"}},
	{"other (the runtime's scheduler and allocator, start-up)", "", nil},
}

// classify returns the index in rows of the row a stack (leaf first)
// counts under.
func classify(stack []string) int {
	has := func(part string) bool {
		for _, f := range stack {
			if strings.Contains(f, part) {
				return true
			}
		}
		return false
	}
	for i, r := range rows {
		for _, pat := range r.frames {
			all := true
			for _, part := range strings.Split(pat, " under ") {
				all = all && has(part)
			}
			if all {
				return i
			}
		}
	}
	return len(rows) - 1
}

// tally reads `go tool pprof -traces` output and sums the samples of each
// row.
func tally(traces io.Reader) ([]time.Duration, error) {
	sums := make([]time.Duration, len(rows))
	var stack []string
	var value time.Duration
	flush := func() {
		if len(stack) > 0 {
			sums[classify(stack)] += value
		}
		stack, value = nil, 0
	}
	sc := bufio.NewScanner(traces)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	started := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----------+") {
			flush()
			started = true
			continue
		}
		if !started || strings.TrimSpace(line) == "" {
			continue // the header: file, build id, type, duration
		}
		fields := strings.Fields(line)
		if len(stack) == 0 && len(fields) >= 2 {
			d, err := time.ParseDuration(fields[0])
			if err != nil {
				return nil, fmt.Errorf("a sample's value %q: %v", fields[0], err)
			}
			value = d
			stack = append(stack, fields[1])
			continue
		}
		stack = append(stack, fields[0])
	}
	flush()
	return sums, sc.Err()
}

// profileSide builds the test binary of cmd/replay in tree and runs its
// BenchmarkReplay iterations times with a CPU profile, then reads the
// profile's stacks. tree must hold internal/replaybench, internal/benchproc
// and cmd/replay/bench_test.go (see withBench).
func profileSide(ctx context.Context, tree, dir, side string, iterations int) ([]time.Duration, error) {
	bin := filepath.Join(dir, "replay-"+side+".test")
	prof := filepath.Join(dir, side+".prof")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, "./cmd/replay")
	build.Dir = tree
	if b, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go test -c ./cmd/replay in %s: %v: %s", tree, err, b)
	}
	// The benchmark builds the sandbox from ../sandbox: it runs in the
	// package's folder, as go test runs it.
	bench := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", "BenchmarkReplay",
		"-test.benchtime", fmt.Sprintf("%dx", iterations), "-test.cpuprofile", prof)
	bench.Dir = filepath.Join(tree, "cmd", "replay")
	if b, err := bench.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("BenchmarkReplay of %s: %v: %s", side, err, b)
	}
	traces := exec.CommandContext(ctx, "go", "tool", "pprof", "-traces", bin, prof)
	out, err := traces.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var msg strings.Builder
	traces.Stderr = &msg
	if err := traces.Start(); err != nil {
		return nil, err
	}
	sums, terr := tally(out)
	io.Copy(io.Discard, out)
	if err := traces.Wait(); err != nil {
		return nil, fmt.Errorf("go tool pprof -traces: %v: %s", err, msg.String())
	}
	return sums, terr
}

// withBench copies this tree's benchmark (internal/replaybench, the
// internal/benchproc it imports, and cmd/replay/bench_test.go) into an
// exported tree that lacks them, so that both sides run the same benchmark.
func withBench(tree string) error {
	for _, pkg := range []string{"replaybench", "benchproc"} {
		// Replaced, not merged: a base that has the package keeps none
		// of its own files beside this tree's.
		dst := filepath.Join(tree, "internal", pkg)
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
		if err := os.CopyFS(dst, os.DirFS(filepath.Join("internal", pkg))); err != nil {
			return fmt.Errorf("copying internal/%s into %s: %v", pkg, tree, err)
		}
	}
	b, err := os.ReadFile(filepath.Join("cmd", "replay", "bench_test.go"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(tree, "cmd", "replay", "bench_test.go"), b, 0o644)
}

// printProfile prints the table of docs/benchmarks.md's "What bounds it"
// from the sums of each side, in µs per replayed call.
func printProfile(w io.Writer, sides []string, sums map[string][]time.Duration, calls int) {
	perCall := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(calls) }
	total := map[string]time.Duration{}
	for _, s := range sides {
		for i, d := range sums[s] {
			if i > 0 { // the set-up is left out
				total[s] += d
			}
		}
	}
	last := sides[len(sides)-1]
	fmt.Fprintf(w, "| where | owner |")
	for _, s := range sides {
		fmt.Fprintf(w, " %s µs/call |", s)
	}
	fmt.Fprintf(w, " %s share |\n|---|---|", last)
	for range sides {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w, "---:|")
	for i := 1; i < len(rows); i++ {
		fmt.Fprintf(w, "| %s | %s |", rows[i].where, rows[i].owner)
		for _, s := range sides {
			fmt.Fprintf(w, " %.0f |", perCall(sums[s][i]))
		}
		share := 0.0
		if total[last] > 0 {
			share = 100 * float64(sums[last][i]) / float64(total[last])
		}
		fmt.Fprintf(w, " %.0f %% |\n", share)
	}
	fmt.Fprint(w, "| total sampled | |")
	for _, s := range sides {
		fmt.Fprintf(w, " %.0f |", perCall(total[s]))
	}
	fmt.Fprintln(w, " |")
}
