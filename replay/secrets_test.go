package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/spec"
)

// TestReportHidesWhatAnInstanceEchoes replays a call to an instance that
// echoes the request's headers in its answer and sets a secret header: the
// live Bearer token, the API token and the recorded password reach the
// answer, and so the diff, yet nothing the report holds shows them, and
// the header diff names the secret header without its value.
func TestReportHidesWhatAnInstanceEchoes(t *testing.T) {
	const (
		apiToken = "api-token-ECHO-1111-2222"
		bearer   = "opaque-bearer-ECHO-3333-4444"
		answered = "answer-header-ECHO-5555"
		password = "recorded-Passw0rd-6666"
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == auth.TokenPath {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": bearer, "expires_in": 3600})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Auth-Token", answered)
		json.NewEncoder(w).Encode(map[string]any{"headers": r.Header, "debug": "signed in with " + r.Header.Get("Authorization") + " from " + apiToken})
	}))
	defer srv.Close()

	red := har.NewRedactor(har.DefaultRules())
	red.Pin(apiToken)
	a, err := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken(apiToken), OnToken: func(t auth.Token) { red.Pin(t.Reveal()) }})
	if err != nil {
		t.Fatal(err)
	}
	e := &har.Entry{Request: har.Request{Method: "GET", URL: "https://bob:" + password + "@testops.test/api/echo?password=" + password, HTTPVersion: "HTTP/1.1"},
		Response: har.Response{Status: 200}}
	e.SetResponseBody([]byte(`{"headers":{}}`), "application/json")
	entries := []*har.Entry{e}
	red.PinSecrets(entries)
	ix, err := spec.NewIndex(nil, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{Redactor: red})
	plan := replay.NewPlan(entries, replay.PlanOptions{Matcher: m, Redactor: red})
	ep, _ := url.Parse(srv.URL)
	rep, err := plan.Run(context.Background(), replay.Options{Endpoint: ep, Client: a.Client(), Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	er := rep.Entries[0]
	if er.Outcome != replay.Regression {
		t.Fatalf("outcome %s (%s), want a regression to diff", er.Outcome, er.Reason)
	}
	var out bytes.Buffer
	if err := replay.WriteText(&out, rep); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(er)
	var messages []string
	for _, msg := range []*replay.Message{er.Request, er.Response, er.Recorded} {
		b, _ := json.Marshal(msg)
		messages = append(messages, string(b))
	}
	all := out.String() + string(js) + strings.Join(messages, "\n")
	for _, s := range []string{apiToken, bearer, answered, password, "bob"} {
		if strings.Contains(all, s) {
			t.Errorf("the report holds %q:\n%s", s, all)
		}
	}
	if !strings.Contains(out.String(), "Bearer REDACTED-") {
		t.Errorf("the diff does not show the echoed Authorization as a placeholder:\n%s", out.String())
	}
	var authHeader bool
	for _, h := range er.Diff.Headers {
		if h.Name == "X-Auth-Token" {
			authHeader = true
			if h.Kind != "added" || strings.Contains(h.New, "REDACTED") || h.New != "(secret)" {
				t.Errorf("the header diff shows X-Auth-Token as %s %q, want added with no value", h.Kind, h.New)
			}
		}
	}
	if !authHeader {
		t.Errorf("the header diff does not name X-Auth-Token: %+v", er.Diff.Headers)
	}
}
