package script

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/match"
)

// flow is what every format renders: the calls to make, the parameters at
// the top, and what was left out.
type flow struct {
	name     string
	file     string // where the script is written, for its usage line; "" derives one from name
	endpoint string // the recording's instance, for the heading and defaults
	recorded int    // calls in the recording
	params   []*param
	calls    []*call
	left     []string
	signIn   SignIn
}

type paramKind int

const (
	contextParam  paramKind = iota // a value of the recording's context, with a default
	secretParam                    // a secret the flow needs: no default, the user supplies it
	producedParam                  // a value an earlier response hands out
	freshParam                     // a cache-buster: the time when the call is sent
	chosenParam                    // a value the flow chose, made once when the script runs (chosen.go)
)

// param is a value a script does not hard-code.
type param struct {
	name   string // lowerCamelCase, as correlate names it: launchId
	kind   paramKind
	value  string // a context parameter's recorded value
	number bool
	where  string // where a secret was needed, for the message asking for it
	from   *extraction
	parts  []correlate.Part // a chosen value's literal text and timestamps
}

// extraction says where in a response a produced value is read.
type extraction struct {
	json     []any // member names and array indexes, when it is in the body
	header   string
	segment  int // path segment of the header's URL
	jsonPath string
}

// enc is how a parameter's value is written where it is used.
type enc int

const (
	encRaw        enc = iota // as it is
	encPath                  // escaped as a path segment
	encQuery                 // escaped as a query or form value
	encJSONString            // as a JSON string, quotes included
)

// piece is a run of literal text or one use of a parameter.
type piece struct {
	lit string
	p   *param
	enc enc
}

type tmpl []piece

func (t tmpl) hasParams() bool {
	for _, pc := range t {
		if pc.p != nil {
			return true
		}
	}
	return false
}

// text renders a template with each parameter as ref(p) returns it.
func (t tmpl) text(ref func(piece) string) string {
	var b strings.Builder
	for _, pc := range t {
		if pc.p == nil {
			b.WriteString(pc.lit)
		} else {
			b.WriteString(ref(pc))
		}
	}
	return b.String()
}

type header struct {
	name  string
	value tmpl
}

type bodyKind int

const (
	noBody bodyKind = iota
	jsonBody
	formBody
	textBody
)

// call is one request of a script.
type call struct {
	seq      int    // place in the recording
	label    string // "launch-controller create_32: POST /api/launch"
	note     string // drift or undocumented, for a reader
	funcName string // Go function name
	method   string
	target   tmpl // path and query, after the endpoint
	headers  []header
	bodyKind bodyKind
	body     tmpl
	uses     []*param // parameters the request uses, in order of first use
	produces []*param
	chooses  []*param // values the flow chose that this call sends first: made just before it
}

var placeholderRE = regexp.MustCompile(`REDACTED-[0-9a-fA-F]{16}`)

