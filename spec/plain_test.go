package spec

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// everyPathItemKey uses every key of pathItemKeys.
const everyPathItemKey = `{"summary":"s","description":"d","servers":[{"url":"/v"}],"parameters":[{"name":"q","in":"query"}],` +
	`"get":` + everyOperationKey + `,"put":{"responses":{}},"post":{"responses":{}},"delete":{"responses":{}},` +
	`"options":{"responses":{}},"head":{"responses":{}},"patch":{"responses":{}},"trace":{"responses":{}}}`

// TestPlainKeysAreKinOpenAPIsOwn checks the key lists against kin-openapi:
// an object using every key of a list is decoded by kin-openapi's method
// with no extension (so its generic pass would have found nothing), and
// the fast decode gives the same value.
func TestPlainKeysAreKinOpenAPIsOwn(t *testing.T) {
	tests := []struct {
		name string
		keys map[string]bool
		text string
		kin  func([]byte) (any, map[string]any, error)
		fast func([]byte) (any, error)
	}{
		{"path item", pathItemKeys, everyPathItemKey,
			func(b []byte) (any, map[string]any, error) {
				var pi openapi3.PathItem
				err := pi.UnmarshalJSON(b)
				return &pi, pi.Extensions, err
			},
			func(b []byte) (any, error) { return decodePathItem(b) }},
		{"operation", operationKeys, everyOperationKey,
			func(b []byte) (any, map[string]any, error) {
				var op openapi3.Operation
				err := op.UnmarshalJSON(b)
				return &op, op.Extensions, err
			},
			func(b []byte) (any, error) {
				var op fastOperation
				err := op.UnmarshalJSON(b)
				return (*openapi3.Operation)(&op), err
			}},
		{"schema", schemaKeys, everySchemaKey,
			func(b []byte) (any, map[string]any, error) {
				var r openapi3.SchemaRef
				err := r.UnmarshalJSON(b)
				return &r, r.Value.Extensions, err
			},
			func(b []byte) (any, error) { return decodeSchemaRef(b) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var members map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.text), &members); err != nil {
				t.Fatal(err)
			}
			if got, want := sortedKeys(members), sortedKeys(tt.keys); !reflect.DeepEqual(got, want) {
				t.Fatalf("the text uses the keys %v, the list holds %v", got, want)
			}
			if !plainKeys([]byte(tt.text), tt.keys, "") {
				t.Fatal("plainKeys refuses an object of listed keys")
			}
			want, ext, err := tt.kin([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if ext != nil {
				t.Fatalf("kin-openapi keeps %v as extensions: those keys must leave the list", ext)
			}
			got, err := tt.fast([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Fatalf("the fast decode differs from kin-openapi's:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// TestPlainKeys checks which objects skip kin-openapi's generic pass.
func TestPlainKeys(t *testing.T) {
	keys := keysOf("a", "b", "responses")
	tests := []struct {
		name, text string
		want       bool
	}{
		{"empty object", `{}`, true},
		{"listed keys, values of every kind", `{"a":{"x":[1,{"y":"}"}]},"b":[true,null,-1.5e3],"responses":"s"}`, true},
		{"space everywhere", " \n{ \"a\" :\t1 ,\r\n \"b\" : \"\\\"}\" }\n", true},
		{"an unlisted key", `{"a":1,"c":2}`, false},
		{"an extension", `{"a":1,"x-a":2}`, false},
		{"a listed key in another case", `{"A":1}`, false},
		{"a key written with an escape", `{"\u0061":1}`, false},
		{"the member that must not be null is null", `{"responses":null}`, false},
		{"the member that must not be null has a longer value", `{"responses":nullx}`, true},
		{"an array", `[{"a":1}]`, false},
		{"null", `null`, false},
		{"a boolean", `true`, false},
		{"text ending inside a string", `{"a":"x`, false},
		{"text ending inside an object", `{"a":{"b":[1`, false},
		{"a key without a colon", `{"a" 1}`, false},
		{"a key not in quotes", `{a:1}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainKeys([]byte(tt.text), keys, "responses"); got != tt.want {
				t.Fatalf("plainKeys(%s) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
