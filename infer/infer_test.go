package infer

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

func call(method, raw string, status int, body string) Call {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	c := Call{Method: method, URL: u, Status: status}
	if body != "" {
		c.ResponseType, c.ResponseBody = "application/json", []byte(body)
	}
	return c
}

func infer(t *testing.T, calls ...Call) *Result {
	t.Helper()
	in := New(Options{})
	for _, c := range calls {
		in.Add(c)
	}
	res, err := in.Result()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	b, err := Marshal(res.Document, false)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatalf("kin-openapi does not load the document: %v\n%s", err, b)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the document does not validate: %v\n%s", err, b)
	}
	return res
}

func templates(res *Result) []string {
	var out []string
	for _, op := range res.Operations {
		out = append(out, op.Method+" "+op.Template)
	}
	sort.Strings(out)
	return out
}

func TestTemplates(t *testing.T) {
	for _, c := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"short numbers that vary are a parameter", []string{"/api/item/1", "/api/item/2"}, []string{"GET /api/item/{itemId}"}},
		{"one short number alone stays literal: it may be a version or a fixed route", []string{"/api/item/7"}, []string{"GET /api/item/7"}},
		{"a long number alone is unmistakable", []string{"/api/item/123456"}, []string{"GET /api/item/{itemId}"}},
		{"a UUID alone is unmistakable", []string{"/api/run/2f1c7e4a-9b3d-4c1e-8f2a-1b2c3d4e5f60/log"}, []string{"GET /api/run/{runId}/log"}},
		{"words at the end of a path are routes, not values", []string{"/api/launch/tree", "/api/launch/search", "/api/launch/count"},
			[]string{"GET /api/launch/count", "GET /api/launch/search", "GET /api/launch/tree"}},
		{"three words followed by the same rest are one parameter", []string{"/users/alice/repos", "/users/bob/repos", "/users/carol/repos"},
			[]string{"GET /users/{userId}/repos"}},
		{"two words followed by the same rest are not evidence enough", []string{"/users/alice/repos", "/users/bob/repos"},
			[]string{"GET /users/alice/repos", "GET /users/bob/repos"}},
		{"ids beside a literal route keep the literal", []string{"/api/launch/101", "/api/launch/202", "/api/launch/suggest"},
			[]string{"GET /api/launch/suggest", "GET /api/launch/{launchId}"}},
		{"nested ids get their own names", []string{"/api/project/11/launch/101", "/api/project/12/launch/202"},
			[]string{"GET /api/project/{projectId}/launch/{launchId}"}},
		{"a parameter after a parameter is named id, twice made distinct", []string{"/api/x/101/202", "/api/x/303/404"},
			[]string{"GET /api/x/{xId}/{id}"}},
		{"matrix parameters are not part of the path", []string{"/banners/1234;loc=1", "/banners/5678;loc=2"}, []string{"GET /banners/{bannerId}"}},
		{"a statuses segment names status, not statu", []string{"/api/status/200/get", "/api/status/404/get"}, []string{"GET /api/status/{statusId}/get"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls []Call
			for _, p := range c.paths {
				calls = append(calls, call("GET", "https://example.test"+p, 200, ""))
			}
			if got := templates(infer(t, calls...)); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("templates = %q, want %q", got, c.want)
			}
		})
	}
}

