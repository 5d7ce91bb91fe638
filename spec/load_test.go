package spec

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		reason    string
		file      string
		version   string
		title     string
		ops       int
		pathsOnly bool
		// Each string must appear in one warning, at the given place.
		warnings map[string]string
	}{
		{
			reason: "a clean 3.0 document loads with no warning but the conflicting templates it declares on purpose",
			file:   "shop-3.0.yaml", version: "3.0.3", title: "Shop", ops: 16,
			warnings: map[string]string{
				"/paths/~1users~1{userId}":       `conflicting paths "/users/{id}" and "/users/{userId}"`,
				"/paths/~1reports~1{reportName}": `conflicting paths "/reports/{kind}" and "/reports/{reportName}"`,
			},
		},
		{
			reason: "Swagger 2.0 is converted, and a tuple items array is mended with a warning at its place",
			file:   "petshop-2.0.json", version: "2.0", title: "Petshop", ops: 2,
			warnings: map[string]string{"/definitions/Pet/properties/tags/items": "items is an array of 2 schemas"},
		},
		{
			reason: "3.1 $id and $anchor references are rewritten, and a $ref YAML read as a comment is dropped",
			file:   "anchors-3.1.yaml", version: "3.1.0", title: "Anchors", ops: 1,
			warnings: map[string]string{
				"/components/schemas/Thing/properties/detail/$ref":   "$ref has no text value",
				"/components/schemas/Thing/properties/detailId/$ref": `rewrote it to "#/components/schemas/Detail/properties/id"`,
				"/components/schemas/Thing/properties/whole/$ref":    `rewrote it to "#/components/schemas/Detail"`,
			},
		},
		{
			reason: "path templates the matcher cannot read are reported and left out of the index",
			file:   "templates-3.0.json", version: "3.0.3", title: "Templates", ops: 1,
			warnings: map[string]string{
				"/paths/~1open~1{id":     `path "/open/{id" has an unclosed {; requests cannot match it`,
				"/paths/~1pairs~1{x}{y}": `path "/pairs/{x}{y}" puts two parameters side by side`,
				"/paths":                 "operation GET /pairs/{x}{y} must define exactly all path parameters",
			},
		},
		{
			reason: "a document kin-openapi refuses falls back to its paths and parameters",
			file:   "lenient-3.0.json", version: "3.0.3", title: "Lenient", ops: 3, pathsOnly: true,
			warnings: map[string]string{"/paths/~1widgets~1{widgetId}/get/responses/200": "kin-openapi cannot load the document"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d, err := LoadFile(specFile(tt.file))
			if err != nil {
				t.Fatalf("%s: %v", tt.reason, err)
			}
			if d.Version != tt.version || d.Title != tt.title || d.PathsOnly != tt.pathsOnly {
				t.Errorf("%s: version %q title %q pathsOnly %v, want %q %q %v", tt.reason, d.Version, d.Title, d.PathsOnly, tt.version, tt.title, tt.pathsOnly)
			}
			ix, err := NewIndex([]*Document{d}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(ix.Operations()); got != tt.ops {
				t.Errorf("%s: %d operations, want %d", tt.reason, got, tt.ops)
			}
			for place, text := range tt.warnings {
				if !hasWarning(d.Warnings, place, text) {
					t.Errorf("%s: no warning at %s saying %q; got:\n%s", tt.reason, place, text, warningLines(d.Warnings))
				}
			}
			if len(d.Warnings) != len(tt.warnings) {
				t.Errorf("%s: %d warnings, want %d:\n%s", tt.reason, len(d.Warnings), len(tt.warnings), warningLines(d.Warnings))
			}
			for _, w := range d.Warnings {
				if w.File != specFile(tt.file) || strings.Contains(w.String(), "\n") {
					t.Errorf("%s: warning %q must name the file and fit one line", tt.reason, w)
				}
			}
		})
	}
}

func hasWarning(ws []Warning, place, text string) bool {
	for _, w := range ws {
		if w.Place == place && strings.Contains(w.Message, text) {
			return true
		}
	}
	return false
}

