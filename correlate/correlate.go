// Package correlate finds the values a recorded flow creates and then uses:
// the id that POST /api/launch returned and the next calls put in
// /api/launch/{id}. Replay substitutes the values the instance returns now;
// script generation turns them into variables. Values of the recording's
// context that the flow did not create (a project id, say) become
// parameters with the recorded value as default.
package correlate

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/internal/parallel"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/spec"
)

// Call is one recorded call of a flow, with its spec operation when it has
// one. Calls are given in the order they were made.
type Call struct {
	Entry *har.Entry
	// Operation is the call's operation, or nil when it fits no spec.
	Operation *spec.Operation
}

// Place is where a value sits in a request or a response.
type Place struct {
	// In is "path", "query", "body" or "header".
	In string `json:"in"`
	// Name is the path parameter's name (from the spec, or the segment
	// before it), the query parameter's or header's name, or the body
	// member's name.
	Name string `json:"name,omitempty"`
	// Segment is the index of a path segment, counting from the first one
	// after the leading slash.
	Segment int `json:"segment,omitempty"`
	// Path is the JSON path of a body value.
	Path string `json:"path,omitempty"`
	// Nth tells repeated query parameters of one name apart.
	Nth int `json:"nth,omitempty"`
	// Inside says the value is written inside a longer string at this
	// place (a search filter, a name), not as the whole of it.
	Inside bool `json:"inside,omitempty"`
}

func (p Place) String() string {
	if p.Inside {
		q := p
		q.Inside = false
		return "inside " + q.String()
	}
	switch p.In {
	case "path":
		return "path {" + p.Name + "}"
	case "query":
		return "query " + p.Name
	case "body":
		return "body " + p.Path
	case "header":
		return "header " + p.Name
	}
	return p.In
}

// Ref is a place in one call of the flow (0-based).
type Ref struct {
	Call  int   `json:"call"`
	Place Place `json:"place"`
}

// Var is a value the flow passes from one call to later ones, or (with no
// From) a value of the recording's context.
type Var struct {
	// Name is a name for people and scripts: the spec's parameter name
	// where it says something ("launchId"), else made from the resource.
	Name string `json:"name"`
	// Value is the recorded value, as text.
	Value string `json:"value"`
	// Number says the value is a JSON number where it was produced.
	Number bool `json:"number,omitempty"`
	// From is where the value was produced: a response of an earlier call.
	// It is nil for a context parameter.
	From *Ref `json:"from,omitempty"`
	// Chosen, when set, is where the flow first sent a value it chose
	// itself: a name holding the time it was typed. From is nil then, and
	// each run sends the value made fresh (Fresh) and carries that into
	// the later uses.
	Chosen *Ref `json:"chosen,omitempty"`
	// Stamps are the timestamps of a chosen value, which Fresh rewrites.
	Stamps []values.Stamp `json:"-"`
	// Uses are the request places that carry the value.
	Uses []Ref `json:"uses"`
}

// Plan is the result of the analysis.
type Plan struct {
	// Vars are the values passed between calls, in order of production,
	// and the values the flow chose, where it first sent them.
	Vars []*Var
	// Context are the values that identify the recording's context.
	Context []*Var

	once     sync.Once
	bindings map[int][]Binding
	produced map[int][]*Var
}

// Options tune the analysis.
type Options struct {
	// MinLength is the length below which a value is only linked with
	// evidence from names. Zero means 3: a "0", a "1" or a "true" appears
	// everywhere and must never be substituted blindly.
	MinLength int
}

type production struct {
	call     int
	place    Place
	key      string // member name that held the value
	resource string // what the producing call is about ("launch")
	text     string
	number   bool
	creating bool // produced by a call that creates or changes state
	inside   bool // looked for inside longer strings (insideCandidate)
	// at is where a body value starts in the answer: its place has no
	// path until it is carried (see pathAt), as few values ever are.
	at int
}

