package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/jsonpath"
	apvalues "github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/spec"
)

// Options configure a replay run.
type Options struct {
	// Name names the flow in the report.
	Name string
	// Endpoint is the instance's base URL; every call goes to its scheme
	// and host.
	Endpoint *url.URL
	// Client sends the calls. It should add the Bearer token (see
	// auth.Authenticator.Client) and only to the endpoint's host.
	Client *http.Client
	// Diff configures the comparison: noise rules and the like.
	Diff diff.Config
	// Spec, when set, checks every new answer against its operation.
	Spec *spec.Index
	// Concurrency bounds the calls in flight; 4 when zero. Calls that
	// depend on each other still go one after the other.
	Concurrency int
	// Rate bounds the calls started per second; zero means no bound.
	Rate float64
	// Timeout bounds one attempt of one call; 30s when zero.
	Timeout time.Duration
	// Retries is how often an idempotent call is sent again after a
	// connection error or a 502, 503 or 504; 3 when zero, none when
	// negative. Other calls are never sent twice.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one; 200ms when zero.
	Backoff time.Duration
	// LearnNoise sends each safe call twice and treats what differs
	// between the two answers as noise.
	LearnNoise bool
	// BroadNoise applies what LearnNoise learned even where the brake
	// would hold it back: rules that would hide most of an answer.
	BroadNoise bool
	// Baseline holds, by the 0-based index of the recorded call, answers to
	// compare with instead of the recorded ones.
	Baseline map[int]*har.Entry
	// BaselineValues holds, by the same index, the values the run that
	// wrote a baseline answer created, keyed by the recorded value: a
	// baseline written by --update holds that run's ids, not the
	// recording's, and a later run's ids are carried in place of those.
	BaselineValues map[int]map[string]string
	// Redactor cleans secrets from everything the report holds; a new one
	// with har.DefaultRules when nil. Give it the tokens in play and the
	// recording's secret values (Pin, PinSecrets): an instance that echoes
	// a header or a form back puts them in answers, and so in diffs.
	Redactor *har.Redactor
	// MaxBody is how much of each answer is kept, after any content coding
	// is undone; DefaultMaxBody when zero, nothing when negative. A longer
	// answer is still read to its end, for its length and SHA-256, and
	// compared by those (see diff.Response.Cut).
	MaxBody int64
	// Progress, when set, is called after each call with the number done.
	Progress func(done, total int, last *EntryReport)
}

type runner struct {
	p      *Plan
	o      Options
	differ *diff.Differ

	mu     sync.Mutex
	values map[*correlate.Var]string
	// own are the values of values, in the order they were first set
	// (ownAt has each one's place): what the comparison calls the flow's
	// own ids, read by every call without copying the map.
	own      []string
	ownAt    map[*correlate.Var]int
	answered []bool // the call got an answer (its values are extracted)
	done     int
	// deleted are the last path segments of DELETE calls that succeeded:
	// items the flow removed itself, expected gone from later lists.
	deleted []string

	limiter *limiter

	hintMu    sync.Mutex
	hintCache map[hintKey][]diff.Hint
}

