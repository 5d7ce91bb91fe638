// Package shareddata locates the module root, and the read-only data set
// that sits beside it (../shared), for tests that run against real-world
// files.
//
// A user's clone does not have that folder, so tests call Dir, which skips
// the test with a message that says what is missing instead of failing.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the folder that holds go.mod, walking up from the
// working directory (a package's folder while `go test` runs).
func ModuleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Root returns the path of ../shared beside the module root, and whether it
// exists.
func Root() (string, bool) {
	dir, ok := ModuleRoot()
	if !ok {
		return "", false
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if fi, err := os.Stat(shared); err != nil || !fi.IsDir() {
		return shared, false
	}
	return shared, true
}

// Dir returns the path of a folder or file inside ../shared, joined from
// elem, or skips tb when ../shared or that path is absent.
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	root, ok := Root()
	if !ok {
		tb.Skipf("skipping: the shared data set %s is not here (it sits beside the project root on the developers' and CI machines)", root)
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: %s is not in the shared data set: %v", p, err)
	}
	return p
}
