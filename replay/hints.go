package replay

import (
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

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
