package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// parallelWorkers is more goroutines than the test machine has cores, so
// that the parts of a document finish out of order.
const parallelWorkers = 4

// sameLoad loads data on one goroutine and on several and fails unless the
// two agree exactly: the same error, or the same document, warnings and
// sharing of leaf schemas.
func sameLoad(t *testing.T, name string, data []byte) {
	t.Helper()
	src := NewSource(name, name, data, time.Time{})
	serial, serr := load(src, 1)
	par, perr := load(src, parallelWorkers)
	if fmt.Sprint(serr) != fmt.Sprint(perr) {
		t.Fatalf("errors differ:\n  serial:   %v\n  parallel: %v", serr, perr)
	}
	if serr != nil {
		return
	}
	if !reflect.DeepEqual(serial.Warnings, par.Warnings) {
		t.Fatalf("warnings differ:\n  serial:   %v\n  parallel: %v", serial.Warnings, par.Warnings)
	}
	if !reflect.DeepEqual(serial, par) {
		sj, _ := json.Marshal(serial.OpenAPI)
		pj, _ := json.Marshal(par.OpenAPI)
		t.Fatalf("documents differ (same JSON: %v):\n  serial:   %.300s\n  parallel: %.300s", string(sj) == string(pj), sj, pj)
	}
	if s, p := distinctSchemas(serial.OpenAPI), distinctSchemas(par.OpenAPI); s != p {
		t.Fatalf("the serial document holds %d distinct schemas, the parallel %d: leaves are shared differently", s, p)
	}
}

// distinctSchemas counts the schemas reachable from t, each once however
// many places share it.
func distinctSchemas(t *openapi3.T) int {
	seen := map[uintptr]bool{}
	schemaType := reflect.TypeFor[openapi3.Schema]()
	n := 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if v.Elem().Type() == schemaType {
				n++
			}
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Value())
			}
		}
	}
	walk(reflect.ValueOf(t))
	return n
}

// TestParallelDecodeSameDocument holds the parallel decode to the serial
// one on every spec the repository carries, the bad ones included, and on
// the real documents of the shared data set when it is here.
func TestParallelDecodeSameDocument(t *testing.T) {
	var files []string
	for _, pattern := range []string{
		"testdata/*", "../testdata/spec/*", "../testdata/leak/*.json", "../drift/testdata/*.yaml",
		"../internal/sandbox/openapi/*.json", "../recordings/ui-flow/spec/*.json",
	} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, found...)
	}
	if root, ok := shareddata.Root(); ok {
		for _, pattern := range []string{"realworld/testops/*.json", "realworld/specs/*"} {
			found, err := filepath.Glob(filepath.Join(root, pattern))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, found...)
		}
	}
	for _, file := range files {
		if fi, err := os.Stat(file); err != nil || fi.IsDir() {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sameLoad(t, file, data)
		})
	}
	if _, ok := shareddata.Root(); !ok {
		t.Log("the shared data set is absent: compared the repository's specs only")
	}
}

// TestParallelDecodeSameFailure gives documents that the field-by-field
// decode refuses at various places, so that the document is decoded the
// ordinary way or fails: on one goroutine or several, Load must end the
// same, with the same message.
func TestParallelDecodeSameFailure(t *testing.T) {
	many := func(bad string) string {
		paths := ""
		for i := range 60 {
			item := `{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer","format":"int64"}}],"responses":{"200":{"description":"ok"}}}}`
			if i == 37 && bad != "" {
				item = bad
			}
			paths += fmt.Sprintf(`"/p%02d/{id}":%s,`, i, item)
		}
		return paths
	}
	head := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},`
	tests := []struct{ name, doc string }{
		{"a path item that is an array, among many", head + `"paths":{` + many(`[1]`) + `"/z":{}}}`},
		{"an operation that is a string, among many", head + `"paths":{` + many(`{"get":"x"}`) + `"/z":{}}}`},
		{"a schema whose type is a number", head + `"paths":{` + many("") + `"/z":{}},"components":{"schemas":{"A":{"type":"string"},"B":{"type":5},"C":{"type":"integer"}}}}`},
		{"a bad schema and a bad path item", head + `"paths":{` + many(`{"get":{"responses":7}}`) + `"/z":{}},"components":{"schemas":{"B":{"properties":[]}}}}`},
		{"parameters that are an array", head + `"paths":{` + many("") + `"/z":{}},"components":{"parameters":[1],"schemas":{"A":{"type":"string"}}}}`},
		{"a component key in another case", head + `"paths":{` + many("") + `"/z":{}},"components":{"Schemas":{},"schemas":{"A":{"type":"string"}}}}`},
		{"a top-level key in another case beside a bad path item", head + `"Paths":{},"paths":{` + many(`[1]`) + `"/z":{}}}`},
		{"an extension of paths that is fine beside a bad path item", head + `"paths":{"x-a":{"b":[1,2]},` + many(`{"parameters":{}}`) + `"/z":{}}}`},
		{"schemas that are null", head + `"paths":{` + many("") + `"/z":{}},"components":{"schemas":null}}`},
		{"paths that are an object of nulls", head + `"paths":{"/a":null,"/b":null}}`},
		{"text cut short inside a path item", head + `"paths":{` + many("") + `"/z":{"get":{"responses":{"200":{"descr`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := decodeV3([]byte(tt.doc), 1); ok && tt.name != "schemas that are null" && tt.name != "paths that are an object of nulls" {
				t.Fatal("the serial decode took this document: the case tests nothing")
			}
			sameLoad(t, "bad.json", []byte(tt.doc))
		})
	}
}

