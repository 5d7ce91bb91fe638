// Package gen writes large synthetic HAR recordings for the benchmarks:
// browser-like traffic to a TestOps instance whose API calls follow an
// OpenAPI document's operations, with answers shaped by their schemas,
// mixed with the assets, preflights, third-party calls and undocumented
// paths a real recording holds. The output depends only on the document,
// the number of entries and the seed, so a figure can be made again and a
// golden hash taken by one commit holds for the next.
package gen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// Host is the instance the generated calls go to.
const Host = "testops.example.com"

// Options say what to generate.
type Options struct {
	// Entries is the number of entries to write.
	Entries int
	// Seed makes the traffic; the same seed gives the same bytes.
	Seed uint64
}

// Write writes a HAR of opts.Entries entries to w, the API calls drawn from
// the operations of ix.
func Write(w io.Writer, ix *spec.Index, opts Options) error {
	return WriteBig(w, ix, BigOptions{Options: opts}) // no big answers: the same bytes
}

type generator struct {
	rng *rand.Rand
	ops []*spec.Operation
	// gets are the GET operations, which a UI calls most.
	gets  []*spec.Operation
	start time.Time
	tok   string
	calls int
}

func newGenerator(ix *spec.Index, seed uint64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	// Templates that differ only in their parameters' names
	// ("/api/account/{id}" and "/api/account/{accountId}") are one path to
	// most routers, whatever the methods, kin-openapi's gorillamux included, which keeps one of
	// them; calls to them would make the routers compared disagree on a
	// document's flaw rather than on the traffic, so none are made.
	shapes := map[string]int{}
	for _, op := range ix.Operations() {
		shapes[shape(op)]++
	}
	for _, op := range ix.Operations() {
		if shapes[shape(op)] > 1 {
			continue
		}
		g.ops = append(g.ops, op)
		if op.Method == "GET" {
			g.gets = append(g.gets, op)
		}
	}
	// The index lists operations in a fixed order already; sorting again
	// keeps the traffic the same should that order ever change.
	sort.SliceStable(g.ops, func(i, j int) bool { return key(g.ops[i]) < key(g.ops[j]) })
	sort.SliceStable(g.gets, func(i, j int) bool { return key(g.gets[i]) < key(g.gets[j]) })
	return g
}

