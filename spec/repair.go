package spec

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// repairer walks a decoded document before kin-openapi sees it. It rejects
// what no tool could use (a $ref to nowhere, a $ref cycle, a $ref to another
// file) and mends what real generators get wrong in ways kin-openapi refuses:
// tuple "items" arrays (Slack), $id-style references (the 3.1 Petstore) and
// $ref keys without a value (a YAML "#" read as a comment). Each mend is a
// warning with its JSON pointer.
type repairer struct {
	swagger2 bool
	stack    []string
	scopes   []string // enclosing $id values, innermost last
	refs     []refSite
	ids      map[string]string // $id → pointer of the schema carrying it
	anchors  map[string]string // scope "#" $anchor → pointer
	warnings []Warning
	changed  bool // the tree differs from the bytes it came from
}

type refSite struct {
	at     string // pointer of the object holding the $ref
	holder map[string]any
	ref    string
	scope  string
}

// Keys whose values are maps of names (property names, status codes, media
// types...), not keywords: a property called "$ref" or "items" is a name there.
var nameMapKeys = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "definitions": true,
	"dependentSchemas": true, "schemas": true, "parameters": true, "responses": true,
	"headers": true, "requestBodies": true, "securitySchemes": true, "securityDefinitions": true,
	"links": true, "callbacks": true, "pathItems": true, "paths": true, "webhooks": true,
	"content": true, "encoding": true, "variables": true, "mapping": true, "scopes": true,
}

// Keys whose values are data (examples, defaults), where "$ref" is just text.
var rawValueKeys = map[string]bool{
	"example": true, "default": true, "enum": true, "const": true,
}

func (r *repairer) here(extra ...string) string {
	return pointer(append(append([]string(nil), r.stack...), extra...)...)
}

func (r *repairer) warn(place, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{Place: place, Message: fmt.Sprintf(format, args...)})
}

func (r *repairer) walk(v any, names bool) {
	switch x := v.(type) {
	case map[string]any:
		if names {
			for k, val := range x {
				r.stack = append(r.stack, k)
				r.walk(val, false)
				r.stack = r.stack[:len(r.stack)-1]
			}
			return
		}
		r.object(x)
	case []any:
		for i, val := range x {
			r.stack = append(r.stack, strconv.Itoa(i))
			r.walk(val, false)
			r.stack = r.stack[:len(r.stack)-1]
		}
	}
}

func (r *repairer) scope() string {
	if len(r.scopes) == 0 {
		return ""
	}
	return r.scopes[len(r.scopes)-1]
}

func (r *repairer) object(m map[string]any) {
	if id, ok := m["$id"].(string); ok && id != "" {
		abs := resolveURI(r.scope(), id)
		here := r.here()
		r.ids[abs] = here
		r.ids[id] = here
		r.scopes = append(r.scopes, abs)
		defer func() { r.scopes = r.scopes[:len(r.scopes)-1] }()
	}
	if a, ok := m["$anchor"].(string); ok && a != "" {
		r.anchors[r.scope()+"#"+a] = r.here()
	}
	if ref, ok := m["$ref"]; ok {
		if s, isString := ref.(string); isString {
			r.refs = append(r.refs, refSite{at: r.here(), holder: m, ref: s, scope: r.scope()})
		} else {
			delete(m, "$ref")
			r.changed = true
			r.warn(r.here("$ref"), "$ref has no text value (in YAML an unquoted # starts a comment); ignored it")
		}
	}
	if items, ok := m["items"].([]any); ok {
		r.changed = true
		switch {
		case len(items) == 0:
			m["items"] = map[string]any{}
			r.warn(r.here("items"), "items is an empty array, not a schema; read it as any value")
		case len(items) == 1 || r.swagger2:
			m["items"] = items[0]
			r.warn(r.here("items"), "items is an array of %d schemas (tuple form, not allowed here); kept the first", len(items))
		default:
			m["items"] = map[string]any{"anyOf": items}
			r.warn(r.here("items"), "items is an array of %d schemas (tuple form, not allowed here); read it as anyOf", len(items))
		}
	}
	for k, val := range m {
		switch {
		case k == "$ref" || k == "$id" || k == "$anchor" || rawValueKeys[k] || strings.HasPrefix(k, "x-"):
			continue
		case k == "examples":
			// A map of Example objects may hold $refs; an array holds data.
			if ex, ok := val.(map[string]any); ok {
				r.stack = append(r.stack, k)
				for name, e := range ex {
					if em, ok := e.(map[string]any); ok {
						if s, ok := em["$ref"].(string); ok {
							r.refs = append(r.refs, refSite{at: r.here(name), holder: em, ref: s, scope: r.scope()})
						}
					}
				}
				r.stack = r.stack[:len(r.stack)-1]
			}
			continue
		}
		r.stack = append(r.stack, k)
		r.walk(val, nameMapKeys[k])
		r.stack = r.stack[:len(r.stack)-1]
	}
}

