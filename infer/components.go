package infer

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

const refPrefix = "#/components/schemas/"

// components finds the spec's components that inferred bodies have the
// shape of, and copies them (with every component they refer to) into the
// inferred document, so that it stands alone.
type components struct {
	doc  *openapi3.T
	all  map[string]*openapi3.SchemaRef
	cand []string // object components with properties, by name
}

func newComponents(ix *spec.Index, doc *openapi3.T) *components {
	c := &components{doc: doc, all: map[string]*openapi3.SchemaRef{}}
	if ix == nil {
		return c
	}
	for _, d := range ix.Documents() {
		if d.OpenAPI == nil || d.OpenAPI.Components == nil {
			continue
		}
		for name, ref := range d.OpenAPI.Components.Schemas {
			if _, dup := c.all[name]; dup || ref == nil || ref.Value == nil {
				continue
			}
			c.all[name] = ref
			if len(ref.Value.Properties) > 0 && permits(ref.Value, openapi3.TypeObject) {
				c.cand = append(c.cand, name)
			}
		}
	}
	sort.Strings(c.cand)
	return c
}

// body is the schema of one media type's bodies.
func (c *components) body(mt string, s *shape, rep *Operation) *openapi3.SchemaRef {
	switch {
	case isJSON(mt) || mt == "application/x-www-form-urlencoded":
		return c.schema(s, rep)
	case strings.HasPrefix(mt, "text/"):
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}})
	case mt == "multipart/form-data":
		// Parts are files as often as fields; any part is welcome.
		yes := true
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject},
			AdditionalProperties: openapi3.AdditionalProperties{Has: &yes}})
	}
	// Images, archives, XML: a media type nothing here decodes, with any
	// content.
	return openapi3.NewSchemaRef("", &openapi3.Schema{})
}

