package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apitrail/apitrail/internal/shareddata"
)

const (
	docHead = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},`
	// everyOperationKey and everySchemaKey use every key of operationKeys
	// and schemaKeys.
	everyOperationKey = `{"tags":["t"],"summary":"s","description":"d","operationId":"o","parameters":[{"$ref":"#/components/parameters/P"}],` +
		`"requestBody":{"content":{"application/json":{"schema":{"type":"object"}}}},"responses":{"200":{"description":"ok"}},` +
		`"callbacks":{"c":{"/cb":{"post":{"responses":{}}}}},"deprecated":true,"security":[{"k":[]}],"servers":[{"url":"/o"}],` +
		`"externalDocs":{"url":"https://example.com"}}`
	everySchemaKey = `{"oneOf":[{"type":"string"}],"anyOf":[{"type":"string"}],"allOf":[{"type":"string"}],"not":{"type":"boolean"},` +
		`"type":"object","title":"t","format":"f","description":"d","enum":[{}],"default":{},"example":{},` +
		`"externalDocs":{"url":"https://example.com"},"uniqueItems":true,"exclusiveMinimum":true,"exclusiveMaximum":true,` +
		`"nullable":true,"readOnly":true,"writeOnly":false,"deprecated":true,"xml":{"name":"x"},"minimum":1,"maximum":2,` +
		`"multipleOf":1,"minLength":1,"maxLength":2,"pattern":"^a","minItems":1,"maxItems":2,"items":{"type":"integer"},` +
		`"required":["p"],"properties":{"p":{"type":"integer","format":"int64"}},"minProperties":1,"maxProperties":2,` +
		`"additionalProperties":false,"discriminator":{"propertyName":"p"}}`
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
		{"a path item, an operation and a schema with every key decoded without the generic pass",
			docHead + `"paths":{"/a":{"summary":"s","description":"d","servers":[{"url":"/v"}],"parameters":[{"name":"q","in":"query"}],` +
				`"get":` + everyOperationKey + `,"put":{"responses":{}},"post":{"responses":{}},"delete":{"responses":{}},` +
				`"options":{"responses":{}},"head":{"responses":{}},"patch":{"responses":{}},"trace":{"responses":{}}}},` +
				`"components":{"schemas":{"A":` + everySchemaKey + `}}}`, true},
		{"an extension on a path item", docHead + `"paths":{"/a":{"x-p":[1],"get":{"responses":{}}}}}`, true},
		{"an unknown key on a path item", docHead + `"paths":{"/a":{"other":1,"get":{"responses":{}}}}}`, true},
		{"an extension on an operation", docHead + `"paths":{"/a":{"get":{"x-o":{"a":"}"},"responses":{}}}}}`, true},
		{"an extension on a schema", docHead + `"paths":{},"components":{"schemas":{"A":{"type":"string","x-s":"{"}}}}`, true},
		{"a schema key kin-openapi keeps as an extension", docHead + `"paths":{},"components":{"schemas":{"A":{"type":"string","$comment":"c","allowEmptyValue":true}}}}`, true},
		{"responses that are null", docHead + `"paths":{"/a":{"get":{"responses":null}}}}`, true},
		{"keys written with escapes", docHead + `"paths":{"/a":{"summ\u0061ry":"s","get":{"oper\u0061tionId":"o","responses":{}}}},"components":{"schemas":{"A":{"typ\u0065":"string"}}}}`, true},
		{"keys in another case below the paths", docHead + `"paths":{"/a":{"Summary":"s","get":{"OperationId":"o","responses":{}}}},"components":{"schemas":{"A":{"Type":"string"}}}}`, true},
		{"an operation given twice", docHead + `"paths":{"/a":{"get":{"operationId":"first","summary":"s","responses":{}},"get":{"operationId":"second","responses":{}}}}}`, true},
		{"a schema key given twice", docHead + `"paths":{},"components":{"schemas":{"A":{"type":"string","format":"date","format":"uuid"}}}}`, true},
		{"a boolean schema, a $ref with a sibling and a null schema", `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"A":true,"B":{"$ref":"#/components/schemas/C","description":"b"},"C":{"type":"string"},"D":null}}}`, true},
		{"a document with space everywhere", "{ \"openapi\" : \"3.0.3\" ,\n \"info\" : { \"title\" : \"t\" , \"version\" : \"1\" } ,\n \"paths\" : { \"/a\" : {\n \"get\" : { \"summary\" : \"a \\\" b\" ,\t\"responses\" : { } } } } ,\r\n \"components\" : { \"schemas\" : { \"A\" : { \"type\" : \"string\" , \"enum\" : [ \"x\" , \"y\" ] } } } }", true},
		{"a path item whose operation is not an object", docHead + `"paths":{"/a":{"get":[]}}}`, false},
		{"a schema whose type is a number", docHead + `"paths":{},"components":{"schemas":{"A":{"type":5}}}}`, false},
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

// TestDecodeV3LikeJSONUnmarshalOnRealDocuments holds decodeV3, on several
// goroutines, to json.Unmarshal into openapi3.T (kin-openapi's own
// methods throughout) on the JSON OpenAPI 3 documents of the repository
// and, when it is here, of the shared data set.
func TestDecodeV3LikeJSONUnmarshalOnRealDocuments(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/*.json", "../testdata/leak/*.json", "../internal/sandbox/openapi/*.json", "../recordings/ui-flow/spec/*.json"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, found...)
	}
	if root, ok := shareddata.Root(); ok {
		files = append(files,
			filepath.Join(root, "realworld", "testops", "allure-testops-service-25.4.1.openapi.json"),
			filepath.Join(root, "realworld", "testops", "allure-testops-service-26.1.1.openapi.json"),
			filepath.Join(root, "realworld", "specs", "openai_openapi3.1.json"))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if version, swagger, ok := jsonHead(data); !ok || swagger || !strings.HasPrefix(version, "3.") {
				t.Skip("not an OpenAPI 3 document")
			}
			var want openapi3.T
			kinErr := json.Unmarshal(data, &want)
			got, ok := decodeV3(data, parallelWorkers)
			if kinErr != nil {
				if ok {
					t.Fatalf("decodeV3 took a document json.Unmarshal refuses: %v", kinErr)
				}
				return
			}
			if !ok {
				t.Fatal("decodeV3 stepped aside")
			}
			if !reflect.DeepEqual(got, &want) {
				t.Fatal("decodeV3 differs from json.Unmarshal")
			}
		})
	}
}