type use struct {
	call     int
	place    Place
	name     string // parameter or member name
	resource string // the resource named before a path segment
	text     string
	// insideOnly marks a string only looked into, never linked whole: a
	// path segment of a call with no operation that is a word, not an id.
	insideOnly bool
}

// signature is what bestProducer weighs of a production besides its
// text. Of productions of one text and signature the latest always wins,
// so only that one is kept per text: a value every answer repeats costs
// one comparison per use, not one per answer.
type signature struct {
	resource, key    string
	number, creating bool
}

func (p production) signature() signature {
	return signature{resource: p.resource, key: p.key, number: p.number, creating: p.creating}
}

// Analyze finds the values the calls pass along. It takes time linear in
// the size of the recording: whole values are found through a map,
// values inside longer strings through one multi-pattern search per
// string (see the rule for values inside strings).
func Analyze(calls []Call, opts Options) *Plan {
	if opts.MinLength == 0 {
		opts.MinLength = 3
	}
	// The first pass reads every call's request and answer values, drops
	// answers' echoes of what was sent, and finds the values the flow
	// chose; the patterns to look for inside strings are known after it.
	uses := make([][]use, len(calls))
	prodsOf := make([][]production, len(calls))
	seenInRequests := map[string]bool{}
	seenInAnswers := map[string]bool{}
	chosenAt := map[string]chosen{}
	var patterns []string
	isPattern := map[string]bool{}
	addPattern := func(t string) {
		if !isPattern[t] {
			isPattern[t] = true
			patterns = append(patterns, t)
		}
	}
	// Reading the values is most of the work and each call's are its own:
	// that runs on every core, and the passes below take them in order.
	// Of an answer's values only those some request sends whole, and those
	// looked for inside strings, can ever be linked (or tell a chosen value
	// from one an answer gave): the rest, most of every answer, are not
	// kept.
	parallel.For(len(calls), func(i int) { uses[i] = requestValues(i, calls[i]) })
	sent := map[string]bool{}
	for _, us := range uses {
		for _, u := range us {
			sent[u.text] = true
		}
	}
	parallel.For(len(calls), func(i int) { prodsOf[i] = responseValues(i, calls[i], sent) })
	for i, c := range calls {
		unsafe := changesState(c.Entry.Request.Method)
		var at time.Time
		if unsafe {
			at, _ = time.Parse(time.RFC3339Nano, c.Entry.StartedDateTime)
		}
		for k, u := range uses[i] {
			if unsafe && !u.insideOnly && (u.place.In == "body" || u.place.In == "query") &&
				!seenInRequests[u.text] && !seenInAnswers[u.text] {
				if _, dup := chosenAt[u.text]; !dup {
					if st := chosenStamps(u.text, at); len(st) > 0 {
						chosenAt[u.text] = chosen{call: i, use: k, stamps: st}
						addPattern(u.text)
					}
				}
			}
		}
		for _, u := range uses[i] {
			seenInRequests[u.text] = true
		}
		// The productions are kept in the slice that read them: an echo
		// is dropped by moving the later ones down.
		kept := prodsOf[i][:0]
		for _, p := range prodsOf[i] {
			seenInAnswers[p.text] = true
			if seenInRequests[p.text] {
				continue // an echo of what was sent, not something new
			}
			kept = append(kept, p)
			if p.inside {
				addPattern(p.text)
			}
		}
		prodsOf[i] = kept
	}
	ms := newMatcher(patterns)

	// The second pass links each use, in recorded order, to what came
	// before it.
	plan := &Plan{}
	// prods points into prodsOf: copying every production of a long
	// recording into one growing slice was a third of the analysis.
	total := 0
	for _, ps := range prodsOf {
		total += len(ps)
	}
	prods := make([]*production, 0, total)
	byText := map[string][]int{}   // text -> the latest production of each signature
	insideProd := map[string]int{} // text -> the latest production looked for inside strings
	byProd := map[int]*Var{}       // index into prods -> var
	chosenVar := map[string]*Var{}
	context := map[string]*Var{}
	bodyPaths := map[int]map[int]string{} // call -> answer offset -> path, for pathAt
	varOf := func(best int, u use) *Var {
		v := byProd[best]
		if v == nil {
			p := *prods[best]
			if p.place.In == "body" {
				p.place.Path = pathAt(bodyPaths, calls[p.call].Entry, p.call, p.at)
			}
			v = &Var{Value: p.text, Number: p.number, From: &Ref{Call: p.call, Place: p.place}}
			v.Name = nameFor(p, u)
			byProd[best] = v
			plan.Vars = append(plan.Vars, v)
		}
		return v
	}
	// inside finds the variables whose values a request string holds
	// inside it, in the order they occur.
	inside := func(u use) []*Var {
		var linked []*Var
		ms.find(u.text, func(pi, end int) {
			t := patterns[pi]
			start := end - len(t)
			if len(t) == len(u.text) || !boundedAt(u.text, start, end) {
				return
			}
			v := chosenVar[t]
			if v == nil {
				best, ok := insideProd[t]
				if !ok {
					return // produced later, or chosen later
				}
				v = varOf(best, u)
			}
			if !slices.Contains(linked, v) {
				linked = append(linked, v)
			}
		})
		return linked
	}
	for i := range calls {
		for k, u := range uses[i] {
			if !u.insideOnly {
				if v := chosenVar[u.text]; v != nil {
					v.Uses = append(v.Uses, Ref{Call: i, Place: u.place})
					continue
				}
				if best := bestProducer(prods, byText[u.text], u, opts); best >= 0 {
					v := varOf(best, u)
					v.Uses = append(v.Uses, Ref{Call: i, Place: u.place})
					continue
				}
			}
			// Inside a longer string: a name that holds the one the flow
			// chose ("... (renamed)") is a use of it, not a new choice.
			if linked := inside(u); len(linked) > 0 {
				pl := u.place
				pl.Inside = true
				for _, v := range linked {
					v.Uses = append(v.Uses, Ref{Call: i, Place: pl})
				}
				continue
			}
			if u.insideOnly {
				continue
			}
			if ch, ok := chosenAt[u.text]; ok && ch.call == i && ch.use == k {
				v := &Var{Name: chosenName(u), Value: u.text, Number: isNumber(u.text), Stamps: ch.stamps,
					Chosen: &Ref{Call: i, Place: u.place}, Uses: []Ref{{Call: i, Place: u.place}}}
				chosenVar[u.text] = v
				plan.Vars = append(plan.Vars, v)
				continue
			}
			if isIDName(u.name) && !har.IsPlaceholder(u.text) && u.text != "" {
				name := contextName(u)
				key := name + "\x00" + u.text
				v := context[key]
				if v == nil {
					v = &Var{Name: name, Value: u.text, Number: isNumber(u.text)}
					context[key] = v
					plan.Context = append(plan.Context, v)
				}
				v.Uses = append(v.Uses, Ref{Call: i, Place: u.place})
			}
		}
		for k := range prodsOf[i] {
			p := &prodsOf[i][k]
			idx := len(prods)
			prods = append(prods, p)
			list := byText[p.text]
			replaced := false
			for j, o := range list {
				if prods[o].signature() == p.signature() {
					list[j], replaced = idx, true
				}
			}
			if !replaced {
				byText[p.text] = append(list, idx)
			}
			if p.inside {
				insideProd[p.text] = idx
			}
		}
	}
	uniqueNames(plan.Vars, plan.Context)
	return plan
}

