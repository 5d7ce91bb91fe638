package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/apitrail/apitrail/internal/bench/gen"
)

func init() {
	commands["bighar"] = command{summary: "write a generated recording with a few answers of many megabytes", run: runBigHAR}
}

// runBigHAR writes the recording the memory goal is measured on: entries
// each under 16 MB, a few of them near it. Time match on it with
// 'bench match -har FILE', which reports the peak RSS.
func runBigHAR(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench bighar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 2000, "number of entries")
	big := fs.Int("big", 4, "how many of them are answered with a large page")
	size := fs.Int("size", 15<<20, "bytes of each large answer")
	broken := fs.Bool("broken", true, "break one item of the first large answer, so it is checked the slow way")
	seed := fs.Uint64("seed", 1, "the traffic's seed")
	out := fs.String("o", "", "file to write (required)")
	doc := fs.String("spec", "", "OpenAPI document the calls follow (default: TestOps 26.1.1 from ../shared, else the sandbox's)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "bench: error: bighar needs -o FILE")
		return 2
	}
	path, cleanup, err := document(*doc)
	if err != nil {
		return fail(stderr, err)
	}
	defer cleanup()
	if err := writeHAR(path, *out, gen.BigOptions{Options: gen.Options{Entries: *n, Seed: *seed}, Big: *big, Size: *size, Broken: *broken}); err != nil {
		return fail(stderr, err)
	}
	fi, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "wrote %s: %d entries, %d of about %d bytes, %.1f MB, calls from %s\n", *out, *n, *big, *size, float64(fi.Size())/1e6, path)
	return 0
}
