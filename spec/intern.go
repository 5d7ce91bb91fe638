package spec

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// leafSchemas shares one openapi3.Schema among identical plain leaf
// schemas ({"type": "integer", "format": "int64"}). kin-openapi's Schema is
// 752 bytes and a generated spec spends one on every property, most of
// them the same few scalars: sharing them is a third of a loaded TestOps
// document. Only schemas that kin-openapi's validator cannot fault are
// shared, as it validates a schema it has seen once only once, so a
// shared faulty schema would be reported at one place instead of each.
// Path items and schemas are decoded on several goroutines at once, so the
// leaves are kept in a sync.Map: written once per kind of leaf, then only
// read. Which of the identical leaves becomes the shared one then depends
// on timing, but not the document: they are equal.
type leafSchemas struct{ m *sync.Map }

func newLeafSchemas() leafSchemas { return leafSchemas{m: &sync.Map{}} }

// schemaRef replaces r's schema with the shared one if it is a plain leaf.
func (ls leafSchemas) schemaRef(r *openapi3.SchemaRef) {
	if r == nil || r.Ref != "" || r.Value == nil {
		return
	}
	s := r.Value
	key, ok := leafKey(s)
	if !ok {
		ls.schema(s)
		return
	}
	if shared, loaded := ls.m.LoadOrStore(key, s); loaded {
		r.Value = shared.(*openapi3.Schema)
	}
}

// leafKey is the identity of a schema that has a single scalar type and at
// most a format, title, description and the readOnly, writeOnly and
// deprecated flags: nothing the validator checks or anyone changes.
func leafKey(s *openapi3.Schema) (string, bool) {
	if s.Type == nil || len(*s.Type) != 1 {
		return "", false
	}
	switch (*s.Type)[0] {
	case openapi3.TypeString, openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean:
	default:
		return "", false
	}
	rest := *s
	rest.Type, rest.Format, rest.Title, rest.Description = nil, "", "", ""
	rest.ReadOnly, rest.WriteOnly, rest.Deprecated = false, false, false
	if !reflect.ValueOf(rest).IsZero() {
		return "", false
	}
	var b strings.Builder
	for _, f := range []string{(*s.Type)[0], s.Format, s.Title, s.Description} {
		b.WriteString(strconv.Quote(f))
	}
	b.WriteString(strconv.FormatBool(s.ReadOnly) + strconv.FormatBool(s.WriteOnly) + strconv.FormatBool(s.Deprecated))
	return b.String(), true
}

// schema shares the leaves below s.
func (ls leafSchemas) schema(s *openapi3.Schema) {
	for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf, s.PrefixItems} {
		for _, r := range list {
			ls.schemaRef(r)
		}
	}
	for _, r := range []*openapi3.SchemaRef{s.Not, s.Items, s.AdditionalProperties.Schema, s.Contains,
		s.PropertyNames, s.If, s.Then, s.Else, s.ContentSchema, s.UnevaluatedItems.Schema, s.UnevaluatedProperties.Schema} {
		ls.schemaRef(r)
	}
	for _, m := range []openapi3.Schemas{s.Properties, s.PatternProperties, s.DependentSchemas, s.Defs} {
		for _, r := range m {
			ls.schemaRef(r)
		}
	}
}

func (ls leafSchemas) content(c openapi3.Content) {
	for _, mt := range c {
		if mt != nil {
			ls.schemaRef(mt.Schema)
		}
	}
}

func (ls leafSchemas) parameter(p *openapi3.ParameterRef) {
	if p != nil && p.Value != nil {
		ls.schemaRef(p.Value.Schema)
		ls.content(p.Value.Content)
	}
}

func (ls leafSchemas) headers(hs openapi3.Headers) {
	for _, h := range hs {
		if h != nil && h.Value != nil {
			ls.schemaRef(h.Value.Schema)
			ls.content(h.Value.Content)
		}
	}
}

func (ls leafSchemas) response(r *openapi3.ResponseRef) {
	if r != nil && r.Value != nil {
		ls.content(r.Value.Content)
		ls.headers(r.Value.Headers)
	}
}

func (ls leafSchemas) requestBody(b *openapi3.RequestBodyRef) {
	if b != nil && b.Value != nil {
		ls.content(b.Value.Content)
	}
}

func (ls leafSchemas) pathItem(item *openapi3.PathItem) {
	for _, p := range item.Parameters {
		ls.parameter(p)
	}
	for _, op := range item.Operations() {
		for _, p := range op.Parameters {
			ls.parameter(p)
		}
		ls.requestBody(op.RequestBody)
		if op.Responses != nil {
			for _, r := range op.Responses.Map() {
				ls.response(r)
			}
		}
	}
}

// components shares the leaves of the components other than schemas,
// which decodeSchemas shares as it decodes them.
func (ls leafSchemas) components(c *openapi3.Components) {
	for _, p := range c.Parameters {
		ls.parameter(p)
	}
	for _, b := range c.RequestBodies {
		ls.requestBody(b)
	}
	for _, r := range c.Responses {
		ls.response(r)
	}
	ls.headers(c.Headers)
}
