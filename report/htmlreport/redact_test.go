package htmlreport

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
)

// jwt is JWT-shaped, which redaction finds wherever it appears.
const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNlY3JldA"

// TestSecretsNeverReachThePage feeds each place a secret can hide in a
// replay or match result to the page and holds the page to the har
// package's redaction: the secret is gone and a placeholder is there.
func TestSecretsNeverReachThePage(t *testing.T) {
	d := diff.Compare(
		diff.Response{Status: 200, Body: []byte(`{"access_token":"recorded-token-7781","name":"a"}`), ContentType: "application/json"},
		diff.Response{Status: 200, Body: []byte(`{"access_token":"replayed-token-9923","name":"b"}`), ContentType: "application/json"})
	cases := []struct {
		reason, secret string
		entry          func(e *replay.EntryReport)
	}{
		{"a token in the query", "query-secret-4411", func(e *replay.EntryReport) {
			e.URL = "https://testops.example.com/api/launch?token=query-secret-4411"
		}},
		{"a password in the URL", "url-password-5521", func(e *replay.EntryReport) {
			e.RecordedURL = "https://admin:url-password-5521@testops.example.com/api/launch"
		}},
		{"a JWT in an error", jwt, func(e *replay.EntryReport) { e.Outcome, e.Reason = replay.Infra, "refused "+jwt }},
		{"a JWT in a warning", jwt, func(e *replay.EntryReport) { e.Warnings = []string{"saw " + jwt} }},
		{"a secret member in the diff, recorded", "recorded-token-7781", func(e *replay.EntryReport) { e.Diff = d }},
		{"a secret member in the diff, replayed", "replayed-token-9923", func(e *replay.EntryReport) { e.Diff = d }},
		{"a Bearer token in the request sent", "bearer-secret-6631", func(e *replay.EntryReport) {
			e.Request = &replay.Message{Method: "GET", URL: e.URL, Header: http.Header{"Authorization": {"Bearer bearer-secret-6631"}}}
		}},
		{"a cookie in the request sent", "cookie-secret-7741", func(e *replay.EntryReport) {
			e.Request = &replay.Message{Method: "GET", URL: e.URL, Header: http.Header{"Cookie": {"SESSION=cookie-secret-7741"}}}
		}},
		{"a password in the request body", "body-password-8851", func(e *replay.EntryReport) {
			e.Request = &replay.Message{Method: "POST", URL: e.URL, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"password":"body-password-8851"}`)}
		}},
	}
	for _, c := range cases {
		e := &replay.EntryReport{Seq: 1, Method: "GET", URL: "https://testops.example.com/api/launch", Outcome: replay.Regression, Regression: true,
			RecordedStatus: 200, Status: 200, Verdict: match.Matched}
		c.entry(e)
		var b bytes.Buffer
		if err := WriteReplay(&b, []*replay.Report{{Flow: "f", Endpoint: "https://testops.example.com", Entries: []*replay.EntryReport{e}}}, Options{}); err != nil {
			t.Fatal(err)
		}
		page, err := Attachment("f", e, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for what, out := range map[string]string{"report": b.String(), "attachment": string(page)} {
			if strings.Contains(out, c.secret) {
				t.Errorf("%s: the %s holds the secret", c.reason, what)
			}
			if !strings.Contains(out, "REDACTED-") {
				t.Errorf("%s: the %s has no placeholder where the secret was", c.reason, what)
			}
		}
	}

	// match: the recorded URLs of every verdict.
	var b bytes.Buffer
	err := WriteMatch(&b, Match{Recordings: []MatchRecording{{Name: "r.har", Results: []match.Result{
		{Seq: 1, Method: "GET", URL: "https://testops.example.com/api/nowhere?api_key=match-secret-9961", Verdict: match.Undocumented, Reason: "in no spec"},
		{Seq: 2, Method: "GET", URL: "https://testops.example.com/api/x?access_token=" + jwt, Verdict: match.NotAPI, Reason: "another host"},
	}}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"match-secret-9961", jwt} {
		if strings.Contains(b.String(), s) {
			t.Errorf("the match report holds %.12s...", s)
		}
	}
}
