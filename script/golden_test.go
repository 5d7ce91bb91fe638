package script_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
)

// uiFlowHAR is a recording of the sandbox page's flow, made by
// recordUIFlow (go test ./script -rerecord -update makes it anew).
var uiFlowHAR = filepath.Join("testdata", "ui-flow.har")

func uiFlowResults(t *testing.T) []match.Result {
	t.Helper()
	if *rerecord {
		in := startInstance(t, sandbox.Options{})
		recordUIFlow(t, in.URL(), uiFlowHAR)
	}
	return readRecording(t, uiFlowHAR)
}

// TestGolden compares each format's script for the bundled recordings with
// the golden files; go test ./script -update rewrites them.
func TestGolden(t *testing.T) {
	inputs := map[string][]match.Result{
		"ui-flow": uiFlowResults(t),
		"secrets": matchEntries(t, secretEntries(t)),
	}
	for name, results := range inputs {
		for _, f := range script.Formats() {
			got, err := script.Generate(f, results, script.Options{Name: name})
			if err != nil {
				t.Fatalf("%s %s: %v", name, f, err)
			}
			path := filepath.Join("testdata", "golden", name+f.Ext())
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./script -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (go test ./script -update rewrites it):\n%s", path, firstDiff(string(want), string(got)))
			}
		}
	}
}

// firstDiff shows the first line where two texts part.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n--- golden\n" + w + "\n+++ generated\n" + g
		}
	}
	return "(same lines, different bytes)"
}
