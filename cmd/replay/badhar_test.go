package main

import (
	"testing"

	"github.com/apitrail/apitrail/har/hartest"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
)

// TestBadRecordingsNameFileAndPlace replays each crafted broken recording
// of testdata/har/bad: exit 2, the one error line its entry in errors.txt
// names, nothing on standard output, and no call sent.
func TestBadRecordingsNameFileAndPlace(t *testing.T) {
	in := sandboxtest.NewServer(t, nil)
	for _, b := range hartest.BadHARs(t) {
		code, out, errOut := runReplay(t, env("my-api-token"), "--endpoint", in.URL, b.Path)
		if want := "replay: error: " + b.Want + "\n"; code != 2 || out != "" || errOut != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", b.Name, code, out, errOut, want)
		}
	}
	if hits := in.Paths(); len(hits) != 0 {
		t.Errorf("calls were sent: %v", hits)
	}
}
