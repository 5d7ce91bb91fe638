package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apitrail/apitrail/internal/shareddata"
	"github.com/getkin/kin-openapi/openapi3"
)

// pairIndexes indexes the documents twice: as Check runs, and with every
// check sent to openapi3filter, the answer the fast path must reproduce.
func pairIndexes(t testing.TB, docs []*Document) (fast, kin *Index) {
	t.Helper()
	var err error
	opts := Options{Aliases: TestOpsAliases, Artefacts: SpringdocArtefacts}
	if fast, err = NewIndex(docs, opts); err != nil {
		t.Fatal(err)
	}
	if kin, err = NewIndex(docs, opts); err != nil {
		t.Fatal(err)
	}
	kin.fast.off = true
	return fast, kin
}

// exchange is one generated call of an operation.
type exchange struct {
	req  Request
	resp *Response
}

// TestFastCheckAgreesWithKinOnTestOps makes calls to every operation of
// both TestOps documents, with bodies built from each request and
// response schema, half of them broken somewhere (a wrong type, a missing
// required member, an unknown member, a name given twice, a null, a bad
// date), and query and path parameters right and wrong, and holds Check's
// problems to those of openapi3filter alone, message for message. It also
// shows the fast path decides most calls, so the agreement is not that of
// a path never taken.
func TestFastCheckAgreesWithKinOnTestOps(t *testing.T) {
	docs := testOpsDocs(t)
	for _, d := range docs {
		t.Run(d.Name(), func(t *testing.T) {
			fast, kin := pairIndexes(t, []*Document{d})
			rng := rand.New(rand.NewSource(15))
			calls, differ := 0, 0
			var decided [4]int
			for _, op := range fast.Operations() {
				for round := 0; round < 12; round++ {
					x, ok := makeExchange(op, rng, round%2 == 1)
					if !ok {
						continue
					}
					calls++
					m := fast.Lookup(x.req.Method, x.req.URL)
					if m.Outcome != Found {
						continue
					}
					mk := kin.Lookup(x.req.Method, x.req.URL)
					got, want := fast.Check(m, x.req, x.resp), kin.Check(mk, x.req, x.resp)
					if !reflect.DeepEqual(got, want) {
						differ++
						if differ <= 5 {
							t.Errorf("%s %s\nrequest body: %.300s\nresponse body: %.300s\nfast: %v\nkin:  %v", op, x.req.URL, x.req.Body, x.resp.Body, got, want)
						}
					}
					if rb := responseSchema(m.Operation, x.resp.Status); rb != nil && len(x.resp.Body) > 0 {
						v := fastFits(fast.fast.root(rb, false), x.resp.Body, false)
						decided[v]++
						if k := kinVerdict(rb, x.resp.Body); v != unsure && v != k {
							differ++
							t.Errorf("%s: the fast path says %d where kin-openapi says %d of %.300s", op, v, k, x.resp.Body)
						}
						if v == unsure && !round2(round) && os.Getenv("FASTCHECK_SHOW") != "" {
							t.Logf("unsure: %s %.200s", op, x.resp.Body)
						}
					}
				}
			}
			if differ > 0 {
				t.Fatalf("%d of %d calls differ", differ, calls)
			}
			t.Logf("%d calls agree; response bodies the fast path found fitting %d, ambiguous %d, misfit %d, left to openapi3filter %d",
				calls, decided[fits], decided[ambiguous], decided[misfit], decided[unsure])
			if decided[fits]+decided[ambiguous] < calls/4 || decided[misfit] == 0 {
				t.Fatalf("the fast path decided too little to prove anything: %v", decided)
			}
		})
	}
}

