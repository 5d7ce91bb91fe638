package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckOutputFile refuses a report file (--junit FILE, --html FILE) that
// could not be written, before a long run rather than after it. An empty
// path asks for no report and passes.
func CheckOutputFile(flag, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s: is a folder; give the file to write", flag, path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s %s: no folder %s to write it in", flag, path, filepath.Dir(path))
	}
	return nil
}
