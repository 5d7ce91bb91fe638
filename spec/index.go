package spec

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Operation is one method on one path template of one document.
type Operation struct {
	// Method is the HTTP method in upper case.
	Method string
	// Path is the path template as the document writes it ("/api/launch/{id}"),
	// without any server prefix.
	Path string
	// OperationID, Summary, Tags and Deprecated are as the document says.
	// OperationID is shown, never matched on: generators renumber it.
	OperationID string
	Summary     string
	Tags        []string
	Deprecated  bool
	// Document is the document the operation comes from.
	Document *Document
	// Pointer is the operation's JSON pointer in its document ("/paths/~1pets/get").
	Pointer string
	// OpenAPI and PathItem are kin-openapi's models of the operation.
	OpenAPI  *openapi3.Operation
	PathItem *openapi3.PathItem

	// pathParams names the template's parameters in the order they appear,
	// with their declarations (nil when the document forgot one).
	pathParams  []*openapi3.Parameter
	pathNames   []string
	pathClasses []class
	// checkParams are the parameters Check validates: the operation's and
	// the path item's, minus the tolerated generator artefacts.
	checkParams []*openapi3.Parameter
	// tmpl and prefixes are the template and the server paths before it,
	// for finding near misses.
	tmpl     []segment
	prefixes []string
	// catchAll is set when an exploded object parameter in the query takes
	// any key (Spring's @RequestParam Map), so no query key is undocumented.
	catchAll bool
	// queryNames and deepQueries are the names of the query parameters the
	// operation and its path item declare, artefacts included, and of those
	// in the deepObject style, whose keys are "name[...]": made once here
	// because Check asks for every query key of every call.
	queryNames  map[string]bool
	deepQueries []string
}

// String names the operation the way people read it: "GET /api/launch/{id}".
func (op *Operation) String() string { return op.Method + " " + op.Path }

// Alias maps a path prefix seen in traffic onto one the documents use, for
// instances that still route old forms of their paths.
type Alias struct {
	From, To string
}

func (a Alias) String() string { return a.From + "=" + a.To }

// ParseAlias reads an alias written as FROM=TO ("/api/rs=/api").
func ParseAlias(s string) (Alias, error) {
	from, to, ok := strings.Cut(s, "=")
	if a := (Alias{From: from, To: to}); ok && a.valid() {
		return a, nil
	}
	return Alias{}, fmt.Errorf("alias %q is not of the form /FROM=/TO", s)
}

// valid reports whether both sides are absolute paths; To may be empty, to
// drop the prefix.
func (a Alias) valid() bool {
	return strings.HasPrefix(a.From, "/") && (a.To == "" || strings.HasPrefix(a.To, "/"))
}

// TestOpsAliases are the path prefixes Allure TestOps traffic still uses for
// paths its current documents list under /api: the 4.x report service
// (/api/rs/...) and UAA service (/api/uaa/...) forms. Copy and extend it
// rather than changing it.
var TestOpsAliases = []Alias{{From: "/api/rs", To: "/api"}, {From: "/api/uaa", To: "/api"}}

// Options tune an Index. The zero value matches every host, uses no alias
// and tolerates no artefacts.
type Options struct {
	// Hosts are the instance's hosts ("testops.example.com",
	// "localhost:8080" or a URL). When set, a request to any other host is
	// OtherHost; when empty, every host is the instance, since a recording's
	// host rarely equals the one a spec names.
	Hosts []string
	// Aliases are tried, in order, when a path as recorded matches nothing.
	Aliases []Alias
	// Artefacts are spec statements known to be generator noise, which
	// Check does not hold traffic to.
	Artefacts Artefacts
}

// Artefacts lists what a spec generator states that real traffic never does.
type Artefacts struct {
	// Params are parameters Check neither requires nor validates.
	Params []ParamRef
	// AmbiguousOneOf accepts a value that fits more than one branch of a
	// oneOf: springdoc writes oneOf for methods that return one of several
	// overlapping types, where any single branch fitting is what is meant.
	AmbiguousOneOf bool
	// ObjectScalars leaves alone a path or query parameter typed "object"
	// with no properties: springdoc writes that for a Java Object argument
	// (TestOps's /api/account/{id}, "id or username"), whose value is a
	// plain string that no "name,value" object serialisation fits.
	ObjectScalars bool
}