func responseSchema(op *Operation, status int) *openapi3.Schema {
	r := op.OpenAPI.Responses.Status(status)
	if r == nil || r.Value == nil {
		return nil
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

func makeExchange(op *Operation, rng *rand.Rand, broken bool) (exchange, bool) {
	g := &bodyGen{rng: rng, broken: broken}
	path := op.Path
	query := url.Values{}
	for _, p := range op.checkParams {
		v := g.param(p)
		switch {
		case p.In == openapi3.ParameterInPath:
			if v == "" {
				v = "x"
			}
			path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(v), 1)
		case p.In == openapi3.ParameterInQuery && (p.Required || rng.Intn(2) == 0) && !(broken && rng.Intn(8) == 0):
			query.Add(p.Name, v)
			if broken && rng.Intn(10) == 0 {
				query.Add(p.Name, g.param(p))
			}
		}
	}
	for strings.Contains(path, "{") {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return exchange{}, false
		}
		path = path[:i] + strconv.Itoa(1+rng.Intn(999)) + path[i+j+1:]
	}
	if broken && rng.Intn(6) == 0 {
		query.Add("undeclared", "1")
	}
	u, err := url.Parse("https://testops.example.com" + path + "?" + query.Encode())
	if err != nil {
		return exchange{}, false
	}
	x := exchange{req: Request{Method: op.Method, URL: u, Header: http.Header{}}}
	if rb := op.OpenAPI.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			x.req.Body = []byte(g.body(mt.Schema, true))
			x.req.Header.Set("Content-Type", "application/json")
		}
	}
	status := 200
	var codes []string
	for c := range op.OpenAPI.Responses.Map() {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	x.resp = &Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}}}
	for _, c := range codes {
		n, err := strconv.Atoi(c)
		if err != nil || n >= 300 {
			continue
		}
		x.resp.Status = n
		if r := op.OpenAPI.Responses.Value(c); r != nil && r.Value != nil {
			if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				x.resp.Body = []byte(g.body(mt.Schema, false))
			}
		}
		break
	}
	return x, true
}

// bodyGen writes JSON values from schemas; when broken, about one value
// in a few is replaced by something that may not fit.
type bodyGen struct {
	rng    *rand.Rand
	broken bool
	b      strings.Builder
}

func (g *bodyGen) body(ref *openapi3.SchemaRef, req bool) string {
	g.b.Reset()
	g.value(ref, 0, req)
	return g.b.String()
}

func (g *bodyGen) param(p *openapi3.Parameter) string {
	s := &openapi3.Schema{}
	if p.Schema != nil && p.Schema.Value != nil {
		s = p.Schema.Value
	}
	if g.broken && g.rng.Intn(4) == 0 {
		return []string{"", "abc", "1.5", "-1", "99999999999", "true", "2026-13-01", "%zz"}[g.rng.Intn(8)]
	}
	if len(s.Enum) > 0 {
		return fmt.Sprint(s.Enum[g.rng.Intn(len(s.Enum))])
	}
	switch {
	case s.Type.Is("integer"):
		return strconv.Itoa(g.rng.Intn(100000))
	case s.Type.Is("number"):
		return "2.5"
	case s.Type.Is("boolean"):
		return "false"
	case s.Type.Is("array") && s.Items != nil && s.Items.Value != nil && s.Items.Value.Type.Is("integer"):
		return strconv.Itoa(g.rng.Intn(100))
	}
	return "word" + strconv.Itoa(g.rng.Intn(100))
}

var oddValues = []string{
	`null`, `"x"`, `1`, `1.5`, `-0`, `1e2`, `true`, `{}`, `[]`, `"2026-02-30T10:00:00Z"`,
	`"2026-11-30T09:00:00Z"`, `99999999999999999999`, `2147483648`, `"caf\u00e9 \"q\" \n"`, `[1,1]`, `{"id":1}`,
}