// Run replays the plan. It returns an error only for options it cannot use;
// what happens to each call is in the report. When ctx is cancelled, calls
// in flight are abandoned, later ones are not started, and the report says
// so.
func (p *Plan) Run(ctx context.Context, o Options) (*Report, error) {
	if o.Endpoint == nil || o.Endpoint.Host == "" {
		return nil, errors.New("no endpoint")
	}
	if o.Client == nil {
		return nil, errors.New("no HTTP client")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Retries == 0 {
		o.Retries = 3
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = 200 * time.Millisecond
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Redactor == nil {
		o.Redactor = har.NewRedactor(har.DefaultRules())
	}
	d, err := diff.New(o.Diff)
	if err != nil {
		return nil, err
	}
	r := &runner{p: p, o: o, differ: d, values: map[*correlate.Var]string{}, ownAt: map[*correlate.Var]int{}, hintCache: map[hintKey][]diff.Hint{},
		answered: make([]bool, len(p.Calls))}
	if o.Rate > 0 {
		r.limiter = &limiter{every: time.Duration(float64(time.Second) / o.Rate)}
	}
	rep := &Report{Flow: o.Name, Endpoint: o.Endpoint.String(), Started: time.Now()}
	p.freshen(r.values, rep.Started)
	rep.Entries = make([]*EntryReport, len(p.Calls))
	done := make([]chan struct{}, len(p.Calls))
	total := p.Sending()
	finished := func(er *EntryReport) {
		r.mu.Lock()
		r.done++
		n := r.done
		r.mu.Unlock()
		if o.Progress != nil {
			o.Progress(n, total, er)
		}
	}
	// A call that is sent gets its URLs where it is made, on a worker:
	// redacting every recorded URL here kept the first call waiting.
	recordedURL := func(er *EntryReport, c *Call) {
		er.RecordedURL = o.Redactor.ReportURL(c.Entry.Request.URL)
		er.URL = er.RecordedURL
	}
	for i, c := range p.Calls {
		done[i] = make(chan struct{})
		er := &EntryReport{Seq: c.Seq, Method: strings.ToUpper(c.Entry.Request.Method),
			Operation: c.Match.Operation, Verdict: c.Match.Verdict, RecordedStatus: c.Entry.Response.Status}
		rep.Entries[i] = er
		if !c.Send {
			recordedURL(er, c)
			er.Outcome, er.Reason = Skipped, c.Skip
			close(done[i])
		}
	}
	// One dispatcher starts the calls in recorded order, each once its
	// dependencies are done and a worker is free: a goroutine per call
	// racing for slots would send them in any order, even with one slot.
	// The workers, one per slot, are the limit; a goroutine per call grew a
	// new stack to the depth of a spec check for every one.
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(o.Concurrency, total) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				er := rep.Entries[i]
				recordedURL(er, p.Calls[i])
				r.call(ctx, i, p.Calls[i], er)
				close(done[i])
				finished(er)
			}
		}()
	}
	for i, c := range p.Calls {
		if !c.Send {
			continue
		}
		er := rep.Entries[i]
		if !r.start(ctx, c, done, jobs, i) {
			recordedURL(er, c)
			er.Outcome, er.Reason = NotRun, "interrupted"
			close(done[i])
			finished(er)
		}
	}
	close(jobs)
	wg.Wait()
	rep.Duration = time.Since(rep.Started)
	rep.Interrupted = ctx.Err() != nil
	// What the comparisons hid and learned is summed in recorded order,
	// not in the order the answers came: the report reads the same
	// whatever the concurrency, and no call waits on a lock for it.
	tally := diff.NewTally(o.Diff.Rules)
	for _, er := range rep.Entries {
		if er.Diff != nil {
			tally.Add(er.Diff)
		}
		rep.Learned = append(rep.Learned, er.Learned...)
		rep.HeldBack = append(rep.HeldBack, er.HeldBack...)
	}
	rep.Ignored = tally.Ignored()
	if n := len(rep.Learned) + len(rep.HeldBack); n > MaxLearnedRules {
		rep.LearnWarnings = append(rep.LearnWarnings, fmt.Sprintf("%d noise rules learned, more than %d: an instance whose answers differ in nearly everything, where rules would only blind the replay", n, MaxLearnedRules))
	}
	for _, v := range p.Corr.Vars {
		vr := VarReport{Name: v.Name, Recorded: v.Value, Replayed: r.values[v]}
		if v.From != nil {
			vr.From = fmt.Sprintf("#%d %s", p.Calls[p.corrCalls[v.From.Call]].Seq, v.From.Place)
		}
		if v.Chosen != nil {
			vr.From = fmt.Sprintf("chosen at #%d %s", p.Calls[p.corrCalls[v.Chosen.Call]].Seq, v.Chosen.Place)
		}
		rep.Vars = append(rep.Vars, vr)
	}
	rep.count()
	r.scrub(rep)
	return rep, nil
}