// build turns matched results into a flow.
func build(results []match.Result, opts Options) (*flow, error) {
	red := har.NewRedactor(har.DefaultRules())
	// Redaction learns secret values as it meets them (a cookie's value,
	// say) and then removes them anywhere; a first pass makes sure a secret
	// met late is also removed where it appeared early.
	for _, r := range results {
		if r.Entry != nil {
			red.Entry(r.Entry)
		}
	}
	clean := make([]match.Result, len(results))
	bodies := make(map[*har.Entry][]byte, len(results)) // by redacted entry
	for i, r := range results {
		clean[i] = r
		if r.Entry == nil {
			continue
		}
		e := red.Entry(r.Entry)
		clean[i].Entry = e
		if b, err := e.RequestBody(); err == nil && len(b) > 0 {
			// Bodies in side files are read only now: redact them too.
			bodies[e] = red.Body(requestMime(e), b)
		}
	}
	choices := choose(clean, func(r match.Result) string { return string(bodies[r.Entry]) })

	fl := &flow{name: opts.Name, file: opts.File, recorded: len(results), left: leftOut(choices), signIn: opts.SignIn}
	if fl.name == "" {
		fl.name = "apitrail flow"
	}
	var kept []match.Result
	var keptBodies [][]byte
	var calls []correlate.Call
	for _, c := range choices {
		if c.why != keep {
			continue
		}
		r := c.result
		kept = append(kept, r)
		keptBodies = append(keptBodies, bodies[r.Entry])
		cc := correlate.Call{Entry: r.Entry}
		if r.Operation != nil {
			cc.Operation = r.Operation.Spec()
		}
		calls = append(calls, cc)
	}
	if len(kept) == 0 {
		why := "the recording is empty"
		if len(fl.left) > 0 {
			why = "left out " + strings.Join(fl.left, "; ")
		}
		return nil, fmt.Errorf("%w: %s", ErrNothingToScript, why)
	}
	base, err := endpointOf(opts.Endpoint, kept[0].Entry.Request.URL)
	if err != nil {
		return nil, err
	}
	fl.endpoint = strings.TrimSuffix(base.String(), "/")

	plan := correlate.Analyze(calls, correlate.Options{})
	b := &builder{fl: fl, byVar: map[*correlate.Var]*param{}, secrets: map[string]*param{}, names: map[string]bool{}}
	for _, v := range plan.Context {
		b.byVar[v] = b.add(&param{name: v.Name, kind: contextParam, value: v.Value, number: v.Number})
	}
	for _, v := range plan.Vars {
		if v.Chosen != nil {
			b.byVar[v] = b.add(chosenParamOf(v))
			continue
		}
		ex, err := extractionOf(v)
		if err != nil {
			return nil, err
		}
		b.byVar[v] = b.add(&param{name: v.Name, kind: producedParam, value: v.Value, number: v.Number, from: ex})
	}
	b.marker = marker(kept, keptBodies)
	b.standInRE = regexp.MustCompile(`"?` + regexp.QuoteMeta(b.marker) + `(\d+)Z"?`)
	funcs := map[string]int{}
	for i, r := range kept {
		c, err := b.call(i, r, keptBodies[i], base, plan)
		if err != nil {
			return nil, err
		}
		funcs[c.funcName]++
		if n := funcs[c.funcName]; n > 1 {
			c.funcName += strconv.Itoa(n)
		}
		for _, v := range plan.Produced(i) {
			c.produces = append(c.produces, b.byVar[v])
		}
		for _, bd := range plan.Bindings(i) {
			if ch := bd.Var.Chosen; ch != nil && ch.Call == i && !slices.Contains(c.chooses, b.byVar[bd.Var]) {
				c.chooses = append(c.chooses, b.byVar[bd.Var])
			}
		}
		fl.calls = append(fl.calls, c)
	}
	// Secrets were found while building the calls; list them after the
	// context parameters, in the order they were needed.
	sort.SliceStable(fl.params, func(i, j int) bool { return fl.params[i].kind < fl.params[j].kind })
	return fl, nil
}

