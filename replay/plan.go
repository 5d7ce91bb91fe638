// Package replay re-issues recorded API calls against an instance and
// compares what comes back with what was recorded: a response regression
// (the answer changed), spec drift (the answer no longer fits the spec) and
// infrastructure errors (no answer, 5xx, timeouts) are told apart.
//
// Replay is safe by default: only GET, HEAD and OPTIONS calls are sent
// unless state-changing ones are allowed (a method-override header or
// _method field counts as the method it names), calls to hosts other than
// the instance are never sent, upload endpoints are never sent at all, and
// a redirect is followed only for a safe call and within the instance's
// origin.
// Values a flow creates and then uses (a new launch's id) are carried from
// the replayed answers into the later calls (see package correlate).
package replay

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/parallel"
	"github.com/apitrail/apitrail/match"
)

// Call is one recorded call and what replay will do with it.
type Call struct {
	// Seq is the call's 1-based place in the recording.
	Seq   int
	Entry *har.Entry
	// Match is the call's verdict against the spec.
	Match match.Result
	// Send says the call will be sent; otherwise Skip says why not.
	Send bool
	Skip string
	// Method is the method the call counts as (see EffectiveMethod), and
	// Override says which header or field made it differ from the
	// recorded one.
	Method   string
	Override string
	// Unsafe marks calls that change state, by Method.
	Unsafe bool

	corr      int   // index among the correlated calls, or -1
	deps      []int // calls that must finish before this one starts
	producers []int // the deps whose answers carry values this call uses
}

// Plan is what a replay will do, in recorded order.
type Plan struct {
	Calls []*Call
	// Corr is the correlation of the recording's API calls.
	Corr *correlate.Plan

	corrCalls []int // correlation index -> index in Calls
	red       *har.Redactor
}

// PlanOptions decide which calls a plan sends.
type PlanOptions struct {
	// Matcher gives each call its verdict. Call Observe on every entry
	// first when it should learn the instance's hosts.
	Matcher *match.Matcher
	// Unsafe allows sending POST, PUT, PATCH and DELETE calls.
	Unsafe bool
	// Redactor cleans what WritePlan prints; a new one with
	// har.DefaultRules when nil.
	Redactor *har.Redactor
}

// Safe reports whether a method only reads.
func Safe(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// idempotent reports whether a method may be sent again after a failure
// without doing twice what it did once (RFC 9110, section 9.2.2).
func idempotent(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, "TRACE":
		return true
	}
	return false
}

// NewPlan decides, for each recorded call, whether and after which others
// it is sent.
//
// The calls are matched on every core, as each call's verdict is its own
// (checking the recorded exchange against the spec is most of planning's
// work). The Matcher's redactor should know the recording's secrets
// already, as Observe leaves it: then the order in which the calls are
// matched changes nothing it learns.
func NewPlan(entries []*har.Entry, opts PlanOptions) *Plan {
	p := &Plan{red: opts.Redactor}
	if p.red == nil {
		p.red = har.NewRedactor(har.DefaultRules())
	}
	matches := make([]match.Result, len(entries))
	parallel.For(len(entries), func(i int) { matches[i] = opts.Matcher.Entry(i+1, entries[i]) })
	var corrCalls []correlate.Call
	for i, e := range entries {
		c := &Call{Seq: i + 1, Entry: e, corr: -1, Method: strings.ToUpper(e.Request.Method)}
		c.Match = matches[i]
		switch c.Match.Verdict {
		case match.NotAPI:
			c.Skip = "not the API: " + c.Match.Reason
		case match.Auth:
			c.Skip = "authentication call: replay signs in with a Bearer token instead"
		case match.Upload:
			c.Skip = c.Match.Reason
		case match.WebSocket:
			c.Skip = "WebSocket: replay sends plain HTTP requests, and a WebSocket handshake replayed as one is answered 400"
		default:
			c.Send = true
		}
		if c.Send {
			// Only calls that may go are read for overrides: a recording's
			// pages and assets are not worth opening their bodies for.
			c.Method, c.Override = EffectiveMethod(e)
		}
		c.Unsafe = !Safe(c.Method)
		if c.Send {
			var op = c.Match.Operation
			cc := correlate.Call{Entry: e}
			if op != nil {
				cc.Operation = op.Spec()
			}
			c.corr = len(corrCalls)
			corrCalls = append(corrCalls, cc)
			p.corrCalls = append(p.corrCalls, len(p.Calls))
		}
		if c.Send && e.Response.Status == 0 {
			c.Send = false
			why := e.NetworkError()
			if why == "" {
				why = "no response"
			}
			c.Skip = "the recording has no answer to compare with (" + why + ")"
		}
		if c.Send && c.Unsafe && !opts.Unsafe {
			c.Send = false
			c.Skip = fmt.Sprintf("%s changes state: pass --unsafe to send it", c.Method)
			if c.Override != "" {
				c.Skip = fmt.Sprintf("%s with %s counts as %s, which changes state: pass --unsafe to send it",
					strings.ToUpper(e.Request.Method), c.Override, c.Method)
			}
		}
		p.Calls = append(p.Calls, c)
	}
	p.Corr = correlate.Analyze(corrCalls, correlate.Options{})
	p.order()
	return p
}