// setValue records a value carried from an answer; r.mu is held.
func (r *runner) setValue(v *correlate.Var, nv string) {
	r.values[v] = nv
	if i, ok := r.ownAt[v]; ok {
		if r.own[i] != nv {
			// Calls in flight hold snapshots of own: change a copy.
			r.own = slices.Clone(r.own)
			r.own[i] = nv
		}
		return
	}
	r.ownAt[v] = len(r.own)
	r.own = append(r.own, nv)
}

// scrub is the last pass over a report before anyone reads it: every
// string it shows goes through the redactor, by value, so that a secret
// that reached a reason, a warning, a spec problem or a carried value by
// any road leaves as a placeholder. The answers were redacted before they
// were compared, so no diff holds a piece of one either.
//
// The sweep by value runs once, over the whole report, after the texts
// and URLs are redacted (which may teach the redactor secrets that the
// sweep then finds elsewhere): sweeping each entry, then each message,
// then the report went over every body three times.
func (r *runner) scrub(rep *Report) {
	red := r.o.Redactor
	rep.Endpoint = red.ReportURL(rep.Endpoint)
	for _, er := range rep.Entries {
		er.Reason = red.ReportText(er.Reason)
		for i, w := range er.Warnings {
			er.Warnings[i] = red.ReportText(w)
		}
		for _, m := range []*Message{er.Request, er.Response, er.Recorded} {
			if m != nil {
				m.URL = red.ReportURL(m.URL)
			}
		}
	}
	red.SweepValue(rep)
}

// start waits until a call may go, the calls it depends on done, and hands
// call i to a free worker. It reports false when ctx ends first.
func (r *runner) start(ctx context.Context, c *Call, done []chan struct{}, jobs chan<- int, i int) bool {
	for _, d := range c.deps {
		select {
		case <-done[d]:
		case <-ctx.Done():
			return false
		}
	}
	// Both cases may be ready at once, and select picks either: a call
	// handed over then finds ctx ended and is reported interrupted.
	select {
	case jobs <- i:
		return true
	case <-ctx.Done():
		return false
	}
}

// call replays one call, on the worker start handed it to, and fills in its report.
func (r *runner) call(ctx context.Context, i int, c *Call, er *EntryReport) {
	if ctx.Err() != nil {
		er.Outcome, er.Reason = NotRun, "interrupted"
		return
	}
	r.mu.Lock()
	for _, pr := range c.producers {
		if !r.answered[pr] {
			r.mu.Unlock()
			er.Outcome = NotRun
			er.Reason = fmt.Sprintf("it uses a value from #%d, which got no answer", r.p.Calls[pr].Seq)
			return
		}
	}
	// Only the values this call's bindings name are copied: copying all
	// of them for every call made a run quadratic in the values carried.
	var bindings []correlate.Binding
	var values map[*correlate.Var]string
	if c.corr >= 0 {
		bindings = r.p.Corr.Bindings(c.corr)
		values = make(map[*correlate.Var]string, len(bindings))
		for _, b := range bindings {
			if v, ok := r.values[b.Var]; ok {
				values[b.Var] = v
			}
		}
	}
	r.mu.Unlock()

	req, err := r.build(c, bindings, values, er)
	if err != nil {
		er.Outcome, er.Reason = Infra, err.Error()
		return
	}
	start := time.Now()
	var sent atomic.Bool
	first, err := r.send(ctx, req, er, &sent)
	er.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		switch {
		case ctx.Err() != nil && sent.Load() && c.Unsafe:
			er.Outcome, er.Reason = Interrupted, "interrupted after sending, before the answer: the instance may have applied it"
			return
		case ctx.Err() != nil && sent.Load():
			er.Outcome, er.Reason = Interrupted, "interrupted after sending, before the answer"
			return
		case ctx.Err() != nil:
			er.Outcome, er.Reason = NotRun, "interrupted"
			return
		}
		er.Outcome, er.Reason = Infra, err.Error()
		return
	}
	er.Status = first.Status
	var now diff.Response
	er.Response, now = r.answer(first)
	if c := first.Cut; c != nil {
		er.Cut = c
		er.Warnings = append(er.Warnings, fmt.Sprintf("the answer is %d bytes; only the first %d were kept, and the rest was compared by length and SHA-256", c.Size, c.Kept))
	}

	// The answer is read outside the lock, which every call in flight takes.
	var produced []*correlate.Var
	var found map[*correlate.Var]string
	if c.corr >= 0 {
		produced = r.p.Corr.Produced(c.corr)
		found = correlate.ExtractAll(produced, first.Header, first.Body)
	}
	r.mu.Lock()
	r.answered[i] = true
	for _, v := range produced {
		if nv, ok := found[v]; ok {
			r.setValue(v, nv)
		} else {
			er.Warnings = append(er.Warnings, fmt.Sprintf("the answer has no %s at %s, so later calls keep the recorded %s", v.Name, v.From.Place, v.Value))
		}
	}
	r.mu.Unlock()

	if first.Status >= 500 && first.Status != c.Entry.Response.Status {
		er.Outcome = Infra
		er.Reason = fmt.Sprintf("the instance answered %d %s", first.Status, http.StatusText(first.Status))
		if er.Attempts > 1 {
			er.Reason += fmt.Sprintf(" after %d attempts", er.Attempts)
		}
		return
	}
	r.noteDeleted(req, first)
	r.compare(ctx, c, req, first, now, er)
}

