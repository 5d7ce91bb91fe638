package replay_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/replay"
)

// TestBrowserCallsReplayAsTheBrowserWould: a cache-buster goes out with a
// fresh value, and a WebSocket handshake is skipped with the reason, never
// sent as a plain GET.
func TestBrowserCallsReplayAsTheBrowserWould(t *testing.T) {
	in, a := target(t, sandbox.Knobs{})
	recordedAt := time.Now().Add(-72 * time.Hour)
	old := fmt.Sprint(recordedAt.UnixMilli())
	list := &har.Entry{StartedDateTime: recordedAt.Format(time.RFC3339Nano),
		Request:  har.Request{Method: "GET", URL: in.URL() + "/api/project?page=0&size=10&_=" + old},
		Response: har.Response{Status: 200}}
	list.SetResponseBody([]byte(`{"content":[]}`), "application/json")
	ws := &har.Entry{StartedDateTime: recordedAt.Format(time.RFC3339Nano),
		Request:  har.Request{Method: "GET", URL: in.URL() + "/api/project/1", Headers: []har.NameValue{{Name: "Upgrade", Value: "websocket"}, {Name: "Connection", Value: "Upgrade"}}},
		Response: har.Response{Status: 101}}
	in.ResetRequests()
	start := time.Now()
	rep := run(t, plan(t, sandboxtest.Index(t, false), []*har.Entry{list, ws}, false), in, a, replay.Options{})
	if rep.Entries[1].Outcome != replay.Skipped || !strings.Contains(rep.Entries[1].Reason, "WebSocket") {
		t.Errorf("the WebSocket: %s (%s); want skipped, saying it is a WebSocket", rep.Entries[1].Outcome, rep.Entries[1].Reason)
	}
	var got []string
	for _, r := range in.Requests() {
		got = append(got, r.Method+" "+r.Path+"?"+r.Query)
		if r.Path == "/api/project/1" {
			t.Errorf("the WebSocket handshake reached the instance as %s %s", r.Method, r.Path)
		}
		if r.Path == "/api/project" {
			q, _ := url.ParseQuery(r.Query)
			if v := q.Get("_"); v == old || !values.EpochNear(v, start, time.Minute) {
				t.Errorf("replay sent _=%q; want the time of the replay, not the recorded %s", v, old)
			}
		}
	}
	if len(got) == 0 {
		t.Fatal("nothing reached the instance")
	}
}
