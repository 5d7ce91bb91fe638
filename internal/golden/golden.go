// Package golden compares what a test produced with a golden file under
// the package's testdata, as the standard library's tests do: a run with
// -update rewrites the files, and a difference fails the test with a
// unified diff of the lines that changed, so a reviewer sees the change
// and not two whole files.
//
// It also owns the -update flag of every test binary that imports it:
// tests that refresh other checked-in inputs (a recording made with the
// browser, spec snapshots) ask Updating instead of defining a flag of
// their own, so -update means one thing everywhere.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and other checked-in test inputs instead of comparing with them")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the golden file at path, or with -update writes
// got there (folders included). A difference or a missing file fails the
// test, saying how to rewrite it.
func Check[T string | []byte](t testing.TB, path string, got T) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (go test -run '%s' -update writes it)", err, t.Name())
	}
	if d := Diff(path, want, "got", []byte(got)); d != "" {
		t.Errorf("%s differs from what the test got (review the change, then go test -run '%s' -update rewrites it):\n%s", path, t.Name(), d)
	}
}
