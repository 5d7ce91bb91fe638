// Package match resolves recorded HTTP exchanges to the operations of an
// instance's OpenAPI documents and gives each one verdict: matched, matched
// with drift, undocumented (naming the closest operations), not the API,
// authentication, a WebSocket, or an upload endpoint that only the vendor's
// tools may call. What a browser adds to an API call (cache-busters, 304
// revalidations, fetches of the spec itself) is told apart from the API.
package match

import (
	"net/url"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/spec"
)

// Verdict is what one recorded exchange is, as far as the API goes.
type Verdict string

// The verdicts, from the most to the least interesting for automation.
const (
	Matched      Verdict = "matched"      // an operation of the spec, fitting it
	Drift        Verdict = "drift"        // an operation of the spec, differing from it
	Undocumented Verdict = "undocumented" // on the instance, in no spec
	Upload       Verdict = "upload"       // an upload endpoint: use the vendor's tools
	Auth         Verdict = "auth"         // a login or token exchange
	WebSocket    Verdict = "websocket"    // a WebSocket conversation, not an HTTP call
	NotAPI       Verdict = "not-api"      // a page, an asset, another host, a preflight, the API's docs
)

// Verdicts lists every verdict in report order.
var Verdicts = []Verdict{Matched, Drift, Undocumented, Upload, Auth, WebSocket, NotAPI}

// Options configure a Matcher.
type Options struct {
	// Hosts are the instance's hosts (host or host:port). When empty, they
	// are the hosts the documents' servers name, plus those learnt from the
	// recording with Observe: a host is the instance when a call to it fits
	// the spec.
	Hosts []string
	// Policy names authentication, upload and static calls. The zero
	// value means TestOpsPolicy.
	Policy *Policy
	// NoChecks skips checking requests and responses against their
	// schemas; only the operation is resolved.
	NoChecks bool
	// KeepCacheBusters treats query parameters that look like
	// cache-busters (see Result.Query) as ordinary undocumented ones.
	KeepCacheBusters bool
	// Redactor cleans what a Result shows (its URL, query values, reasons
	// and problems) of secrets; a new one with har.DefaultRules when nil.
	// Observe pins the secret values of every exchange it sees, so that a
	// problem quoting one without its name hides it too.
	Redactor *har.Redactor
	// Counting is for a caller that prints of each Result only its
	// verdict and operation (match -q, which prints the totals and the
	// coverage). Then nothing a Result shows by quoting the exchange is
	// made: no URL, reason, parameters, query or closest operations, and
	// so nothing needs redacting and Observe learns no secrets, which was
	// half of such a run's time. A caller that redacts other output with
	// the Redactor (an error quoting a recorded value) does not count.
	Counting bool
}

// CountingHeaders are the only headers a Matcher that counts without
// checks (Options.Counting and NoChecks) reads, in requests and answers
// alike: a reader may keep only these (har.ReaderOptions.Headers) and the
// verdicts stay the same.
func CountingHeaders() []string {
	return []string{"Accept", "Content-Type", "Sec-Fetch-Dest", "Upgrade"}
}

// Matcher gives verdicts on recorded exchanges.
type Matcher struct {
	ix       *spec.Index
	policy   Policy
	hosts    map[string]bool
	fixed    bool
	noChecks bool
	busters  bool
	// specPaths are the paths the loaded documents were fetched from: a
	// browser fetching one of them is reading the docs, not the API.
	specPaths map[string]bool
	red       *har.Redactor
	near      nearMemo
	counting  bool
	// The policy's aliases and patterns, made ready once rather than for
	// every call.
	aliases      []alias
	upload, auth [][]string
}

// New returns a Matcher over an index. The index should be built without
// Options.Hosts: the Matcher decides itself which hosts are the instance.
func New(ix *spec.Index, opts Options) *Matcher {
	m := &Matcher{ix: ix, hosts: map[string]bool{}, noChecks: opts.NoChecks, busters: !opts.KeepCacheBusters,
		specPaths: map[string]bool{}, red: opts.Redactor, counting: opts.Counting}
	if m.red == nil {
		m.red = har.NewRedactor(har.DefaultRules())
	}
	for _, d := range ix.Documents() {
		if u, err := url.Parse(d.Source.URL); err == nil && u.Host != "" && u.Path != "" {
			m.specPaths[u.Path] = true
		}
	}
	if opts.Policy != nil {
		m.policy = *opts.Policy
	} else {
		m.policy = TestOpsPolicy()
	}
	// The index's aliases (--alias, the flow's) are paths the instance
	// serves too, so an upload under one of them is still an upload. The
	// map is copied: the caller's policy stays as given.
	aliases := make(map[string]string, len(m.policy.Aliases))
	for k, v := range m.policy.Aliases {
		aliases[k] = v
	}
	for _, a := range ix.Aliases() {
		aliases[strings.TrimSuffix(a.From, "/")+"/"] = strings.TrimSuffix(a.To, "/") + "/"
	}
	m.policy.Aliases = aliases
	m.aliases = m.policy.aliases()
	m.upload, m.auth = splitAll(m.policy.Upload), splitAll(m.policy.Auth)
	for _, h := range opts.Hosts {
		m.hosts[normalizeHost(h)] = true
		m.fixed = true
	}
	if !m.fixed {
		// Hosts the documents' servers name are the instance too; traffic
		// may still show it under another name, which Observe learns.
		for _, d := range ix.Documents() {
			for _, h := range d.ServerHosts() {
				m.hosts[normalizeHost(h)] = true
			}
		}
	}
	return m
}

