package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/apitrail/apitrail/internal/benchproc"
	"github.com/apitrail/apitrail/internal/planbench"
)

func init() {
	commands["plan"] = command{summary: "replay --dry-run of a short and a ten times longer flow: is planning linear", run: runPlan}
}

// runPlan times replay --dry-run on N and 10N calls in fresh processes: the
// ratio of the two is what tells linear planning (10x) from quadratic (100x).
func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 2000, "calls in the short flow; the long one has ten times as many")
	runs := fs.Int("runs", 3, "fresh processes per size")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *n <= 0 || *runs <= 0 {
		fmt.Fprintln(stderr, "bench: error: -n and -runs must be more than 0")
		return 2
	}
	dir, err := os.MkdirTemp("", "bench-plan-")
	if err != nil {
		return fail(stderr, err)
	}
	defer os.RemoveAll(dir)
	bins, err := build(dir, "./cmd/replay")
	if err != nil {
		return fail(stderr, err)
	}
	sizes := []int{*n, 10 * *n}
	for _, size := range sizes {
		if err := planbench.WriteFolder(filepath.Join(dir, strconv.Itoa(size)), size); err != nil {
			return fail(stderr, err)
		}
	}
	fmt.Fprintf(stdout, "machine: %s\n", machine())
	var wall, cpu []float64
	for r := 0; r < *runs; r++ {
		var got [2]sample
		for i, size := range sizes {
			f := filepath.Join(dir, strconv.Itoa(size))
			s, _, err := measure(filepath.Join(dir, "out"), bins[0], "--dry-run", "--unsafe",
				"-e", "http://127.0.0.1:9", "--spec", filepath.Join(f, "openapi.json"), filepath.Join(f, "recording.har"))
			if err != nil {
				return fail(stderr, err)
			}
			got[i] = s
		}
		wall = append(wall, got[1].wall/got[0].wall)
		cpu = append(cpu, got[1].cpu/got[0].cpu)
		fmt.Fprintf(stdout, "run %d  %d calls %.2f s wall %.2f s CPU  %d calls %.2f s wall %.2f s CPU %.0f MB  ratio %.1fx wall %.1fx CPU\n",
			r+1, sizes[0], got[0].wall, got[0].cpu, sizes[1], got[1].wall, got[1].cpu, got[1].rssMB, wall[r], cpu[r])
	}
	w, c := benchproc.Stats(wall), benchproc.Stats(cpu)
	fmt.Fprintf(stdout, "ratio min/median/max  wall %.1fx / %.1fx / %.1fx  CPU %.1fx / %.1fx / %.1fx  (linear is 10x; the goal is at most 12x)\n",
		w[0], w[1], w[2], c[0], c[1], c[2])
	return 0
}