func shape(op *spec.Operation) string {
	var b strings.Builder
	depth := 0
	for _, r := range op.Path {
		switch {
		case r == '{':
			depth++
			b.WriteString("{}")
		case r == '}':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func key(op *spec.Operation) string { return op.Method + " " + op.Path + " " + op.Document.Name() }

var browserHeaders = []har.NameValue{
	{Name: "Accept-Language", Value: "en-US,en;q=0.9"},
	{Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"},
	{Name: "Sec-Ch-Ua", Value: `"Chromium";v="156", "Not.A/Brand";v="99"`},
	{Name: "Cookie", Value: "XSRF-TOKEN=0b6c1a2e-8f0e-4c1b-9d7e-2f3a4b5c6d7e; SESSION=ZGVhZGJlZWYtc2Vzc2lvbg"},
	{Name: "X-Xsrf-Token", Value: "0b6c1a2e-8f0e-4c1b-9d7e-2f3a4b5c6d7e"},
}

func (g *generator) entry(i int) *har.Entry {
	e := &har.Entry{
		StartedDateTime: g.start.Add(time.Duration(i) * 37 * time.Millisecond).Format("2006-01-02T15:04:05.000Z"),
		Time:            float64(5 + g.rng.IntN(200)),
		Request:         har.Request{HTTPVersion: "HTTP/1.1", HeadersSize: -1, BodySize: 0},
		Response:        har.Response{HTTPVersion: "HTTP/1.1", HeadersSize: -1, BodySize: -1},
	}
	e.Request.Headers = append([]har.NameValue(nil), browserHeaders...)
	switch r := g.rng.IntN(100); {
	case r < 4: // the UI's own files
		name := []string{"main", "vendor", "runtime", "styles"}[g.rng.IntN(4)]
		ext := ".js"
		mt := "application/javascript"
		if name == "styles" {
			ext, mt = ".css", "text/css"
		}
		e.Request.Method, e.Request.URL = "GET", fmt.Sprintf("https://%s/static/%s.%08x%s", Host, name, g.rng.Uint32(), ext)
		g.answer(e, 200, mt, strings.Repeat("x", 200+g.rng.IntN(400)))
	case r < 6: // a third party the page talks to
		e.Request.Method, e.Request.URL = "POST", fmt.Sprintf("https://o%d.ingest.sentry.example/api/%d/envelope/", g.rng.IntN(9), g.rng.IntN(99))
		e.Request.PostData = &har.PostData{MimeType: "text/plain", Text: `{"event_id":"` + g.hex(32) + `"}`}
		g.answer(e, 200, "application/json", `{"id":"`+g.hex(32)+`"}`)
	case r < 8: // a path no document has
		e.Request.Method, e.Request.URL = "GET", fmt.Sprintf("https://%s/api/experimental/widget/%d", Host, g.rng.IntN(1000))
		g.answer(e, 404, "application/json", `{"message":"Not Found"}`)
	case r < 10: // a CORS preflight
		op := g.ops[g.rng.IntN(len(g.ops))]
		e.Request.Method, e.Request.URL = "OPTIONS", "https://"+Host+g.path(op)
		g.answer(e, 200, "", "")
	default:
		op := g.ops[g.rng.IntN(len(g.ops))]
		if g.rng.IntN(3) > 0 && len(g.gets) > 0 {
			op = g.gets[g.rng.IntN(len(g.gets))]
		}
		g.call(e, op)
	}
	return e
}

// call is one API call of op, answered 200 with a body its schema shapes;
// one in 25 answers breaks its schema (a number sent as text), as drift.
func (g *generator) call(e *har.Entry, op *spec.Operation) {
	u := "https://" + Host + g.path(op)
	var q []string
	for _, p := range params(op) {
		if p.In != openapi3.ParameterInQuery || (!p.Required && g.rng.IntN(2) == 0) {
			continue
		}
		q = append(q, p.Name+"="+g.scalar(p.Schema))
		e.Request.QueryString = append(e.Request.QueryString, har.NameValue{Name: p.Name, Value: g.scalar(p.Schema)})
	}
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	e.Request.Method, e.Request.URL = op.Method, u
	e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: "Authorization", Value: "Bearer " + g.token()})
	if rb := op.OpenAPI.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			e.Request.PostData = &har.PostData{MimeType: "application/json", Text: g.json(mt.Schema, 0)}
			e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: "Content-Type", Value: "application/json"})
		}
	}
	status, body := 200, ""
	if op.OpenAPI.Responses != nil {
		var codes []string
		for c := range op.OpenAPI.Responses.Map() {
			if strings.HasPrefix(c, "2") {
				codes = append(codes, c)
			}
		}
		sort.Strings(codes)
		if len(codes) > 0 {
			status, _ = strconv.Atoi(codes[0])
			if status == 0 {
				status = 200
			}
			if r := op.OpenAPI.Responses.Value(codes[0]); r != nil && r.Value != nil {
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					body = g.json(mt.Schema, 0)
				} else if mt := r.Value.Content.Get("*/*"); mt != nil && mt.Schema != nil {
					body = g.json(mt.Schema, 0)
				}
			}
		}
	}
	if body != "" && g.rng.IntN(25) == 0 {
		body = `{"id":"not-a-number","name":42}`
	}
	mt := "application/json"
	if body == "" {
		mt = ""
	}
	g.answer(e, status, mt, body)
}

func (g *generator) answer(e *har.Entry, status int, mt, body string) {
	e.Response.Status = status
	e.Response.StatusText = statusText(status)
	e.Response.Headers = []har.NameValue{{Name: "Date", Value: "Mon, 30 Nov 2026 09:00:00 GMT"}, {Name: "Cache-Control", Value: "no-cache, no-store"}}
	if mt != "" {
		e.Response.Headers = append(e.Response.Headers, har.NameValue{Name: "Content-Type", Value: mt})
	}
	e.Response.Content = har.Content{Size: int64(len(body)), MimeType: mt, Text: body}
}

func statusText(s int) string {
	switch s {
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 204:
		return "No Content"
	case 404:
		return "Not Found"
	}
	return ""
}

func params(op *spec.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, list := range []openapi3.Parameters{op.PathItem.Parameters, op.OpenAPI.Parameters} {
		for _, p := range list {
			if p != nil && p.Value != nil {
				out = append(out, p.Value)
			}
		}
	}
	return out
}

// token is the session's Bearer token: a UI renews it now and then, so a
// recording holds a few, not one a call.
func (g *generator) token() string {
	if g.tok == "" || g.calls%2000 == 0 {
		g.tok = "eyJhbGciOiJIUzI1NiJ9." + g.hex(40) + "." + g.hex(20)
	}
	g.calls++
	return g.tok
}

