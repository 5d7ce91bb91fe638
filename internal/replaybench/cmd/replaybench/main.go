// Command replaybench times replay end to end against the local instance;
// see package replaybench. Run it from the module root:
//
//	go run ./internal/replaybench/cmd/replaybench
package main

import (
	"os"

	"github.com/apitrail/apitrail/internal/replaybench"
)

func main() { os.Exit(replaybench.Main(os.Args[1:], os.Stdout, os.Stderr)) }