// ParamRef names a parameter by its place and name. OperationID narrows it
// to one operation; empty means every operation.
type ParamRef struct {
	In, Name    string
	OperationID string
}

// SpringdocArtefacts are the known springdoc-openapi artefacts, as seen in
// Allure TestOps documents: a required csrfToken query parameter (Spring
// Security's CsrfToken method argument) that browsers never send, oneOf
// over overlapping page types, and "object" for an untyped parameter.
var SpringdocArtefacts = Artefacts{
	Params:         []ParamRef{{In: "query", Name: "csrfToken"}},
	AmbiguousOneOf: true,
	ObjectScalars:  true,
}

// Index resolves requests to operations across one or more documents. Build
// it once with NewIndex; it is safe for concurrent use, and a lookup's cost
// depends on the length of the path, not on how many operations there are.
type Index struct {
	docs      []*Document
	ops       []*Operation
	root      *node
	hosts     map[string]bool
	aliases   []Alias
	artefacts Artefacts
	// checkSpecs are the documents as Check hands them to openapi3filter.
	checkSpecs map[*Document]*openapi3.T
	// fast holds the schemas Check has compiled (fastcheck.go).
	fast fastSchemas
}

// Documents returns the documents the index was built from, in order.
func (ix *Index) Documents() []*Document { return ix.docs }

// Aliases returns the path prefix aliases the index tries, in order.
func (ix *Index) Aliases() []Alias { return append([]Alias(nil), ix.aliases...) }

// Operations returns every operation, in document order, then by path and method.
func (ix *Index) Operations() []*Operation { return ix.ops }

// NewIndex builds an index over the documents. Where several documents
// declare the same method and template (TestOps' "Report Service" and "All
// Services"), lookups answer with the first document's operation and list
// the others in Match.Others.
func NewIndex(docs []*Document, opts Options) (*Index, error) {
	ix := &Index{docs: docs, root: &node{}, artefacts: opts.Artefacts, checkSpecs: map[*Document]*openapi3.T{}}
	for _, a := range opts.Aliases {
		if !a.valid() {
			return nil, fmt.Errorf("alias %q is not of the form /FROM=/TO", a.String())
		}
		ix.aliases = append(ix.aliases, Alias{From: strings.TrimSuffix(a.From, "/"), To: strings.TrimSuffix(a.To, "/")})
	}
	if len(opts.Hosts) > 0 {
		ix.hosts = map[string]bool{}
		for _, h := range opts.Hosts {
			key, err := hostKey(h)
			if err != nil {
				return nil, err
			}
			ix.hosts[key] = true
		}
	}
	for _, d := range docs {
		if d == nil || d.OpenAPI == nil {
			return nil, errors.New("NewIndex needs loaded documents")
		}
		ix.add(d)
		ix.checkSpecs[d] = checkSpec(d.OpenAPI)
	}
	ix.root.finish()
	return ix, nil
}

func (ix *Index) add(d *Document) {
	paths := d.OpenAPI.Paths
	if paths == nil {
		return
	}
	keys := paths.InMatchingOrder()
	sort.Strings(keys)
	for _, path := range keys {
		item := paths.Value(path)
		if item == nil {
			continue
		}
		tmpl, err := parseTemplate(path)
		if err != nil || countParams(tmpl) > maxCaptures {
			continue // Load warned about it
		}
		for _, method := range sortedMethods(item) {
			op := ix.newOperation(d, path, item, method, tmpl)
			ix.ops = append(ix.ops, op)
			servers := d.OpenAPI.Servers
			if len(item.Servers) > 0 {
				servers = item.Servers
			}
			if op.OpenAPI.Servers != nil && len(*op.OpenAPI.Servers) > 0 {
				servers = *op.OpenAPI.Servers
			}
			op.tmpl, op.prefixes = tmpl, serverPrefixes(servers)
			for _, prefix := range op.prefixes {
				ix.insert(prefix, tmpl, op)
			}
		}
	}
}