// endpointOf is the instance's base URL: the one given, or the scheme and
// host of a recorded call.
func endpointOf(given, recorded string) (*url.URL, error) {
	raw := given
	if raw == "" {
		u, err := url.Parse(recorded)
		if err != nil {
			return nil, fmt.Errorf("recorded URL %q: %w", recorded, err)
		}
		return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute URL such as https://testops.example.com", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("endpoint %q carries credentials; give the address alone", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

func extractionOf(v *correlate.Var) (*extraction, error) {
	pl := v.From.Place
	switch pl.In {
	case "body":
		segs, err := jsonpath.Split(pl.Path)
		if err != nil {
			return nil, fmt.Errorf("%s comes from %s: %w", v.Name, pl.Path, err)
		}
		return &extraction{json: segs, jsonPath: pl.Path}, nil
	case "header":
		return &extraction{header: pl.Name, segment: pl.Segment}, nil
	}
	return nil, fmt.Errorf("%s comes from %s, which no script can read", v.Name, pl)
}

// marker picks a word that appears nowhere in the recorded requests, to
// stand for parameters while requests are rewritten.
func marker(kept []match.Result, bodies [][]byte) string {
	m := "apitrailZ"
	for {
		clash := false
		for i, r := range kept {
			if strings.Contains(r.Entry.Request.URL, m) || bytes.Contains(bodies[i], []byte(m)) {
				clash = true
				break
			}
			for _, h := range r.Entry.Request.Headers {
				if strings.Contains(h.Value, m) {
					clash = true
				}
			}
		}
		if !clash {
			return m
		}
		m += "Q"
	}
}

type builder struct {
	fl      *flow
	byVar   map[*correlate.Var]*param
	secrets map[string]*param // by placeholder
	names   map[string]bool
	marker  string
	// standInRE finds stand-ins, with the quotes around them.
	standInRE *regexp.Regexp
	slots     []slot
}

// slot is one use of a parameter being rewritten into a request.
type slot struct {
	p     *param
	enc   enc
	quote bool // the stand-in took a JSON value's place, quotes and all
}

func (b *builder) add(p *param) *param {
	base := p.name
	for n := 2; b.names[strings.ToLower(p.name)]; n++ {
		p.name = base + strconv.Itoa(n)
	}
	b.names[strings.ToLower(p.name)] = true
	b.fl.params = append(b.fl.params, p)
	return p
}

// standIn returns the text that stands for one use of p until the request
// is split into pieces.
func (b *builder) standIn(p *param, e enc, quote bool) string {
	b.slots = append(b.slots, slot{p: p, enc: e, quote: quote})
	return b.marker + strconv.Itoa(len(b.slots)-1) + "Z"
}

// secret returns the parameter that stands for a redacted secret; equal
// placeholders are one secret, so they share it.
func (b *builder) secret(placeholder, name, where string) *param {
	if p := b.secrets[placeholder]; p != nil {
		return p
	}
	n := identifier(name)
	if n == "" || n == "value" {
		n = "secret"
	}
	p := b.add(&param{name: n, kind: secretParam, where: where})
	b.secrets[placeholder] = p
	return p
}

func (b *builder) call(i int, r match.Result, body []byte, base *url.URL, plan *correlate.Plan) (*call, error) {
	e := r.Entry
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return nil, fmt.Errorf("call #%d: %w", r.Seq, err)
	}
	c := &call{seq: r.Seq, method: strings.ToUpper(e.Request.Method)}
	req := &correlate.Request{URL: u, Header: e.Request.HTTPHeader(), Body: body}
	mimeType := requestMime(e)
	isJSON := len(body) > 0 && isJSONBody(mimeType, body)

	// Each use of a variable gets its own stand-in, so that a value used as
	// a JSON number in one place and a string in another is written right
	// in both.
	for _, bd := range plan.Bindings(i) {
		p := b.byVar[bd.Var]
		how, quote := encRaw, false
		switch bd.Place.In {
		case "path":
			how = encPath
		case "query":
			how = encQuery
		case "body":
			if l, ok := jsonpath.Get(req.Body, bd.Place.Path); ok && l.Kind == jsonpath.Number {
				quote = true
			}
		}
		if p.number && how != encRaw {
			how = encRaw // digits need no escaping, and read better bare
		}
		correlate.Apply(req, []correlate.Binding{bd}, map[*correlate.Var]string{bd.Var: b.standIn(p, how, quote)})
	}

	// A cache-buster gets a new value on every run, as the browser gave
	// one on every call; the recorded one may be a cache's key by now.
	u.RawQuery = values.ReplaceQuery(u.RawQuery, r.CacheBusters(), func(_, old string) string {
		return b.standIn(&param{name: "cacheBuster", kind: freshParam, value: old}, encRaw, false)
	})

	// The path and query, relative to the endpoint, with secrets replaced.
	path := u.EscapedPath()
	if bp := base.EscapedPath(); bp != "" && strings.HasPrefix(path, bp+"/") {
		path = strings.TrimPrefix(path, bp)
	}
	var segs []string
	for k, s := range strings.Split(path, "/") {
		segs = append(segs, b.secretsInText(s, "pathSecret", fmt.Sprintf("path segment %d of #%d", k, r.Seq), encPath))
	}
	target := strings.Join(segs, "/")
	if u.RawQuery != "" {
		target += "?" + b.secretsInForm(u.RawQuery, "query parameter", r.Seq)
	}
	c.target = b.split(target)

	// Headers: what the API needs to read the request, nothing of the
	// browser's and nothing secret.
	seen := map[string]bool{}
	for _, h := range e.Request.Headers {
		name := http.CanonicalHeaderKey(h.Name)
		if seen[name] || dropHeader(name, h.Value, len(body) > 0) || strings.ContainsAny(h.Value, "\r\n") {
			continue
		}
		seen[name] = true
		v := req.Header.Get(name)
		if v == "" {
			v = h.Value
		}
		if placeholderRE.MatchString(v) {
			continue
		}
		c.headers = append(c.headers, header{name: name, value: b.split(v)})
	}
	if len(body) > 0 && !seen["Content-Type"] && mimeType != "" {
		c.headers = append(c.headers, header{name: "Content-Type", value: tmpl{{lit: mimeType}}})
	}

	switch {
	case len(body) == 0:
	case isJSON:
		c.bodyKind = jsonBody
		jb := b.secretsInJSON(req.Body, r.Seq)
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, jb, "", "  "); err == nil {
			jb = pretty.Bytes()
		}
		c.body = b.split(string(jb))
	case isForm(mimeType):
		c.bodyKind = formBody
		c.body = b.split(b.secretsInForm(string(req.Body), "form field", r.Seq))
	default:
		c.bodyKind = textBody
		c.body = b.split(b.secretsInText(string(req.Body), "secret", fmt.Sprintf("the body of #%d", r.Seq), encRaw))
	}

	c.label, c.note, c.funcName = describe(r, c)
	c.uses = usesOf(c)
	return c, nil
}