// schema is s as a schema, objects that have a documented component's
// shape referring to it.
func (c *components) schema(s *shape, rep *Operation) *openapi3.SchemaRef {
	if s != nil && s.objs > 0 && s.objs == s.count-s.nulls && s.nulls == 0 {
		if name := c.match(s); name != "" {
			c.copy(name)
			if rep != nil && !contains(rep.Components, name) {
				rep.Components = append(rep.Components, name)
			}
			return openapi3.NewSchemaRef(refPrefix+name, c.all[name].Value)
		}
	}
	sc := s.schema()
	// Rebuild the children through the components too.
	if s != nil && !s.anyDeep && s.count > 0 {
		for k, p := range s.props {
			if _, ok := sc.Properties[k]; ok {
				sc.Properties[k] = c.schema(p, rep)
			}
		}
		if s.arrs > 0 {
			sc.Items = c.schema(s.items, rep)
		}
	}
	return openapi3.NewSchemaRef("", sc)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// match names the component whose properties are those seen (at least
// four in five of them), whose required members every object had, and
// whose types take every value seen: the closest such, when no other is
// as close. A shape several components share ({"id","name"} on TestOps)
// says nothing about which one the body is.
func (c *components) match(s *shape) string {
	if len(s.props) < 3 {
		return ""
	}
	best, bestGap, tie := "", math.MaxInt, false
	for _, name := range c.cand {
		sc := c.all[name].Value
		if len(s.props) > len(sc.Properties) || len(s.props)*5 < len(sc.Properties)*4 {
			continue
		}
		gap := len(sc.Properties) - len(s.props)
		if gap > bestGap || !compatible(s, sc, 0) || c.closure(name) == nil {
			continue // only a component that can be copied whole will do
		}
		if gap == bestGap && !sameSchema(c.all[best].Value, sc) {
			tie = true
			continue
		}
		if gap < bestGap {
			best, bestGap, tie = name, gap, false
		}
	}
	if tie {
		return ""
	}
	return best
}

// sameSchema reports whether two components are one schema under two
// names, which springdoc writes for generic types.
func sameSchema(a, b *openapi3.Schema) bool {
	ja, err1 := a.MarshalJSON()
	jb, err2 := b.MarshalJSON()
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// compatible reports whether every value summarised by s fits sc, as far
// as a summary can tell.
func compatible(s *shape, sc *openapi3.Schema, depth int) bool {
	if s == nil || s.count == 0 || sc == nil || depth > 4 {
		return true
	}
	if len(sc.AllOf)+len(sc.AnyOf)+len(sc.OneOf) > 0 || sc.Not != nil || s.anyDeep {
		return false // a summary cannot tell which branch a value took
	}
	if s.nulls > 0 && !sc.Nullable && !permits(sc, openapi3.TypeNull) {
		return false
	}
	if s.bools > 0 && !permits(sc, openapi3.TypeBoolean) ||
		s.ints > 0 && !permits(sc, openapi3.TypeInteger) && !permits(sc, openapi3.TypeNumber) ||
		s.nums > 0 && !permits(sc, openapi3.TypeNumber) ||
		s.strs > 0 && !permits(sc, openapi3.TypeString) ||
		s.arrs > 0 && !permits(sc, openapi3.TypeArray) ||
		s.objs > 0 && !permits(sc, openapi3.TypeObject) {
		return false
	}
	if s.strs > 0 {
		if len(sc.Enum) > 0 {
			if s.values == nil {
				return false
			}
			for v := range s.values {
				if !inEnum(sc.Enum, v) {
					return false
				}
			}
		}
		for f := formUUID; int(f) < len(formNames); f++ {
			if sc.Format == formNames[f] && s.formats[f] != s.strs {
				return false
			}
		}
		if sc.Pattern != "" || sc.MinLength > 0 || sc.MaxLength != nil {
			return false
		}
	}
	if s.ints+s.nums > 0 && (sc.Min != nil || sc.Max != nil) {
		return false
	}
	if s.objs > 0 {
		for k, p := range s.props {
			ref := sc.Properties[k]
			if ref == nil {
				if sc.AdditionalProperties.Has != nil && !*sc.AdditionalProperties.Has {
					return false
				}
				if depth == 0 {
					return false // the top level must have the component's members
				}
				continue
			}
			if !compatible(p, ref.Value, depth+1) {
				return false
			}
		}
		for _, r := range sc.Required {
			if p := s.props[r]; p == nil || p.count < s.objs {
				return false
			}
		}
	}
	if s.arrs > 0 && sc.Items != nil && !compatible(s.items, sc.Items.Value, depth+1) {
		return false
	}
	return true
}

func permits(sc *openapi3.Schema, t string) bool {
	if sc.Type == nil || len(*sc.Type) == 0 {
		return true
	}
	return sc.Type.Includes(t) || t == openapi3.TypeInteger && sc.Type.Includes(openapi3.TypeNumber)
}

func inEnum(enum []any, v string) bool {
	for _, e := range enum {
		if s, ok := e.(string); ok && s == v {
			return true
		}
	}
	return false
}

// componentName is what OpenAPI allows a component to be called;
// springfox's "Page«Launch»" is not, and kin-openapi rejects a document
// that uses one.
var componentName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// closure lists a component and every component it refers to, or nil
// when one of them cannot be copied (a name OpenAPI does not allow, a
// reference to another file).
func (c *components) closure(name string) []string {
	var out []string
	seen := map[string]bool{}
	ok := true
	var visit func(n string)
	var walk func(r *openapi3.SchemaRef, vals map[*openapi3.Schema]bool)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		if c.all[n] == nil || !componentName.MatchString(n) {
			ok = false
			return
		}
		out = append(out, n)
		walk(&openapi3.SchemaRef{Value: c.all[n].Value}, map[*openapi3.Schema]bool{})
	}
	walk = func(r *openapi3.SchemaRef, vals map[*openapi3.Schema]bool) {
		if r == nil || !ok {
			return
		}
		if r.Ref != "" {
			if n, local := strings.CutPrefix(r.Ref, refPrefix); local {
				visit(n)
			} else {
				ok = false
			}
			return
		}
		s := r.Value
		if s == nil || vals[s] {
			return
		}
		vals[s] = true
		for _, p := range s.Properties {
			walk(p, vals)
		}
		walk(s.Items, vals)
		walk(s.Not, vals)
		walk(s.AdditionalProperties.Schema, vals)
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range list {
				walk(x, vals)
			}
		}
	}
	visit(name)
	if !ok {
		return nil
	}
	return out
}

// copy puts a component, and the components it refers to, into the
// document under their own names.
func (c *components) copy(name string) {
	if c.doc.Components == nil {
		c.doc.Components = &openapi3.Components{}
	}
	if c.doc.Components.Schemas == nil {
		c.doc.Components.Schemas = openapi3.Schemas{}
	}
	for _, n := range c.closure(name) {
		c.doc.Components.Schemas[n] = &openapi3.SchemaRef{Value: c.all[n].Value}
	}
}
