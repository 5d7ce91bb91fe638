package replay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/spec"
)

const apiToken = "api-token-for-the-safety-tests"

// rec is a recorded call to the instance testops.test.
func rec(method, path string, status int) *har.Entry {
	return &har.Entry{Request: har.Request{Method: method, URL: "https://testops.test" + path},
		Response: har.Response{Status: status}}
}

func withHeader(e *har.Entry, name, value string) *har.Entry {
	e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: name, Value: value})
	return e
}

func withBody(e *har.Entry, mimeType, text string) *har.Entry {
	e.Request.PostData = &har.PostData{MimeType: mimeType, Text: text}
	return withHeader(e, "Content-Type", mimeType)
}

// replayOn plans the entries as replay does for a recording of
// testops.test, with no spec, and replays them against s.
func replayOn(t *testing.T, ctx context.Context, endpoint string, unsafe bool, entries ...*har.Entry) (*replay.Plan, *replay.Report) {
	t.Helper()
	ix, err := spec.NewIndex(nil, spec.Options{Aliases: spec.TestOpsAliases})
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{Hosts: []string{"testops.test"}})
	p := replay.NewPlan(entries, replay.PlanOptions{Matcher: m, Unsafe: unsafe})
	a, err := auth.New(auth.Config{Endpoint: endpoint, APIToken: auth.NewToken(apiToken)})
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := url.Parse(endpoint)
	rep, err := p.Run(ctx, replay.Options{Name: "safety", Endpoint: ep, Client: a.Client(), Backoff: time.Millisecond, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p, rep
}

// TestRedirectsStayOnTheInstance: a redirect is followed only by a safe
// call and only within the instance's origin; otherwise the 3xx is the
// answer, compared with the recorded one. The other origin sees nothing.
func TestRedirectsStayOnTheInstance(t *testing.T) {
	elsewhere := sandboxtest.NewServer(t, nil)
	cases := []struct {
		reason   string
		e        *har.Entry
		status   int      // the answer replay reports
		sequence []string // what the instance saw, in order
		outcome  replay.Outcome
	}{
		{"a safe call follows a redirect within the instance",
			rec("GET", "/api/same", 200), 200, []string{"GET /api/same", "GET /api/target"}, replay.OK},
		{"a safe call stops at a redirect to another origin",
			rec("GET", "/api/cross", 200), 302, []string{"GET /api/cross"}, replay.Regression},
		{"a 307 to another origin is not followed either",
			rec("GET", "/api/cross307", 200), 307, []string{"GET /api/cross307"}, replay.Regression},
		{"a chain stops where it leaves the instance",
			rec("GET", "/api/hop", 200), 302, []string{"GET /api/hop", "GET /api/cross"}, replay.Regression},
		{"an unsafe call follows no redirect, even within the instance",
			withBody(rec("POST", "/api/same307", 200), "application/json", `{"name":"nightly"}`), 307, []string{"POST /api/same307"}, replay.Regression},
		{"an unsafe call's body is not re-sent to another origin",
			withBody(rec("POST", "/api/cross307", 200), "application/json", `{"name":"nightly"}`), 307, []string{"POST /api/cross307"}, replay.Regression},
		{"a recorded redirect is compared as a redirect, not followed",
			recordedRedirect(rec("GET", "/api/same", 302), "/api/target"), 302, []string{"GET /api/same"}, replay.OK},
		{"a GET that stands for a DELETE follows no redirect",
			withHeader(rec("GET", "/api/same307", 200), "X-HTTP-Method-Override", "DELETE"), 307, []string{"GET /api/same307"}, replay.Regression},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			in := sandboxtest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/api/same":
					http.Redirect(w, r, "/api/target", http.StatusFound)
				case "/api/same307":
					http.Redirect(w, r, "/api/target", http.StatusTemporaryRedirect)
				case "/api/cross":
					http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusFound)
				case "/api/cross307":
					http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusTemporaryRedirect)
				case "/api/hop":
					http.Redirect(w, r, "/api/cross", http.StatusFound)
				case "/api/target":
					w.WriteHeader(http.StatusOK)
				}
			})
			_, rep := replayOn(t, context.Background(), in.URL, true, c.e)
			er := rep.Entries[0]
			if er.Status != c.status || er.Outcome != c.outcome {
				t.Errorf("answer %d (%s: %s), want %d (%s)", er.Status, er.Outcome, er.Reason, c.status, c.outcome)
			}
			if er.Outcome != c.outcome && er.Diff != nil {
				t.Log(er.Diff.Report())
			}
			if c.outcome == replay.Regression && (er.Diff == nil || er.Diff.Status == nil || er.Diff.Status.Replayed != c.status) {
				t.Errorf("the redirect is not compared as the answer: %+v", er.Diff)
			}
			if got := strings.Join(in.Paths(), ", "); got != strings.Join(c.sequence, ", ") {
				t.Errorf("the instance saw %s, want %s", got, strings.Join(c.sequence, ", "))
			}
		})
	}
	if got := elsewhere.Hits(); len(got) != 0 {
		t.Errorf("the other origin got %d request(s): %+v", len(got), got)
	}
}