// secretsInText replaces each placeholder in s with a secret parameter.
func (b *builder) secretsInText(s, name, where string, e enc) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(ph string) string {
		return b.standIn(b.secret(ph, name, where), e, false)
	})
}

// secretsInForm replaces placeholders in a query string or form body with
// secret parameters named after their fields.
func (b *builder) secretsInForm(s, what string, seq int) string {
	pairs := strings.Split(s, "&")
	for i, pr := range pairs {
		k, v, ok := strings.Cut(pr, "=")
		if !ok {
			continue
		}
		dv, err := url.QueryUnescape(v)
		if err != nil || !placeholderRE.MatchString(dv) {
			continue
		}
		name, _ := url.QueryUnescape(k)
		where := fmt.Sprintf("%s %s of #%d", what, name, seq)
		if har.IsPlaceholder(dv) {
			pairs[i] = k + "=" + b.standIn(b.secret(dv, name, where), encQuery, false)
			continue
		}
		pairs[i] = k + "=" + url.QueryEscape(placeholderRE.ReplaceAllStringFunc(dv, func(ph string) string {
			return b.standIn(b.secret(ph, name, where), encQuery, false)
		}))
	}
	return strings.Join(pairs, "&")
}

// secretsInJSON replaces placeholders in a JSON body with secret
// parameters named after their members: a whole value becomes the
// parameter written as a JSON string, a placeholder inside a longer string
// becomes the parameter within it.
func (b *builder) secretsInJSON(body []byte, seq int) []byte {
	leaves, err := jsonpath.Leaves(body)
	if err != nil {
		return body
	}
	// Replace from the end so that earlier offsets stay right.
	for k := len(leaves) - 1; k >= 0; k-- {
		l := leaves[k]
		if l.Kind != jsonpath.String || !placeholderRE.MatchString(l.Text) {
			continue
		}
		where := fmt.Sprintf("body %s of #%d", l.Path, seq)
		var raw []byte
		if har.IsPlaceholder(l.Text) {
			raw, _ = json.Marshal(b.standIn(b.secret(l.Text, l.Key, where), encJSONString, true))
		} else {
			raw, _ = json.Marshal(placeholderRE.ReplaceAllStringFunc(l.Text, func(ph string) string {
				return b.standIn(b.secret(ph, l.Key, where), encRaw, false)
			}))
		}
		body = jsonpath.Replace(body, l, raw)
	}
	return body
}

// split cuts rewritten text at its stand-ins.
func (b *builder) split(s string) tmpl {
	var t tmpl
	last := 0
	for _, m := range b.standInRE.FindAllStringSubmatchIndex(s, -1) {
		start, end := m[0], m[1]
		n, _ := strconv.Atoi(s[m[2]:m[3]])
		sl := b.slots[n]
		openQ := s[start] == '"'
		closeQ := s[end-1] == '"' && end-1 > m[3]
		if !sl.quote {
			// Quotes around a stand-in that only sits inside a string stay.
			if openQ {
				start++
			}
			if closeQ {
				end--
			}
		}
		if start > last {
			t = append(t, piece{lit: s[last:start]})
		}
		t = append(t, piece{p: sl.p, enc: sl.enc})
		last = end
	}
	if last < len(s) {
		t = append(t, piece{lit: s[last:]})
	}
	return t
}

