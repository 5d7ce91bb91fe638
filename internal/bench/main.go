// Command bench makes the end-to-end figures of docs/benchmarks.md again:
// it generates the large recordings, builds the commands and the naive
// program they are compared with, runs each side in fresh processes and
// prints times, throughput and peak RSS.
//
//	go run ./internal/bench har -n 200000 -o /tmp/testops.har
//	go run ./internal/bench match -n 200000
//
// Each subcommand lives in a file of its own and adds itself to commands
// in an init function, so a new one touches no other file.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand: its one-line summary and what runs it.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage())
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "bench: error: no subcommand %q\n%s", args[0], usage())
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage() string {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: go run ./internal/bench SUBCOMMAND [flags]\n\nsubcommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-8s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nrun 'go run ./internal/bench SUBCOMMAND -h' for its flags\n")
	return b.String()
}
