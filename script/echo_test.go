package script_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/script"
)

// echoTokens are the tokens the echoing instance sees: a user's API token
// and the Bearer token it hands out.
const (
	echoAPIToken = "api-TOKEN-echo-7f3a9c2e5b1d8f4a6c0e"
	echoBearer   = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlY2hvIn0.c2lnbmF0dXJlLW9mLWVjaG8tdG9rZW4"
)

// echoServer is an instance that repeats what it was sent when it fails,
// as many debug and error pages do: the posted form when the exchange
// fails (refuseExchange), the request headers, Authorization included,
// when a call fails.
func echoServer(t *testing.T, refuseExchange bool) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/uaa/oauth/token" {
			body, _ := io.ReadAll(r.Body)
			if refuseExchange {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, "bad request; you sent: "+string(body))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": echoBearer, "expires_in": 3600})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]any{"error": "boom", "headers": r.Header})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestScriptsPrintNoEchoedToken runs each format's script for real against
// an instance that echoes what it was sent: a failed exchange must not print
// the API token, a failed call not the Bearer token, in any form or piece.
func TestScriptsPrintNoEchoedToken(t *testing.T) {
	results := uiFlowResults(t)
	cases := []struct {
		name    string
		refuse  bool
		reason  string
		printed string // what the failure message still says
	}{
		{"exchange echoes the form", true, "the API token is in the posted form", "400"},
		{"call echoes the headers", false, "the Bearer token is in the Authorization header", "500"},
	}
	for _, f := range script.Formats() {
		src := mustGenerate(t, f, results)
		for _, c := range cases {
			t.Run(string(f)+"/"+c.name, func(t *testing.T) {
				endpoint := echoServer(t, c.refuse)
				stdout, stderr, err := runScriptEnv(t, f, src, endpoint, echoAPIToken)
				if err == nil {
					t.Fatalf("the script succeeded against a failing instance:\n%s\n%s", stdout, stderr)
				}
				out := stdout + stderr
				if !strings.Contains(out, c.printed) {
					t.Errorf("the output does not say the status %s:\n%s", c.printed, out)
				}
				for _, secret := range []string{echoAPIToken, echoBearer} {
					for _, form := range []string{secret, url.QueryEscape(secret)} {
						for i := 0; i+8 <= len(form); i++ {
							if frag := form[i : i+8]; strings.Contains(out, frag) {
								t.Fatalf("%s: the output holds %q, a piece of a token:\n%s", c.reason, frag, out)
							}
						}
					}
				}
			})
		}
	}
}
