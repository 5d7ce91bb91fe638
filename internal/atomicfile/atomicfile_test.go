package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old"), 0o600)
	if err := Write(p, []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "new" || fi.Mode().Perm() != 0o640 {
		t.Errorf("content %q mode %v", b, fi.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestAbortKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old"), 0o600)
	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	f.Abort()
	f.Abort()
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("an aborted write changed the file: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil, 0o600); err == nil {
		t.Error("writing into a missing folder must fail")
	}
}

// The temporary file's name is an implementation detail; an error must
// name the file the user asked for.
func TestCreateErrorNamesTheTarget(t *testing.T) {
	target := filepath.Join(t.TempDir(), "missing", "out.har")
	_, err := Create(target, 0o600)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || err.Error() != "create "+target+": no such file or directory" {
		t.Errorf("Create in a missing folder: %v", err)
	}
}
