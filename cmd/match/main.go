// Command match resolves each call in a recording to its operation in the
// instance's OpenAPI documents. See the usage text below.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

var _ io.Reader
