package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/shareddata"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

var paramRE = regexp.MustCompile(`\{[^}]*\}`)

// shapeOf is a template with its parameter names aside.
func shapeOf(method, path string) string { return method + " " + paramRE.ReplaceAllString(path, "{}") }

type seeded struct {
	method, path string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// TestInferRecoversRemovedTestOpsOperations removes a seeded set of
// operations across many tags from a real TestOps document, records
// traffic for them (and for operations it keeps) from the full document,
// and scores what --infer recovers against the reduced document.
func TestInferRecoversRemovedTestOpsOperations(t *testing.T) {
	dir := shareddata.Dir(t, "realworld", "testops")
	for _, name := range []string{"allure-testops-service-26.1.1.openapi.json", "allure-testops-service-25.4.1.openapi.json"} {
		t.Run(name, func(t *testing.T) { inferRemoved(t, filepath.Join(dir, name)) })
	}
}

func inferRemoved(t *testing.T, full string) {
	doc, err := spec.LoadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	policy := match.TestOpsPolicy()
	rnd := rand.New(rand.NewPCG(18, 2026))
	byTag := map[string][]seeded{}
	for _, path := range doc.OpenAPI.Paths.InMatchingOrder() {
		item := doc.OpenAPI.Paths.Value(path)
		for method, op := range item.Operations() {
			if !strings.HasPrefix(path, "/api/") || policy.IsAuth(path) || policy.IsUpload(path) || len(op.Tags) == 0 || hasObjectPathParam(item, op) {
				continue
			}
			byTag[op.Tags[0]] = append(byTag[op.Tags[0]], seeded{method, path, item, op})
		}
	}
	tags := make([]string, 0, len(byTag))
	for tg, ops := range byTag {
		sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
		tags = append(tags, tg)
	}
	sort.Strings(tags)
	rnd.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	// Forty controllers lose operations: a few lose all, most one to four.
	removed, kept := map[string]seeded{}, []seeded{}
	for i, tg := range tags {
		ops := byTag[tg]
		n := 0
		switch {
		case i < 5:
			n = len(ops)
		case i < 40:
			n = min(len(ops), 1+rnd.IntN(4))
		}
		perm := rnd.Perm(len(ops))
		for j, k := range perm {
			if j < n {
				removed[shapeOf(strings.ToUpper(ops[k].method), ops[k].path)] = ops[k]
			} else if rnd.IntN(8) == 0 {
				kept = append(kept, ops[k])
			}
		}
	}

	dir := t.TempDir()
	reduced := writeReduced(t, full, removed, filepath.Join(dir, "reduced.json"))
	gen := newTraffic(7, "testops.example.com")
	var training, heldBack []*har.Entry
	for _, key := range sortedKeys(removed) {
		s := removed[key]
		for range 3 {
			training = append(training, gen.call(strings.ToUpper(s.method), s.path, s.item, s.op))
		}
		heldBack = append(heldBack, gen.call(strings.ToUpper(s.method), s.path, s.item, s.op))
	}
	for _, s := range kept {
		training = append(training, gen.call(strings.ToUpper(s.method), s.path, s.item, s.op))
	}
	rec := writeHAR(t, dir, "training.har", training)
	inferred := filepath.Join(dir, "inferred.yaml")
	code, out, errs := runMatch(t, "--spec", reduced, "--infer", inferred, "--json", rec)
	if code != 0 {
		t.Fatalf("match --infer exited %d: %s", code, errs)
	}

	// Score the templates.
	got := map[string]map[string]any{}
	for _, line := range jsonLines(t, out) {
		if line["kind"] == "inferred" {
			got[shapeOf(line["method"].(string), line["template"].(string))] = line
		}
	}
	shadows, reused := 0, 0
	for _, line := range got {
		if line["shadows"] != nil {
			shadows++
		}
		if line["components"] != nil {
			reused++
		}
	}
	t.Logf("%d inferred operations are literal routes beside a typed template; %d reuse the spec's components", shadows, reused)
	// A reused component is one the removed operation's bodies refer to.
	right := 0
	for k, line := range got {
		s, ok := removed[k]
		comps, _ := line["components"].([]any)
		if !ok || len(comps) == 0 {
			continue
		}
		refs := bodyRefs(s.op)
		all := true
		for _, c := range comps {
			all = all && refs[c.(string)]
		}
		if all {
			right++
		} else {
			t.Logf("%s reuses %v; its bodies refer to %v", k, comps, sortedKeys(refs))
		}
	}
	if reused == 0 || right < reused*9/10 {
		t.Errorf("%d of %d operations that reuse components reuse ones their bodies refer to, want nine in ten", right, reused)
	}
	recovered, invented := 0, []string{}
	for k := range removed {
		if got[k] != nil {
			recovered++
		}
	}
	for k := range got {
		if _, ok := removed[k]; !ok {
			invented = append(invented, k)
		}
	}
	sort.Strings(invented)
	var missed []string
	for k := range removed {
		if got[k] == nil {
			missed = append(missed, k)
		}
	}
	sort.Strings(missed)
	recall := float64(recovered) / float64(len(removed))
	inventedShare := float64(len(invented)) / float64(max(1, len(got)))
	t.Logf("removed %d operations across %d tags (%d training calls, %d of kept operations): recovered %d (%.1f%%), inferred %d, invented %d (%.1f%%)",
		len(removed), 40, len(training), len(kept), recovered, 100*recall, len(got), len(invented), 100*inventedShare)
	if recall < 0.95 {
		t.Errorf("recovered %.1f%% of the removed templates, want at least 95%%; missed: %s", 100*recall, strings.Join(missed, "; "))
	}
	if inventedShare > 0.05 {
		t.Errorf("%.1f%% of the inferred templates were never removed, want at most 5%%: %s", 100*inventedShare, strings.Join(invented, "; "))
	}

	// The document loads and validates in kin-openapi on its own.
	loader := openapi3.NewLoader()
	idoc, err := loader.LoadFromFile(inferred)
	if err != nil {
		t.Fatalf("kin-openapi does not load the inferred document: %v", err)
	}
	if err := idoc.Validate(loader.Context); err != nil {
		t.Fatalf("the inferred document does not validate: %v", err)
	}

	// With both documents, the training calls the reduced spec did not
	// document now match, with no drift.
	code, out, errs = runMatch(t, "--spec", reduced, "--spec", inferred, "--json", rec)
	if code != 0 {
		t.Fatalf("match with both documents exited %d: %s", code, errs)
	}
	for _, line := range jsonLines(t, out) {
		if line["kind"] != "entry" {
			continue
		}
		op, _ := line["operation"].(map[string]any)
		if op != nil && op["document"] == filepath.Base(inferred) && line["verdict"] != "matched" {
			t.Errorf("training call %v %v: %v against the inferred operation: %v", line["method"], line["url"], line["verdict"], line["problems"])
		}
		if line["verdict"] == "undocumented" {
			t.Errorf("training call %v %v is still undocumented", line["method"], line["url"])
		}
	}

	// Held-back calls of the same operations fit the inferred schemas, and
	// one with a wrong-typed member does not.
	var mutated []*har.Entry
	for _, e := range heldBack {
		if m := wrongTyped(e); m != nil {
			mutated = append(mutated, m)
		}
	}
	for _, c := range []struct {
		name    string
		entries []*har.Entry
		want    string
		share   float64
	}{
		{"held-back calls fit their inferred operations", heldBack, "matched", 0.95},
		{"a held-back answer with a member of the wrong type drifts", mutated, "drift", 0.95},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runMatch(t, "--spec", reduced, "--spec", inferred, "--json", writeHAR(t, dir, "check.har", c.entries))
			if code != 0 {
				t.Fatalf("match exited %d: %s", code, errs)
			}
			n, ok := 0, 0
			var bad []string
			for _, line := range jsonLines(t, out) {
				if line["kind"] != "entry" {
					continue
				}
				op, _ := line["operation"].(map[string]any)
				if op == nil || op["document"] != filepath.Base(inferred) {
					continue // its template was not recovered; scored above
				}
				n++
				if line["verdict"] == c.want {
					ok++
				} else {
					bad = append(bad, line["method"].(string)+" "+line["url"].(string)+": "+line["verdict"].(string))
				}
			}
			t.Logf("%d of %d are %s", ok, n, c.want)
			if n == 0 || float64(ok) < c.share*float64(n) {
				t.Errorf("%d of %d are %s, want %.0f%%; the others: %s", ok, n, c.want, 100*c.share, strings.Join(bad, "; "))
			}
		})
	}
}