// recordedRedirect records the 302 to location that net/http answers.
func recordedRedirect(e *har.Entry, location string) *har.Entry {
	e.Response.Headers = []har.NameValue{{Name: "Location", Value: location}, {Name: "Content-Type", Value: "text/html; charset=utf-8"}}
	e.SetResponseBody([]byte("<a href=\""+location+"\">Found</a>.\n\n"), "text/html; charset=utf-8")
	return e
}

func multipartBody(boundary string, fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n" + fields[i+1] + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

// TestMethodOverridesCountAsTheirMethod: a safe call that asks the server
// to apply another method, by header or by _method field, counts as that
// method, so without --unsafe it is not sent; an override never makes a
// call count as safer than its method.
func TestMethodOverridesCountAsTheirMethod(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	const mp = "multipart/form-data; boundary=XyZ"
	cases := []struct {
		reason string
		e      *har.Entry
		sent   bool
		as     string // the method it counts as in the skip reason
	}{
		{"X-HTTP-Method-Override", withHeader(rec("GET", "/api/c1", 200), "X-HTTP-Method-Override", "DELETE"), false, "DELETE"},
		{"X-HTTP-Method", withHeader(rec("GET", "/api/c2", 200), "X-HTTP-Method", "PUT"), false, "PUT"},
		{"X-Method-Override in lower case", withHeader(rec("GET", "/api/c3", 200), "x-method-override", "patch"), false, "PATCH"},
		{"a _method field in the query", rec("GET", "/api/c4?_method=DELETE", 200), false, "DELETE"},
		{"a _method field in an urlencoded body", withBody(rec("GET", "/api/c5", 200), form, "name=x&_method=delete"), false, "DELETE"},
		{"a _method field in a multipart body", withBody(rec("GET", "/api/c6", 200), mp, multipartBody("XyZ", "name", "x", "_method", "DELETE")), false, "DELETE"},
		{"a _method field the HAR keeps only as params", func() *har.Entry {
			e := rec("GET", "/api/c7", 200)
			e.Request.PostData = &har.PostData{MimeType: form, Params: []har.Param{{Name: "_method", Value: "DELETE"}}}
			return e
		}(), false, "DELETE"},
		{"HEAD overridden to POST", withHeader(rec("HEAD", "/api/c8", 200), "X-HTTP-Method-Override", "POST"), false, "POST"},
		{"an override to GET keeps a POST a POST", withBody(rec("POST", "/api/c9", 200), form, "_method=GET"), false, "POST"},
		{"an override to a safe method changes nothing", withHeader(rec("GET", "/api/s1", 200), "X-HTTP-Method-Override", "HEAD"), true, ""},
		{"a field that only looks like _method", rec("GET", "/api/s2?_methods=DELETE", 200), true, ""},
		{"_method as a multipart field's value, not its name", withBody(rec("GET", "/api/s3", 200), mp, multipartBody("XyZ", "note", "_method=DELETE")), true, ""},
	}
	in := sandboxtest.NewServer(t, nil)
	var entries []*har.Entry
	for _, c := range cases {
		entries = append(entries, c.e)
	}
	p, rep := replayOn(t, context.Background(), in.URL, false, entries...)
	seen := map[string]bool{}
	for _, h := range in.Hits() {
		seen[h.Path] = true
	}
	for i, c := range cases {
		path := strings.SplitN(strings.TrimPrefix(c.e.Request.URL, "https://testops.test"), "?", 2)[0]
		if seen[path] != c.sent {
			t.Errorf("%s: sent %v, want %v", c.reason, seen[path], c.sent)
		}
		call := p.Calls[i]
		if !c.sent && (!strings.Contains(call.Skip, c.as+", which changes state") && !strings.HasPrefix(call.Skip, c.as+" changes state")) {
			t.Errorf("%s: skipped because %q, which does not name %s", c.reason, call.Skip, c.as)
		}
		if c.sent && rep.Entries[i].Outcome == replay.Skipped {
			t.Errorf("%s: skipped: %s", c.reason, rep.Entries[i].Reason)
		}
	}
}

// TestOverriddenCallsAreNeverSentTwice: with --unsafe, a GET that stands
// for a POST is sent, but is not retried after a 503, as a POST is not.
func TestOverriddenCallsAreNeverSentTwice(t *testing.T) {
	in := sandboxtest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	_, rep := replayOn(t, context.Background(), in.URL, true,
		withHeader(rec("GET", "/api/create", 200), "X-HTTP-Method-Override", "POST"),
		rec("GET", "/api/read", 200))
	counts := map[string]int{}
	for _, h := range in.Hits() {
		counts[h.Path]++
	}
	if counts["/api/create"] != 1 {
		t.Errorf("the GET standing for a POST was sent %d times, want once", counts["/api/create"])
	}
	if counts["/api/read"] != 4 {
		t.Errorf("a plain GET was sent %d times, want 4 (three retries): the test does not tell retries apart", counts["/api/read"])
	}
	if w := strings.Join(rep.Entries[0].Warnings, "; "); !strings.Contains(w, "X-HTTP-Method-Override: POST") {
		t.Errorf("the report does not say the call stands for a POST: %q", w)
	}
}

// TestUploadSpellingsAreNeverSent: every spelling of an upload endpoint the
// server resolves to one is skipped, even with --unsafe; the instance sees
// only the ordinary call.
func TestUploadSpellingsAreNeverSent(t *testing.T) {
	spellings := []string{
		"/api/upload", "/api/./upload", "/api/x/../upload", "/api/upload;x=1", "/api/%75pload",
		"/api/x/%2e%2e/upload", "/api/%2e/upload", "/api/uaa/upload", "/api/rs/upload/start",
		"/api/launch/7/./upload", "/api/UPLOAD", "/api//upload/file",
	}
	in := sandboxtest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {})
	var entries []*har.Entry
	for _, s := range spellings {
		entries = append(entries, withBody(rec("POST", s, 200), "application/json", `{}`), rec("GET", s, 200))
	}
	entries = append(entries, rec("GET", "/api/launch/7", 200))
	p, _ := replayOn(t, context.Background(), in.URL, true, entries...)
	if got := strings.Join(in.Paths(), ", "); got != "GET /api/launch/7" {
		t.Errorf("the instance saw %s, want only GET /api/launch/7", got)
	}
	for _, c := range p.Calls[:len(p.Calls)-1] {
		if c.Send || c.Match.Verdict != match.Upload || !strings.Contains(c.Skip, "allurectl") {
			t.Errorf("%s %s: send %v, verdict %s, skip %q", c.Entry.Request.Method, c.Entry.Request.URL, c.Send, c.Match.Verdict, c.Skip)
		}
	}
}

