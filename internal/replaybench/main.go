package replaybench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"github.com/apitrail/apitrail/internal/benchproc"
)

const usage = `Usage: go run ./internal/bench replay [options]

Measures replay end to end against the local instance: writes a recording
of --calls GET calls whose answers are the instance's own, starts the
instance (cmd/sandbox) as a process of its own on loopback, then runs the
replay built from this tree and the one built from --base, alternately,
--runs times each, every run a fresh process, and prints calls/s of each
run, the CPU time of the replay process per call, and the ratio of each
pair (min, median, max).

Run it from the module root.

Options:
      --base REV          the git revision to compare with (default c6be1f5,
                          the commit before replay's per-call work was made
                          faster); empty to time this tree alone
      --calls N           calls in the recording (default 2000)
      --runs N            runs of each binary (default 3)
  -c, --concurrency N     replay's -c (default 16)
      --record FILE       only write the recording of --calls calls, made
                          against --endpoint, to FILE (for profiling by hand)
      --endpoint URL      the running instance --record asks
      --keep DIR          build and write into DIR and keep it (default: a
                          temporary folder, removed at the end)
      --profile           instead of timing processes, run cmd/replay's
                          BenchmarkReplay (the whole command in one process,
                          the instance in its own) with a CPU profile on each
                          side, and print where the CPU of a replayed call
                          goes, by owner, in µs per call: the table of
                          docs/benchmarks.md's "What bounds it"
      --iterations N      --profile's benchmark iterations of 2000 calls
                          (default 8)
  -h, --help              show this help

Exit codes: 0 measured, 2 a build, the instance or a run failed.
`

// Main is the harness's command: run(args, stdout, stderr) as a benchmark
// harness's subcommand calls it.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replaybench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	base := fs.String("base", "c6be1f5", "")
	calls := fs.Int("calls", 2000, "")
	runs := fs.Int("runs", 3, "")
	conc := fs.IntP("concurrency", "c", 16, "")
	keep := fs.String("keep", "", "")
	record := fs.String("record", "", "")
	endpoint := fs.String("endpoint", "", "")
	profile := fs.Bool("profile", false, "")
	iterations := fs.Int("iterations", 8, "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "bench: error: %v\nbench: hint: run 'go run ./internal/bench replay --help' for usage\n", err)
		return 2
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if *calls <= 0 || *runs <= 0 || *conc <= 0 || *iterations <= 0 {
		fmt.Fprintln(stderr, "bench: error: --calls, --runs, --concurrency and --iterations must be more than 0")
		return 2
	}
	if *profile {
		if err := profileBoth(context.Background(), stdout, stderr, *base, *iterations, *keep); err != nil {
			fmt.Fprintf(stderr, "bench: error: %v\n", err)
			return 2
		}
		return 0
	}
	if *record != "" {
		if *endpoint == "" {
			fmt.Fprintln(stderr, "bench: error: --record needs --endpoint")
			return 2
		}
		if err := recordTo(*record, *endpoint, *calls); err != nil {
			fmt.Fprintf(stderr, "bench: error: %v\n", err)
			return 2
		}
		return 0
	}
	if err := measure(context.Background(), stdout, stderr, *base, *calls, *runs, *conc, *keep); err != nil {
		fmt.Fprintf(stderr, "bench: error: %v\n", err)
		return 2
	}
	return 0
}

// workDir is --keep, made if need be, or a new temporary folder that done
// removes.
func workDir(keep string) (dir string, done func(), err error) {
	if keep == "" {
		d, err := os.MkdirTemp("", "replaybench-")
		if err != nil {
			return "", nil, err
		}
		return d, func() { os.RemoveAll(d) }, nil
	}
	return keep, func() {}, os.MkdirAll(keep, 0o755)
}

// profileBoth profiles BenchmarkReplay on this tree and, unless base is
// empty, on base's with this tree's benchmark, and prints the table.
func profileBoth(ctx context.Context, stdout, stderr io.Writer, base string, iterations int, keep string) error {
	dir, done, err := workDir(keep)
	if err != nil {
		return err
	}
	defer done()
	sides, trees := []string{"new"}, map[string]string{"new": "."}
	if base != "" {
		src := filepath.Join(dir, "base-src")
		if err := export(base, src); err != nil {
			return err
		}
		if err := withBench(src); err != nil {
			return err
		}
		sides, trees["base"] = []string{"base", "new"}, src
	}
	fmt.Fprintf(stdout, "machine: %s\n", machine())
	fmt.Fprintf(stdout, "BenchmarkReplay, %d iterations of %d calls on each side, one side after the other\n\n", iterations, BenchCalls)
	sums := map[string][]time.Duration{}
	for _, side := range sides {
		fmt.Fprintf(stderr, "profiling %s\n", side)
		if sums[side], err = profileSide(ctx, trees[side], dir, side, iterations); err != nil {
			return err
		}
	}
	printProfile(stdout, sides, sums, iterations*BenchCalls)
	fmt.Fprintf(stdout, "\nafter: %s\n", loadAvg())
	return nil
}