func hasObjectPathParam(item *openapi3.PathItem, op *openapi3.Operation) bool {
	for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
		if p.Value != nil && p.Value.In == "path" && p.Value.Schema != nil && p.Value.Schema.Value != nil &&
			p.Value.Schema.Value.Type != nil && p.Value.Schema.Value.Type.Is(openapi3.TypeObject) {
			return true
		}
	}
	return false
}

// wrongTyped returns a copy of e whose JSON answer has its first scalar
// member's value replaced by one of another type, or nil when the answer
// has no such member.
func wrongTyped(e *har.Entry) *har.Entry {
	body, _ := e.ResponseBody()
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil || len(obj) == 0 {
		return nil
	}
	for _, k := range sortedKeys(obj) {
		switch obj[k].(type) {
		case string:
			obj[k] = 12345
		case float64:
			obj[k] = "not a number"
		case bool:
			obj[k] = "not a boolean"
		default:
			continue
		}
		c := *e
		b, _ := json.Marshal(obj)
		c.SetResponseBody(b, "application/json")
		return &c
	}
	return nil
}

// writeReduced writes the document at full without the removed operations.
func writeReduced(t *testing.T, full string, removed map[string]seeded, out string) string {
	t.Helper()
	data, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	paths := root["paths"].(map[string]any)
	for _, s := range removed {
		item := paths[s.path].(map[string]any)
		delete(item, strings.ToLower(s.method))
		if len(item) == 0 || len(item) == 1 && item["parameters"] != nil {
			delete(paths, s.path)
		}
	}
	b, _ := json.Marshal(root)
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func writeHAR(t *testing.T, dir, name string, entries []*har.Entry) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}, Entries: entries}}
	if err := har.WriteFile(p, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	return lines
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestInferFromRealHARsWithoutSpec infers a document from each shared
// real-world HAR with at least ten API calls, with no spec at all: the
// document loads and validates in kin-openapi, and every API call of the
// HAR matches it with no drift of its own.
func TestInferFromRealHARsWithoutSpec(t *testing.T) {
	root := shareddata.Dir(t, "realworld", "har")
	var hars []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".har") {
			hars = append(hars, p)
		}
		return nil
	})
	tested := 0
	for _, h := range hars {
		name, _ := filepath.Rel(root, h)
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "inferred.json")
			code, stdout, errs := runMatch(t, "--infer", out, "--json", h)
			api := map[float64]map[string]any{}
			for _, line := range jsonLines(t, stdout) {
				if line["kind"] == "entry" && line["verdict"] == "undocumented" {
					api[line["seq"].(float64)] = line
				}
			}
			if len(api) < 10 {
				if len(api) == 0 && code != 2 {
					t.Errorf("a recording with no API call: exit %d, want 2 and a message", code)
				}
				t.Skipf("%d API calls: fewer than ten", len(api))
			}
			tested++
			if code != 0 {
				t.Fatalf("match --infer exited %d: %s", code, errs)
			}
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromFile(out)
			if err != nil {
				t.Fatalf("kin-openapi does not load the document: %v", err)
			}
			if err := doc.Validate(loader.Context); err != nil {
				t.Fatalf("the document does not validate: %v", err)
			}
			entries := readEntries(t, h)
			code, stdout, errs = runMatch(t, "--spec", out, "--json", h)
			if code != 0 {
				t.Fatalf("match against the inferred document exited %d: %s", code, errs)
			}
			matched, excused := 0, 0
			for _, line := range jsonLines(t, stdout) {
				if line["kind"] != "entry" || api[line["seq"].(float64)] == nil {
					continue
				}
				if why := unmatchable(entries[int(line["seq"].(float64))-1]); why != "" {
					excused++
					t.Logf("not held to the document: %v %v: %s", line["method"], line["url"], why)
					continue
				}
				if line["verdict"] != "matched" {
					t.Errorf("%v %v: %v %v %v", line["method"], line["url"], line["verdict"], line["reason"], line["problems"])
					continue
				}
				matched++
			}
			t.Logf("%d API calls: %d match the %d inferred operations, %d not held to it", len(api), matched, len(doc.Paths.Map()), excused)
		})
	}
	if tested == 0 {
		t.Error("no shared HAR has ten API calls or more")
	}
}