// order fills in each call's dependencies: the calls that produce values
// it uses, and around state-changing calls a barrier, since a read after a
// write may depend on it even when no id says so.
func (p *Plan) order() {
	lastUnsafe := -1
	var since []int // sent calls after the last unsafe one
	for i, c := range p.Calls {
		if !c.Send {
			continue
		}
		deps := map[int]bool{}
		if c.corr >= 0 {
			for _, b := range p.Corr.Bindings(c.corr) {
				if ch := b.Var.Chosen; ch != nil && ch.Call != c.corr {
					// A later use of a value the flow chose waits for the
					// call that sends it first, which makes what it names.
					if prod := p.corrCalls[ch.Call]; p.Calls[prod].Send {
						deps[prod] = true
						c.producers = appendUnique(c.producers, prod)
					}
				}
				if b.Var.From == nil {
					continue
				}
				prod := p.corrCalls[b.Var.From.Call]
				if !p.Calls[prod].Send {
					// The recorded value names something the instance has
					// not made now (a launch a skipped POST created), so the
					// answer would differ for a reason of replay's own and
					// be reported as a regression.
					c.Send, c.producers = false, nil
					c.Skip = fmt.Sprintf("it uses %s %s, which #%d makes, and #%d is not sent", b.Var.Name, b.Var.Value, p.Calls[prod].Seq, p.Calls[prod].Seq)
					break
				}
				deps[prod] = true
				c.producers = appendUnique(c.producers, prod)
			}
		}
		if !c.Send {
			continue
		}
		if lastUnsafe >= 0 {
			deps[lastUnsafe] = true
		}
		if c.Unsafe {
			for _, j := range since {
				deps[j] = true
			}
			lastUnsafe, since = i, nil
		} else {
			since = append(since, i)
		}
		// In recorded order: a map's order would change the plan's text
		// from one dry run to the next.
		c.deps = slices.Sorted(maps.Keys(deps))
	}
}

// freshen puts into values the value each run sends for every value the
// flow chose: fresh at now when the call that first sends it is sent;
// otherwise the later uses keep the recorded value, which names what the
// recording made.
func (p *Plan) freshen(values map[*correlate.Var]string, now time.Time) {
	for _, v := range p.Corr.Vars {
		if v.Chosen != nil && p.Calls[p.corrCalls[v.Chosen.Call]].Send {
			values[v] = v.Fresh(now)
		}
	}
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// Sending counts the calls the plan sends.
func (p *Plan) Sending() int {
	n := 0
	for _, c := range p.Calls {
		if c.Send {
			n++
		}
	}
	return n
}

// Target rewrites a recorded URL onto the endpoint: its scheme and host,
// with the recorded path and query.
func Target(recorded string, endpoint *url.URL) (*url.URL, error) {
	u, err := url.Parse(recorded)
	if err != nil {
		return nil, err
	}
	t := *u
	t.Scheme, t.Host, t.User = endpoint.Scheme, endpoint.Host, nil
	return &t, nil
}