func warningLines(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString("\t" + w.String() + "\n")
	}
	return b.String()
}

func TestLoadErrors(t *testing.T) {
	deepJSON := append(bytes.Repeat([]byte(`{"a":`), 10_000_000), '1')
	deepYAML := bytes.Repeat([]byte("["), 50<<20)
	tests := []struct {
		reason string
		name   string
		data   []byte
		want   string // the whole one-line error
	}{
		{"an HTML page served where a spec was expected", "bad-not-spec.html", nil,
			"testdata/bad-not-spec.html: line 1, column 1: this is HTML or XML, not a JSON or YAML document (a login page or an error page?)"},
		{"a $ref to nothing", "bad-broken-ref.yaml", nil,
			`testdata/bad-broken-ref.yaml: /paths/~1a/get/responses/200/content/application~1json/schema: broken $ref "#/components/schemas/Missing": nothing is at that place`},
		{"a $ref into another file", "bad-external-ref.yaml", nil,
			`testdata/bad-external-ref.yaml: /paths/~1a/get/parameters/0: $ref "common.yaml#/parameters/Page" points into another document; only single-file specs are supported (bundle it first)`},
		{"JSON that is not an OpenAPI document", "bad-no-version.json", nil,
			`testdata/bad-no-version.json: not an OpenAPI or Swagger document: it has no "openapi" or "swagger" field`},
		{"50 MB of JSON nesting stops at the limit, at once", "deep.json", deepJSON,
			"deep.json: line 1, column 2561: nesting deeper than 512 levels"},
		{"50 MB of YAML flow nesting", "deep.yaml", deepYAML,
			"deep.yaml: line 1, column 513: nesting deeper than 512 levels"},
		{"YAML aliases that expand exponentially", "bomb.yaml", []byte(yamlBomb),
			"bomb.yaml: line 2, column 16: YAML aliases expand to too large a document"},
		{"an empty file", "empty.json", []byte(" \n"), "empty.json: the file is empty"},
		{"truncated JSON", "cut.json", []byte(`{"openapi": "3.0.3", "paths": {`), "cut.json: line 1, column 32: not valid JSON: the document ends too early"},
		{"a JSON list", "list.json", []byte(`[1, 2]`), "list.json: not an OpenAPI document: the top level is not an object"},
		{"OpenAPI 4", "v4.json", []byte(`{"openapi": "4.0.0"}`), `v4.json: /openapi: unsupported OpenAPI version "4.0.0" (2.0, 3.0 and 3.1 are)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			start := time.Now()
			if tt.data == nil {
				_, err = LoadFile(filepath.Join("testdata", tt.name))
			} else {
				_, err = Load(NewSource(tt.name, tt.name, tt.data, time.Time{}))
			}
			if err == nil {
				t.Fatalf("%s: loaded, want error %q", tt.reason, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("%s:\n got %q\nwant %q", tt.reason, err.Error(), tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%s: error is %T, want *spec.Error", tt.reason, err)
			}
			t.Logf("%s: failed in %v", tt.name, time.Since(start))
		})
	}
}

// TestRefCyclesLoadWithAWarning: a schema that is its own $ref, or two
// that are each other's, describe nothing; loading is lenient, so the
// place is read as accepting any value, with a warning naming the cycle,
// and the rest of the document works.
func TestRefCyclesLoadWithAWarning(t *testing.T) {
	tests := []struct {
		reason, name, place, cycle string
	}{
		{"a schema that is its own $ref", "ref-self.json", "/components/schemas/A",
			"$ref cycle: #/components/schemas/A → #/components/schemas/A never reaches a schema"},
		{"two $refs pointing at each other", "ref-cycle.json", "/components/schemas/A",
			"$ref cycle: #/components/schemas/A → #/components/schemas/B → #/components/schemas/A never reaches a schema"},
	}
	for _, tt := range tests {
		doc, err := LoadFile(filepath.Join("testdata", tt.name))
		if err != nil {
			t.Errorf("%s: %v", tt.reason, err)
			continue
		}
		if !hasWarning(doc.Warnings, tt.place, tt.cycle) {
			t.Errorf("%s: warnings lack %q at %s:\n%s", tt.reason, tt.cycle, tt.place, warningLines(doc.Warnings))
		}
		if doc.PathsOnly {
			t.Errorf("%s: loaded from its paths only; the schemas should still be checked", tt.reason)
		}
		ix, err := NewIndex([]*Document{doc}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse("http://x/a")
		m := ix.Lookup("GET", u)
		if m.Outcome != Found {
			t.Fatalf("%s: GET /a is %v", tt.reason, m.Outcome)
		}
		json := http.Header{"Content-Type": {"application/json"}}
		for _, body := range []string{`{"any":"thing"}`, `[1,2]`, `"text"`} {
			if ps := ix.Check(m, Request{Method: "GET", URL: u}, &Response{Status: 200, Header: json, Body: []byte(body)}); len(ps) > 0 {
				t.Errorf("%s: %s does not fit a schema that accepts anything: %v", tt.reason, body, ps)
			}
		}
	}
	// The schemas around the cycle are still checked.
	doc, _ := LoadFile("testdata/ref-self.json")
	ix, _ := NewIndex([]*Document{doc}, Options{})
	u, _ := url.Parse("http://x/c")
	ps := ix.Check(ix.Lookup("GET", u), Request{Method: "GET", URL: u}, &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"a":{"x":1},"n":"seven"}`)})
	if len(ps) == 0 {
		t.Error("C.n is an integer; \"seven\" should not fit")
	}
}

