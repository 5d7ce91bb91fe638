// Command gen writes a recording of N calls (package planbench) and the
// local instance's API document beside it, for timing replay --dry-run by
// hand; `go run ./internal/bench plan` does the whole measurement.
//
//	go run ./internal/planbench/gen -n 20000 -o /tmp/plan20k
//	replay --dry-run --unsafe -e http://127.0.0.1:9 --spec /tmp/plan20k/openapi.json /tmp/plan20k/recording.har
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/apitrail/apitrail/internal/planbench"
)

func main() {
	n := flag.Int("n", 2000, "calls in the recording")
	dir := flag.String("o", "", "folder to write recording.har and openapi.json into")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen: error: -o DIR is required")
		os.Exit(2)
	}
	if err := planbench.WriteFolder(*dir, *n); err != nil {
		fmt.Fprintln(os.Stderr, "gen: error:", err)
		os.Exit(2)
	}
}
