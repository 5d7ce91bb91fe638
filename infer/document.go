package infer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Operation is one inferred operation, as the report lists it.
type Operation struct {
	Method      string `json:"method"`
	Template    string `json:"template"`
	Tag         string `json:"tag,omitempty"`
	OperationID string `json:"operationId"`
	// Calls is how many recorded calls support the operation.
	Calls      int         `json:"calls"`
	Parameters []Parameter `json:"parameters,omitempty"`
	// Shadows lists the documented templates whose typed parameter the
	// calls' literal segment did not fit ("GET /api/launch/{id}").
	Shadows []string `json:"shadows,omitempty"`
	// Component names the spec's components reused for bodies.
	Components []string `json:"components,omitempty"`
}

// Parameter is one inferred path or query parameter.
type Parameter struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
}

// Result is the inferred document and what it holds.
type Result struct {
	Document   *openapi3.T
	Operations []Operation
	// Guesses counts the operations only one call supports: their types
	// and required members rest on that one call.
	Guesses int
	// Unread counts the bodies that taught the schemas nothing: cut short
	// when recorded, or not the JSON their Content-Type says. The schemas
	// of their media types are left open.
	Unread int
}

// Result builds the document from every call added so far.
func (in *Inferrer) Result() (*Result, error) {
	if in.calls == 0 {
		return nil, ErrNoCalls
	}
	conv, ids, controllers := conventions(in.opts.Spec)
	title := in.opts.Title
	if title == "" {
		title = "Inferred API"
	}
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{Title: title, Version: "inferred",
			Description: fmt.Sprintf("Inferred by apitrail match --infer from %d recorded calls.", in.calls)},
		Paths: openapi3.NewPaths(),
	}
	for _, h := range sortedKeys(in.hosts) {
		doc.Servers = append(doc.Servers, &openapi3.Server{URL: h})
	}
	comps := newComponents(in.opts.Spec, doc)
	res := &Result{Document: doc, Unread: in.unread}
	tags := map[string]bool{}
	for _, t := range in.templates(conv) {
		uniqueNames(t.segs)
		path := t.path()
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		for _, m := range sortedMethods(t.ops) {
			o := t.ops[m]
			tag := in.tag(t, conv, controllers)
			id := uniqueID(operationID(m, t), ids)
			op := &openapi3.Operation{
				Tags: []string{tag}, OperationID: id,
				Summary:    fmt.Sprintf("Inferred from %d call%s", o.calls, plural(o.calls)),
				Extensions: map[string]any{"x-apitrail-calls": o.calls},
			}
			rep := Operation{Method: m, Template: path, Tag: tag, OperationID: id, Calls: o.calls, Shadows: sortedKeys(o.shadows)}
			if len(rep.Shadows) > 0 {
				op.Description = "A literal route beside " + strings.Join(rep.Shadows, ", ") + ", whose typed parameter does not take it."
			}
			for _, s := range t.segs {
				if s.param {
					sc := textSchema(s.val)
					op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
						Name: s.name, In: openapi3.ParameterInPath, Required: true, Schema: openapi3.NewSchemaRef("", sc)}})
					rep.Parameters = append(rep.Parameters, Parameter{Name: s.name, In: "path", Type: typeName(sc), Required: true})
				}
			}
			for _, k := range sortedKeys(o.query) {
				s := o.query[k]
				sc := textSchema(s)
				if s.repeated {
					sc = &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: openapi3.NewSchemaRef("", sc)}
				}
				p := &openapi3.Parameter{Name: k, In: openapi3.ParameterInQuery, Required: o.querySeen[k] == o.calls,
					AllowEmptyValue: s.empty, Schema: openapi3.NewSchemaRef("", sc)}
				op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: p})
				rep.Parameters = append(rep.Parameters, Parameter{Name: k, In: "query", Type: typeName(sc), Required: p.Required})
			}
			if len(o.request) > 0 {
				rb := &openapi3.RequestBody{Required: o.bodyCalls == o.calls, Content: openapi3.Content{}}
				for _, mt := range sortedKeys(o.request) {
					rb.Content[mt] = &openapi3.MediaType{Schema: comps.body(mt, o.request[mt], &rep)}
				}
				op.RequestBody = &openapi3.RequestBodyRef{Value: rb}
			}
			op.Responses = openapi3.NewResponses()
			op.Responses.Delete("default")
			statuses := make([]int, 0, len(o.responses))
			for st := range o.responses {
				statuses = append(statuses, st)
			}
			sort.Ints(statuses)
			for _, st := range statuses {
				desc := http.StatusText(st)
				if desc == "" {
					desc = "Status " + strconv.Itoa(st)
				}
				r := &openapi3.Response{Description: &desc}
				for _, mt := range sortedKeys(o.responses[st]) {
					if r.Content == nil {
						r.Content = openapi3.Content{}
					}
					r.Content[mt] = &openapi3.MediaType{Schema: comps.body(mt, o.responses[st][mt], &rep)}
				}
				op.Responses.Set(strconv.Itoa(st), &openapi3.ResponseRef{Value: r})
			}
			if len(statuses) == 0 {
				desc := "No answer was recorded"
				op.Responses.Set("default", &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc}})
			}
			item.SetOperation(m, op)
			tags[tag] = true
			if o.calls == 1 {
				res.Guesses++
			}
			res.Operations = append(res.Operations, rep)
		}
	}
	for _, t := range sortedKeys(tags) {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t})
	}
	return res, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// textSchema types a parameter from its values as sent: integer when
