// Command match resolves each call in a recording to its operation in the
// instance's OpenAPI documents. See usage.go for what it does and how.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
