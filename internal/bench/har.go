package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apitrail/apitrail/internal/bench/gen"
)

func init() {
	commands["har"] = command{summary: "write a generated recording of N TestOps calls", run: runHAR}
}

func runHAR(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench har", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 200000, "number of entries")
	seed := fs.Uint64("seed", 1, "the traffic's seed")
	out := fs.String("o", "", "file to write (required)")
	doc := fs.String("spec", "", "OpenAPI document the calls follow (default: TestOps 26.1.1 from ../shared, else the sandbox's)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "bench: error: har needs -o FILE")
		return 2
	}
	path, cleanup, err := document(*doc)
	if err != nil {
		return fail(stderr, err)
	}
	defer cleanup()
	if err := writeHAR(path, *out, gen.BigOptions{Options: gen.Options{Entries: *n, Seed: *seed}}); err != nil {
		return fail(stderr, err)
	}
	fi, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "wrote %s: %d entries, %.1f MB, calls from %s\n", *out, *n, float64(fi.Size())/1e6, path)
	return 0
}

// writeHAR writes a generated recording of the calls of the document at
// docPath (see gen.WriteBig); a file it could not finish is removed.
func writeHAR(docPath, out string, opts gen.BigOptions) error {
	ix, err := gen.LoadIndex(docPath)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	err = gen.WriteBig(f, ix, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
	}
	return err
}

// recording returns the recording to time: the one named, else n entries
// of calls to the document docPath generated into dir.
func recording(named, dir, docPath string, n int, stderr io.Writer) (string, os.FileInfo, error) {
	path := named
	if path == "" {
		path = filepath.Join(dir, "recording.har")
		fmt.Fprintf(stderr, "bench: generating %d entries\n", n)
		if err := writeHAR(docPath, path, gen.BigOptions{Options: gen.Options{Entries: n, Seed: 1}}); err != nil {
			return "", nil, err
		}
	}
	fi, err := os.Stat(path)
	return path, fi, err
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "bench: error: %v\n", err)
	return 2
}