// response is an answer: the whole body, or its start when Cut is set.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	Cut    *Cut
}

// diffResponse is the answer as the differ takes it.
func (g *response) diffResponse() diff.Response {
	d := diff.Response{Status: g.Status, Header: g.Header, Body: g.Body}
	if g.Cut != nil {
		d.Cut, d.Size, d.SHA256 = true, g.Cut.Size, g.Cut.SHA256
	}
	return d
}

// compare diffs the answer with the recorded (or baseline) one and checks
// it against the spec.
// now is got as the comparison sees it (see answer).
func (r *runner) compare(ctx context.Context, c *Call, req *prepared, got *response, now diff.Response, er *EntryReport) {
	recorded := c.Entry
	var was map[string]string
	if b, ok := r.o.Baseline[c.Seq-1]; ok && b != nil {
		recorded, was = b, r.o.BaselineValues[c.Seq-1]
	}
	recBody, _ := recorded.ResponseBody()
	changed, chosen := r.carried(was)
	recBody = expected(recBody, changed, chosen)
	var ids []string
	if recorded == c.Entry {
		// The recording's ids (see recordedIDs) are read from the body
		// just made ready for the comparison, not from the entry decoded
		// once more.
		ids = idsIn(recBody)
	} else {
		ids = r.recordedIDs(c.Entry)
	}
	content := &recorded.Response.Content
	// The recorded headers as a map once: har's ContentType and
	// HTTPHeader each build it anew.
	recHeader := recorded.Response.HTTPHeader()
	recType := recHeader.Get("Content-Type")
	if recType == "" {
		recType = content.MimeType
	}
	shown, compared := r.headers(recHeader, shownHeaders|comparedHeaders)
	// Both answers are compared redacted: a diff cuts long values and
	// quotes excerpts, and a piece of a token is as bad as all of it.
	// Equal secrets get equal placeholders, so redaction changes no
	// verdict.
	rec := diff.Response{Status: recorded.Response.Status, Header: compared,
		Body: r.redactBody(recType, recBody), ContentType: recType,
		// Exporters often keep no body text (WebPageTest, chrome-har): an
		// empty body there means "not recorded", not "empty".
		BodyUnknown: recBody == nil && content.Size != 0 && !content.Truncated(),
		Cut:         content.Truncated(), Size: content.Size, SHA256: content.SHA256()}
	if rec.Cut && rec.Size <= int64(len(recBody)) {
		rec.Size = -1 // capture could not tell, or the HAR says nonsense
	}
	er.Recorded = &Message{Status: rec.Status, Header: shown, Body: rec.Body}
	rec, now = notModified(rec, now)
	rec.Header = carryHeaders(rec.Header, changed)
	r.mu.Lock()
	// Both lists only grow by appending (setValue copies before it changes
	// one in place), so a call can read its snapshot of them unlocked.
	op := diff.Operation{Method: er.Method, Deleted: r.deleted[:len(r.deleted):len(r.deleted)], Own: r.own[:len(r.own):len(r.own)]}
	op.Recorded, _ = recorded.Started()
	r.mu.Unlock()
	op.Own = append(op.Own, ids...)
	if o := c.Match.Operation; o != nil {
		op.Path, op.ID = o.Path, o.OperationID
		op.Hints = r.hints(o.Spec(), got.Status)
	} else if u, err := url.Parse(c.Entry.Request.URL); err == nil {
		op.Path = u.Path
	}
	differ := r.differ
	if r.o.LearnNoise {
		differ = r.learn(ctx, c, req, er, op, rec, now)
	}
	res := differ.Compare(op, rec, now)
	er.Diff = res
	er.Regression = !res.Equal

	if ix := r.o.Spec; ix != nil {
		m := ix.Lookup(er.Method, req.url)
		if m.Outcome == spec.Found {
			for _, p := range ix.Check(m, spec.Request{Method: er.Method, URL: req.url, Header: req.header, Body: req.body},
				&spec.Response{Status: got.Status, Header: got.Header, Body: got.Body, Truncated: got.Cut != nil}) {
				if p.IsResponse() {
					er.SpecProblems = append(er.SpecProblems, p)
				}
			}
		}
	}
	er.Drift = len(er.SpecProblems) > 0
	switch {
	case er.Regression:
		er.Outcome = Regression
	case er.Drift:
		er.Outcome = Drift
	default:
		er.Outcome = OK
	}
}