func (ix *Index) newOperation(d *Document, path string, item *openapi3.PathItem, method string, tmpl []segment) *Operation {
	o := item.GetOperation(method)
	op := &Operation{
		Method:      strings.ToUpper(method),
		Path:        path,
		OperationID: o.OperationID,
		Summary:     o.Summary,
		Tags:        o.Tags,
		Deprecated:  o.Deprecated,
		Document:    d,
		Pointer:     pointer("paths", path, strings.ToLower(method)),
		OpenAPI:     o,
		PathItem:    item,
	}
	// Operation parameters override the path item's of the same place and name.
	declared := map[string]*openapi3.Parameter{}
	var order []string
	for _, list := range []openapi3.Parameters{item.Parameters, o.Parameters} {
		for _, pr := range list {
			if pr == nil || pr.Value == nil {
				continue
			}
			op.declareQuery(pr.Value)
			key := pr.Value.In + "\x00" + pr.Value.Name
			if _, seen := declared[key]; !seen {
				order = append(order, key)
			}
			declared[key] = pr.Value
		}
	}
	for _, key := range order {
		p := declared[key]
		if ix.artefact(op, p) {
			continue
		}
		if p.In == openapi3.ParameterInQuery && isExplodedObject(p) {
			op.catchAll = true
		}
		if ix.artefacts.ObjectScalars && isObjectScalar(p) {
			continue
		}
		op.checkParams = append(op.checkParams, p)
	}
	for _, seg := range tmpl {
		for _, part := range seg.parts {
			if part.param {
				op.pathNames = append(op.pathNames, part.text)
				decl := declared[openapi3.ParameterInPath+"\x00"+part.text]
				c, _ := classOf(decl)
				op.pathParams = append(op.pathParams, decl)
				op.pathClasses = append(op.pathClasses, c)
			}
		}
	}
	return op
}

// checkSpec is the document openapi3filter validates against. For OpenAPI
// 3.1 it compiles every schema with the JSON Schema 2020-12 validator on
// every check (milliseconds each), only to fall back to its own validator
// when the schema uses no 2020-12 keyword and has $refs, as springdoc's
// do. A 3.1 document without such keywords is handed over labelled 3.0,
// which goes straight to that validator: the same verdicts, a hundred
// times faster on TestOps. The one difference: "nullable" is honoured.
func checkSpec(t *openapi3.T) *openapi3.T {
	if !t.IsOpenAPI31OrLater() {
		return t
	}
	if any2020(t) {
		return t
	}
	c := *t
	c.OpenAPI = "3.0.3"
	return &c
}

// any2020 reports whether any schema of the document's paths or
// components uses a JSON Schema 2020-12 keyword. kin-openapi's WalkSchemas
// would do, but it builds a JSON pointer for every schema it passes, which
// on a large spec was more garbage than the document itself.
func any2020(t *openapi3.T) bool {
	seen := map[*openapi3.Schema]bool{}
	var schema func(*openapi3.SchemaRef) bool
	schema = func(r *openapi3.SchemaRef) bool {
		if r == nil || r.Value == nil || seen[r.Value] {
			return false
		}
		s := r.Value
		seen[s] = true
		if uses2020(s) || schema(s.Items) || schema(s.Not) || schema(s.AdditionalProperties.Schema) {
			return true
		}
		for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range list {
				if schema(x) {
					return true
				}
			}
		}
		for _, x := range s.Properties {
			if schema(x) {
				return true
			}
		}
		return false
	}
	content := func(c openapi3.Content) bool {
		for _, mt := range c {
			if mt != nil && schema(mt.Schema) {
				return true
			}
		}
		return false
	}
	param := func(p *openapi3.ParameterRef) bool {
		return p != nil && p.Value != nil && (schema(p.Value.Schema) || content(p.Value.Content))
	}
	headers := func(hs openapi3.Headers) bool {
		for _, h := range hs {
			if h != nil && h.Value != nil && (schema(h.Value.Schema) || content(h.Value.Content)) {
				return true
			}
		}
		return false
	}
	response := func(r *openapi3.ResponseRef) bool {
		return r != nil && r.Value != nil && (content(r.Value.Content) || headers(r.Value.Headers))
	}
	body := func(b *openapi3.RequestBodyRef) bool {
		return b != nil && b.Value != nil && content(b.Value.Content)
	}
	if c := t.Components; c != nil {
		for _, x := range c.Schemas {
			if schema(x) {
				return true
			}
		}
		for _, x := range c.Parameters {
			if param(x) {
				return true
			}
		}
		for _, x := range c.RequestBodies {
			if body(x) {
				return true
			}
		}
		for _, x := range c.Responses {
			if response(x) {
				return true
			}
		}
		if headers(c.Headers) {
			return true
		}
	}
	for _, item := range t.Paths.Map() {
		if item == nil {
			continue
		}
		for _, p := range item.Parameters {
			if param(p) {
				return true
			}
		}
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				if param(p) {
					return true
				}
			}
			if body(op.RequestBody) {
				return true
			}
			if op.Responses != nil {
				for _, r := range op.Responses.Map() {
					if response(r) {
						return true
					}
				}
			}
		}
	}
	return false
}