// chosen is where a value the flow chose is first sent.
type chosen struct {
	call, use int
	stamps    []values.Stamp
}

// chosenName names a chosen value after its resource and member:
// launchName for the name of POST /api/launch.
func chosenName(u use) string {
	if u.resource == "" {
		return identifier(u.name)
	}
	return identifier(singular(u.resource) + "_" + u.name)
}

// bestProducer picks the production a request value most likely came from,
// or -1, among the candidates (productions of the value's text, the latest
// of each signature). Later productions win over earlier ones, and
// productions whose names fit the use win over both.
func bestProducer(prods []*production, candidates []int, u use, opts Options) int {
	best, bestScore := -1, 0
	for _, i := range candidates {
		p := prods[i]
		if p.text != u.text || p.call >= u.call {
			continue
		}
		related := p.resource != "" && (p.resource == u.resource || p.resource == strings.TrimSuffix(strings.ToLower(u.name), "id") ||
			singular(p.resource) == singular(u.resource))
		idLike := isIDName(p.key) && (isIDName(u.name) || u.place.In == "path")
		short := len(u.text) < opts.MinLength || u.text == "true" || u.text == "false" || u.text == "null"
		score := 0
		switch {
		case short:
			// A short value only with every sign that it is this id: a
			// number that a creating call returned as an id, used as an id
			// of the same resource.
			if p.number && u.text != "0" && p.creating && idLike && related {
				score = 3
			}
		case !p.creating && len(u.text) < 8:
			// Reads list what exists; a short id from a list is the
			// recording's context, not something the flow made.
		case related && idLike:
			score = 3
		case idLike || related:
			score = 2
		case len(u.text) >= 8:
			score = 1
		}
		if score > bestScore || score == bestScore && score > 0 && i > best {
			best, bestScore = i, score
		}
	}
	return best
}