func (r *runner) noteDeleted(req *prepared, got *response) {
	if req.method != http.MethodDelete || got.Status < 200 || got.Status > 299 {
		return
	}
	p := strings.TrimSuffix(req.url.Path, "/")
	r.mu.Lock()
	r.deleted = append(r.deleted, p[strings.LastIndexByte(p, '/')+1:])
	r.mu.Unlock()
}

// prepared is a request ready to send any number of times.
type prepared struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	// as is the method the call counts as (Call.Method), which decides
	// retries; follow allows following a redirect within the origin.
	as     string
	follow bool
}

// replayHeaders picks the recorded headers worth sending again: the content
// negotiation ones and custom X- headers that hold no secret. Cookies, XSRF
// tokens and recorded credentials stay behind; the client adds the Bearer
// token.
func (r *runner) replayHeaders(e *har.Entry) http.Header {
	out := http.Header{}
	for _, h := range e.Request.Headers {
		name := http.CanonicalHeaderKey(h.Name)
		switch {
		case name == "Content-Type" || name == "Accept" || name == "Accept-Language":
		case strings.HasPrefix(name, "X-") && !r.o.Redactor.SecretName(name) &&
			!strings.Contains(name, "Xsrf") && !strings.Contains(name, "Csrf") && !har.IsPlaceholder(h.Value):
		default:
			continue
		}
		out.Add(name, h.Value)
	}
	if out.Get("Content-Type") == "" && e.Request.PostData != nil && e.Request.PostData.MimeType != "" {
		out.Set("Content-Type", e.Request.PostData.MimeType)
	}
	out.Set("User-Agent", "apitrail-replay")
	return out
}

