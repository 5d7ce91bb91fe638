package recorder

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

type failing struct{ err error }

func (f failing) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

// A failed call is recorded with its error as response._error, which must
// stay a JSON string whatever the error says: a server's banner echoed in a
// transport error may hold control characters, which Go quoting would
// write as \x1b, not JSON.
func TestFailedCallKeepsItsErrorAsJSON(t *testing.T) {
	want := "malformed HTTP response \x1b[0m from the server"
	rec := &Recorder{Base: failing{errors.New(want)}}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:1/api/launch", nil)
	if _, err := rec.RoundTrip(req); err == nil {
		t.Fatal("the failing transport's error was lost")
	}
	entries := rec.Entries()
	if len(entries) != 1 {
		t.Fatalf("recorded %d entries, want 1", len(entries))
	}
	if raw := entries[0].Response.Extra.Get("_error"); !json.Valid(raw) {
		t.Errorf("response._error is not JSON: %s", raw)
	}
	if got := entries[0].NetworkError(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