func (g *bodyGen) value(ref *openapi3.SchemaRef, depth int, req bool) {
	if g.broken && g.rng.Intn(12) == 0 {
		g.b.WriteString(oddValues[g.rng.Intn(len(oddValues))])
		return
	}
	if ref == nil || ref.Value == nil || depth > 6 {
		g.b.WriteString("null")
		return
	}
	s := ref.Value
	if s.Nullable && g.rng.Intn(8) == 0 {
		g.b.WriteString("null")
		return
	}
	switch {
	case len(s.OneOf) > 0:
		g.value(s.OneOf[g.rng.Intn(len(s.OneOf))], depth+1, req)
	case len(s.AnyOf) > 0:
		g.value(s.AnyOf[g.rng.Intn(len(s.AnyOf))], depth+1, req)
	case len(s.Enum) > 0:
		g.b.WriteString(strconv.Quote(fmt.Sprint(s.Enum[g.rng.Intn(len(s.Enum))])))
	case s.Type.Is("object") || len(s.Properties) > 0 || len(s.AllOf) > 0:
		g.object(s, depth, req)
	case s.Type.Is("array"):
		g.b.WriteByte('[')
		n := g.rng.Intn(4)
		if depth > 3 {
			n = 0
		}
		for i := 0; i < n; i++ {
			if i > 0 {
				g.b.WriteByte(',')
			}
			g.value(s.Items, depth+1, req)
		}
		g.b.WriteByte(']')
	case s.Type.Is("integer"):
		if s.Min != nil && g.rng.Intn(2) == 0 {
			g.b.WriteString(strconv.FormatFloat(*s.Min+float64(g.rng.Intn(3)), 'f', -1, 64))
		} else {
			g.b.WriteString(strconv.Itoa(g.rng.Intn(1 << 40)))
		}
	case s.Type.Is("number"):
		g.b.WriteString([]string{"2.25", "7", "1e3", "-0.5"}[g.rng.Intn(4)])
	case s.Type.Is("boolean"):
		g.b.WriteString("true")
	case s.Type.Is("string"):
		switch s.Format {
		case "date-time":
			g.b.WriteString(`"2026-11-30T09:00:00Z"`)
		case "date":
			g.b.WriteString(`"2026-11-30"`)
		case "byte":
			g.b.WriteString(`"aGVsbG8="`)
		default:
			n := int(s.MinLength) + g.rng.Intn(6)
			if s.MaxLength != nil && uint64(n) > *s.MaxLength {
				n = int(*s.MaxLength)
			}
			w := strings.Repeat("é", n%3) + strings.Repeat("w", n-n%3)
			if g.rng.Intn(5) == 0 {
				w = strings.Replace(w, "w", `\u0077`, 1)
			}
			g.b.WriteString(`"` + w + `"`)
		}
	default:
		g.b.WriteString(`{"any":[1,"two",null]}`)
	}
}

// object writes an object with the schema's properties and those of its
// allOf, the required ones always.
func (g *bodyGen) object(s *openapi3.Schema, depth int, req bool) {
	props := map[string]*openapi3.SchemaRef{}
	required := map[string]bool{}
	var collect func(s *openapi3.Schema, depth int)
	collect = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for k, v := range s.Properties {
			props[k] = v
		}
		for _, r := range s.Required {
			required[r] = true
		}
		for _, a := range s.AllOf {
			if a != nil {
				collect(a.Value, depth+1)
			}
		}
	}
	collect(s, 0)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	g.b.WriteByte('{')
	first := true
	member := func(name string, write func()) {
		if !first {
			g.b.WriteByte(',')
		}
		first = false
		g.b.WriteString(strconv.Quote(name) + ":")
		write()
	}
	for _, k := range names {
		p := props[k]
		skip := !required[k] && g.rng.Intn(3) == 0
		if g.broken && required[k] && g.rng.Intn(10) == 0 {
			skip = true
		}
		if p != nil && p.Value != nil && (req && p.Value.ReadOnly || !req && p.Value.WriteOnly) && !g.broken {
			skip = true
		}
		if skip {
			continue
		}
		member(k, func() { g.value(p, depth+1, req) })
		if g.broken && g.rng.Intn(30) == 0 {
			member(k, func() { g.value(p, depth+1, req) })
		}
	}
	if s.AdditionalProperties.Schema != nil && g.rng.Intn(2) == 0 {
		member("extra", func() { g.value(s.AdditionalProperties.Schema, depth+1, req) })
	}
	if g.broken && g.rng.Intn(10) == 0 {
		member("undeclaredMember", func() { g.b.WriteString(`"x"`) })
	}
	g.b.WriteByte('}')
}

func round2(r int) bool { return r%2 == 1 }

// kinVerdict is what kin-openapi's own decode and validation say of a
// response body, in the fast path's terms.
func kinVerdict(s *openapi3.Schema, body []byte) verdict {
	return kinVerdictAs(s, body, false)
}

