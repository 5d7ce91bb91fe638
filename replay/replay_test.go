package replay_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/spec"
)

// recording runs the UI flow on a fresh instance, as a browser would, plus
// a look at the launch's statistic, and returns the entries as a recording
// holds them: written through the redacting writer and read back.
func recording(t *testing.T) []*har.Entry {
	t.Helper()
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	b := recorder.NewBrowser(in.URL(), nil)
	ctx := context.Background()
	id, err := b.UIFlow(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Call(ctx, "GET", fmt.Sprintf("/api/launch/%d/statistic", id), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := har.Encode(&buf, b.Rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return f.Log.Entries
}

// target starts the instance to replay against and returns it with a
// client that signs in with the seeded API token.
func target(t *testing.T, knobs sandbox.Knobs) (*sandbox.Instance, *auth.Authenticator) {
	t.Helper()
	in, err := sandbox.Start(sandbox.Options{Knobs: knobs, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	a, err := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	if err != nil {
		t.Fatal(err)
	}
	return in, a
}

var noise = mustRules("ignore body $..createdDate\nignore body $..lastModifiedDate\n")

func mustRules(text string) []diff.Rule {
	rules, err := diff.ParseRules("test.noise", strings.NewReader(text))
	if err != nil {
		panic(err)
	}
	return rules
}

func plan(t *testing.T, ix *spec.Index, entries []*har.Entry, unsafe bool) *replay.Plan {
	m := match.New(ix, match.Options{})
	for _, e := range entries {
		m.Observe(e)
	}
	return replay.NewPlan(entries, replay.PlanOptions{Matcher: m, Unsafe: unsafe})
}

func run(t *testing.T, p *replay.Plan, in *sandbox.Instance, a *auth.Authenticator, o replay.Options) *replay.Report {
	t.Helper()
	o.Endpoint, _ = url.Parse(in.URL())
	o.Client = a.Client()
	o.Backoff = 20 * time.Millisecond
	if o.Diff.Rules == nil {
		o.Diff.Rules = noise
	}
	rep, err := p.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func text(t *testing.T, rep *replay.Report) string {
	var buf bytes.Buffer
	if err := replay.WriteText(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func outcomes(rep *replay.Report) string {
	var parts []string
	for _, e := range rep.Entries {
		parts = append(parts, fmt.Sprintf("%d:%s", e.Seq, e.Outcome))
	}
	return strings.Join(parts, " ")
}

func TestRecordedFlowReplaysWithoutDifferences(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	rep := run(t, plan(t, ix, entries, true), in, a, replay.Options{Spec: ix})
	// login, me, projects, create, open, results, search, statistic
	if got, want := outcomes(rep), "1:skipped 2:skipped 3:ok 4:ok 5:ok 6:ok 7:ok 8:ok"; got != want {
		t.Fatalf("outcomes %s, want %s\n%s", got, want, text(t, rep))
	}
	if rep.Failed() {
		t.Fatal("a clean replay failed")
	}
	hidden := map[string]int{}
	for _, ig := range rep.Ignored {
		hidden[ig.Rule] = ig.Hidden
	}
	if hidden["ignore body $..createdDate"] == 0 || hidden["ignore body $..lastModifiedDate"] == 0 {
		t.Errorf("the noise rules must be listed with what they hid: %+v", rep.Ignored)
	}
	out := text(t, rep)
	if !strings.Contains(out, "ignore body $..createdDate") || !strings.Contains(out, "8 calls: 6 ok, 0 regression, 0 drift, 0 infrastructure error, 2 skipped") {
		t.Errorf("report:\n%s", out)
	}
	for _, r := range in.Requests() {
		if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/uaa/oauth/token" && r.Auth != sandbox.AuthBearer {
			t.Errorf("%s %s went without the Bearer token (%s)", r.Method, r.Path, r.Auth)
		}
		if r.Path == "/api/login/system" {
			t.Error("the login call must not be replayed")
		}
	}
}

func TestWithoutNoiseRulesTimestampsAreRegressions(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	rep := run(t, plan(t, ix, entries, true), in, a, replay.Options{Diff: diff.Config{Rules: []diff.Rule{}}})
	create := rep.Entries[3]
	if create.Outcome != replay.Regression {
		t.Fatalf("create: %s", create.Outcome)
	}
	var paths []string
	for _, c := range create.Diff.Body {
		paths = append(paths, c.Path)
	}
	if got := strings.Join(paths, " "); got != "$.createdDate $.lastModifiedDate" {
		t.Errorf("changed paths %s", got)
	}
}

func TestCorrelationCarriesTheNewID(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	// Two launches first, so that the flow's launch gets another id than
	// it had in the recording.
	c := a.Client()
	for i := 0; i < 2; i++ {
		resp, err := c.Post(in.URL()+"/api/launch", "application/json", strings.NewReader(`{"name":"warm-up","projectId":2}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	in.ResetRequests()
	rep := run(t, plan(t, ix, entries, true), in, a, replay.Options{})
	if len(rep.Vars) != 1 || rep.Vars[0].Name != "launchId" || rep.Vars[0].Recorded == rep.Vars[0].Replayed || rep.Vars[0].Replayed == "" {
		t.Fatalf("vars %+v", rep.Vars)
	}
	oldID, newID := rep.Vars[0].Recorded, rep.Vars[0].Replayed
	var served []string
	for _, r := range in.Requests() {
		if strings.HasPrefix(r.Path, "/api/launch/") || strings.HasPrefix(r.Path, "/api/testresult") {
			served = append(served, r.Path+"?"+r.Query)
		}
	}
	got := strings.Join(served, " ")
	if !strings.Contains(got, "/api/launch/"+newID+"?") || !strings.Contains(got, "launchId="+newID) || strings.Contains(got, "/api/launch/"+oldID+"?") {
		t.Errorf("the later calls must use the new id %s, not %s: %s", newID, oldID, got)
	}
	out := text(t, rep)
	if !strings.Contains(out, "ok (launchId "+oldID+" -> "+newID+")") {
		t.Errorf("the substitution must be reported:\n%s", out)
	}
	if rep.Entries[4].Outcome != replay.OK {
		t.Errorf("opening the new launch: the new id in its answer is expected, not a regression:\n%s", out)
	}
}

func TestUnsafeCallsAreSkippedWithoutTheFlag(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	rep := run(t, plan(t, ix, entries, false), in, a, replay.Options{})
	create := rep.Entries[3]
	if create.Outcome != replay.Skipped || !strings.Contains(create.Reason, "--unsafe") {
		t.Errorf("POST /api/launch: %s %q", create.Outcome, create.Reason)
	}
	for _, r := range in.Requests() {
		if r.Method != "GET" && r.Path != "/api/uaa/oauth/token" {
			t.Errorf("sent %s %s without --unsafe", r.Method, r.Path)
		}
	}
}

// Without --unsafe the launch is not created, so the calls that open it
// would ask for the recorded id and get a 404: a regression replay caused.
func TestCallsUsingWhatASkippedCallMakesAreSkipped(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	rep := run(t, plan(t, ix, entries, false), in, a, replay.Options{Spec: ix})
	for _, i := range []int{4, 5, 7} { // open, results, statistic
		e := rep.Entries[i]
		if e.Outcome != replay.Skipped || !strings.Contains(e.Reason, "which #4 makes, and #4 is not sent") {
			t.Errorf("#%d %s: %s %q, want skipped for the launch #4 would make\n%s", e.Seq, e.URL, e.Outcome, e.Reason, text(t, rep))
		}
	}
	for _, r := range in.Requests() {
		if strings.HasPrefix(r.Path, "/api/launch/") && r.Path != "/api/launch/__search" || strings.Contains(r.Query, "launchId=") {
			t.Errorf("sent %s %s?%s, which uses the launch that was not created", r.Method, r.Path, r.Query)
		}
	}
}

func TestVersion2ReportsExactlyItsChanges(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{V2: true})
	rep := run(t, plan(t, ix, entries, true), in, a, replay.Options{Spec: ix})
	got := map[int][]string{}
	for _, e := range rep.Entries {
		if e.Diff == nil {
			continue
		}
		if e.Diff.Status != nil {
			got[e.Seq] = append(got[e.Seq], fmt.Sprintf("status %d->%d", e.Diff.Status.Recorded, e.Diff.Status.Replayed))
			continue
		}
		for _, c := range e.Diff.Body {
			got[e.Seq] = append(got[e.Seq], string(c.Kind)+" "+c.Path)
		}
	}
	want := map[int][]string{
		3: {"added $.content[0].archived", "added $.content[1].archived"},
		4: {"removed $.closed", "added $.isClosed"},
		5: {"removed $.closed", "added $.isClosed"},
		// The search for "nightly" finds the new launch and two seeded ones.
		7: {"removed $.content[0].closed", "added $.content[0].isClosed", "removed $.content[1].closed", "added $.content[1].isClosed",
			"removed $.content[2].closed", "added $.content[2].isClosed"},
		8: {"status 200->404"},
	}
	for seq, w := range want {
		if strings.Join(sorted(got[seq]), ", ") != strings.Join(sorted(w), ", ") {
			t.Errorf("#%d: got %v, want %v", seq, got[seq], w)
		}
	}
	for seq := range got {
		if _, ok := want[seq]; !ok {
			t.Errorf("#%d changed too: %v", seq, got[seq])
		}
	}
	stat := rep.Entries[7]
	if stat.Outcome != replay.Regression || !stat.Drift {
		t.Errorf("the removed statistic: outcome %s, drift %v (a 404 the spec does not document)", stat.Outcome, stat.Drift)
	}
	if rep.Counts[replay.Regression] != 5 {
		t.Errorf("regressions %d, want 5:\n%s", rep.Counts[replay.Regression], text(t, rep))
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestShortTokensAreRefreshedDuringALongReplay(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{TokenValidity: 2 * time.Second})
	// Replay the reads five times over, about ten seconds at three calls a
	// second, with tokens that live two seconds.
	var long []*har.Entry
	for i := 0; i < 5; i++ {
		for _, e := range entries {
			if e.Request.Method == "GET" {
				long = append(long, e)
			}
		}
	}
	start := time.Now()
	rep := run(t, plan(t, ix, long, false), in, a, replay.Options{Rate: 3})
	if el := time.Since(start); el < 8*time.Second {
		t.Fatalf("the replay took %s; it must outlive several tokens", el)
	}
	if rep.Counts[replay.Infra] != 0 || rep.Counts[replay.NotRun] != 0 {
		t.Errorf("failures with short tokens:\n%s", text(t, rep))
	}
	if a.Exchanges() < 3 {
		t.Errorf("%d token exchanges over a long replay with 2-second tokens", a.Exchanges())
	}
	for _, r := range in.Requests() {
		if r.Status == http.StatusUnauthorized {
			t.Errorf("a call met 401: %s %s: tokens must be renewed before they expire", r.Method, r.Path)
		}
	}
}

func TestFaultsRetryReadsButNeverWrites(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	if _, err := a.Token(context.Background()); err != nil { // the token before the faults
		t.Fatal(err)
	}
	in.SetKnobs(sandbox.Knobs{FailureRate: 0.3, DropRate: 0.2})
	var long []*har.Entry
	for i := 0; i < 4; i++ {
		long = append(long, entries...)
	}
	rep := run(t, plan(t, ix, long, true), in, a, replay.Options{Retries: 6})
	var retriedGETs int
	for _, e := range rep.Entries {
		if e.Method == "POST" && e.Attempts > 1 {
			t.Errorf("#%d POST sent %d times", e.Seq, e.Attempts)
		}
		if e.Method == "GET" && e.Attempts > 1 {
			retriedGETs++
		}
	}
	if retriedGETs == 0 {
		t.Error("no GET was retried under 50% faults")
	}
	posts := map[string]int{}
	for _, r := range in.Requests() {
		if r.Method == "POST" {
			posts[r.Path]++
		}
	}
	if posts["/api/launch"] > 4 {
		t.Errorf("the instance got %d POST /api/launch for 4 recorded ones", posts["/api/launch"])
	}
	for _, e := range rep.Entries {
		if e.Method == "POST" && e.Outcome == replay.Infra && e.Attempts != 1 {
			t.Errorf("#%d: a failed POST was retried", e.Seq)
		}
	}
}

// With one call in flight, the instance sees the calls as the UI made them.
func TestOneAtATimeSendsInRecordedOrder(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{})
	var reads []*har.Entry
	for i := 0; i < 5; i++ {
		for _, e := range entries {
			if e.Request.Method == "GET" && !strings.Contains(e.Request.URL, "/api/uaa/") {
				reads = append(reads, e)
			}
		}
	}
	var want []string
	for _, e := range reads {
		u, _ := url.Parse(e.Request.URL)
		want = append(want, u.Path+"?"+u.RawQuery)
	}
	if _, err := a.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.ResetRequests()
	rep := run(t, plan(t, ix, reads, false), in, a, replay.Options{Concurrency: 1})
	if rep.Counts[replay.Infra]+rep.Counts[replay.NotRun] != 0 {
		t.Fatalf("failures:\n%s", text(t, rep))
	}
	var got []string
	for _, r := range in.Requests() {
		if r.Path != "/api/uaa/oauth/token" {
			got = append(got, r.Path+"?"+r.Query)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent in this order:\n%s\nwant the recorded order:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestInterruptedRunStillReports(t *testing.T) {
	entries := recording(t)
	ix := sandboxtest.Index(t, false)
	in, a := target(t, sandbox.Knobs{Latency: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	o := replay.Options{Concurrency: 1, Diff: diff.Config{Rules: noise}, Client: a.Client()}
	o.Endpoint, _ = url.Parse(in.URL())
	rep, err := plan(t, ix, entries, true).Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.Counts[replay.NotRun] == 0 {
		t.Fatalf("interrupted %v, not run %d", rep.Interrupted, rep.Counts[replay.NotRun])
	}
	if !strings.Contains(text(t, rep), "(interrupted)") {
		t.Error("the summary must say the run was interrupted")
	}
}

// A write waits for every read since the last write; the plan names them in
// recorded order, so that a dry run prints the same text each time.
func TestPlanListsDependenciesInOrder(t *testing.T) {
	mk := func(method, u string) *har.Entry {
		e := &har.Entry{Request: har.Request{Method: method, URL: u}, Response: har.Response{Status: 200}}
		e.SetResponseBody([]byte(`{}`), "application/json")
		return e
	}
	var entries []*har.Entry
	for i := 1; i <= 6; i++ {
		entries = append(entries, mk("GET", fmt.Sprintf("http://testops.test/api/launch/%d", 100+i)))
	}
	entries = append(entries, mk("POST", "http://testops.test/api/launch"))
	p := plan(t, sandboxtest.Index(t, false), entries, true)
	for range 20 {
		var b strings.Builder
		if err := replay.WritePlan(&b, "reads then a write", p, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "after #1, #2, #3, #4, #5, #6\n") {
			t.Fatalf("the write waits for the six reads, in order:\n%s", b.String())
		}
	}
}
