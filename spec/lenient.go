package spec

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

var lenientMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadLenient is the last resort for a document kin-openapi will not load:
// it rebuilds a plain OpenAPI 3 document holding only what matching needs
// (servers, paths, methods, operation ids, tags, summaries and parameters
// with their types) and loads that. Path items that still fail are dropped
// one by one, each with a warning.
func loadLenient(root map[string]any, swagger2 bool, workers int) (*openapi3.T, []Warning, error) {
	var warnings []Warning
	version := "3.0.3"
	if v, _ := root["openapi"].(string); strings.HasPrefix(v, "3.1") {
		version = "3.1.0"
	}
	info := map[string]any{"title": "untitled", "version": "0"}
	if in, ok := root["info"].(map[string]any); ok {
		if s, ok := in["title"].(string); ok {
			info["title"] = s
		}
		if v := in["version"]; v != nil {
			info["version"] = fmt.Sprint(v)
		}
	}
	base := map[string]any{"openapi": version, "info": info, "paths": map[string]any{}}
	if servers := lenientServers(root, swagger2); len(servers) > 0 {
		base["servers"] = servers
	}

	paths := map[string]any{}
	if ps, ok := root["paths"].(map[string]any); ok {
		for _, path := range sortedKeys(ps) {
			item, ok := ps[path].(map[string]any)
			if !ok || !strings.HasPrefix(path, "/") {
				warnings = append(warnings, Warning{Place: pointer("paths", path), Message: "path item is not usable; skipped it"})
				continue
			}
			if out := lenientPathItem(root, item, swagger2); len(out) > 0 {
				paths[path] = out
			}
		}
	}
	base["paths"] = paths
	t, err := loadV3(mustJSON(base), workers)
	if err == nil {
		return t, warnings, nil
	}
	// Find the path items kin-openapi still refuses, one at a time.
	for _, path := range sortedKeys(paths) {
		one := map[string]any{"openapi": version, "info": info, "paths": map[string]any{path: paths[path]}}
		if _, err := loadV3(mustJSON(one), workers); err != nil {
			delete(paths, path)
			warnings = append(warnings, Warning{Place: pointer("paths", path), Message: "cannot load this path item (" + oneLine(err.Error()) + "); skipped it"})
		}
	}
	delete(base, "servers")
	t, err = loadV3(mustJSON(base), workers)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot load even the paths of the document: %s", oneLine(err.Error()))
	}
	warnings = append(warnings, Warning{Place: "/servers", Message: "servers are not usable; matched paths as written"})
	return t, warnings, nil
}

// mustJSON encodes the rebuilt document, which holds only maps, slices,
// strings and bools copied out of a decoded tree, so encoding cannot fail;
// if it ever did, kin-openapi would refuse the empty input with an error.
func mustJSON(v any) []byte {
	data, _ := json.Marshal(v)
	return data
}

func lenientServers(root map[string]any, swagger2 bool) []any {
	var out []any
	if swagger2 {
		host, _ := root["host"].(string)
		basePath, _ := root["basePath"].(string)
		if host == "" && basePath == "" {
			return nil
		}
		if host == "" {
			return []any{map[string]any{"url": (&url.URL{Path: basePath}).String()}}
		}
		schemes, _ := root["schemes"].([]any)
		if len(schemes) == 0 {
			schemes = []any{"https"}
		}
		for _, s := range schemes {
			if scheme, ok := s.(string); ok && !strings.Contains(host, "/") {
				out = append(out, map[string]any{"url": (&url.URL{Scheme: scheme, Host: host, Path: basePath}).String()})
			}
		}
		return out
	}
	servers, _ := root["servers"].([]any)
	for _, s := range servers {
		sm, ok := s.(map[string]any)
		if !ok {
			continue
		}
		u, ok := sm["url"].(string)
		if !ok {
			continue
		}
		server := map[string]any{"url": u}
		if vars, ok := sm["variables"].(map[string]any); ok {
			clean := map[string]any{}
			for name, v := range vars {
				vm, ok := v.(map[string]any)
				if !ok {
					continue
				}
				def, ok := vm["default"].(string)
				if !ok {
					continue
				}
				cv := map[string]any{"default": def}
				if enum := stringList(vm["enum"]); len(enum) > 0 {
					cv["enum"] = enum
				}
				clean[name] = cv
			}
			server["variables"] = clean
		}
		out = append(out, server)
	}
	return out
}

func lenientPathItem(root, item map[string]any, swagger2 bool) map[string]any {
	shared := lenientParams(root, item["parameters"], swagger2)
	out := map[string]any{}
	for _, method := range lenientMethods {
		op, ok := item[method].(map[string]any)
		if !ok {
			continue
		}
		o := map[string]any{"responses": map[string]any{"default": map[string]any{"description": ""}}}
		if s, ok := op["operationId"].(string); ok {
			o["operationId"] = s
		}
		if s, ok := op["summary"].(string); ok {
			o["summary"] = s
		}
		if b, ok := op["deprecated"].(bool); ok {
			o["deprecated"] = b
		}
		if tags := stringList(op["tags"]); len(tags) > 0 {
			o["tags"] = tags
		}
		params := lenientParams(root, op["parameters"], swagger2)
		seen := map[string]bool{}
		for _, p := range params {
			pm := p.(map[string]any)
			seen[pm["in"].(string)+" "+pm["name"].(string)] = true
		}
		for _, p := range shared {
			pm := p.(map[string]any)
			if !seen[pm["in"].(string)+" "+pm["name"].(string)] {
				params = append(params, p)
			}
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		out[method] = o
	}
	return out
}

// lenientParams keeps the parameters matching needs, resolved and reduced to
// name, place, required and a schema of type, format and enum.
func lenientParams(root map[string]any, v any, swagger2 bool) []any {
	list, _ := v.([]any)
	var out []any
	for _, item := range list {
		p, ok := derefMap(root, item)
		if !ok {
			continue
		}
		name, _ := p["name"].(string)
		in, _ := p["in"].(string)
		if name == "" || (in != "path" && in != "query" && in != "header" && in != "cookie") {
			continue
		}
		q := map[string]any{"name": name, "in": in}
		if req, ok := p["required"].(bool); ok {
			q["required"] = req
		}
		if in == "path" {
			q["required"] = true
		}
		src := p
		if !swagger2 {
			src, _ = derefMap(root, p["schema"])
		}
		schema := map[string]any{}
		if src != nil {
			switch t := src["type"].(type) {
			case string:
				schema["type"] = t
			case []any:
				for _, x := range t {
					if s, ok := x.(string); ok && s != "null" {
						schema["type"] = s
						break
					}
				}
			}
			if f, ok := src["format"].(string); ok {
				schema["format"] = f
			}
			if schema["type"] == "string" {
				if enum := stringList(src["enum"]); len(enum) > 0 {
					schema["enum"] = enum
				}
			}
		}
		if schema["type"] == "array" {
			schema["items"] = map[string]any{}
		}
		q["schema"] = schema
		out = append(out, q)
	}
	return out
}

// derefMap follows local $refs (at most a few hops) to an object.
func derefMap(root map[string]any, v any) (map[string]any, bool) {
	for range 8 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, true
		}
		frag, found := strings.CutPrefix(ref, "#")
		if !found {
			return nil, false
		}
		v, ok = lookupPointer(root, fragmentPointer(frag))
		if !ok {
			return nil, false
		}
	}
	return nil, false
}

func stringList(v any) []any {
	list, _ := v.([]any)
	var out []any
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
