package script_test

import (
	"path/filepath"
	"testing"

	"github.com/apitrail/apitrail/internal/golden"
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
			golden.Check(t, filepath.Join("testdata", "golden", name+f.Ext()), got)
		}
	}
}
