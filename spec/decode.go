package spec

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeV3 decodes an OpenAPI 3 JSON document into kin-openapi's types as
// json.Unmarshal into openapi3.T does, one top-level field at a time.
// kin-openapi's own UnmarshalJSON for the document, its paths and its
// components decodes the whole of each a second time as generic maps (to
// collect extensions), and its paths re-encode every path item from that
// map: at its peak a 4.8 MB document held a generic copy of itself beside
// the typed one, several times the text. Decoding field by field, and
// each path item from its own bytes, keeps that transient to one path
// item. It reports false for anything unusual (a key differing from a
// field's name only in case, which encoding/json would also accept), and
// the caller decodes the document the ordinary way.
func decodeV3(data []byte) (*openapi3.T, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top == nil {
		return nil, false
	}
	t := &openapi3.T{}
	fields := map[string]any{
		"openapi": &t.OpenAPI, "info": &t.Info, "security": &t.Security, "servers": &t.Servers,
		"tags": &t.Tags, "externalDocs": &t.ExternalDocs, "webhooks": &t.Webhooks,
		"jsonSchemaDialect": &t.JSONSchemaDialect,
	}
	ext := map[string]any{}
	ls := leafSchemas{}
	for _, k := range sortedKeys(top) {
		raw := top[k]
		delete(top, k) // let each part go once decoded
		var err error
		switch f, known := fields[k]; {
		case known:
			err = json.Unmarshal(raw, f)
		case k == "paths":
			t.Paths, err = decodePaths(raw, ls)
		case k == "components":
			var ok bool
			if t.Components, ok = decodeComponents(raw, ls); !ok {
				return nil, false
			}
		case foldsToField(k, fields, "paths", "components"):
			return nil, false
		default:
			var v any
			err = json.Unmarshal(raw, &v)
			ext[k] = v
		}
		if err != nil {
			return nil, false
		}
	}
	if len(ext) > 0 {
		t.Extensions = ext
	}
	return t, true
}

// decodePaths is Paths.UnmarshalJSON without its generic copy of every path.
func decodePaths(raw json.RawMessage, ls leafSchemas) (*openapi3.Paths, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	paths := openapi3.NewPaths()
	paths.Extensions = map[string]any{}
	for _, k := range sortedKeys(m) {
		item := m[k]
		delete(m, k)
		if strings.HasPrefix(k, "x-") {
			var v any
			if err := json.Unmarshal(item, &v); err != nil {
				return nil, err
			}
			paths.Extensions[k] = v
			continue
		}
		var pi openapi3.PathItem
		if err := pi.UnmarshalJSON(item); err != nil {
			return nil, err
		}
		ls.pathItem(&pi)
		paths.Set(k, &pi)
	}
	return paths, nil
}

// decodeComponents is Components.UnmarshalJSON without its generic copy of
// every component.
func decodeComponents(raw json.RawMessage, ls leafSchemas) (*openapi3.Components, bool) {
	if string(raw) == "null" {
		return nil, true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	c := &openapi3.Components{}
	fields := map[string]any{
		"schemas": &c.Schemas, "parameters": &c.Parameters, "headers": &c.Headers,
		"requestBodies": &c.RequestBodies, "responses": &c.Responses,
		"securitySchemes": &c.SecuritySchemes, "examples": &c.Examples, "links": &c.Links,
		"callbacks": &c.Callbacks,
	}
	ext := map[string]any{}
	for _, k := range sortedKeys(m) {
		section := m[k]
		delete(m, k)
		var err error
		switch f, known := fields[k]; {
		case k == "schemas":
			c.Schemas, err = decodeSchemas(section, ls)
		case known:
			err = json.Unmarshal(section, f)
		case foldsToField(k, fields):
			return nil, false
		default:
			var v any
			err = json.Unmarshal(section, &v)
			ext[k] = v
		}
		if err != nil {
			return nil, false
		}
	}
	if len(ext) > 0 {
		c.Extensions = ext
	}
	ls.components(c)
	return c, true
}

// decodeSchemas decodes components.schemas one schema at a time, sharing
// leaves as it goes so that the duplicates never pile up.
func decodeSchemas(raw json.RawMessage, ls leafSchemas) (openapi3.Schemas, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, err
	}
	out := make(openapi3.Schemas, len(m))
	for _, k := range sortedKeys(m) {
		var r *openapi3.SchemaRef
		err := json.Unmarshal(m[k], &r)
		delete(m, k)
		if err != nil {
			return nil, err
		}
		ls.schemaRef(r)
		out[k] = r
	}
	return out, nil
}

// foldsToField reports a key that is not a field's name but that
// encoding/json would take for one, as it matches names regardless of case.
func foldsToField(k string, fields map[string]any, more ...string) bool {
	for name := range fields {
		more = append(more, name)
	}
	for _, name := range more {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
