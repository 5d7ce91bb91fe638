package replay

import (
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// hintKey names an operation's answer with one status.
type hintKey struct {
	op     *spec.Operation
	status int
}

// hints is hints, worked out once per operation and status: walking the
// schema for every call was a hot spot of a long replay. The lists are
// shared and never changed.
func (r *runner) hints(op *spec.Operation, status int) []diff.Hint {
	r.hintMu.Lock()
	h, ok := r.hintCache[hintKey{op, status}]
	r.hintMu.Unlock()
	if ok {
		return h
	}
	h = hints(op, status)
	r.hintMu.Lock()
	r.hintCache[hintKey{op, status}] = h
	r.hintMu.Unlock()
	return h
}

// hints lists the JSON paths that an operation's response schema marks as
// changing from one answer to the next: formats that package values
// counts as timestamps and UUIDs (date-time, date, uuid, ...).
func hints(op *spec.Operation, status int) []diff.Hint {
	if op == nil || op.OpenAPI == nil || op.OpenAPI.Responses == nil {
		return nil
	}
	ref := op.OpenAPI.Responses.Status(status)
	if ref == nil {
		ref = op.OpenAPI.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	var out []diff.Hint
	seen := map[string]bool{}
	for _, mt := range ref.Value.Content {
		if mt == nil || mt.Schema == nil {
			continue
		}
		walkSchema(mt.Schema.Value, "$", 0, map[*openapi3.Schema]bool{}, func(path, format string) {
			if !seen[path] {
				seen[path] = true
				out = append(out, diff.Hint{Path: path, Reason: "format: " + format})
			}
		})
	}
	return out
}

func walkSchema(s *openapi3.Schema, path string, depth int, onPath map[*openapi3.Schema]bool, fn func(path, format string)) {
	if s == nil || depth > 12 || onPath[s] {
		return
	}
	onPath[s] = true
	defer delete(onPath, s)
	if _, ok := values.FormatKind(s.Format); ok {
		fn(path, s.Format)
	}
	for name, p := range s.Properties {
		if p != nil {
			walkSchema(p.Value, jsonpath.Member(path, name), depth+1, onPath, fn)
		}
	}
	if s.Items != nil {
		walkSchema(s.Items.Value, path+"[*]", depth+1, onPath, fn)
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sub := range group {
			if sub != nil {
				walkSchema(sub.Value, path, depth+1, onPath, fn)
			}
		}
	}
}
