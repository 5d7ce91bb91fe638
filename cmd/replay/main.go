// Command replay sends recorded API calls to an instance again, with a
// Bearer token, and compares the answers with the recorded ones. See
// usage.go for what it does and how.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