// build makes the request of a call, with the values of its bindings.
func (r *runner) build(c *Call, bindings []correlate.Binding, values map[*correlate.Var]string, er *EntryReport) (*prepared, error) {
	e := c.Entry
	u, err := Target(e.Request.URL, r.o.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("the recorded URL does not parse: %v", err)
	}
	body, err := e.RequestBody()
	if err != nil {
		return nil, err
	}
	cr := &correlate.Request{URL: u, Header: r.replayHeaders(e), Body: body}
	if c.corr >= 0 {
		er.Substitutions = correlate.Apply(cr, bindings, values)
	}
	if names := c.Match.CacheBusters(); names != nil {
		// The recorded value may be a cache's key by now; the browser
		// would send a new one, and so does replay.
		now := time.Now()
		cr.URL.RawQuery = apvalues.ReplaceQuery(cr.URL.RawQuery, names, func(_, old string) string { return apvalues.Fresh(old, now) })
	}
	if strings.Contains(cr.URL.String(), har.PlaceholderPrefix) || bytes.Contains(cr.Body, []byte(har.PlaceholderPrefix)) {
		er.Warnings = append(er.Warnings, "the request carries a value that was redacted from the recording; the instance gets the placeholder, not the secret")
	}
	er.URL = r.o.Redactor.ReportURL(cr.URL.String())
	// A recorded 3xx is compared as a 3xx: following it would compare
	// the page it leads to with the redirect.
	redirected := e.Response.Status >= 300 && e.Response.Status < 400
	p := &prepared{method: er.Method, url: cr.URL, header: cr.Header, body: cr.Body, as: c.Method, follow: !c.Unsafe && !redirected}
	if c.Override != "" {
		er.Warnings = append(er.Warnings, fmt.Sprintf("sent as %s with %s: it counts as %s", er.Method, c.Override, c.Method))
	}
	shown, _ := r.headers(p.header, shownHeaders)
	er.Request = &Message{Method: p.method, URL: er.URL, Header: shown, Body: r.o.Redactor.Body(p.header.Get("Content-Type"), p.body)}
	return p, nil
}

// send sends a prepared request, again after connection errors and 502,
// 503 and 504 answers when its method is idempotent. sent, when not nil,
// is set once a request has gone out, even if no answer comes.
func (r *runner) send(ctx context.Context, p *prepared, er *EntryReport, sent *atomic.Bool) (*response, error) {
	retries := 0
	if idempotent(p.as) {
		retries = r.o.Retries
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := r.limiter.wait(ctx); err != nil {
			return nil, err
		}
		er.Attempts++
		got, err := r.once(ctx, p, sent)
		lastErr = err
		retry := err != nil || got.Status == http.StatusBadGateway || got.Status == http.StatusServiceUnavailable || got.Status == http.StatusGatewayTimeout
		if !retry || attempt >= retries || ctx.Err() != nil || errors.Is(err, auth.ErrSignIn) {
			if err != nil {
				if er.Attempts > 1 {
					return nil, fmt.Errorf("%v (after %d attempts)", err, er.Attempts)
				}
				return nil, err
			}
			return got, nil
		}
		wait := r.o.Backoff << attempt
		wait += time.Duration(rand.Int64N(int64(wait)/2 + 1))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			if lastErr == nil {
				lastErr = ctx.Err()
			}
			return nil, lastErr
		}
	}
}

func (r *runner) once(ctx context.Context, p *prepared, sent *atomic.Bool) (*response, error) {
	actx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	if sent != nil {
		// From the headers on, the instance may act on the request, so an
		// interruption after this point may leave it applied.
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{WroteHeaders: func() { sent.Store(true) }})
	}
	req, err := http.NewRequestWithContext(actx, p.method, p.url.String(), bytes.NewReader(p.body))
	if err != nil {
		return nil, err
	}
	if len(p.body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	req.Header = p.header.Clone()
	client := *r.o.Client
	client.CheckRedirect = redirectPolicy(p.follow, r.o.Client.CheckRedirect)
	resp, err := client.Do(req)
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return nil, fmt.Errorf("no answer within %s", r.o.Timeout)
		}
		return nil, cleanErr(err)
	}
	defer resp.Body.Close()
	// The transport undoes a gzip coding it asked for, so what is counted
	// against the limit is the decoded body: a small gzip bomb is cut
	// like any other long answer.
	body, cut, err := readBounded(resp.Body, r.o.MaxBody, resp.ContentLength)
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return nil, fmt.Errorf("the answer did not end within %s", r.o.Timeout)
		}
		return nil, fmt.Errorf("reading the answer: %v", cleanErr(err))
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: body, Cut: cut}, nil
}

// cleanErr drops the request line that net/http puts in front of
// transport errors, which repeats what the report already shows.
func cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// headerMaps are the maps headers makes: shownHeaders, comparedHeaders or
// both.
type headerMaps uint8

const (
	shownHeaders headerMaps = 1 << iota
	comparedHeaders
)

