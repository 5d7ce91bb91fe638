package spec

import (
	"encoding/json"

	"github.com/getkin/kin-openapi/openapi3"
)

// kin-openapi's UnmarshalJSON for a path item, an operation and a schema
// decodes its input twice: into the struct, then all of it again as
// generic maps to keep the keys it does not know as extensions. The second
// pass was a fifth of decoding the TestOps document. Most objects of a
// generated document have only keys kin-openapi knows, and for them that
// pass finds nothing: they are decoded into method-less copies of its
// types, as its own methods do first, and are the same. Anything else (an
// extension, a key it would not delete from the extensions or one written
// with escapes, "responses": null, a $ref, a boolean schema) goes to
// kin-openapi's method. Each key list holds only keys those methods delete
// from the extensions; TestDecodeV3 holds the result to json.Unmarshal's.
var (
	pathItemKeys = keysOf("summary", "description", "delete", "get", "head", "options", "patch", "post",
		"put", "trace", "servers", "parameters")
	operationKeys = keysOf("tags", "summary", "description", "operationId", "parameters", "requestBody",
		"responses", "callbacks", "deprecated", "security", "servers", "externalDocs")
	schemaKeys = keysOf("oneOf", "anyOf", "allOf", "not", "type", "title", "format", "description",
		"enum", "default", "example", "externalDocs", "uniqueItems", "exclusiveMinimum",
		"exclusiveMaximum", "nullable", "readOnly", "writeOnly", "deprecated", "xml", "minimum",
		"maximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "items",
		"required", "properties", "minProperties", "maxProperties", "additionalProperties",
		"discriminator")
)

func keysOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// plainPathItem is openapi3.PathItem's fields for pathItemKeys, its
// operations decoded by fastOperation.
type plainPathItem struct {
	Summary     string              `json:"summary,omitempty,case:strict"`
	Description string              `json:"description,omitempty,case:strict"`
	Delete      *fastOperation      `json:"delete,omitempty,case:strict"`
	Get         *fastOperation      `json:"get,omitempty,case:strict"`
	Head        *fastOperation      `json:"head,omitempty,case:strict"`
	Options     *fastOperation      `json:"options,omitempty,case:strict"`
	Patch       *fastOperation      `json:"patch,omitempty,case:strict"`
	Post        *fastOperation      `json:"post,omitempty,case:strict"`
	Put         *fastOperation      `json:"put,omitempty,case:strict"`
	Trace       *fastOperation      `json:"trace,omitempty,case:strict"`
	Servers     openapi3.Servers    `json:"servers,omitempty,case:strict"`
	Parameters  openapi3.Parameters `json:"parameters,omitempty,case:strict"`
}

type (
	// fastOperation is an operation decoded without the generic pass when
	// its keys allow.
	fastOperation openapi3.Operation
	// plainOperation and plainSchema have kin-openapi's fields without its
	// UnmarshalJSON.
	plainOperation openapi3.Operation
	plainSchema    openapi3.Schema
)

// decodePathItem is PathItem.UnmarshalJSON.
func decodePathItem(data []byte) (*openapi3.PathItem, error) {
	if !plainKeys(data, pathItemKeys, "") {
		var pi openapi3.PathItem
		err := pi.UnmarshalJSON(data)
		return &pi, err
	}
	var f plainPathItem
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	return &openapi3.PathItem{
		Summary: f.Summary, Description: f.Description,
		Delete: (*openapi3.Operation)(f.Delete), Get: (*openapi3.Operation)(f.Get),
		Head: (*openapi3.Operation)(f.Head), Options: (*openapi3.Operation)(f.Options),
		Patch: (*openapi3.Operation)(f.Patch), Post: (*openapi3.Operation)(f.Post),
		Put: (*openapi3.Operation)(f.Put), Trace: (*openapi3.Operation)(f.Trace),
		Servers: f.Servers, Parameters: f.Parameters,
	}, nil
}

// UnmarshalJSON is Operation.UnmarshalJSON, which replaces the whole
// operation, as a repeated key would otherwise merge two.
func (o *fastOperation) UnmarshalJSON(data []byte) error {
	if !plainKeys(data, operationKeys, "responses") {
		return (*openapi3.Operation)(o).UnmarshalJSON(data)
	}
	var x plainOperation
	if err := json.Unmarshal(data, &x); err != nil {
		return err
	}
	*o = fastOperation(x)
	return nil
}

// decodeSchemaRef is json.Unmarshal into a *openapi3.SchemaRef.
func decodeSchemaRef(data []byte) (*openapi3.SchemaRef, error) {
	if !plainKeys(data, schemaKeys, "") {
		var r *openapi3.SchemaRef
		err := json.Unmarshal(data, &r)
		return r, err
	}
	var s plainSchema
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	return &openapi3.SchemaRef{Value: (*openapi3.Schema)(&s)}, nil
}

// plainKeys reports whether data is a JSON object whose keys are all in
// keys, written without escapes, and whose member named notNull, if any,
// is not null. It checks no more of the grammar than it needs to find the
// keys: json.Unmarshal reads the text after it and fails where
// kin-openapi's method would.
func plainKeys(data []byte, keys map[string]bool, notNull string) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; {
		if data[i] != '"' {
			return false
		}
		j := i + 1
		for j < len(data) && data[j] != '"' {
			if data[j] == '\\' {
				return false
			}
			j++
		}
		if j >= len(data) || !keys[string(data[i+1:j])] {
			return false
		}
		key := data[i+1 : j]
		if i = skipSpace(data, j+1); i >= len(data) || data[i] != ':' {
			return false
		}
		start := skipSpace(data, i+1)
		if i = skipValue(data, start); i < 0 {
			return false
		}
		if notNull != "" && string(key) == notNull && string(data[start:i]) == "null" {
			return false
		}
		if i = skipSpace(data, i); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return true
}

// skipValue returns the position after the JSON value at i, or -1 where
// the text ends inside it.
func skipValue(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		switch c := data[i]; {
		case c == '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if i >= len(data) {
				return -1
			}
			i++
			if depth == 0 {
				return i
			}
		case c == '{' || c == '[':
			depth++
			i++
		case c == '}' || c == ']':
			if depth == 0 {
				return i
			}
			depth--
			i++
			if depth == 0 {
				return i
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return i
		default:
			i++
		}
	}
	if depth > 0 {
		return -1
	}
	return i
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}