// Index returns the spec index the Matcher resolves against.
func (m *Matcher) Index() *spec.Index { return m.ix }

// normalizeHost lower-cases a host and drops a default port, so that
// "Example.test:443" and "example.test" are one host. A URL is reduced to
// its host.
func normalizeHost(h string) string {
	if strings.Contains(h, "://") {
		if u, err := url.Parse(h); err == nil {
			h = u.Host
			if u.Port() == "" {
				return strings.ToLower(h)
			}
		}
	}
	h = strings.ToLower(h)
	h = strings.TrimSuffix(h, ":443")
	h = strings.TrimSuffix(h, ":80")
	return h
}

// Observe learns the instance's hosts from one exchange, for a first pass
// over a recording when Options.Hosts is empty, and the secret values it
// holds, which no Result shows.
func (m *Matcher) Observe(e *har.Entry) {
	m.ObserveAll([]*har.Entry{e})
}

// ObserveAll is Observe for consecutive entries, in their order. Finding
// an entry's secrets means redacting a copy of all of it, which is most of
// the cost of a pass that only observes; it runs on every core, and the
// secrets are pinned in the entries' order, as Observe one by one pins them.
func (m *Matcher) ObserveAll(entries []*har.Entry) {
	if !m.counting {
		m.red.PinSecrets(entries)
	}
	for _, e := range entries {
		m.learnHost(e)
	}
}

// learnHost learns the instance's host from one exchange, unless the
// hosts were given.
func (m *Matcher) learnHost(e *har.Entry) {
	if m.fixed {
		return
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil || u.Host == "" {
		return
	}
	h := normalizeHost(u.Host)
	if m.hosts[h] {
		return
	}
	// An API prefix alone proves nothing: Sentry, CDNs and feature-flag
	// services serve /api/ paths too, and a browser recording has them.
	// Nor does a fit that ignored the parameters' types or let a string
	// parameter span segments: /api/x/{id} fits half the web that way.
	if mt := m.ix.Lookup(e.Request.Method, u); mt.Outcome == spec.Found && !mt.Untyped && mt.Spanning == "" {
		m.hosts[h] = true
	}
}

// Hosts returns the instance's hosts, given or learnt, sorted.
func (m *Matcher) Hosts() []string {
	out := make([]string, 0, len(m.hosts))
	for h := range m.hosts {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// IsInstance reports whether a URL is on one of the instance's hosts. With
// no hosts known, every host counts.
func (m *Matcher) IsInstance(u *url.URL) bool {
	if len(m.hosts) == 0 {
		return true
	}
	return m.hosts[normalizeHost(u.Host)]
}

// SoleHost settles the instance's host when nothing named it: no
// Options.Hosts, no server in the documents, no call that fits the spec
// (Observe). Then every host counts as the instance, which suits a report
// but not a tool that sends calls. SoleHost lists the hosts of the
// entries' API calls (every verdict but not-api), sorted; when there is
// exactly one, it becomes the instance's only host. With hosts already
// known it does nothing and returns nil. A caller that sends calls should
// refuse to go on when it gets more than one.
func (m *Matcher) SoleHost(entries []*har.Entry) []string {
	if len(m.hosts) > 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i, e := range entries {
		u, err := url.Parse(e.Request.URL)
		if err != nil || u.Host == "" {
			continue
		}
		h := normalizeHost(u.Host)
		if seen[h] {
			continue
		}
		if r := m.Entry(i+1, e); r.Verdict == NotAPI {
			continue
		}
		seen[h] = true
		out = append(out, h)
	}
	sort.Strings(out)
	if len(out) == 1 {
		m.hosts[out[0]] = true
		m.fixed = true
	}
	return out
}