// headers redacts headers in one pass for the places they go: shown as
// reports show them (a request's, a recorded answer's, a new one's), and
// compared as the comparison takes them, where the value of a header the
// rules call secret reads the same fixed text on both sides, so the diff
// says such a header was added or removed but never prints a value, and a
// token that changed on every run is no regression. Only the maps in want
// are made; without shownHeaders a secret header's value is not even
// looked at (see comparable).
func (r *runner) headers(h http.Header, want headerMaps) (shown, compared http.Header) {
	show, compare := want&shownHeaders != 0, want&comparedHeaders != 0
	// The values of each map share one array, as net/textproto's reader
	// does, rather than a slice of their own each: two maps of every
	// answer and every recorded one were replay's largest allocation.
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	var shownVals, comparedVals []string
	if show {
		shown, shownVals = make(http.Header, len(h)), make([]string, 0, n)
	}
	if compare {
		compared, comparedVals = make(http.Header, len(h)), make([]string, 0, n)
	}
	for k, vs := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		secret := compare && r.o.Redactor.SecretName(k)
		from, shownFrom := len(comparedVals), len(shownVals)
		for _, v := range vs {
			if secret && !show {
				comparedVals = append(comparedVals, "(secret)")
				continue
			}
			red := r.o.Redactor.Header(k, v)
			if show {
				shownVals = append(shownVals, red)
			}
			if compare {
				if secret {
					red = "(secret)"
				}
				comparedVals = append(comparedVals, red)
			}
		}
		if compare {
			addValues(compared, ck, comparedVals[from:len(comparedVals):len(comparedVals)])
		}
		if show {
			addValues(shown, ck, shownVals[shownFrom:len(shownVals):len(shownVals)])
		}
	}
	return shown, compared
}

// addValues adds vs to h's values of the canonical name ck: they are its
// values when it has none yet; two names of one canonical spelling add to
// the same entry. A name with no values makes no entry.
func addValues(h http.Header, ck string, vs []string) {
	if len(vs) == 0 {
		return
	}
	if old, ok := h[ck]; ok {
		h[ck] = append(old, vs...)
		return
	}
	h[ck] = vs
}

// redactBody is a body as reports and the comparison see it.
func (r *runner) redactBody(contentType string, body []byte) []byte {
	if body == nil {
		return nil
	}
	return r.o.Redactor.Body(contentType, body)
}

// answer redacts an answer once for the report and for the comparison
// (see compare and headers): the same body for both.
func (r *runner) answer(got *response) (*Message, diff.Response) {
	shown, compared := r.headers(got.Header, shownHeaders|comparedHeaders)
	body := r.redactBody(got.Header.Get("Content-Type"), got.Body)
	d := got.diffResponse()
	d.Header, d.Body = compared, body
	return &Message{Status: got.Status, Header: shown, Body: body, Cut: got.Cut}, d
}

// comparable is an answer that is only compared, never shown
// (--learn-noise's second one): its secret headers' values are replaced
// without the redactor reading them, as nothing of it is reported.
func (r *runner) comparable(got *response) diff.Response {
	_, compared := r.headers(got.Header, comparedHeaders)
	d := got.diffResponse()
	d.Header, d.Body = compared, r.redactBody(got.Header.Get("Content-Type"), got.Body)
	return d
}

// limiter spaces out the starts of calls.
type limiter struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

