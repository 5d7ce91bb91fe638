package spec

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Outcome is what a lookup found.
type Outcome uint8

const (
	// NotFound: no path template of any document fits the path.
	NotFound Outcome = iota
	// Found: Match.Operation is the operation the request calls.
	Found
	// MethodNotAllowed: a template fits the path but declares other methods
	// (Match.Allowed).
	MethodNotAllowed
	// Preflight: an OPTIONS request (a CORS preflight, usually) to a
	// documented path that declares no OPTIONS operation. Servers answer
	// these themselves; they are neither drift nor undocumented.
	Preflight
	// OtherHost: the request went to a host that Options.Hosts does not list.
	OtherHost
)

var outcomeNames = [...]string{"not found", "found", "method not allowed", "preflight", "other host"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Match is the answer to a lookup.
type Match struct {
	Outcome Outcome
	// Operation is the operation called (Found), or one operation on the
	// fitting path (MethodNotAllowed, Preflight), for its template.
	Operation *Operation
	// Others are the same method and template in later documents.
	Others []*Operation
	// Params are the path parameters, in template order, typed by their schemas.
	Params []Param
	// Allowed are the methods the fitting path declares (MethodNotAllowed, Preflight).
	Allowed []string
	// Alias is the alias that made the path fit, if one did.
	Alias *Alias
	// ViaGET is set when a HEAD request was matched to the GET operation,
	// as servers answer HEAD for every GET they serve.
	ViaGET bool
	// TrailingSlash is set when the path only fit once its trailing slash
	// was ignored.
	TrailingSlash bool
	// Untyped is set when the path fit a template only once its path
	// parameters' types were ignored ("abc" for an int64 {id}): the call
	// is the operation's, sent with a value its schema rejects, which
	// Check reports as invalid-param.
	Untyped bool
	// Spanning names the path parameter that fit only by holding several
	// segments ("docs/a.ipynb" for {path}). OpenAPI cannot say that a
	// parameter holds slashes, yet specs of file servers mean it; Check
	// reports it as drift rather than leaving the call in no spec.
	Spanning string
}

// Param is one path parameter taken from a request.
type Param struct {
	Name string
	// Raw is the segment's text, percent-decoded.
	Raw string
	// Value is Raw read by the parameter's schema: int64 for integers (the
	// raw text when it overflows), float64 for numbers, bool, or string.
	Value any
}

// Lookup resolves a request to its operation: by method and path template,
// after the host check, trying the path as recorded, then without a
// trailing slash, then through each alias. When no template fits with its
// parameters' types, the same is tried again ignoring them (see
// Match.Untyped). u may be a full URL or just a path; its query is
// ignored. Method case does not matter.
func (ix *Index) Lookup(method string, u *url.URL) Match {
	if u == nil {
		return Match{}
	}
	if ix.hosts != nil && u.Host != "" && !ix.hosts[normHost(u.Scheme, u.Host)] {
		return Match{Outcome: OtherHost}
	}
	method = upper(method)
	path := u.EscapedPath()
	if u.Opaque != "" {
		return Match{}
	}
	m := ix.lookupForms(method, path, modeTyped)
	if m.Outcome == NotFound {
		// A typed template wins wherever one fits; only when none does is
		// the call read as its operation with a wrongly typed value, which
		// is drift, rather than as a call in no spec.
		if um := ix.lookupForms(method, path, modeUntyped); um.Outcome != NotFound {
			um.Untyped = true
			return um
		}
		// Last, a string parameter may hold the rest of a file path; only
		// a full fit counts, as a method mismatch through a spanned value
		// says nothing a reader can use.
		if sm := ix.lookupForms(method, path, modeSpanning); sm.Outcome == Found {
			return sm
		}
	}
	return m
}

// mode is how loosely a search fits path parameters.
type mode uint8

const (
	modeTyped    mode = iota // each parameter holds one segment its schema accepts
	modeUntyped              // any non-empty segment fits, whatever its type
	modeSpanning             // typed, and one string parameter may hold several segments
)

// lookupForms tries the path as recorded and through each alias, keeping
// the best outcome.
func (ix *Index) lookupForms(method, path string, md mode) Match {
	m := ix.lookupPath(method, path, md)
	if m.Outcome == Found || len(ix.aliases) == 0 {
		return m
	}
	for i := range ix.aliases {
		a := &ix.aliases[i]
		rest, ok := strings.CutPrefix(path, a.From)
		if !ok || (rest != "" && rest[0] != '/') {
			continue
		}
		am := ix.lookupPath(method, a.To+rest, md)
		if rank(am.Outcome) > rank(m.Outcome) {
			am.Alias = a
			m = am
			if m.Outcome == Found {
				break
			}
		}
	}
	return m
}

// rank orders outcomes by how much a lookup found, to keep the best of
// the path as recorded and its aliases.
func rank(o Outcome) int {
	switch o {
	case Found:
		return 3
	case Preflight:
		return 2
	case MethodNotAllowed:
		return 1
	}
	return 0
}

func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

func (ix *Index) lookupPath(method, path string, md mode) Match {
	if path == "" {
		path = "/"
	}
	if path[0] != '/' {
		return Match{}
	}
	m := ix.search(method, path[1:], md)
	if m.Outcome == NotFound && len(path) > 1 && path[len(path)-1] == '/' {
		trimmed := strings.TrimRight(path, "/")
		if trimmed == "" {
			trimmed = "/"
		}
		m = ix.search(method, trimmed[1:], md)
		if m.Outcome != NotFound {
			m.TrailingSlash = true
		}
	}
	return m
}

// maxCaptures bounds the path parameters one template may have; templates
// with more are not matched (NewIndex warns about them).
const maxCaptures = 32

// search walks the trie over the segments of path (without its leading
// slash), literal children before template ones, backtracking when a
// branch fits the path but not the method. Captures live in a fixed array
// so a lookup allocates only the Params it returns.
type search struct {
	method   string
	path     string
	untyped  bool // any non-empty segment fits a parameter, whatever its type
	span     bool // one string parameter may hold several segments
	spanned  int  // the capture that did, plus one (0: none)
	ncap     int
	caps     [maxCaptures]string
	found    []*Operation
	viaGET   bool
	matched  []*node // nodes that fit the path but not the method
	firstOps []*Operation
	first    []string // captures where firstOps was found
}

func (ix *Index) search(method, path string, md mode) Match {
	s := search{method: method, path: path, untyped: md == modeUntyped, span: md == modeSpanning}
	if s.walk(ix.root, 0) {
		m := Match{Outcome: Found, Operation: s.found[0], Others: others(s.found), Params: params(s.found[0], s.caps[:s.ncap]), ViaGET: s.viaGET}
		if s.spanned > 0 && s.spanned <= len(m.Params) {
			m.Spanning = m.Params[s.spanned-1].Name
		}
		return m
	}
	if len(s.matched) == 0 {
		return Match{}
	}
	set := map[string]bool{}
	for _, n := range s.matched {
		for m := range n.ops {
			set[m] = true
		}
	}
	allowed := make([]string, 0, len(set))
	for m := range set {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed)
	out := Match{Outcome: MethodNotAllowed, Operation: s.firstOps[0], Params: params(s.firstOps[0], s.first), Allowed: allowed}
	if method == "OPTIONS" {
		out.Outcome = Preflight
	}
	return out
}

func others(ops []*Operation) []*Operation {
	if len(ops) < 2 {
		return nil
	}
	return ops[1:]
}

func (s *search) walk(n *node, i int) bool {
	if i > len(s.path) {
		return s.terminal(n)
	}
	j := strings.IndexByte(s.path[i:], '/')
	if j < 0 {
		j = len(s.path)
	} else {
		j += i
	}
	seg := decodeSegment(s.path[i:j])
	if n.lit != nil {
		if c := n.lit[seg]; c != nil && s.walk(c, j+1) {
			return true
		}
	}
	for _, e := range n.edges {
		k := s.ncap
		if e.match(seg, s) && s.walk(e.child, j+1) {
			return true
		}
		s.ncap = k
		if s.span && s.spanned == 0 && e.parts == nil && e.classes[0] == classString && seg != "" && s.walkSpan(e, i, j) {
			return true
		}
		s.ncap = k
	}
	return false
}

// walkSpan lets a whole-segment string parameter starting at i hold two or
// more segments (each non-empty), then walks on after them.
func (s *search) walkSpan(e *edge, i, j int) bool {
	for end := j; end < len(s.path); {
		next := strings.IndexByte(s.path[end+1:], '/')
		if next < 0 {
			next = len(s.path)
		} else {
			next += end + 1
		}
		if next == end+1 {
			return false // an empty segment: "a//b" is no file path
		}
		end = next
		k := s.ncap
		if !s.capture(decodeSpan(s.path[i:end])) {
			return false
		}
		s.spanned = s.ncap
		if s.walk(e.child, end+1) {
			return true
		}
		s.ncap, s.spanned = k, 0
	}
	return false
}

// decodeSpan percent-decodes each segment of a spanned value.
func decodeSpan(raw string) string {
	parts := strings.Split(raw, "/")
	for i, p := range parts {
		parts[i] = decodeSegment(p)
	}
	return strings.Join(parts, "/")
}

func (s *search) capture(v string) bool {
	if s.ncap == maxCaptures {
		return false
	}
	s.caps[s.ncap] = v
	s.ncap++
	return true
}

func (s *search) terminal(n *node) bool {
	if len(n.ops) == 0 {
		return false
	}
	if ops := n.ops[s.method]; ops != nil {
		s.found = ops
		return true
	}
	if s.method == "HEAD" {
		if ops := n.ops["GET"]; ops != nil {
			s.found, s.viaGET = ops, true
			return true
		}
	}
	if s.firstOps == nil {
		for _, ops := range n.ops {
			if s.firstOps == nil || ops[0].Method < s.firstOps[0].Method {
				s.firstOps = ops
			}
		}
		s.first = append([]string(nil), s.caps[:s.ncap]...)
	}
	s.matched = append(s.matched, n)
	return false
}

// decodeSegment percent-decodes one path segment and drops matrix
// parameters (";jsessionid=..."), which servlet containers strip before
// routing.
func decodeSegment(raw string) string {
	if i := strings.IndexByte(raw, ';'); i >= 0 {
		raw = raw[:i]
	}
	if strings.IndexByte(raw, '%') < 0 {
		return raw
	}
	if un, err := url.PathUnescape(raw); err == nil {
		return un
	}
	return raw
}

func params(op *Operation, caps []string) []Param {
	if len(op.pathNames) == 0 {
		return nil
	}
	out := make([]Param, len(op.pathNames))
	for i, name := range op.pathNames {
		raw := ""
		if i < len(caps) {
			raw = caps[i]
		}
		out[i] = Param{Name: name, Raw: raw, Value: typed(op.pathClasses[i], raw)}
	}
	return out
}

func typed(c class, raw string) any {
	switch c {
	case classInteger:
		if v, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return v
		}
	case classNumber:
		if v, err := strconv.ParseFloat(raw, 64); err == nil {
			return v
		}
	case classBoolean:
		return raw == "true"
	}
	return raw
}
