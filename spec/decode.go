package spec

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
//
// Path items and component schemas are independent of each other, and
// decoding them was three quarters of loading the TestOps document on one
// core, so with workers above 1 the paths and the components are decoded
// side by side, each over up to workers goroutines. The document is the
// same whatever workers is: each part is put in its place in key order,
// and where decoding fails (or panics) the first failure in key order is
// what the caller sees, as if the parts had been decoded one by one.
func decodeV3(data []byte, workers int) (*openapi3.T, bool) {
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
	ls := newLeafSchemas()
	keys := sortedKeys(top)
	results := make([]outcome, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		raw := top[k]
		delete(top, k) // let each part go once decoded
		var part func() error
		switch f, known := fields[k]; {
		case known:
			part = func() error { return json.Unmarshal(raw, f) }
		case k == "paths":
			part = func() (err error) {
				t.Paths, err = decodePaths(raw, ls, workers)
				return err
			}
		case k == "components":
			part = func() (err error) {
				t.Components, err = decodeComponents(raw, ls, workers)
				return err
			}
		case foldsToField(k, fields, "paths", "components"):
			part = func() error { return errUnusual }
		default:
			part = func() error {
				var v any
				err := json.Unmarshal(raw, &v)
				ext[k] = v
				return err
			}
		}
		if workers > 1 && (k == "paths" || k == "components") {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = call(part)
			}()
			continue
		}
		if results[i] = call(part); results[i].failed() && workers <= 1 {
			break
		}
	}
	wg.Wait()
	for _, r := range results {
		if !r.ok() {
			return nil, false
		}
	}
	if len(ext) > 0 {
		t.Extensions = ext
	}
	return t, true
}

// errUnusual stops decodeV3 where json.Unmarshal must decide instead.
var errUnusual = errors.New("not decoded field by field")

// decodePaths is Paths.UnmarshalJSON without its generic copy of every path.
func decodePaths(raw json.RawMessage, ls leafSchemas, workers int) (*openapi3.Paths, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	keys, raws, err := members(raw)
	if err != nil {
		return nil, err
	}
	items := make([]*openapi3.PathItem, len(keys))
	exts := make([]any, len(keys))
	err = each(workers, len(keys), func(i int) error {
		item := raws[i]
		raws[i] = nil // let each path item's text go once decoded
		if strings.HasPrefix(keys[i], "x-") {
			return json.Unmarshal(item, &exts[i])
		}
		pi, err := decodePathItem(item)
		if err != nil {
			return err
		}
		ls.pathItem(pi)
		items[i] = pi
		return nil
	})
	if err != nil {
		return nil, err
	}
	paths := openapi3.NewPaths()
	paths.Extensions = map[string]any{}
	for i, k := range keys {
		if strings.HasPrefix(k, "x-") {
			paths.Extensions[k] = exts[i]
		} else {
			paths.Set(k, items[i])
		}
	}
	return paths, nil
}

// decodeComponents is Components.UnmarshalJSON without its generic copy of
// every component.
func decodeComponents(raw json.RawMessage, ls leafSchemas, workers int) (*openapi3.Components, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
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
			c.Schemas, err = decodeSchemas(section, ls, workers)
		case known:
			err = json.Unmarshal(section, f)
		case foldsToField(k, fields):
			return nil, errUnusual
		default:
			var v any
			err = json.Unmarshal(section, &v)
			ext[k] = v
		}
		if err != nil {
			return nil, err
		}
	}
	if len(ext) > 0 {
		c.Extensions = ext
	}
	ls.components(c)
	return c, nil
}

// decodeSchemas decodes components.schemas one schema at a time, sharing
// leaves as it goes so that the duplicates never pile up.
func decodeSchemas(raw json.RawMessage, ls leafSchemas, workers int) (openapi3.Schemas, error) {
	keys, raws, err := members(raw)
	if err != nil || keys == nil {
		return nil, err
	}
	refs := make([]*openapi3.SchemaRef, len(keys))
	err = each(workers, len(keys), func(i int) error {
		var err error
		refs[i], err = decodeSchemaRef(raws[i])
		raws[i] = nil
		if err != nil {
			return err
		}
		ls.schemaRef(refs[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(openapi3.Schemas, len(keys))
	for i, k := range keys {
		out[k] = refs[i]
	}
	return out, nil
}

// members splits a JSON object into its keys, sorted, and their values'
// text, as json.Unmarshal into a map of json.RawMessage does (the last of
// a repeated key wins). The keys are nil for null.
func members(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, nil, err
	}
	keys := sortedKeys(m)
	raws := make([]json.RawMessage, len(keys))
	for i, k := range keys {
		raws[i] = m[k]
	}
	return keys, raws, nil
}

// outcome is how one part of a document's decoding ended: an error, a
// panic, or neither.
type outcome struct {
	err      error
	panicked bool
	value    any
}

// call runs part, catching a panic so that it can be raised again on the
// goroutine that decodes in order.
func call(part func() error) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = outcome{panicked: true, value: p}
		}
	}()
	return outcome{err: part()}
}

func (o outcome) failed() bool { return o.err != nil || o.panicked }

// ok raises the part's panic again, here, and reports whether it decoded.
func (o outcome) ok() bool {
	if o.panicked {
		panic(o.value)
	}
	return o.err == nil
}

// each calls f(i) for every i in [0, n) on up to workers goroutines and
// returns the error of the first failing call in index order, or raises
// its panic, as a loop that stops at the first failure would. Indices
// after a known failure are skipped; every one before it has run.
func each(workers, n int, f func(i int) error) error {
	workers = min(workers, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next, first atomic.Int64
		mu          sync.Mutex
		fail        outcome
		wg          sync.WaitGroup
	)
	first.Store(int64(n))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= first.Load() {
					return // at the end, or after a failure, which comes first
				}
				o := call(func() error { return f(int(i)) })
				if !o.failed() {
					continue
				}
				mu.Lock()
				if i < first.Load() {
					first.Store(i)
					fail = o
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first.Load() < int64(n) && !fail.ok() {
		return fail.err
	}
	return nil
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