// requestValues lists the values a request sends that could come from an
// earlier response.
func requestValues(i int, c Call) []use {
	e := c.Entry
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return nil
	}
	var out []use
	segs := pathSegments(u)
	names := templateNames(segs, c.Operation)
	for k, s := range segs {
		resource := ""
		if k > 0 {
			resource = segs[k-1]
		}
		name, isParam := names[k]
		if c.Operation != nil && !isParam {
			continue // a literal segment of the template
		}
		if name == "" {
			name = "id"
		}
		// A word of a call no operation describes is only looked into:
		// launch-104 holds an id, launch does not link as one.
		insideOnly := c.Operation == nil && !looksLikeID(s)
		out = append(out, use{call: i, place: Place{In: "path", Name: name, Segment: k}, name: name, resource: resource, text: s, insideOnly: insideOnly})
	}
	nth := map[string]int{}
	for _, q := range har.QueryFrom(u) {
		out = append(out, use{call: i, place: Place{In: "query", Name: q.Name, Nth: nth[q.Name]}, name: q.Name, resource: resourceOf(segs), text: q.Value})
		nth[q.Name]++
	}
	if body, _ := e.RequestBody(); len(body) > 0 {
		if leaves, err := jsonpath.Leaves(body); err == nil {
			for _, l := range leaves {
				if l.Kind != jsonpath.String && l.Kind != jsonpath.Number {
					continue
				}
				out = append(out, use{call: i, place: Place{In: "body", Name: l.Key, Path: l.Path}, name: l.Key, resource: resourceOf(segs), text: l.Text})
			}
		}
	}
	for _, h := range e.Request.Headers {
		n := strings.ToLower(h.Name)
		if !strings.HasPrefix(n, "x-") || strings.Contains(n, "token") || strings.Contains(n, "xsrf") || strings.Contains(n, "csrf") ||
			strings.Contains(n, "key") || strings.Contains(n, "auth") || har.IsPlaceholder(h.Value) {
			continue
		}
		out = append(out, use{call: i, place: Place{In: "header", Name: h.Name}, name: h.Name, text: h.Value})
	}
	filtered := out[:0]
	for _, v := range out {
		if v.text != "" && !har.IsPlaceholder(v.text) {
			filtered = append(filtered, v)
		}
	}
	return filtered
}

