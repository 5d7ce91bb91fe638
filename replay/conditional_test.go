package replay_test

import (
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/replay"
)

// TestRecorded304IsComparedByStatusAndHeaders: the browser revalidated the
// project list and recorded 304 with no body; replay sends no conditional
// header, gets the full answer, and compares it by status and by the
// headers the 304 carried.
func TestRecorded304IsComparedByStatusAndHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		header  string // a header the recorded 304 carries
		outcome replay.Outcome
	}{
		{"the full answer stands for the 304", "Cache-Control", replay.OK},
		{"a header the 304 had is still compared", "X-Gone", replay.Regression},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries := recording(t)
			e := entries[2]
			if !strings.HasSuffix(e.Request.URL, "/api/project") && !strings.Contains(e.Request.URL, "/api/project?") {
				t.Fatalf("entry 2 is %s", e.Request.URL)
			}
			e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: "If-None-Match", Value: `"abc"`})
			e.Response.Status, e.Response.StatusText = 304, "Not Modified"
			var kept []har.NameValue
			for _, h := range e.Response.Headers {
				if strings.EqualFold(h.Name, "Cache-Control") {
					kept = append(kept, h)
				}
			}
			if tc.header != "Cache-Control" {
				kept = append(kept, har.NameValue{Name: tc.header, Value: "1"})
			}
			e.Response.Headers = kept
			e.Response.Content = har.Content{Size: 0, MimeType: "application/json"}
			in, a := target(t, sandbox.Knobs{})
			rep := run(t, plan(t, sandboxtest.Index(t, false), entries, true), in, a, replay.Options{})
			got := rep.Entries[2]
			if got.Outcome != tc.outcome || got.Status != 200 {
				t.Errorf("outcome %s, status %d, want %s after 200\n%s", got.Outcome, got.Status, tc.outcome, text(t, rep))
			}
			if got.Diff != nil && len(got.Diff.Body) > 0 {
				t.Errorf("the body was compared with a 304's: %v", got.Diff.Body)
			}
		})
	}
}
