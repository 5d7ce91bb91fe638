// Package ptytest runs a command under a real pseudo-terminal for tests,
// through script(1) from util-linux (Debian's bsdutils), so that a command
// that asks whether its output is a terminal hears yes.
package ptytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Build compiles the command in the current folder (a test's package) and
// returns the binary's path.
func Build(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: builds the command")
	}
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Run runs bin with args, its standard output and error a terminal, with
// env added to the environment, and returns what it wrote (with the
// terminal's \r\n line ends made \n) and its exit code.
func Run(t testing.TB, env []string, bin string, args ...string) (string, int) {
	t.Helper()
	path, err := exec.LookPath("script")
	if err != nil {
		t.Skip("skipping: no script(1) on PATH (apt-get install bsdutils)")
	}
	words := []string{quote(bin)}
	for _, a := range args {
		words = append(words, quote(a))
	}
	// -e passes the command's exit code on; the typescript goes nowhere.
	cmd := exec.Command(path, "-qec", strings.Join(words, " "), "/dev/null")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("script: %v", err)
	}
	return strings.ReplaceAll(string(out), "\r\n", "\n"), code
}

// Pipe runs bin with its output a pipe, for comparison.
func Pipe(t testing.TB, env []string, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var escapes = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// HasColor reports whether s holds an SGR escape sequence.
func HasColor(s string) bool { return escapes.MatchString(s) }

// Plain is s without its SGR escape sequences.
func Plain(s string) string { return escapes.ReplaceAllString(s, "") }