func kinVerdictAs(s *openapi3.Schema, body []byte, req bool) verdict {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return misfit
	}
	direction := openapi3.VisitAsResponse()
	if req {
		direction = openapi3.VisitAsRequest()
	}
	err := s.VisitJSON(v, openapi3.MultiErrors(), direction)
	if err == nil {
		return fits
	}
	c := checker{ix: &Index{artefacts: SpringdocArtefacts}}
	if len(c.schemaMessages(err)) == 0 {
		return ambiguous
	}
	return misfit
}

var fuzzSchemas struct {
	once    sync.Once
	ix      *Index
	schemas []*openapi3.Schema
	seeds   []string
}

// FuzzFastCheck holds the fast path's decoding of any bytes to
// encoding/json's, and its verdict, against any
// response or request schema of the TestOps 26.1.1 document, to
// kin-openapi's own decode and validation: it may leave a body to
// kin-openapi, but never say it fits, or does not, where kin-openapi says
// otherwise.
func FuzzFastCheck(f *testing.F) {
	dir := shareddata.Dir(f, "realworld", "testops")
	fuzzSchemas.once.Do(func() {
		d, err := LoadFile(filepath.Join(dir, "allure-testops-service-26.1.1.openapi.json"))
		if err != nil {
			panic(err)
		}
		fuzzSchemas.ix, _ = NewIndex([]*Document{d}, Options{Artefacts: SpringdocArtefacts})
		seen := map[*openapi3.Schema]bool{}
		rng := rand.New(rand.NewSource(7))
		for _, op := range fuzzSchemas.ix.Operations() {
			for _, code := range []int{200, 201} {
				if s := responseSchema(op, code); s != nil && !seen[s] {
					seen[s] = true
					fuzzSchemas.schemas = append(fuzzSchemas.schemas, s)
					g := &bodyGen{rng: rng, broken: len(fuzzSchemas.seeds)%2 == 1}
					fuzzSchemas.seeds = append(fuzzSchemas.seeds, g.body(&openapi3.SchemaRef{Value: s}, false))
				}
			}
		}
	})
	for i, s := range fuzzSchemas.seeds {
		f.Add([]byte(s), uint16(i), false)
	}
	f.Add([]byte(`{"content":[{"id":1,"id":"x"}],"a":"\ud800","b":1e999}`), uint16(3), true)
	f.Fuzz(func(t *testing.T, body []byte, which uint16, req bool) {
		s := fuzzSchemas.schemas[int(which)%len(fuzzSchemas.schemas)]
		if got, ok := decodeFor(nil, body, req); ok {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var want any
			if err := dec.Decode(&want); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded %#v where encoding/json gives %#v (%v)", got, want, err)
			}
		}
		n := fuzzSchemas.ix.fast.root(s, req)
		v := fastFits(n, body, req)
		if guided, ok := decodeFor(n, body, req); ok && v != fits {
			// Items that fit, decoded once and shared, change no problem.
			plain, _ := decodeFor(nil, body, req)
			c := checker{ix: fuzzSchemas.ix}
			direction := openapi3.VisitAsResponse()
			if req {
				direction = openapi3.VisitAsRequest()
			}
			messages := func(v any) []schemaMessage {
				if err := s.VisitJSON(v, openapi3.MultiErrors(), direction); err != nil {
					return append(c.schemaMessages(err), schemaMessage{text: "an error"})
				}
				return nil
			}
			if got, want := messages(guided), messages(plain); !reflect.DeepEqual(got, want) {
				t.Fatalf("with shared items: %v\nas decoded: %v", got, want)
			}
		}
		if v == unsure {
			return
		}
		if k := kinVerdictAs(s, body, req); k != v {
			t.Fatalf("the fast path says %d where kin-openapi says %d", v, k)
		}
	})
}

