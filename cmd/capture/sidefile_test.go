//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apitrail/apitrail/har/hartest"
)

// capture --from writes nothing when it refuses a recording.
func TestUnsafeSideFileIsRefused(t *testing.T) {
	hartest.CommandRefusesUnsafeSideFiles(t, "capture", func(c hartest.SideFileCase) (int, string, string) {
		out := filepath.Join(t.TempDir(), "clean.har")
		code, stdout, stderr := runCapture(t, nil, "--from", c.HAR, "-o", out)
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s was written", out)
		}
		return code, stdout, stderr
	})
}