func resolveURI(base, ref string) string {
	if base == "" {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(u).String()
}

// refProblem is a $ref that makes the document unusable.
type refProblem struct {
	at  string
	msg string
}

// resolveRefs checks every $ref against the tree, rewrites $id-style ones to
// plain pointers and reports the first (by place) that cannot be used.
func (r *repairer) resolveRefs(root any) *refProblem {
	var problems []refProblem
	targets := make(map[string]string, len(r.refs)) // holder pointer → target pointer
	for i := range r.refs {
		site := &r.refs[i]
		target, rewritten, msg := r.target(root, site)
		if msg != "" {
			problems = append(problems, refProblem{at: site.at, msg: msg})
			continue
		}
		if rewritten {
			site.holder["$ref"] = "#" + target
			r.changed = true
			r.warn(site.at+"/$ref", "$ref %q uses a $id/$anchor form kin-openapi does not follow; rewrote it to %q", site.ref, "#"+target)
		}
		targets[site.at] = target
	}
	if len(problems) == 0 {
		r.breakCycles(root, targets)
		return nil
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].at < problems[j].at })
	return &problems[0]
}

func (r *repairer) target(root any, site *refSite) (target string, rewritten bool, msg string) {
	base, frag, _ := strings.Cut(site.ref, "#")
	if base == "" {
		switch {
		case frag == "":
			return "", false, fmt.Sprintf("$ref %q points at the whole document", site.ref)
		case frag[0] == '/':
			p := fragmentPointer(frag)
			if _, ok := lookupPointer(root, p); !ok {
				return "", false, fmt.Sprintf("broken $ref %q: nothing is at that place", site.ref)
			}
			return p, false, ""
		default:
			p, ok := r.anchors[site.scope+"#"+frag]
			if !ok {
				p, ok = r.anchors["#"+frag]
			}
			if !ok {
				return "", false, fmt.Sprintf("broken $ref %q: no $anchor has that name", site.ref)
			}
			return p, true, ""
		}
	}
	scopePtr, ok := r.ids[base]
	if !ok {
		scopePtr, ok = r.ids[resolveURI(site.scope, base)]
	}
	if !ok {
		return "", false, fmt.Sprintf("$ref %q points into another document; only single-file specs are supported (bundle it first)", site.ref)
	}
	switch {
	case frag == "":
		return scopePtr, true, ""
	case frag[0] == '/':
		p := scopePtr + fragmentPointer(frag)
		if _, ok := lookupPointer(root, p); !ok {
			return "", false, fmt.Sprintf("broken $ref %q: nothing is at that place", site.ref)
		}
		return p, true, ""
	default:
		p, ok := r.anchors[resolveURI(site.scope, base)+"#"+frag]
		if !ok {
			p, ok = r.anchors[base+"#"+frag]
		}
		if !ok {
			return "", false, fmt.Sprintf("broken $ref %q: no $anchor has that name", site.ref)
		}
		return p, true, ""
	}
}

// breakCycles drops the $ref that opens each chain of $refs coming back to
// itself without reaching a value (a schema that is its own $ref, A → B →
// A). Such a place can describe nothing, so it is read as accepting any
// value, with a warning: a generator's slip in one schema must not make a
// 700-operation spec unusable.
func (r *repairer) breakCycles(root any, targets map[string]string) {
	holders := make(map[string]map[string]any, len(r.refs))
	for i := range r.refs {
		holders[r.refs[i].at] = r.refs[i].holder
	}
	for {
		p := refCycle(root, targets)
		if p == nil {
			return
		}
		delete(holders[p.at], "$ref")
		delete(targets, p.at)
		r.changed = true
		r.warn(p.at, "%s never reaches a schema; read %s as accepting any value", p.msg, "#"+p.at)
	}
}

// refCycle finds a chain of $refs that comes back to itself without ever
// reaching a value (A → B → A): kin-openapi leaves such schemas empty and
// every tool downstream would trip over them.
func refCycle(root any, targets map[string]string) *refProblem {
	done := make(map[string]bool, len(targets))
	keys := make([]string, 0, len(targets))
	for k := range targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, start := range keys {
		if done[start] {
			continue
		}
		var chain []string
		seen := map[string]int{}
		cur := start
		for {
			if done[cur] {
				break
			}
			if i, ok := seen[cur]; ok {
				loop := append(chain[i:], cur)
				return &refProblem{at: loop[0], msg: "$ref cycle: " + strings.Join(prefixAll("#", loop), " → ")}
			}
			next, isRef := targets[cur]
			if !isRef {
				break
			}
			seen[cur] = len(chain)
			chain = append(chain, cur)
			cur = next
		}
		for _, c := range chain {
			done[c] = true
		}
	}
	return nil
}

func prefixAll(prefix string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = prefix + s
	}
	return out
}