// responseValues lists what a successful response hands out that may be
// linked to a later request: values some request sends whole (sent), and
// values looked for inside strings.
func responseValues(i int, c Call, sent map[string]bool) []production {
	e := c.Entry
	if e.Response.Status < 200 || e.Response.Status > 299 {
		return nil
	}
	creating := changesState(e.Request.Method)
	u, _ := url.Parse(e.Request.URL)
	resource := ""
	if u != nil {
		resource = resourceOf(pathSegments(u))
	}
	var out []production
	if body, _ := e.ResponseBody(); len(body) > 0 {
		err := jsonpath.Scalars(string(body), func(l jsonpath.Leaf) {
			if l.Kind != jsonpath.String && l.Kind != jsonpath.Number {
				return
			}
			if har.IsPlaceholder(l.Text) || l.Text == "" {
				return
			}
			p := production{call: i, place: Place{In: "body", Name: l.Key}, key: l.Key, at: l.Start,
				resource: resource, text: l.Text, number: l.Kind == jsonpath.Number, creating: creating}
			if p.inside = insideCandidate(p); p.inside || sent[p.text] {
				out = append(out, p)
			}
		})
		if err != nil {
			out = nil // not JSON: no values
		}
	}
	if loc := har.HeaderValue(e.Response.Headers, "Location"); loc != "" {
		if lu, err := url.Parse(loc); err == nil {
			segs := pathSegments(lu)
			if n := len(segs); n > 0 && looksLikeID(segs[n-1]) {
				res := resource
				if n > 1 {
					res = segs[n-2]
				}
				p := production{call: i, place: Place{In: "header", Name: "Location", Segment: n - 1}, key: "id",
					resource: res, text: segs[n-1], number: isNumber(segs[n-1]), creating: creating}
				if p.inside = insideCandidate(p); p.inside || sent[p.text] {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// pathAt is the JSON path of the value that starts at byte at of a call's
// recorded answer. The paths of one answer are listed once, in paths, when
// the first of its values is carried.
func pathAt(paths map[int]map[int]string, e *har.Entry, call, at int) string {
	byStart := paths[call]
	if byStart == nil {
		byStart = map[int]string{}
		body, _ := e.ResponseBody()
		leaves, _ := jsonpath.Leaves(body)
		for _, l := range leaves {
			byStart[l.Start] = l.Path
		}
		paths[call] = byStart
	}
	return byStart[at]
}

// pathSegments splits a URL's path into decoded segments.
func pathSegments(u *url.URL) []string {
	var out []string
	for _, s := range strings.Split(strings.Trim(u.EscapedPath(), "/"), "/") {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		out = append(out, s)
	}
	return out
}

// templateNames maps the indexes of a request's path segments that are
// template parameters to their names. The request's path may carry a prefix
// the template lacks (a server base path, an alias), so the two are lined
// up from the end.
func templateNames(segs []string, op *spec.Operation) map[int]string {
	out := map[int]string{}
	if op == nil {
		return out
	}
	tmpl := strings.Split(strings.Trim(op.Path, "/"), "/")
	off := len(segs) - len(tmpl)
	if off < 0 {
		return out
	}
	for k, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			out[off+k] = strings.Trim(t, "{}")
		}
	}
	return out
}

// resourceOf names what a path is about: its last segment that is not an
// id or an action ("__search").
func resourceOf(segs []string) string {
	for k := len(segs) - 1; k >= 0; k-- {
		s := segs[k]
		if s == "" || looksLikeID(s) || strings.HasPrefix(s, "_") || s == "api" {
			continue
		}
		if k > 0 && !looksLikeID(segs[k-1]) && isAction(s) {
			continue
		}
		return s
	}
	return ""
}

// isAction reports words that name an action on a resource rather than the
// resource ("/api/launch/{id}/close").
func isAction(s string) bool {
	switch s {
	case "close", "reopen", "statistic", "scenario", "search", "count", "bulk", "remove", "suggest", "progress", "copy", "clone":
		return true
	}
	return false
}

func singular(s string) string {
	s = strings.ToLower(s)
	if strings.HasSuffix(s, "ies") {
		return strings.TrimSuffix(s, "ies") + "y"
	}
	return strings.TrimSuffix(s, "s")
}

// isIDName reports names that hold identifiers: id, launchId, test_case_id, uuid.
func isIDName(name string) bool {
	n := strings.ToLower(name)
	return n == "id" || n == "uuid" || n == "key" || strings.HasSuffix(n, "id") && (strings.HasSuffix(name, "Id") || strings.HasSuffix(n, "_id") || strings.HasSuffix(name, "ID")) ||
		strings.HasSuffix(n, "uuid")
}

// looksLikeID reports path segments that are ids rather than words: digits,
// UUIDs, or long mixed letters and digits.
func looksLikeID(s string) bool {
	if s == "" {
		return false
	}
	if isNumber(s) {
		return true
	}
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return len(s) >= 8 && digits > 0 && !strings.ContainsAny(s, ".")
}

func isNumber(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// nameFor names a passed value after the place that uses it, or the
// resource and member that produced it.
func nameFor(p production, u use) string {
	if u.place.In == "path" && u.name != "id" && u.name != "" {
		return identifier(u.name)
	}
	if u.place.In != "path" && isIDName(u.name) && strings.ToLower(u.name) != "id" {
		return identifier(u.name)
	}
	res := p.resource
	if res == "" {
		res = u.resource
	}
	key := p.key
	if key == "" {
		key = "value"
	}
	if res == "" {
		return identifier(key)
	}
	if strings.EqualFold(key, "id") {
		return identifier(singular(res) + "Id")
	}
	return identifier(singular(res) + "_" + key)
}

// contextName names a context value: the parameter's own name, or the
// resource and "Id" for a bare {id}.
func contextName(u use) string {
	if strings.EqualFold(u.name, "id") && u.resource != "" {
		return identifier(singular(u.resource) + "Id")
	}
	return identifier(u.name)
}

// identifier turns a name into lowerCamelCase letters and digits, so that
// it serves as a shell, Go or Postman variable.
func identifier(s string) string {
	var b strings.Builder
	upper := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if b.Len() == 0 && unicode.IsDigit(r) {
				b.WriteString("v")
			}
			if upper && b.Len() > 0 {
				r = unicode.ToUpper(r)
			} else if b.Len() == 0 {
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	if b.Len() == 0 {
		return "value"
	}
	return b.String()
}

// uniqueNames makes every variable's name unique: launchId, launchId2, ...
func uniqueNames(groups ...[]*Var) {
	seen := map[string]int{}
	for _, g := range groups {
		for _, v := range g {
			seen[v.Name]++
			if n := seen[v.Name]; n > 1 {
				v.Name += strconv.Itoa(n)
			}
		}
	}
}

// index groups the uses and productions by call, once: replay asks for
// each call's, and scanning every variable for each call would make a
// long flow's plan quadratic.
func (p *Plan) index() {
	p.once.Do(func() {
		p.bindings, p.produced = map[int][]Binding{}, map[int][]*Var{}
		for _, group := range [][]*Var{p.Vars, p.Context} {
			for _, v := range group {
				for _, u := range v.Uses {
					p.bindings[u.Call] = append(p.bindings[u.Call], Binding{Var: v, Place: u.Place})
				}
			}
		}
		for _, bs := range p.bindings {
			sort.SliceStable(bs, func(i, j int) bool { return bs[i].Place.String() < bs[j].Place.String() })
		}
		for _, v := range p.Vars {
			if v.From != nil {
				p.produced[v.From.Call] = append(p.produced[v.From.Call], v)
			}
		}
	})
}

// Bindings returns the variables a call's request uses, sorted by place.
// The Plan's variables must not change after the first call.
func (p *Plan) Bindings(call int) []Binding {
	p.index()
	return p.bindings[call]
}

// Produced returns the variables a call's response produces.
func (p *Plan) Produced(call int) []*Var {
	p.index()
	return p.produced[call]
}

// Binding is one use of a variable in a call's request.
type Binding struct {
	Var   *Var
	Place Place
}

// changesState tells a method that may create or change data from the ones
// that only read (replay.Safe says the same; replay imports correlate).
func changesState(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}