func schemaJSON(t *testing.T, sc *openapi3.SchemaRef) string {
	t.Helper()
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSchemas(t *testing.T) {
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		bodies []string
		want   string
	}{
		{"a member every object had is required, others are not", []string{`{"a":1,"b":"x"}`, `{"a":2}`},
			`{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"],"type":"object"}`},
		{"integers and fractions widen to number", []string{`{"n":1}`, `{"n":1.5}`},
			`{"properties":{"n":{"type":"number"}},"required":["n"],"type":"object"}`},
		{"a member seen null is nullable", []string{`{"s":null}`, `{"s":"x"}`},
			`{"properties":{"s":{"type":["string","null"]}},"required":["s"],"type":"object"}`},
		{"int64 past 2^31", []string{`{"id":1764320000000}`},
			`{"properties":{"id":{"format":"int64","type":"integer"}},"required":["id"],"type":"object"}`},
		{"a format every string had", []string{`{"at":"2026-01-02T03:04:05Z","id":"2f1c7e4a-9b3d-4c1e-8f2a-1b2c3d4e5f60"}`, `{"at":"2026-02-02T03:04:05.123+01:00","id":"3f1c7e4a-9b3d-4c1e-8f2a-1b2c3d4e5f60"}`},
			`{"properties":{"at":{"format":"date-time","type":"string"},"id":{"format":"uuid","type":"string"}},"required":["at","id"],"type":"object"}`},
		{"no format when one string lacks it", []string{`{"d":"2026-01-02"}`, `{"d":"soon"}`},
			`{"properties":{"d":{"type":"string"}},"required":["d"],"type":"object"}`},
		{"arrays' items are merged", []string{`[{"a":1}]`, `[{"a":2,"b":true},{"a":3}]`},
			`{"items":{"properties":{"a":{"type":"integer"},"b":{"type":"boolean"}},"required":["a"],"type":"object"},"type":"array"}`},
		{"a small closed set over enough samples is an enum", many(12, func(i int) string { return fmt.Sprintf(`{"state":%q}`, []string{"open", "closed"}[i%2]) }),
			`{"properties":{"state":{"enum":["closed","open"],"type":"string"}},"required":["state"],"type":"object"}`},
		{"one value however often is no set", many(12, func(i int) string { return `{"kind":"launch"}` }),
			`{"properties":{"kind":{"type":"string"}},"required":["kind"],"type":"object"}`},
		{"a few samples do not close a set", many(4, func(i int) string { return fmt.Sprintf(`{"state":%q}`, []string{"open", "closed"}[i%2]) }),
			`{"properties":{"state":{"type":"string"}},"required":["state"],"type":"object"}`},
		{"a secret member gives no enum however often it repeats", many(12, func(i int) string { return `{"password":"hunter22hunter22"}` }),
			`{"properties":{"password":{"type":"string"}},"required":["password"],"type":"object"}`},
		{"mixed types are listed", []string{`{"v":1}`, `{"v":"x"}`, `{"v":[1]}`},
			`{"properties":{"v":{"items":{"type":"integer"},"type":["array","string","integer"]}},"required":["v"],"type":"object"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls []Call
			for _, b := range c.bodies {
				calls = append(calls, call("GET", "https://example.test/api/thing", 200, b))
			}
			res := infer(t, calls...)
			op := res.Document.Paths.Value("/api/thing").Get
			got := schemaJSON(t, op.Responses.Status(200).Value.Content["application/json"].Schema)
			if got != c.want {
				t.Errorf("schema\n got %s\nwant %s", got, c.want)
			}
			// Bodies too big to decode whole are streamed: the same schema.
			streamed := newShape()
			for _, b := range c.bodies {
				one := newShape()
				if err := one.addJSON(strings.NewReader(b), New(Options{}).secret); err != nil {
					t.Fatal(err)
				}
				streamed.merge(one)
			}
			if s := schemaJSON(t, openapi3.NewSchemaRef("", streamed.schema())); s != c.want {
				t.Errorf("streamed schema\n got %s\nwant %s", s, c.want)
			}
		})
	}
}

func TestQueryParameters(t *testing.T) {
	res := infer(t,
		call("GET", "https://example.test/api/find?page=0&q=a&tag=x&tag=y&flag=true&empty=", 200, ""),
		call("GET", "https://example.test/api/find?page=1&q=b&flag=false", 200, ""),
	)
	var got []string
	for _, p := range res.Operations[0].Parameters {
		got = append(got, fmt.Sprintf("%s %s %s %v", p.In, p.Name, p.Type, p.Required))
	}
	want := []string{"query empty string false", "query flag boolean true", "query page integer true", "query q string true", "query tag array of string false"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parameters\n got %q\nwant %q", got, want)
	}
}

func TestNoCalls(t *testing.T) {
	if _, err := New(Options{}).Result(); err != ErrNoCalls {
		t.Errorf("Result with no calls: %v, want ErrNoCalls", err)
	}
}

// bigArray streams a JSON array of n objects without holding it.
type bigArray struct {
	n, i int
	buf  []byte
}

func (b *bigArray) Read(p []byte) (int, error) {
	for len(b.buf) == 0 {
		switch {
		case b.i == 0:
			b.buf = []byte("[")
		case b.i > b.n:
			return 0, io.EOF
		case b.i == b.n:
			b.buf = []byte(`{"last":true}]`)
		default:
			b.buf = fmt.Appendf(nil, `{"id":%d,"name":"item %d","tags":["a","b"],"at":"2026-01-02T03:04:05Z"},`, b.i, b.i)
		}
		b.i++
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

// TestHugeBodyStaysSmall walks a body of about 16 MB, and a deeply nested
// one, and checks that the summary, not the body, is what memory holds.
func TestHugeBodyStaysSmall(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newShape()
	if err := s.addJSON(&bigArray{n: 200_000}, func(string, string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("the heap grew by %d bytes after a 16 MB body, want under 4 MiB", grown)
	}
	if s.items == nil || s.items.objs != 200_000 || len(s.items.props) != 5 {
		t.Fatalf("summary of the big body is wrong: %+v", s.items)
	}
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	d := newShape()
	if err := d.addJSON(strings.NewReader(deep), func(string, string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if depth := schemaDepth(d.schema()); depth > maxDepth+1 {
		t.Errorf("schema of a 100000-deep body is %d deep, want at most %d", depth, maxDepth+1)
	}
}

func schemaDepth(s *openapi3.Schema) int {
	if s == nil || s.Items == nil {
		return 1
	}
	return 1 + schemaDepth(s.Items.Value)
}

// TestComponents checks that a body with the shape of a documented
// component refers to a copy of it, with what it refers to, and that a
// component OpenAPI could not name is not copied.
func TestComponents(t *testing.T) {
	const doc = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
"components":{"schemas":{
 "LaunchDto":{"type":"object","properties":{"id":{"type":"integer","format":"int64"},"name":{"type":"string"},"closed":{"type":"boolean"},"project":{"$ref":"#/components/schemas/ProjectDto"}}},
 "ProjectDto":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}},
 "Page«Run»":{"type":"object","properties":{"total":{"type":"integer"},"page":{"type":"integer"},"size":{"type":"integer"}}}}}}`
	for _, c := range []struct {
		name, body, want string
		comps            []string
	}{
		{"a body of a component's shape refers to it, and it brings what it refers to",
			`{"id":1,"name":"a","closed":false,"project":{"id":2,"name":"p"}}`, `{"$ref":"#/components/schemas/LaunchDto"}`, []string{"LaunchDto", "ProjectDto"}},
		{"a member of another type is another shape", `{"id":"x","name":"a","closed":false,"project":null}`, `"type":"object"`, nil},
		{"a component OpenAPI cannot name is not copied", `{"total":1,"page":0,"size":20}`, `"type":"object"`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			loader := openapi3.NewLoader()
			d, err := loader.LoadFromData([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			ix, err := spec.NewIndex([]*spec.Document{{OpenAPI: d, Title: "t"}}, spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := New(Options{Spec: ix})
			in.Add(call("GET", "https://example.test/api/x", 200, c.body))
			res, err := in.Result()
			if err != nil {
				t.Fatal(err)
			}
			got := schemaJSON(t, res.Document.Paths.Value("/api/x").Get.Responses.Status(200).Value.Content["application/json"].Schema)
			if !strings.Contains(got, c.want) {
				t.Errorf("schema %s, want it to hold %s", got, c.want)
			}
			var comps []string
			if res.Document.Components != nil {
				comps = sortedKeys(res.Document.Components.Schemas)
			}
			if strings.Join(comps, ",") != strings.Join(c.comps, ",") {
				t.Errorf("components %v, want %v", comps, c.comps)
			}
			b, _ := Marshal(res.Document, false)
			l := openapi3.NewLoader()
			out, err := l.LoadFromData(b)
			if err == nil {
				err = out.Validate(l.Context)
			}
			if err != nil {
				t.Errorf("the document does not load and validate: %v\n%s", err, b)
			}
		})
	}
}
