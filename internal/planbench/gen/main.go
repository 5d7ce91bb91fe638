// Command gen writes a recording of N calls (package planbench) and the
// local instance's API document beside it, for timing replay --dry-run:
//
//	go run ./internal/planbench/gen -n 20000 -o /tmp/plan20k
//	replay --dry-run --unsafe -e http://127.0.0.1:9 --spec /tmp/plan20k/openapi.json /tmp/plan20k/recording.har
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/planbench"
	"github.com/apitrail/apitrail/internal/sandbox"
)

func main() {
	n := flag.Int("n", 2000, "calls in the recording")
	dir := flag.String("o", "", "folder to write recording.har and openapi.json into")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen: error: -o DIR is required")
		os.Exit(2)
	}
	if err := write(*n, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen: error:", err)
		os.Exit(2)
	}
}

func write(n int, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries := planbench.Flow(n, "testops.example.com", time.Date(2026, 11, 28, 10, 33, 37, 997e6, time.UTC))
	f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "planbench", Version: "1"}, Entries: entries}}
	if err := har.WriteFile(filepath.Join(dir, "recording.har"), f, har.WriterOptions{}); err != nil {
		return err
	}
	doc, err := sandbox.Document(sandbox.AllServices, false)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "openapi.json"), doc, 0o644)
}
