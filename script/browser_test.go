package script_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
)

// TestCacheBustersAreFreshAndWebSocketsLeftOut runs each format's script
// for real against the sandbox: the cache-buster jQuery added reaches the
// instance with the time of the run, not the recorded value, and the
// WebSocket the page opened is left out with a reason.
func TestCacheBustersAreFreshAndWebSocketsLeftOut(t *testing.T) {
	in := startInstance(t, sandbox.Options{})
	recordedAt := time.Now().Add(-30 * 24 * time.Hour)
	old := fmt.Sprint(recordedAt.UnixMilli())
	list := &har.Entry{StartedDateTime: recordedAt.Format(time.RFC3339Nano),
		Request:  har.Request{Method: "GET", URL: in.URL() + "/api/project?page=0&size=10&_=" + old, Headers: []har.NameValue{{Name: "Accept", Value: "application/json"}}},
		Response: har.Response{Status: 200}}
	list.SetResponseBody([]byte(`{"content":[],"totalElements":0}`), "application/json")
	again := *list
	again.Request.URL = in.URL() + "/api/project?page=0&size=10&_=" + fmt.Sprint(recordedAt.UnixMilli()+1)
	ws := &har.Entry{StartedDateTime: recordedAt.Format(time.RFC3339Nano),
		Request:  har.Request{Method: "GET", URL: in.URL() + "/api/events", Headers: []har.NameValue{{Name: "Upgrade", Value: "websocket"}}},
		Response: har.Response{Status: 101}}
	results := matchEntries(t, []*har.Entry{list, ws, &again})
	if results[0].Verdict != match.Matched || results[1].Verdict != match.WebSocket {
		t.Fatalf("verdicts %s, %s: want matched (the cache-buster noted) and websocket", results[0].Verdict, results[1].Verdict)
	}
	for _, f := range []script.Format{script.Bash, script.HTTP, script.Go, script.Postman} {
		t.Run(string(f), func(t *testing.T) {
			src, err := script.Generate(f, results, script.Options{Name: "busted"})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(src), old) {
				t.Errorf("the script sends the recorded cache-buster %s", old)
			}
			if !strings.Contains(string(src), "1 call is a WebSocket (a script sends HTTP requests; a WebSocket needs a client of its own): #2") {
				t.Errorf("the script does not say the WebSocket was left out:\n%.800s", src)
			}
			if !strings.Contains(string(src), "1 call repeats an earlier one") {
				t.Errorf("a call that differs only in its cache-buster repeats the first:\n%.800s", src)
			}
			in.ResetRequests()
			start := time.Now()
			if _, stderr, err := runScript(t, f, src, in); err != nil {
				t.Fatalf("the %s script failed: %v\n%s", f, err, stderr)
			}
			sent := 0
			for _, r := range in.Requests() {
				if r.Path != "/api/project" {
					continue
				}
				sent++
				q, _ := url.ParseQuery(r.Query)
				v := q.Get("_")
				if v == old || !values.EpochNear(v, start, time.Minute) {
					t.Errorf("the script sent _=%q; want the time of the run (recorded: %s)", v, old)
				}
			}
			if sent != 1 {
				t.Errorf("the instance got %d project listings, want 1", sent)
			}
		})
	}
}
