package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/replay"
)

// TestALocationReplayCarriedIsNotARegression: the instance (behind a proxy
// that adds Location, as a REST service answers a create) puts the new
// launch's id in the Location header; that is the value replay carried
// into the next calls, so the header is as expected, and a Location that
// names something else still is a regression.
func TestALocationReplayCarriedIsNotARegression(t *testing.T) {
	for _, tc := range []struct {
		name    string
		where   func(id string) string // the Location the proxy answers
		outcome replay.Outcome
	}{
		{"the carried id in Location", func(id string) string { return "/api/launch/" + id }, replay.OK},
		{"a Location naming another launch", func(string) string { return "/api/launch/1" }, replay.Regression},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries := recording(t)
			create := entries[3]
			if create.Request.Method != "POST" || !strings.HasSuffix(create.Request.URL, "/api/launch") {
				t.Fatalf("entry 3 is %s %s", create.Request.Method, create.Request.URL)
			}
			body, _ := create.ResponseBody()
			var rec struct{ ID json.Number }
			json.Unmarshal(body, &rec)
			create.Response.Headers = append(create.Response.Headers, har.NameValue{Name: "Location", Value: "/api/launch/" + rec.ID.String()})

			in, a := target(t, sandbox.Knobs{})
			// Two launches first, so this run's id differs from the recording's.
			for range 2 {
				res, err := a.Client().Post(in.URL()+"/api/launch", "application/json", strings.NewReader(`{"name":"warm-up","projectId":2}`))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
			}
			u, _ := url.Parse(in.URL())
			rp := httputil.NewSingleHostReverseProxy(u)
			rp.ModifyResponse = func(res *http.Response) error {
				if res.Request.Method != "POST" || res.Request.URL.Path != "/api/launch" {
					return nil
				}
				b, _ := io.ReadAll(res.Body)
				res.Body = io.NopCloser(bytes.NewReader(b))
				var got struct{ ID json.Number }
				json.Unmarshal(b, &got)
				res.Header.Set("Location", tc.where(got.ID.String()))
				return nil
			}
			proxy := httptest.NewServer(rp)
			defer proxy.Close()
			ep, _ := url.Parse(proxy.URL)
			pa, err := auth.New(auth.Config{Endpoint: proxy.URL, APIToken: auth.NewToken(sandbox.SeedAPIToken)})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := plan(t, sandboxtest.Index(t, false), entries, true).Run(context.Background(), replay.Options{Endpoint: ep, Client: pa.Client(), Backoff: 20 * time.Millisecond, Diff: diff.Config{Rules: noise}})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Vars[0].Recorded == rep.Vars[0].Replayed {
				t.Fatalf("the run created the recorded id again: %+v", rep.Vars)
			}
			if got := rep.Entries[3]; got.Outcome != tc.outcome {
				t.Errorf("create: %s, want %s\n%s", got.Outcome, tc.outcome, text(t, rep))
			}
		})
	}
}