// TestEachFirstFailureInOrder checks that each, on one goroutine or
// several, ends as a loop that stops at the first failure would: with that
// call's error or panic, after every call before it has run.
func TestEachFirstFailureInOrder(t *testing.T) {
	errAt := func(i int) error { return fmt.Errorf("failed at %d", i) }
	tests := []struct {
		name      string
		n         int
		errs      []int // indices whose calls return an error
		panics    []int // indices whose calls panic
		wantErr   int   // index of the error returned, or -1
		wantPanic int   // index of the panic raised, or -1
	}{
		{"nothing fails", 200, nil, nil, -1, -1},
		{"nothing to do", 0, nil, nil, -1, -1},
		{"one error", 200, []int{120}, nil, 120, -1},
		{"the earlier of two errors", 200, []int{150, 3}, nil, 3, -1},
		{"an error before a panic", 200, []int{10}, []int{11}, 10, -1},
		{"a panic before an error", 200, []int{190}, []int{57}, -1, 57},
		{"the earlier of two panics", 200, nil, []int{199, 100}, -1, 100},
		{"a failure at the last index", 200, []int{199}, nil, 199, -1},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, parallelWorkers} {
			t.Run(fmt.Sprintf("%s/%d workers", tt.name, workers), func(t *testing.T) {
				ran := make([]bool, tt.n)
				var err error
				var panicked any
				func() {
					defer func() { panicked = recover() }()
					err = each(workers, tt.n, func(i int) error {
						ran[i] = true
						for _, p := range tt.panics {
							if i == p {
								panic(fmt.Sprintf("panicked at %d", i))
							}
						}
						for _, e := range tt.errs {
							if i == e {
								return errAt(i)
							}
						}
						return nil
					})
				}()
				switch {
				case tt.wantPanic >= 0:
					if want := fmt.Sprintf("panicked at %d", tt.wantPanic); panicked != want {
						t.Fatalf("panic = %v (error %v), want %q", panicked, err, want)
					}
				case panicked != nil:
					t.Fatalf("panicked: %v", panicked)
				case tt.wantErr >= 0:
					if err == nil || err.Error() != errAt(tt.wantErr).Error() {
						t.Fatalf("error = %v, want %v", err, errAt(tt.wantErr))
					}
				case err != nil:
					t.Fatalf("error = %v, want none", err)
				}
				last := tt.n
				if i := max(tt.wantErr, tt.wantPanic); i >= 0 {
					last = i + 1
				}
				for i := range last {
					if !ran[i] {
						t.Fatalf("call %d did not run, though it comes before the first failure", i)
					}
				}
			})
		}
	}
}

// TestLoadAllInParallelSameAsInTurn loads several documents side by side
// and checks that LoadAll gives what loading them in turn gives: the same
// documents in the same order, or the first failure in order.
func TestLoadAllInParallelSameAsInTurn(t *testing.T) {
	read := func(t *testing.T, path string) Source {
		t.Helper()
		src, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	bad := func(name, text string) Source { return NewSource(name, name, []byte(text), time.Time{}) }
	flow := func(t *testing.T) []Source {
		var srcs []Source
		for _, name := range []string{"01-report-service.json", "02-uaa-service.json", "03-all-services.json"} {
			srcs = append(srcs, read(t, filepath.Join("..", "recordings", "ui-flow", "spec", name)))
		}
		return srcs
	}
	tests := []struct {
		name    string
		srcs    func(t *testing.T) []Source
		errFrom string // the file the error must name, if any
	}{
		{"nothing to load", func(*testing.T) []Source { return nil }, ""},
		{"the three documents of the recorded flow", flow, ""},
		{"a bad document among good ones", func(t *testing.T) []Source {
			s := flow(t)
			return []Source{s[0], s[1], bad("bad.json", `{"openapi":"3.0.0"`), s[2]}
		}, "bad.json"},
		{"two bad documents: the first in order is named", func(t *testing.T) []Source {
			s := flow(t)
			return []Source{s[2], bad("first.json", `{"swagger":"1.2"}`), s[0], bad("second.json", `not a spec`)}
		}, "first.json"},
		{"the same document twice", func(t *testing.T) []Source {
			src := read(t, filepath.Join("..", "testdata", "spec", "shop-3.0.yaml"))
			return []Source{src, src}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs := tt.srcs(t)
			inTurn, serr := loadAll(srcs, 1)
			together, perr := loadAll(srcs, parallelWorkers)
			if fmt.Sprint(serr) != fmt.Sprint(perr) {
				t.Fatalf("errors differ:\n  in turn:      %v\n  side by side: %v", serr, perr)
			}
			if tt.errFrom != "" && (perr == nil || !strings.HasPrefix(perr.Error(), tt.errFrom+": ")) {
				t.Fatalf("error = %v, want one naming %s", perr, tt.errFrom)
			}
			if !reflect.DeepEqual(inTurn, together) {
				t.Fatal("documents differ")
			}
			if serr == nil && len(together) != len(srcs) {
				t.Fatalf("%d documents for %d sources", len(together), len(srcs))
			}
		})
	}
}