func usesOf(c *call) []*param {
	var out []*param
	seen := map[*param]bool{}
	add := func(t tmpl) {
		for _, pc := range t {
			if pc.p != nil && pc.p.kind != freshParam && !seen[pc.p] {
				seen[pc.p] = true
				out = append(out, pc.p)
			}
		}
	}
	add(c.target)
	for _, h := range c.headers {
		add(h.value)
	}
	add(c.body)
	return out
}

// describe names a call for a reader (its operation, as Swagger UI shows
// it) and for Go (a function name).
func describe(r match.Result, c *call) (label, note, fn string) {
	if op := r.Operation; op != nil {
		label = op.String()
		if r.Verdict == match.Drift {
			note = fmt.Sprintf("the recorded call differs from the spec in %d way(s); run match for details", len(r.Problems))
		}
		if op.Deprecated {
			note = strings.TrimPrefix(note+"; the operation is deprecated", "; ")
		}
		if op.OperationID != "" {
			return label, note, goIdent(op.Tag + " " + op.OperationID)
		}
	} else {
		path, _, _ := strings.Cut(c.target.text(func(pc piece) string { return "{" + pc.p.name + "}" }), "?")
		label = c.method + " " + path
		note = "undocumented: in no spec of the instance"
	}
	words := []string{strings.ToLower(c.method)}
	path, _, _ := strings.Cut(c.target.text(func(piece) string { return "" }), "?")
	for _, s := range strings.Split(path, "/") {
		if s != "" && s != "api" {
			words = append(words, s)
		}
	}
	return label, note, goIdent(strings.Join(words, " "))
}

// dropHeader reports headers a script must not send: the browser's own,
// per-connection ones, credentials (the script sends its own Bearer
// token), and an Accept that says nothing.
func dropHeader(name, value string, hasBody bool) bool {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, ":"), strings.HasPrefix(n, "sec-"), strings.HasPrefix(n, "proxy-"),
		strings.HasPrefix(n, "if-"), strings.HasPrefix(n, "access-control-request-"):
		return true
	}
	switch n {
	case "user-agent", "accept-language", "accept-encoding", "origin", "referer", "cookie", "cookie2",
		"authorization", "x-xsrf-token", "x-csrf-token", "x-csrftoken", "priority", "content-length",
		"host", "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
		"upgrade-insecure-requests", "cache-control", "pragma", "dnt", "purpose", "x-requested-with",
		"x-client-data", "save-data", "traceparent", "tracestate", "baggage", "sentry-trace", "expect":
		return true
	case "content-type":
		return !hasBody
	case "accept":
		v := strings.ToLower(strings.TrimSpace(value))
		return v == "" || v == "*/*" || strings.Contains(v, "text/html")
	}
	return secretNames.SecretName(name) || placeholderRE.MatchString(value)
}

// secretNames only answers which names hold secrets; it never redacts.
var secretNames = har.NewRedactor(har.DefaultRules())

func requestMime(e *har.Entry) string {
	ct := har.HeaderValue(e.Request.Headers, "Content-Type")
	if ct == "" && e.Request.PostData != nil {
		ct = e.Request.PostData.MimeType
	}
	return ct
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

func isJSONBody(ct string, body []byte) bool {
	mt := mediaType(ct)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "" || mt == "text/plain" {
		return json.Valid(body)
	}
	return false
}

func isForm(ct string) bool { return mediaType(ct) == "application/x-www-form-urlencoded" }

// scriptableBody reports whether a request's body can be written into a
// script as text.
func scriptableBody(e *har.Entry) bool {
	b, err := e.RequestBody()
	if err != nil {
		return false
	}
	if len(b) == 0 {
		return true
	}
	mt := mediaType(requestMime(e))
	if strings.HasPrefix(mt, "multipart/") {
		return false
	}
	for _, r := range string(b) {
		if r == unicode.ReplacementChar || r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// identifier makes lowerCamelCase letters and digits of a name.
func identifier(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			upper = b.Len() > 0
			continue
		}
		switch {
		case b.Len() == 0 && unicode.IsDigit(r):
			b.WriteString("v")
			b.WriteRune(r)
		case b.Len() == 0:
			b.WriteRune(unicode.ToLower(r))
		case upper:
			b.WriteRune(unicode.ToUpper(r))
		default:
			b.WriteRune(r)
		}
		upper = false
	}
	return b.String()
}