// path fills op's template with values its parameters' schemas take.
func (g *generator) path(op *spec.Operation) string {
	out := op.Path
	for _, p := range params(op) {
		if p.In == openapi3.ParameterInPath {
			out = strings.Replace(out, "{"+p.Name+"}", g.scalar(p.Schema), 1)
		}
	}
	// A template parameter the document forgot to declare.
	for strings.Contains(out, "{") {
		i := strings.IndexByte(out, '{')
		j := strings.IndexByte(out[i:], '}')
		if j < 0 {
			break
		}
		out = out[:i] + strconv.Itoa(1+g.rng.IntN(9999)) + out[i+j+1:]
	}
	return out
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func (g *generator) word() string {
	b := make([]byte, 4+g.rng.IntN(8))
	for i := range b {
		b[i] = byte('a' + g.rng.IntN(26))
	}
	return string(b)
}

// scalar is a value for a parameter, as it appears in a URL.
func (g *generator) scalar(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return g.word()
	}
	s := ref.Value
	if len(s.Enum) > 0 {
		return fmt.Sprint(s.Enum[g.rng.IntN(len(s.Enum))])
	}
	switch {
	case s.Type.Is("integer"):
		return strconv.Itoa(1 + g.rng.IntN(100000))
	case s.Type.Is("number"):
		return strconv.Itoa(g.rng.IntN(1000)) + ".5"
	case s.Type.Is("boolean"):
		return strconv.FormatBool(g.rng.IntN(2) == 0)
	case s.Type.Is("array") && s.Items != nil:
		return g.scalar(s.Items)
	case s.Format == "uuid":
		return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-8" + g.hex(3) + "-" + g.hex(12)
	}
	return g.word()
}

// json is a JSON value that fits the schema, as far as a few kinds of
// schema go; depth bounds recursive schemas.
func (g *generator) json(ref *openapi3.SchemaRef, depth int) string {
	if ref == nil || ref.Value == nil || depth > 5 {
		return "null"
	}
	s := ref.Value
	switch {
	case len(s.OneOf) > 0:
		return g.json(s.OneOf[0], depth+1)
	case len(s.AnyOf) > 0:
		return g.json(s.AnyOf[0], depth+1)
	case len(s.AllOf) > 0:
		return g.json(s.AllOf[0], depth+1)
	case len(s.Enum) > 0:
		b, _ := jsonScalar(s.Enum[g.rng.IntN(len(s.Enum))])
		return b
	case s.Type.Is("object") || len(s.Properties) > 0:
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		b.WriteByte('{')
		for i, n := range names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(n))
			b.WriteByte(':')
			b.WriteString(g.json(s.Properties[n], depth+1))
		}
		b.WriteByte('}')
		return b.String()
	case s.Type.Is("array"):
		n := 0
		if depth < 3 {
			n = g.rng.IntN(3)
		}
		parts := make([]string, n)
		for i := range parts {
			parts[i] = g.json(s.Items, depth+1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case s.Type.Is("integer"):
		if s.Format == "int32" {
			return strconv.Itoa(g.rng.IntN(100000))
		}
		return strconv.Itoa(g.rng.IntN(1 << 40))
	case s.Type.Is("number"):
		return strconv.Itoa(g.rng.IntN(1000)) + ".25"
	case s.Type.Is("boolean"):
		return strconv.FormatBool(g.rng.IntN(2) == 0)
	case s.Type.Is("string"):
		switch s.Format {
		case "date-time":
			return `"2026-11-30T09:00:00Z"`
		case "date":
			return `"2026-11-30"`
		case "uuid":
			return `"` + g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-8" + g.hex(3) + "-" + g.hex(12) + `"`
		}
		return strconv.Quote(g.word())
	}
	return "null"
}

func jsonScalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x), nil
	case nil:
		return "null", nil
	}
	return fmt.Sprint(v), nil
}

// LoadIndex loads the document at path and indexes its operations, as the
// generator takes them.
func LoadIndex(path string) (*spec.Index, error) {
	d, err := spec.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return spec.NewIndex([]*spec.Document{d}, spec.Options{})
}

// WriteSandboxDocument writes the OpenAPI document the sandbox instance
// serves (all its services) into dir and returns its path: the document
// the benchmarks use where the real TestOps ones are not at hand.
func WriteSandboxDocument(dir string) (string, error) {
	b, err := sandbox.Document(sandbox.AllServices, false)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "sandbox-all-services.json")
	return p, os.WriteFile(p, b, 0o644)
}