// TestInterruptedAfterSending: a call the instance received and was still
// working on when the run was interrupted is reported as interrupted after
// sending, not as not run; a call never sent is not run.
func TestInterruptedAfterSending(t *testing.T) {
	cases := []struct {
		reason string
		held   *har.Entry
		words  string
	}{
		{"a POST may have been applied", withBody(rec("POST", "/api/launch", 200), "application/json", `{"name":"nightly"}`),
			"interrupted after sending, before the answer: the instance may have applied it"},
		{"a GET was only read", rec("GET", "/api/launch/slow", 200), "interrupted after sending, before the answer"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			received := make(chan struct{})
			var once sync.Once
			in := sandboxtest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/project" {
					return
				}
				once.Do(func() { close(received) })
				select { // hold the answer until the client gives up
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-received
				cancel()
			}()
			_, rep := replayOn(t, ctx, in.URL, true, rec("GET", "/api/project", 200), c.held, rec("GET", "/api/launch/1", 200))
			if got := outcomes(rep); got != "1:ok 2:interrupted 3:not-run" {
				t.Fatalf("outcomes %s\n%s", got, text(t, rep))
			}
			if er := rep.Entries[1]; er.Reason != c.words {
				t.Errorf("reason %q, want %q", er.Reason, c.words)
			}
			out := text(t, rep)
			for _, want := range []string{"  " + c.words + "\n", "1 interrupted after sending", "1 not run", "(interrupted)"} {
				if !strings.Contains(out, want) {
					t.Errorf("the text report lacks %q:\n%s", want, out)
				}
			}
			if applied := len(in.Hits()); applied != 2 {
				t.Errorf("the instance got %d calls, want 2", applied)
			}
		})
	}
}

// TestInterruptedWhileSigningInIsNotRun: a call that waited for its Bearer
// token when the run was interrupted never reached the instance, and the
// token exchange it waited for is not taken for the call itself.
func TestInterruptedWhileSigningInIsNotRun(t *testing.T) {
	exchanging, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var api atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != auth.TokenPath {
			api.Add(1)
			return
		}
		once.Do(func() { close(exchanging) })
		<-release
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before Close, which waits for the handler
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-exchanging
		cancel()
	}()
	_, rep := replayOn(t, ctx, srv.URL, true, withBody(rec("POST", "/api/launch", 200), "application/json", `{"name":"nightly"}`))
	if er := rep.Entries[0]; er.Outcome != replay.NotRun || er.Reason != "interrupted" {
		t.Errorf("outcome %s (%s), want not-run: the call was never sent", er.Outcome, er.Reason)
	}
	if n := api.Load(); n != 0 {
		t.Errorf("the instance got %d API calls", n)
	}
}