// uses2020 mirrors the keywords kin-openapi checks before falling back from
// its JSON Schema 2020-12 validator.
func uses2020(s *openapi3.Schema) bool {
	return s != nil && (s.Const != nil || len(s.PrefixItems) != 0 || s.Contains != nil ||
		len(s.PatternProperties) != 0 || len(s.DependentSchemas) != 0 || s.PropertyNames != nil ||
		s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil ||
		s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil ||
		s.If != nil || s.Then != nil || s.Else != nil || len(s.DependentRequired) != 0 ||
		len(s.Defs) != 0 || s.ContentSchema != nil)
}

func (ix *Index) artefact(op *Operation, p *openapi3.Parameter) bool {
	for _, a := range ix.artefacts.Params {
		if a.In == p.In && a.Name == p.Name && (a.OperationID == "" || a.OperationID == op.OperationID) {
			return true
		}
	}
	return false
}

// isObjectScalar reports a path or query parameter typed "object" that
// names no properties, which is what springdoc writes for an Object
// argument (see Artefacts.ObjectScalars).
func isObjectScalar(p *openapi3.Parameter) bool {
	if p.In != openapi3.ParameterInPath && p.In != openapi3.ParameterInQuery {
		return false
	}
	if p.Schema == nil || p.Schema.Value == nil {
		return false
	}
	s := p.Schema.Value
	return s.Type.Is(openapi3.TypeObject) && len(s.Properties) == 0
}

func isExplodedObject(p *openapi3.Parameter) bool {
	if p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is(openapi3.TypeObject) {
		return false
	}
	if p.Style != "" && p.Style != openapi3.SerializationForm {
		return false
	}
	return p.Explode == nil || *p.Explode
}

// hostKey normalises "Host:443", "host" and "https://host/" to one key.
func hostKey(h string) (string, error) {
	s := strings.TrimSpace(h)
	scheme := ""
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("host %q is not a host name or URL", h)
		}
		scheme, s = u.Scheme, u.Host
	}
	if s == "" || strings.ContainsAny(s, "/ ") {
		return "", fmt.Errorf("host %q is not a host name or URL", h)
	}
	return normHost(scheme, s), nil
}

