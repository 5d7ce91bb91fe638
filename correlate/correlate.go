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
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/jsonpath"
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
}

func (p Place) String() string {
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
	// Uses are the request places that carry the value.
	Uses []Ref `json:"uses"`
}

// Plan is the result of the analysis.
type Plan struct {
	// Vars are the values passed between calls, in order of production.
	Vars []*Var
	// Context are the values that identify the recording's context.
	Context []*Var
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
}

type use struct {
	call     int
	place    Place
	name     string // parameter or member name
	resource string // the resource named before a path segment
	text     string
}

// Analyze finds the values the calls pass along.
func Analyze(calls []Call, opts Options) *Plan {
	if opts.MinLength == 0 {
		opts.MinLength = 3
	}
	seenInRequests := map[string]bool{}
	var prods []production
	plan := &Plan{}
	byProd := map[int]*Var{} // index into prods -> var
	context := map[string]*Var{}

	for i, c := range calls {
		uses := requestValues(i, c)
		for _, u := range uses {
			if best := bestProducer(prods, u, opts); best >= 0 {
				v := byProd[best]
				if v == nil {
					p := prods[best]
					v = &Var{Value: p.text, Number: p.number, From: &Ref{Call: p.call, Place: p.place}}
					v.Name = nameFor(p, u)
					byProd[best] = v
					plan.Vars = append(plan.Vars, v)
				}
				v.Uses = append(v.Uses, Ref{Call: i, Place: u.place})
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
		for _, u := range uses {
			seenInRequests[u.text] = true
		}
		for _, p := range responseValues(i, c) {
			if seenInRequests[p.text] {
				continue // an echo of what was sent, not something new
			}
			prods = append(prods, p)
		}
	}
	uniqueNames(plan.Vars, plan.Context)
	return plan
}

// bestProducer picks the production a request value most likely came from,
// or -1. Later productions win over earlier ones, and productions whose
// names fit the use win over both.
func bestProducer(prods []production, u use, opts Options) int {
	best, bestScore := -1, 0
	for i := len(prods) - 1; i >= 0; i-- {
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
		if score > bestScore {
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
		if c.Operation == nil && !looksLikeID(s) {
			continue
		}
		if name == "" {
			name = "id"
		}
		out = append(out, use{call: i, place: Place{In: "path", Name: name, Segment: k}, name: name, resource: resource, text: s})
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

// responseValues lists what a successful response hands out.
func responseValues(i int, c Call) []production {
	e := c.Entry
	if e.Response.Status < 200 || e.Response.Status > 299 {
		return nil
	}
	creating := e.Request.Method != http.MethodGet && e.Request.Method != http.MethodHead && e.Request.Method != http.MethodOptions
	u, _ := url.Parse(e.Request.URL)
	resource := ""
	if u != nil {
		resource = resourceOf(pathSegments(u))
	}
	var out []production
	if body, _ := e.ResponseBody(); len(body) > 0 {
		if leaves, err := jsonpath.Leaves(body); err == nil {
			for _, l := range leaves {
				if l.Kind != jsonpath.String && l.Kind != jsonpath.Number {
					continue
				}
				if har.IsPlaceholder(l.Text) || l.Text == "" {
					continue
				}
				out = append(out, production{call: i, place: Place{In: "body", Name: l.Key, Path: l.Path}, key: l.Key,
					resource: resource, text: l.Text, number: l.Kind == jsonpath.Number, creating: creating})
			}
		}
	}
	if loc := e.Response.HTTPHeader().Get("Location"); loc != "" {
		if lu, err := url.Parse(loc); err == nil {
			segs := pathSegments(lu)
			if n := len(segs); n > 0 && looksLikeID(segs[n-1]) {
				res := resource
				if n > 1 {
					res = segs[n-2]
				}
				out = append(out, production{call: i, place: Place{In: "header", Name: "Location", Segment: n - 1}, key: "id",
					resource: res, text: segs[n-1], number: isNumber(segs[n-1]), creating: creating})
			}
		}
	}
	return out
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

// Bindings returns the variables a call's request uses, sorted by place.
func (p *Plan) Bindings(call int) []Binding {
	var out []Binding
	for _, group := range [][]*Var{p.Vars, p.Context} {
		for _, v := range group {
			for _, u := range v.Uses {
				if u.Call == call {
					out = append(out, Binding{Var: v, Place: u.Place})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Place.String() < out[j].Place.String() })
	return out
}

// Produced returns the variables a call's response produces.
func (p *Plan) Produced(call int) []*Var {
	var out []*Var
	for _, v := range p.Vars {
		if v.From != nil && v.From.Call == call {
			out = append(out, v)
		}
	}
	return out
}

// Binding is one use of a variable in a call's request.
type Binding struct {
	Var   *Var
	Place Place
}