// yamlBomb is the "billion laughs" shape: each line doubles the one above.
const yamlBomb = `openapi: 3.0.3
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i,*i]
k: &k [*j,*j,*j,*j,*j,*j,*j,*j,*j,*j]
`

func TestLoadTooLarge(t *testing.T) {
	data := make([]byte, MaxSpecBytes+1)
	_, err := Load(NewSource("big", "big.json", data, time.Time{}))
	if err == nil || err.Error() != "big.json: larger than 64 MB, the most a spec may be" {
		t.Fatalf("a document over MaxSpecBytes must be refused by size, got %v", err)
	}
}

// specFile is where a spec fixture is: the documents spec/discover's tests
// read too are in the top-level testdata/spec, the rest in spec's own.
func specFile(name string) string {
	switch name {
	case "shop-3.0.yaml", "petshop-2.0.json", "anchors-3.1.yaml":
		return filepath.Join("..", "testdata", "spec", name)
	}
	return filepath.Join("testdata", name)
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestReadLimitedWhateverTheSizeHint checks that reading a document gives
// its bytes whether the size it was told is right, short (the file grew
// after it was measured), long (it shrank) or unknown, and refuses one
// over MaxSpecBytes.
func TestReadLimitedWhateverTheSizeHint(t *testing.T) {
	want := []byte(strings.Repeat(`{"openapi":"3.0.3"}`, 1000))
	tests := []struct {
		name string
		size int
	}{
		{"the right size", len(want)},
		{"a size too small", len(want) / 3},
		{"a size too large", len(want) * 2},
		{"no size", 0},
		{"one byte short", len(want) - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readLimited(bytes.NewReader(want), tt.size)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes (error %v), want the %d written", len(got), err, len(want))
			}
		})
	}
	for _, size := range []int{MaxSpecBytes} {
		_, err := readLimited(io.LimitReader(zeros{}, MaxSpecBytes+10), size)
		if err == nil || err.Error() != "larger than 64 MB, the most a spec may be" {
			t.Fatalf("size %d: a document over MaxSpecBytes must be refused, got %v", size, err)
		}
	}
	path := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := ReadFile(path)
	if err != nil || !bytes.Equal(src.Data, want) {
		t.Fatalf("ReadFile read %d bytes (error %v), want the %d written", len(src.Data), err, len(want))
	}
}