func normHost(scheme, host string) string {
	host = strings.ToLower(host)
	switch {
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return host
}

// ServerHosts returns the hosts the document's servers name (variables
// expanded, sorted, without default ports), for a caller that wants to
// count them as the instance's. Relative servers name none.
func (d *Document) ServerHosts() []string {
	if d.OpenAPI == nil {
		return nil
	}
	seen := map[string]bool{}
	all := append(openapi3.Servers(nil), d.OpenAPI.Servers...)
	if d.OpenAPI.Paths != nil {
		for _, item := range d.OpenAPI.Paths.Map() {
			if item != nil {
				all = append(all, item.Servers...)
			}
		}
	}
	var out []string
	for _, s := range all {
		if s == nil {
			continue
		}
		for _, raw := range expandServer(s) {
			if u, err := url.Parse(raw); err == nil && u.Host != "" {
				if h := normHost(u.Scheme, u.Host); !seen[h] {
					seen[h] = true
					out = append(out, h)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// serverPrefixes turns servers into the path prefixes they put before every
// template ("" for "/"), expanding variables by their enums or defaults.
func serverPrefixes(servers openapi3.Servers) []string {
	if len(servers) == 0 {
		return []string{""}
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		for _, raw := range expandServer(s) {
			p := serverPath(raw)
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return []string{""}
	}
	return out
}

const maxServerExpansions = 64

func expandServer(s *openapi3.Server) []string {
	urls := []string{s.URL}
	names := make([]string, 0, len(s.Variables))
	for name := range s.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := s.Variables[name]
		if v == nil {
			continue
		}
		values := v.Enum
		if len(values) == 0 || len(urls)*len(values) > maxServerExpansions {
			values = []string{v.Default}
		}
		var next []string
		for _, u := range urls {
			for _, val := range values {
				next = append(next, strings.ReplaceAll(u, "{"+name+"}", val))
			}
		}
		urls = next
	}
	return urls
}

func serverPath(raw string) string {
	u, err := url.Parse(raw)
	p := raw
	if err == nil {
		p = u.EscapedPath()
		if u.Host == "" && u.Scheme == "" && !strings.HasPrefix(p, "/") {
			// A relative server ("api/v1", ".") is relative to where the
			// document is served, which traffic cannot tell us: read it
			// from the root.
			p = "/" + strings.TrimPrefix(p, ".")
		}
	}
	return strings.TrimRight(p, "/")
}

// segment is one "/"-separated piece of a template: literal text, a whole
// parameter ("{id}") or a mix ("{name}.json").
type segment struct {
	parts []part
}

type part struct {
	text  string // literal text (decoded), or the parameter name
	param bool
}

func (s segment) literal() (string, bool) {
	if len(s.parts) == 1 && !s.parts[0].param {
		return s.parts[0].text, true
	}
	if len(s.parts) == 0 {
		return "", true
	}
	return "", false
}

func parseTemplate(path string) ([]segment, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("path %q does not start with /", path)
	}
	var segs []segment
	for _, raw := range strings.Split(path[1:], "/") {
		var seg segment
		rest := raw
		for rest != "" {
			open := strings.IndexByte(rest, '{')
			if open < 0 {
				seg.parts = append(seg.parts, part{text: unescapeSegment(rest)})
				break
			}
			if open > 0 {
				seg.parts = append(seg.parts, part{text: unescapeSegment(rest[:open])})
			}
			end := strings.IndexByte(rest[open:], '}')
			if end < 0 {
				return nil, fmt.Errorf("path %q has an unclosed {", path)
			}
			name := rest[open+1 : open+end]
			if name == "" || strings.ContainsAny(name, "{") {
				return nil, fmt.Errorf("path %q has an empty or nested {}", path)
			}
			if n := len(seg.parts); n > 0 && seg.parts[n-1].param {
				return nil, fmt.Errorf("path %q puts two parameters side by side", path)
			}
			seg.parts = append(seg.parts, part{text: name, param: true})
			rest = rest[open+end+1:]
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func countParams(tmpl []segment) int {
	n := 0
	for _, seg := range tmpl {
		for _, p := range seg.parts {
			if p.param {
				n++
			}
		}
	}
	return n
}

// templateWarnings reports path templates the index cannot match.
func templateWarnings(t *openapi3.T) []Warning {
	var out []Warning
	if t.Paths == nil {
		return nil
	}
	for _, path := range t.Paths.InMatchingOrder() {
		tmpl, err := parseTemplate(path)
		switch {
		case err != nil:
			out = append(out, Warning{Place: pointer("paths", path), Message: err.Error() + "; requests cannot match it"})
		case countParams(tmpl) > maxCaptures:
			out = append(out, Warning{Place: pointer("paths", path), Message: fmt.Sprintf("path has more than %d parameters; requests cannot match it", maxCaptures)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Place < out[j].Place })
	return out
}

func unescapeSegment(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if un, err := url.PathUnescape(s); err == nil {
		return un
	}
	return s
}
