// Command capture records what a web UI sends and receives as HAR, through
// a recording HTTPS proxy or from another tool's export, with secrets
// redacted. See usage.go for what it does and how.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