func (l *limiter) wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	t := l.next
	if t.Before(now) {
		t = now
	}
	l.next = t.Add(l.every)
	l.mu.Unlock()
	select {
	case <-time.After(time.Until(t)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// expected puts the values carried between calls into a recorded answer:
// the launch the recording created had id 104, the one created now has 106,
// and an answer that says 106 where the recording said 104 is as expected.
// Only members that hold ids are changed, so a count that happens to equal
// an old id stays as recorded. changed and chosen are what carried gives,
// once per call.
func expected(body []byte, changed, chosen map[string]string) []byte {
	if len(changed) == 0 || len(body) == 0 {
		return body
	}
	leaves, err := jsonpath.Leaves(body)
	if err != nil {
		return body
	}
	for i := len(leaves) - 1; i >= 0; i-- { // from the end, so earlier spans stay valid
		l := leaves[i]
		if l.Kind == jsonpath.String && len(chosen) > 0 {
			if s, ok := carryChosen(l.Text, chosen); ok {
				raw, _ := json.Marshal(s)
				body = jsonpath.Replace(body, l, raw)
				continue
			}
		}
		nv, ok := changed[l.Text]
		if !ok || !idMember(l.Key) || (l.Kind != jsonpath.Number && l.Kind != jsonpath.String) {
			continue
		}
		raw, _ := json.Marshal(nv)
		if l.Kind == jsonpath.Number {
			raw = []byte(nv)
		}
		body = jsonpath.Replace(body, l, raw)
	}
	return body
}

// recordedIDs are the ids in a call's recorded answer, as this run's
// values stand for them: the items the recording holds are the flow's to
// compare member by member (a rename of one between runs is a
// regression), like the items it creates. Only items a baseline caught
// besides those, made by others or by earlier runs, may change value under
// the flow.
func (r *runner) recordedIDs(e *har.Entry) []string {
	body, _ := e.ResponseBody()
	changed, chosen := r.carried(nil)
	return idsIn(expected(body, changed, chosen))
}

// idsIn lists the values of a JSON answer's id members, in order; none
// when the body is not JSON.
func idsIn(body []byte) []string {
	if len(body) == 0 {
		return nil
	}
	var ids []string
	err := jsonpath.Scalars(string(body), func(l jsonpath.Leaf) {
		if idMember(l.Key) && (l.Kind == jsonpath.Number || l.Kind == jsonpath.String) {
			ids = append(ids, l.Text)
		}
	})
	if err != nil {
		return nil
	}
	return ids
}

func idMember(key string) bool {
	return key == "id" || key == "uuid" || strings.HasSuffix(key, "Id") || strings.HasSuffix(key, "ID") || strings.HasSuffix(key, "_id")
}

// MaxLearnedRules is how many noise rules one learning run may propose
// before the whole lot is suspect: more than that means an instance whose
// answers differ in nearly everything (a mock that makes every value up),
// and saving them would make every later replay blind.
const MaxLearnedRules = 50

// learn proposes noise for one call: what differs between two answers
// sent one after the other (safe calls only: it sends the call again) and
// what hints hid between the recorded answer and this one. The brake: when
// the rules learned for one answer would hide more than half of its
// values, they are held back, neither applied nor saved unless
// Options.BroadNoise, and a warning says why. It returns the differ to
// compare the call with.
func (r *runner) learn(ctx context.Context, c *Call, req *prepared, er *EntryReport, op diff.Operation, rec, now diff.Response) *diff.Differ {
	var rules []diff.Rule
	if !c.Unsafe {
		if second, err := r.send(ctx, req, &EntryReport{}, nil); err == nil {
			rules = r.differ.Learn(op, now, r.comparable(second)).Rules
		}
	}
	seen := map[string]bool{}
	for _, rule := range rules {
		seen[rule.String()] = true
	}
	for _, rule := range r.differ.LearnHints(op, rec, now) {
		if !seen[rule.String()] {
			rules = append(rules, rule)
		}
	}
	if len(rules) == 0 {
		return r.differ
	}
	hidden, total := diff.Coverage(op, rules, now)
	if hidden*2 > total && !r.o.BroadNoise {
		var names []string
		for _, rule := range rules {
			names = append(names, string(rule.Target)+" "+rule.Expr)
		}
		er.Warnings = append(er.Warnings, fmt.Sprintf("learned noise held back: %d rule(s) (%s) would hide %d of the answer's %d values, which leaves nothing to compare", len(rules), strings.Join(names, ", "), hidden, total))
		er.HeldBack = rules
		return r.differ
	}
	er.Learned = rules
	cfg := r.o.Diff
	cfg.Rules = append(append([]diff.Rule(nil), cfg.Rules...), rules...)
	if d, err := diff.New(cfg); err == nil {
		return d
	}
	return r.differ
}