// every value was one (int64 past 2^31), boolean likewise, otherwise a
// string, with a format every value had.
func textSchema(s *shape) *openapi3.Schema {
	switch {
	case s.count > 0 && s.ints == s.count:
		sc := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeInteger}}
		if s.maxAbs > math.MaxInt32 {
			sc.Format = "int64"
		}
		return sc
	case s.count > 0 && s.bools == s.count:
		return &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeBoolean}}
	}
	sc := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}}
	if s.strs == s.count && s.strs > 0 {
		s.stringFacets(sc)
	}
	return sc
}

func typeName(sc *openapi3.Schema) string {
	if sc.Type == nil || len(*sc.Type) == 0 {
		return "any"
	}
	t := strings.Join(*sc.Type, "|")
	if t == openapi3.TypeArray && sc.Items != nil && sc.Items.Value != nil {
		return "array of " + typeName(sc.Items.Value)
	}
	if sc.Format != "" {
		t += " (" + sc.Format + ")"
	}
	return t
}

// uniqueNames makes a template's parameter names distinct (/a/{id}/b/{id}
// is not a valid template), numbering the later ones.
func uniqueNames(segs []seg) {
	seen := map[string]int{}
	for i := range segs {
		if !segs[i].param {
			continue
		}
		n := segs[i].name
		seen[n]++
		if seen[n] > 1 {
			segs[i].name = n + strconv.Itoa(seen[n])
		}
	}
}

var versionRE = regexp.MustCompile(`^v\d+(\.\d+)*$`)

// resource is the first segment of a path that names a thing rather than
// the API itself ("launch" in /api/rs/v2/launch/{id}).
func resource(segs []seg) string {
	for _, s := range segs {
		if s.param {
			continue
		}
		l := strings.ToLower(unescape(s.lit))
		if l == "api" || l == "rs" || l == "rest" || versionRE.MatchString(l) {
			continue
		}
		return unescape(s.lit)
	}
	return ""
}

// tag follows the spec: the tag its operations carry nearest the
// template, or a tag in the spec's style ("launch-controller"); with no
// spec, the resource the path names.
func (in *Inferrer) tag(t *template, conv *cnode, controllers bool) string {
	best := ""
	n := conv
	for depth, s := range t.segs {
		if s.param {
			n = n.par()
		} else {
			n = n.lit(s.lit)
		}
		if n == nil {
			break
		}
		if depth >= 1 && resource(t.segs[:depth+1]) != "" {
			if tag := topTag(n.tags); tag != "" {
				best = tag
			}
		}
	}
	if best != "" {
		return best
	}
	r := resource(t.segs)
	if r == "" {
		r = "default"
	}
	if controllers {
		return kebab(r) + "-controller"
	}
	return r
}

func topTag(m map[string]int) string {
	best, n := "", 0
	for _, t := range sortedKeys(m) {
		if m[t] > n {
			best, n = t, m[t]
		}
	}
	return best
}

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r + 'a' - 'A')
		case r == '_' || r == '.':
			b.WriteByte('-')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// operationID names an operation by its verb and the literal segments of
// its path: GET /api/launch/{id}/tag is getLaunchTag.
func operationID(method string, t *template) string {
	verb := strings.ToLower(method)
	last := len(t.segs) > 0 && t.segs[len(t.segs)-1].param
	switch method {
	case http.MethodGet:
		if !last {
			verb = "find"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	}
	var b strings.Builder
	b.WriteString(verb)
	skipping := true
	for _, s := range t.segs {
		if s.param {
			continue
		}
		l := strings.ToLower(unescape(s.lit))
		if skipping && (l == "api" || l == "rs" || versionRE.MatchString(l)) {
			continue
		}
		skipping = false
		w := camel(unescape(s.lit))
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	if last {
		b.WriteString("ById")
	}
	return b.String()
}

// uniqueID numbers an id the way springdoc does (create_32) when the spec
// or the document has it already.
func uniqueID(id string, ids map[string]bool) string {
	out := id
	for i := 1; ids[out]; i++ {
		out = id + "_" + strconv.Itoa(i)
	}
	ids[out] = true
	return out
}

// Marshal writes the document as JSON, or as YAML when yamlOut is set.
func Marshal(doc *openapi3.T, yamlOut bool) ([]byte, error) {
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	if !yamlOut {
		return append(js, '\n'), nil
	}
	// JSON is YAML: reading it into a node keeps the members' order, and
	// clearing the flow style writes it as block YAML.
	var n yaml.Node
	if err := yaml.Unmarshal(js, &n); err != nil {
		return nil, err
	}
	var block func(*yaml.Node)
	block = func(n *yaml.Node) {
		n.Style &^= yaml.FlowStyle
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			n.Style &^= yaml.DoubleQuotedStyle
		}
		for _, c := range n.Content {
			block(c)
		}
	}
	block(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}
