package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func init() {
	commands["read"] = command{summary: "time har's streaming reader against os.ReadFile + json.Unmarshal, in fresh processes", run: runRead}
}

// A reading side: how the child process reads the recording.
type readSide struct {
	key, name string
}

var readSides = []readSide{
	{"har", "har.Reader, a decoder per core (ReaderOptions.Decoders)"},
	{"har1", "har.Reader, entry by entry on one goroutine"},
	{"unmarshal", "os.ReadFile + json.Unmarshal"},
}

// runRead times each way of reading a recording in fresh processes of the
// small program readone, taking turns, so that no side inherits a heap
// from another and a burst of other work lands on every side alike.
func runRead(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench read", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 62000, "entries of the generated recording (62,000 make about 100 MB)")
	runs := fs.Int("runs", 3, "runs of each side, in fresh processes, taking turns")
	harPath := fs.String("har", "", "a recording made by 'bench har' to read instead of generating one")
	doc := fs.String("spec", "", "OpenAPI document the generated calls follow (default: TestOps 26.1.1 from ../shared, else the sandbox's)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *n <= 0 || *runs <= 0 {
		fmt.Fprintln(stderr, "bench: error: -n and -runs must be more than 0")
		return 2
	}
	dir, err := os.MkdirTemp("", "apitrail-bench-read-")
	if err != nil {
		return fail(stderr, err)
	}
	defer os.RemoveAll(dir)
	outPath := filepath.Join(dir, "out.txt")
	bins, err := build(dir, "./internal/bench/readone")
	if err != nil {
		return fail(stderr, err)
	}
	self := bins[0]
	docPath, cleanup, err := document(*doc)
	if err != nil {
		return fail(stderr, err)
	}
	defer cleanup()
	path, fi, err := recording(*harPath, dir, docPath, *n, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	*harPath = path
	// One read first, not timed, so that every timed run finds the file
	// in the page cache alike.
	if _, _, err := measure(outPath, self, "har1", *harPath); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "recording: %s, %.1f MB; %s\n", *harPath, float64(fi.Size())/1e6, machine())
	got := make([][]sample, len(readSides))
	heaps := make([]float64, len(readSides))
	entries := -1
	for run := range *runs {
		for i, side := range readSides {
			s, out, err := measure(outPath, self, side.key, *harPath)
			if err != nil {
				return fail(stderr, fmt.Errorf("%s: %v", side.name, err))
			}
			var heapMB float64
			if _, err := fmt.Sscanf(out, "%d entries, peak heap %f MB", &s.entries, &heapMB); err != nil {
				return fail(stderr, fmt.Errorf("%s printed %q", side.name, out))
			}
			if entries >= 0 && s.entries != entries {
				return fail(stderr, fmt.Errorf("%s read %d entries and another side %d: they must agree before their times mean anything", side.name, s.entries, entries))
			}
			entries = s.entries
			heaps[i] = max(heaps[i], heapMB)
			got[i] = append(got[i], s)
			fmt.Fprintf(stderr, "bench: run %d: %s %.2fs (CPU %.2fs) %.0f MB RSS, %.0f MB heap\n", run+1, side.name, s.wall, s.cpu, s.rssMB, heapMB)
		}
	}
	base := got[len(got)-1]
	fmt.Fprintf(stdout, "%d entries read by every side\n\n", entries)
	fmt.Fprintln(stdout, "| reader | wall min / median / max | MB/s (median wall) | CPU median | peak RSS max | peak heap max | ReadFile+Unmarshal ÷ it, wall: min / median / max | CPU: min / median / max |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for i, side := range readSides {
		m := summarize(got[i], base)
		w, c, r, cr := m.wall, m.cpu, m.ratio, m.cpuRatio
		fmt.Fprintf(stdout, "| %s | %.2f / %.2f / %.2f s | %.0f | %.2f s | %.0f MB | %.0f MB | %.2f / %.2f / %.2fx | %.2f / %.2f / %.2fx |\n",
			side.name, w[0], w[1], w[2], float64(fi.Size())/1e6/w[1], c[1], m.rssMB, heaps[i], r[0], r[1], r[2], cr[0], cr[1], cr[2])
	}
	return 0
}
