package flow

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apitrail/apitrail/har"
)

func TestLayoutPaths(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "login")
	os.MkdirAll(folder, 0o755)
	os.WriteFile(filepath.Join(folder, HARFile), []byte("{}"), 0o644)
	loose := filepath.Join(dir, "other")
	os.MkdirAll(loose, 0o755)
	for _, c := range []struct {
		reason, har, baseline, noise string
	}{
		{"a recording folder's HAR shares the folder's baseline", filepath.Join(folder, HARFile), filepath.Join(folder, BaselineFile), filepath.Join(folder, "recording.noise")},
		{"a bare HAR keeps its baseline beside it", filepath.Join(dir, "ui.har"), filepath.Join(dir, "ui.baseline.har"), filepath.Join(dir, "ui.noise")},
		{"recording.har outside a recording folder is a bare HAR", filepath.Join(loose, HARFile), filepath.Join(loose, "recording.baseline.har"), filepath.Join(loose, "recording.noise")},
	} {
		if got := BaselineFor(c.har); got != c.baseline {
			t.Errorf("%s: baseline %s, want %s", c.reason, got, c.baseline)
		}
		if got := NoiseFor(c.har); got != c.noise {
			t.Errorf("%s: noise %s, want %s", c.reason, got, c.noise)
		}
	}
}

func TestStarterNoiseFindsTimestamps(t *testing.T) {
	e := &har.Entry{StartedDateTime: "2025-11-28T10:33:37.835Z"}
	e.SetResponseBody([]byte(`{"id":1234567890123,"createdDate":1764320000000,"updatedAt":"2026-01-01T00:00:00Z","name":"2026",`+
		`"items":[{"lastSeen":"2026-01-01T00:00:00.5+01:00","born":1764320000,"polled":"Sat, 28 Nov 2026 10:33:38 GMT","version":"1.2.3"}],"odd key":"2026-01-01T00:00:00Z"}`), "application/json")
	got := StarterNoise([]*har.Entry{e})
	// By value, whatever the name: born (epoch seconds) and polled (an
	// HTTP date) are named like nothing a name list knows. The id is a
	// number of a timestamp's size from 2009, years before the recording.
	want := []string{"ignore body $..born", "ignore body $..createdDate", "ignore body $..lastSeen", "ignore body $..polled", "ignore body $..updatedAt"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (an id outside the window is not noise; a name a rule cannot write bare is left out)", got, want)
	}
}
