package hartest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// BadHAR is a crafted broken recording from the module's testdata/har/bad.
type BadHAR struct {
	Name string // the file's name, the name of the case
	Path string // its path
	// Want is the error line that names the file and the place:
	// "PATH:LINE:COLUMN: what is wrong", which a command prints after its
	// own "match: error: ".
	Want string
}

// BadHARs returns the crafted broken recordings that every command reading
// HAR files must refuse with one line naming the file and the place. They
// and the lines are listed in testdata/har/bad/errors.txt; a file there
// that the list leaves out fails the test, so none goes unchecked.
func BadHARs(t testing.TB) []BadHAR {
	t.Helper()
	root, ok := shareddata.ModuleRoot()
	if !ok {
		t.Fatal("hartest: no go.mod above the working directory")
	}
	dir := filepath.Join(root, "testdata", "har", "bad")
	f, err := os.Open(filepath.Join(dir, "errors.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []BadHAR
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("hartest: errors.txt: %q is not NAME:LINE:COLUMN: message", line)
		}
		path := filepath.Join(dir, name)
		out = append(out, BadHAR{Name: name, Path: path, Want: path + strings.TrimPrefix(line, name)})
		listed[name] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.har"))
	for _, p := range files {
		if !listed[filepath.Base(p)] {
			t.Errorf("hartest: %s is not listed in errors.txt", p)
		}
	}
	return out
}