// unmatchable says why a recorded call cannot match any OpenAPI document,
// or "": a method OpenAPI 3.1 has no place for, or an answer whose own
// Content-Type says JSON over a body that is not.
func unmatchable(e *har.Entry) string {
	switch strings.ToUpper(e.Request.Method) {
	case "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE":
	default:
		return "method " + e.Request.Method + " has no place in an OpenAPI 3.1 path item"
	}
	body, _ := e.ResponseBody()
	if strings.Contains(e.Response.HTTPHeader().Get("Content-Type"), "json") && len(strings.TrimSpace(string(body))) > 0 && !json.Valid(body) {
		return "its Content-Type header says JSON and its body is not JSON"
	}
	return ""
}

func readEntries(t *testing.T, p string) []*har.Entry {
	t.Helper()
	rd, err := har.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	f, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return f.Log.Entries
}

// TestInferCommand runs match --infer on small recordings made for each
// behaviour and each kind of bad input.
func TestInferCommand(t *testing.T) {
	specPath, _ := fixture(t)
	launch := `{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`
	entry := func(method, u string, status int, ct, body string) *har.Entry {
		e := &har.Entry{StartedDateTime: "2026-01-02T03:04:05.000Z", Request: har.Request{Method: method, URL: u, HTTPVersion: "HTTP/1.1"}, Response: har.Response{Status: status}}
		if body != "" {
			e.Response.Headers = []har.NameValue{{Name: "Content-Type", Value: ct}}
			e.SetResponseBody([]byte(body), ct)
		}
		return e
	}
	var secretCalls []*har.Entry
	for i := range 12 {
		e := entry("GET", fmt.Sprintf("http://testops.test/api/widget/%d/data?api_key=SeCrEtKeY%04d1234&view=table", 1000+i, i%2), 200, "application/json",
			fmt.Sprintf(`{"state":%q,"token":"tok-%d-SECRETSECRET","jwt":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2ln"}`, []string{"open", "closed"}[i%2], i%2))
		e.Request.Headers = []har.NameValue{{Name: "Cookie", Value: "SESSION=CoOkIeVaLuE12345678"}}
		secretCalls = append(secretCalls, e)
	}
	// A 6 MB answer is streamed rather than decoded whole; one cut short
	// by the recorder says nothing of its schema.
	var big strings.Builder
	big.WriteString(`{"items":[`)
	for i := range 60000 {
		if i > 0 {
			big.WriteByte(',')
		}
		fmt.Fprintf(&big, `{"id":%d,"name":"item number %d","createdDate":"2026-01-02T03:04:05Z"}`, i, i)
	}
	big.WriteString(`]}`)
	cut := entry("GET", "http://a.test/api/export/202", 200, "application/json", big.String()[:1<<20])
	cut.Response.Content.MarkTruncated("cut at 1 MiB")
	for _, c := range []struct {
		name    string
		entries []*har.Entry
		args    []string // before the recording; OUT stands for the output file
		code    int
		out     []string // in the report (standard output)
		errs    []string // in standard error
		written bool
		check   func(t *testing.T, doc []byte)
	}{
		{
			name: "undocumented calls and literal routes beside a typed template are inferred, listed by tag",
			entries: []*har.Entry{
				entry("GET", "http://testops.test/api/launch/104", 200, "application/json", launch),
				entry("GET", "http://testops.test/api/launch/suggest?query=a", 200, "application/json", `[{"id":1,"name":"a"}]`),
				entry("GET", "http://testops.test/api/launch/suggest?query=b", 200, "application/json", `[{"id":2,"name":"b"}]`),
				entry("GET", "http://testops.test/api/widget/101/data", 200, "application/json", `{"rows":[]}`),
				entry("GET", "http://testops.test/api/widget/202/data", 200, "application/json", `{"rows":[1]}`),
			},
			args: []string{"--spec", specPath, "--infer", "OUT.json"}, code: 0, written: true,
			out: []string{"inferred 2 operations the spec does not document, by tag:", "launch-controller",
				"GET /api/launch/suggest", "2 calls", "beside GET /api/launch/{id}", "GET /api/widget/{widgetId}/data"},
			errs: []string{"wrote"},
		},
		{
			name:    "a recording with no API call, and no spec: an error, and no file",
			entries: []*har.Entry{entry("GET", "http://testops.test/", 200, "text/html", "<html></html>"), entry("GET", "http://testops.test/app.js", 200, "application/javascript", "1")},
			args:    []string{"--infer", "OUT.json"}, code: 2,
			errs: []string{"match: error: no API calls to infer from: none of the 2 calls", "match: hint: name the instance with --host"},
		},
		{
			name:    "every API call documented: nothing to infer, and no file",
			entries: []*har.Entry{entry("GET", "http://testops.test/api/launch/104", 200, "application/json", launch)},
			args:    []string{"--spec", specPath, "--infer", "OUT.json"}, code: 0,
			out: []string{"nothing to infer: all 1 API calls are in the spec"},
		},
		{
			name:    "a recording with no API call, with a spec: an error too",
			entries: []*har.Entry{entry("GET", "http://testops.test/", 200, "text/html", "<html></html>")},
			args:    []string{"--spec", specPath, "--infer", "OUT.json"}, code: 2,
			errs: []string{"match: error: no API calls to infer from: none of the 1 calls"},
		},
		{
			name: "one call per path: the document is written, with a warning that its types are guesses",
			entries: []*har.Entry{entry("GET", "http://a.test/api/x", 200, "application/json", `{"a":1}`),
				entry("GET", "http://a.test/api/y", 200, "application/json", `{"b":1}`)},
			args: []string{"--infer", "OUT.yaml"}, code: 0, written: true,
			errs: []string{"match: warning: 2 of the 2 inferred operations rest on one call each"},
			check: func(t *testing.T, doc []byte) {
				if !strings.HasPrefix(string(doc), "info:") && !strings.Contains(string(doc), "\nopenapi: 3.1.0") {
					t.Errorf("a .yaml file is not written as YAML:\n%s", doc)
				}
			},
		},
		{
			name:    "huge answers: a whole one gives its schema, one cut short is left open with a warning",
			entries: []*har.Entry{entry("GET", "http://a.test/api/export/101", 200, "application/json", big.String()), cut},
			args:    []string{"--infer", "OUT.json"}, code: 0, written: true,
			errs: []string{"match: warning: 1 bodies were cut short when recorded"},
			check: func(t *testing.T, doc []byte) {
				if !strings.Contains(string(doc), `"createdDate"`) || !strings.Contains(string(doc), `"date-time"`) {
					t.Errorf("the big answer's schema is missing:\n%.2000s", doc)
				}
				if len(doc) > 64<<10 {
					t.Errorf("the document is %d bytes: it holds more than the answer's shape", len(doc))
				}
			},
		},
		{
			name: "--infer - and --json both want standard output", entries: []*har.Entry{entry("GET", "http://a.test/api/x", 200, "", "")},
			args: []string{"--infer", "-", "--json"}, code: 2,
			errs: []string{"match: error: --infer - and the other output both write to standard output"},
		},
		{
			name: "a folder that does not exist: one line naming it", entries: []*har.Entry{entry("GET", "http://a.test/api/x", 200, "", "")},
			args: []string{"--infer", "OUT/missing/x.json"}, code: 2,
			errs: []string{"match: error: ", "missing"},
		},
		{
			name: "secrets give no enum and no literal, and never reach the document; a closed set does give an enum", entries: secretCalls,
			args: []string{"--infer", "OUT.json"}, code: 0, written: true,
			check: func(t *testing.T, doc []byte) {
				for _, s := range []string{"SeCrEtKeY", "SECRETSECRET", "CoOkIeVaLuE", "eyJhbGciOiJIUzI1NiJ9"} {
					if strings.Contains(string(doc), s) {
						t.Errorf("the document holds the secret %q:\n%s", s, doc)
					}
				}
				if !strings.Contains(string(doc), `"enum"`) || !strings.Contains(string(doc), `"closed"`) {
					t.Errorf("the closed set of states gave no enum:\n%s", doc)
				}
				if !strings.Contains(string(doc), `"/api/widget/{widgetId}/data"`) {
					t.Errorf("the template is missing:\n%s", doc)
				}
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rec := filepath.Join(dir, "rec.har")
			f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}, Entries: c.entries}}
			if err := har.WriteFile(rec, f, har.WriterOptions{KeepSecrets: true}); err != nil {
				t.Fatal(err)
			}
			var args []string
			var outFile string
			for _, a := range c.args {
				if rest, ok := strings.CutPrefix(a, "OUT"); ok {
					outFile = filepath.Join(dir, "inferred"+rest)
					a = outFile
				}
				args = append(args, a)
			}
			code, out, errs := runMatch(t, append(args, rec)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, errs)
			}
			for _, s := range c.out {
				if !strings.Contains(out, s) {
					t.Errorf("report lacks %q:\n%s", s, out)
				}
			}
			for _, s := range c.errs {
				if !strings.Contains(errs, s) {
					t.Errorf("standard error lacks %q:\n%s", s, errs)
				}
			}
			if code == 2 && strings.Count(errs, "match: error:") != 1 {
				t.Errorf("want one error line, got:\n%s", errs)
			}
			doc, err := os.ReadFile(outFile)
			if c.written != (err == nil) {
				t.Fatalf("document written: %v, want %v", err == nil, c.written)
			}
			if !c.written {
				if matches, _ := filepath.Glob(filepath.Join(dir, "inferred*")); len(matches) > 0 {
					t.Errorf("left behind: %v", matches)
				}
				return
			}
			if _, err := openapi3.NewLoader().LoadFromData(doc); err != nil {
				t.Errorf("kin-openapi does not load the document: %v", err)
			}
			if c.check != nil {
				c.check(t, doc)
			}
		})
	}
}