func measure(ctx context.Context, stdout, stderr io.Writer, base string, calls, runs, conc int, keep string) error {
	dir, done, err := workDir(keep)
	if err != nil {
		return err
	}
	defer done()
	bins := map[string]string{"new": filepath.Join(dir, "replay-new"), "sandbox": filepath.Join(dir, "sandbox")}
	fmt.Fprintln(stderr, "building replay and sandbox from this tree")
	if err := goBuild(".", bins["new"], "./cmd/replay"); err != nil {
		return err
	}
	// The instance is the same for both sides: this tree's.
	if err := goBuild(".", bins["sandbox"], "./cmd/sandbox"); err != nil {
		return err
	}
	sides := []string{"new"}
	if base != "" {
		fmt.Fprintf(stderr, "building replay at %s\n", base)
		src := filepath.Join(dir, "base-src")
		if err := export(base, src); err != nil {
			return err
		}
		bins["base"] = filepath.Join(dir, "replay-base")
		if err := goBuild(src, bins["base"], "./cmd/replay"); err != nil {
			return err
		}
		sides = []string{"base", "new"}
	}

	sb, err := StartSandbox(bins["sandbox"])
	if err != nil {
		return err
	}
	defer sb.Close()
	rec := filepath.Join(dir, "recording.har")
	if err := recordTo(rec, sb.URL, calls); err != nil {
		return err
	}
	args := ReplayArgs(sb.URL, rec, conc)

	fmt.Fprintf(stdout, "machine: %s\n", machine())
	fmt.Fprintf(stdout, "recording: %d calls; instance: %s (its own process); replay %s\n\n", calls, sb.URL, strings.Join(args, " "))
	fmt.Fprintf(stdout, "| run | side | seconds | calls/s | CPU seconds | CPU µs/call |\n|---|---|---:|---:|---:|---:|\n")
	rates, cpus := map[string][]float64{}, map[string][]float64{}
	for i := range runs {
		for _, side := range sides {
			t, _, err := TimeReplay(ctx, bins[side], args)
			if err != nil {
				return err
			}
			r, c := float64(calls)/t.Wall.Seconds(), float64(t.CPU.Microseconds())/float64(calls)
			rates[side], cpus[side] = append(rates[side], r), append(cpus[side], c)
			fmt.Fprintf(stdout, "| %d | %s | %.2f | %.0f | %.2f | %.0f |\n", i+1, side, t.Wall.Seconds(), r, t.CPU.Seconds(), c)
		}
	}
	fmt.Fprintln(stdout)
	for _, side := range sides {
		r, c := benchproc.Stats(rates[side]), benchproc.Stats(cpus[side])
		fmt.Fprintf(stdout, "%s: calls/s min %.0f, median %.0f, max %.0f; CPU µs/call min %.0f, median %.0f, max %.0f\n", side, r[0], r[1], r[2], c[0], c[1], c[2])
	}
	if base != "" {
		ratios, cpuRatios := make([]float64, runs), make([]float64, runs)
		for i := range runs {
			ratios[i] = rates["new"][i] / rates["base"][i]
			cpuRatios[i] = cpus["base"][i] / cpus["new"][i]
		}
		r, c := benchproc.Stats(ratios), benchproc.Stats(cpuRatios)
		fmt.Fprintf(stdout, "calls/s new/base, pairs run back to back: min %.2fx, median %.2fx, max %.2fx\n", r[0], r[1], r[2])
		fmt.Fprintf(stdout, "CPU per call base/new, same pairs: min %.2fx, median %.2fx, max %.2fx\n", c[0], c[1], c[2])
	}
	fmt.Fprintf(stdout, "after: %s\n", loadAvg())
	return nil
}

func recordTo(name, endpoint string, calls int) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := WriteRecording(context.Background(), f, endpoint, calls); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func goBuild(dir, out, pkg string) error {
	if b, err := benchproc.GoBuild(dir, out, pkg); err != nil {
		return fmt.Errorf("go build %s in %s: %v: %s", pkg, dir, err, b)
	}
	return nil
}

// export writes the tree of a revision into dir with git archive, which
// leaves the repository's worktrees and index alone.
func export(rev, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	arch := exec.Command("git", "archive", "--format=tar", rev)
	untar := exec.Command("tar", "-x", "-C", dir)
	pipe, err := arch.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	var msg strings.Builder
	arch.Stderr, untar.Stderr = &msg, &msg
	if err := untar.Start(); err != nil {
		return err
	}
	if err := arch.Run(); err != nil {
		untar.Wait()
		return fmt.Errorf("git archive %s: %v: %s", rev, err, msg.String())
	}
	if err := untar.Wait(); err != nil {
		return fmt.Errorf("unpacking %s: %v: %s", rev, err, msg.String())
	}
	return nil
}

// machine names the machine the figures come from, and its load, which
// other work on a shared machine adds to.
func machine() string {
	cpu := benchproc.CPUModel()
	if cpu == "" {
		cpu = "cpu unknown"
	}
	return fmt.Sprintf("%s/%s, %d cores, %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, loadAvg())
}

// loadAvg is the load averages and when they were read.
func loadAvg() string {
	l := benchproc.LoadAvg()
	if l == nil {
		return "load unknown"
	}
	return "load average " + strings.Join(l, " ") + " at " + time.Now().UTC().Format("15:04 UTC")
}
