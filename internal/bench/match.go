package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/internal/bench/gen"
)

func init() {
	commands["match"] = command{summary: "time match against the naive program on a generated recording", run: runMatch}
}

// variant is one way of running match, timed against the naive program.
type variant struct {
	name string
	args []string // before the recording
	json bool     // its output is --json, from which the routed calls are counted
}

var host = []string{"--host", gen.Host}

// allVariants are the runs of match the harness knows, by -variants key.
var allVariants = map[string]variant{
	"q":         {name: "match -q --no-checks --host", args: append([]string{"-q", "--no-checks"}, host...)},
	"json-host": {name: "match --json --host", args: append([]string{"--json"}, host...), json: true},
	"json":      {name: "match --json (two passes)", args: []string{"--json"}, json: true},
	"text":      {name: "match (text table)", args: nil},
	"coverage":  {name: "match --coverage --strict", args: []string{"--coverage", "--strict"}},
}

func variantKeys() []string {
	var out []string
	for k := range allVariants {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func runMatch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 200000, "entries of the generated recording")
	runs := fs.Int("runs", 3, "runs of each side, in fresh processes")
	harPath := fs.String("har", "", "a recording made by 'bench har' to use instead of generating one")
	doc := fs.String("spec", "", "OpenAPI document (default: TestOps 26.1.1 from ../shared, else the sandbox's)")
	which := fs.String("variants", "q,json-host", "match runs to time, of: "+strings.Join(variantKeys(), ","))
	keep := fs.Bool("keep", false, "keep the temporary folder (binaries, recording, outputs)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	docPath, cleanup, err := document(*doc)
	if err != nil {
		return fail(stderr, err)
	}
	defer cleanup()
	dir, err := os.MkdirTemp("", "apitrail-bench-match-")
	if err != nil {
		return fail(stderr, err)
	}
	if *keep {
		fmt.Fprintf(stderr, "bench: keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bins, err := build(dir, "./cmd/match", "./internal/bench/naive")
	if err != nil {
		return fail(stderr, err)
	}
	matchBin, naiveBin := bins[0], bins[1]
	path, fi, err := recording(*harPath, dir, docPath, *n, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	*harPath = path
	var variants []variant
	for _, k := range strings.Split(*which, ",") {
		v, ok := allVariants[k]
		if !ok {
			return fail(stderr, fmt.Errorf("-variants: no %q (there are %s)", k, strings.Join(variantKeys(), ", ")))
		}
		variants = append(variants, v)
	}
	fmt.Fprintf(stdout, "recording: %s, %.1f MB; spec: %s; %s\n", *harPath, float64(fi.Size())/1e6, docPath, machine())
	naive := make([]sample, 0, *runs)
	got := make([][]sample, len(variants))
	calls, routed := 0, 0
	for run := 0; run < *runs; run++ {
		// The naive program and match take turns in every run, so that a
		// burst of other work on the machine lands on both sides alike.
		s, out, err := measure(filepath.Join(dir, "naive.out"), naiveBin, docPath, *harPath)
		if err != nil {
			return fail(stderr, fmt.Errorf("naive program: %v", err))
		}
		if _, err := fmt.Sscanf(out, "%d calls, %d routed", &calls, &routed); err != nil {
			return fail(stderr, fmt.Errorf("naive program printed %q", out))
		}
		s.entries = calls
		naive = append(naive, s)
		fmt.Fprintf(stderr, "bench: run %d: naive %.2fs (CPU %.2fs) %.0f MB\n", run+1, s.wall, s.cpu, s.rssMB)
		for i, v := range variants {
			outPath := filepath.Join(dir, "match.out")
			args := append(append([]string{"--spec", docPath}, v.args...), *harPath)
			s, _, err := measure(outPath, matchBin, args...)
			if err != nil && !strings.Contains(err.Error(), "exit status 1") {
				return fail(stderr, fmt.Errorf("%s: %v", v.name, err))
			}
			s.entries = calls
			got[i] = append(got[i], s)
			fmt.Fprintf(stderr, "bench: run %d: %s %.2fs (CPU %.2fs) %.0f MB\n", run+1, v.name, s.wall, s.cpu, s.rssMB)
			if v.json && run == 0 {
				m, err := routedCalls(outPath)
				if err != nil {
					return fail(stderr, err)
				}
				if m != routed {
					return fail(stderr, fmt.Errorf("%s routed %d calls and the naive program %d: they must agree before their times mean anything", v.name, m, routed))
				}
				fmt.Fprintf(stderr, "bench: %s and the naive program both routed %d of %d calls\n", v.name, m, calls)
			}
			os.Remove(outPath)
		}
	}
	fmt.Fprintf(stdout, "%d calls, %d routed by both sides\n\n", calls, routed)
	fmt.Fprintln(stdout, "| program | wall min / median / max | entries/s (median wall) | CPU median | peak RSS max | naive ÷ it, wall: min / median / max | CPU: min / median / max |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|---:|---:|")
	row := func(name string, ss []sample) {
		m := summarize(ss, naive)
		w, c, r, cr := m.wall, m.cpu, m.ratio, m.cpuRatio
		fmt.Fprintf(stdout, "| %s | %.2f / %.2f / %.2f s | %.0f | %.2f s | %.0f MB | %.2f / %.2f / %.2fx | %.2f / %.2f / %.2fx |\n",
			name, w[0], w[1], w[2], float64(calls)/w[1], c[1], m.rssMB, r[0], r[1], r[2], cr[0], cr[1], cr[2])
	}
	row("naive (encoding/json Decoder + gorillamux)", naive)
	for i, v := range variants {
		row(v.name, got[i])
	}
	return 0
}

// routedCalls counts the entries of match --json output that name an
// operation, as the naive program counts the routes it finds.
func routedCalls(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	n := 0
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			var r struct {
				Kind      string          `json:"kind"`
				Operation json.RawMessage `json:"operation"`
			}
			if err := json.Unmarshal(line, &r); err != nil {
				return 0, fmt.Errorf("%s: %v", path, err)
			}
			if r.Kind == "entry" && len(r.Operation) > 0 && string(r.Operation) != "null" {
				n++
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}