// TestFastCheckBigPage checks a page of thousands of items, a few broken,
// as kin-openapi alone does: the items that fit are decoded once and
// shared, and the broken ones must still be reported at their places.
func TestFastCheckBigPage(t *testing.T) {
	docs := testOpsDocs(t)
	fast, kin := pairIndexes(t, docs[1:])
	var op *Operation
	var page *openapi3.Schema
	for _, o := range fast.Operations() {
		if o.Method != "GET" {
			continue
		}
		if s := responseSchema(o, 200); s != nil && len(s.OneOf) == 0 && s.Properties["content"] != nil {
			if c := s.Properties["content"].Value; c != nil && c.Items != nil && c.Items.Value != nil && len(c.Items.Value.Properties) > 3 {
				op, page = o, s
				break
			}
		}
	}
	if op == nil {
		t.Fatal("no paged GET operation in the document")
	}
	// Some generated items repeat a member of a uniqueItems set, which
	// both sides must report alike too.
	rng := rand.New(rand.NewSource(3))
	g := &bodyGen{rng: rng}
	items := make([]string, 3000)
	for i := range items {
		items[i] = g.body(page.Properties["content"].Value.Items, false)
	}
	for _, tc := range []struct {
		name   string
		broken []int
	}{
		{"every item fits", nil},
		{"one broken item in the middle", []int{1500}},
		{"broken first, last and beside each other", []int{0, 700, 701, 2999}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := append([]string(nil), items...)
			for _, i := range tc.broken {
				body[i] = `{"id":"not-a-number","name":42}`
			}
			x := exchange{
				req:  Request{Method: "GET", URL: mustURL(t, "https://testops.example.com"+strings.ReplaceAll(op.Path, "{id}", "1"))},
				resp: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"content":[` + strings.Join(body, ",") + `],"totalElements":3000}`)},
			}
			m, mk := fast.Lookup("GET", x.req.URL), kin.Lookup("GET", x.req.URL)
			got, want := fast.Check(m, x.req, x.resp), kin.Check(mk, x.req, x.resp)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("fast: %v\nkin:  %v", got, want)
			}
			for _, i := range tc.broken {
				at := fmt.Sprintf("$.content[%d]", i)
				found := false
				for _, p := range got {
					found = found || strings.HasPrefix(p.Where, at)
				}
				if !found {
					t.Errorf("no problem at %s among %d", at, len(got))
				}
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// BenchmarkCheckPage checks a 1 MB page of TestOps launches, every item
// fitting, with the compiled schemas and with openapi3filter alone, in
// one run.
func BenchmarkCheckPage(b *testing.B) {
	dir := shareddata.Dir(b, "realworld", "testops")
	d, err := LoadFile(filepath.Join(dir, "allure-testops-service-26.1.1.openapi.json"))
	if err != nil {
		b.Fatal(err)
	}
	fast, kin := pairIndexes(b, []*Document{d})
	u, _ := url.Parse("https://testops.example.com/api/launch?projectId=1&page=0&size=10&sort=created_date,DESC")
	// springdoc's oneOf of two page types, as TestOps lists answer.
	s := responseSchema(fast.Lookup("GET", u).Operation, 200)
	if s != nil && len(s.OneOf) > 0 {
		s = s.OneOf[0].Value
	}
	if s == nil || s.Properties["content"] == nil {
		b.Fatal("GET /api/launch answers no page")
	}
	g := &bodyGen{rng: rand.New(rand.NewSource(1))}
	var items []string
	for n := 0; n < 1<<20; {
		items = append(items, g.body(s.Properties["content"].Value.Items, false))
		n += len(items[len(items)-1])
	}
	body := []byte(`{"content":[` + strings.Join(items, ",") + `],"totalElements":1}`)
	req := Request{Method: "GET", URL: u}
	resp := &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	if os.Getenv("FASTCHECK_SHOW") != "" {
		full := responseSchema(fast.Lookup("GET", u).Operation, 200)
		b.Logf("verdict %d, problems %.500v", fastFits(fast.fast.root(full, false), body, false), kin.Check(kin.Lookup("GET", u), req, resp))
	}
	for _, side := range []struct {
		name string
		ix   *Index
	}{{"spec", fast}, {"kin", kin}} {
		b.Run(side.name, func(b *testing.B) {
			m := side.ix.Lookup(req.Method, u)
			want := kin.Check(kin.Lookup(req.Method, u), req, resp)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if p := side.ix.Check(m, req, resp); !reflect.DeepEqual(p, want) {
					b.Fatal(p)
				}
			}
		})
	}
}
