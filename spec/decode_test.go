package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime/debug"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDecodeV3 holds decodeV3 to what json.Unmarshal into openapi3.T
// gives, and to stepping aside where encoding/json would read a key whose
// case differs from a field's.
func TestDecodeV3(t *testing.T) {
	tests := []struct {
		name, doc string
		ok        bool
	}{
		{"plain document", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer","format":"int64"}}],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}},"components":{"schemas":{"A":{"type":"object","properties":{"id":{"type":"integer","format":"int64"},"n":{"type":"integer","format":"int64"}}}}}}`, true},
		{"extensions at every level", `{"openapi":"3.1.0","x-top":{"a":[1,2]},"other":true,"info":{"title":"t","version":"1"},"paths":{"x-p":1,"/a":{"get":{"responses":{"204":{"description":"none"}}}}},"components":{"x-c":"c","schemas":{"S":{"type":"string"}}}}`, true},
		{"null paths and components", `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":null,"components":null}`, true},
		{"null schemas", `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":null}}`, true},
		{"no schemas and no paths, only an extension", `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"x-a":1},"components":{"schemas":{}}}`, true},
		{"a null path item and a null schema", `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{"/a":null},"components":{"schemas":{"A":null}}}`, true},
		{"a key in another case", `{"openapi":"3.0.0","Info":{"title":"t","version":"1"},"paths":{}}`, false},
		{"a components key in another case", `{"openapi":"3.0.0","info":{"title":"t","version":"1"},"paths":{},"components":{"Schemas":{}}}`, false},
		{"not an object", `[1]`, false},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%d workers", tt.name, workers), func(t *testing.T) {
				decodeV3Like(t, tt.doc, workers, tt.ok)
			})
		}
	}
}

// decodeV3Like checks decodeV3 on workers goroutines against json.Unmarshal.
func decodeV3Like(t *testing.T, doc string, workers int, wantOK bool) {
	t.Helper()
	got, ok := decodeV3([]byte(doc), workers)
	if ok != wantOK {
		t.Fatalf("ok = %v, want %v", ok, wantOK)
	}
	if !ok {
		return
	}
	var want openapi3.T
	if err := json.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, &want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(&want)
		t.Fatalf("decodeV3 differs from json.Unmarshal:\n got %s\nwant %s", g, w)
	}
}

// TestLeafSchemasShared checks that identical plain leaves end up as one
// schema and that a leaf the validator could fault (a default) does not.
func TestLeafSchemasShared(t *testing.T) {
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"A":{"type":"object","properties":{"x":{"type":"integer","format":"int64"},"y":{"type":"integer","format":"int64"},"d1":{"type":"string","default":"a"},"d2":{"type":"string","default":"a"}}}}}}`
	for _, workers := range []int{1, 4} {
		got, ok := decodeV3([]byte(doc), workers)
		if !ok {
			t.Fatal("not decoded")
		}
		props := got.Components.Schemas["A"].Value.Properties
		if props["x"].Value != props["y"].Value {
			t.Errorf("%d workers: identical int64 leaves are separate schemas", workers)
		}
		if props["d1"].Value == props["d2"].Value {
			t.Errorf("%d workers: leaves with a default were shared", workers)
		}
	}
}

// TestLowerGC checks that nested large loads lower GOGC once and give the
// program's setting back when the last ends, and that small ones leave it.
func TestLowerGC(t *testing.T) {
	prev := debug.SetGCPercent(80)
	defer debug.SetGCPercent(prev)
	current := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	lowerGC(lowGCFrom - 1)()
	if got := current(); got != 80 {
		t.Fatalf("a small load left GOGC at %d, want 80", got)
	}
	first := lowerGC(lowGCFrom)
	second := lowerGC(lowGCFrom)
	if got := current(); got != lowGCPercent {
		t.Fatalf("GOGC during loads = %d, want %d", got, lowGCPercent)
	}
	first()
	if got := current(); got != lowGCPercent {
		t.Fatalf("GOGC with one load left = %d, want %d", got, lowGCPercent)
	}
	second()
	if got := current(); got != 80 {
		t.Fatalf("GOGC after the loads = %d, want 80", got)
	}
	debug.SetGCPercent(10)
	lowerGC(lowGCFrom)()
	if got := current(); got != 10 {
		t.Fatalf("a load raised a lower GOGC to %d", got)
	}
}