// bodyRefs names the components an operation's bodies refer to, a few
// levels down.
func bodyRefs(op *openapi3.Operation) map[string]bool {
	out := map[string]bool{}
	var walk func(r *openapi3.SchemaRef, depth int)
	walk = func(r *openapi3.SchemaRef, depth int) {
		if r == nil || depth > 6 {
			return
		}
		if name, ok := strings.CutPrefix(r.Ref, "#/components/schemas/"); ok {
			out[name] = true
		}
		if r.Value == nil {
			return
		}
		for _, p := range r.Value.Properties {
			walk(p, depth+1)
		}
		walk(r.Value.Items, depth+1)
		walk(r.Value.AdditionalProperties.Schema, depth+1)
		for _, list := range []openapi3.SchemaRefs{r.Value.AllOf, r.Value.OneOf, r.Value.AnyOf} {
			for _, x := range list {
				walk(x, depth+1)
			}
		}
	}
	var contents []openapi3.Content
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		contents = append(contents, op.RequestBody.Value.Content)
	}
	if op.Responses != nil {
		for _, r := range op.Responses.Map() {
			if r.Value != nil {
				contents = append(contents, r.Value.Content)
			}
		}
	}
	for _, c := range contents {
		for _, mt := range c {
			walk(mt.Schema, 0)
		}
	}
	return out
}
