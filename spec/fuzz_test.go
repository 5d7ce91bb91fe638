package spec

import (
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func seedFromTestdata(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	shared, err := filepath.Glob(filepath.Join("..", "testdata", "spec", "*"))
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, shared...)
	for _, file := range files {
		if fi, err := os.Stat(file); err != nil || fi.IsDir() {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzLoad feeds arbitrary documents through the whole pipeline: Load,
// NewIndex, a lookup of every operation and a Check. Nothing may panic, and
// a document that loads must index and resolve its own operations.
func FuzzLoad(f *testing.F) {
	seedFromTestdata(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Load(NewSource("fuzz", "fuzz.yaml", data, time.Time{}))
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
				t.Fatalf("error must be one line naming the file: %q", err)
			}
			return
		}
		for _, w := range d.Warnings {
			if strings.Contains(w.String(), "\n") {
				t.Fatalf("warning must be one line: %q", w)
			}
		}
		ix, err := NewIndex([]*Document{d}, Options{Aliases: TestOpsAliases, Artefacts: SpringdocArtefacts})
		if err != nil {
			t.Fatalf("a loaded document must index: %v", err)
		}
		rng := rand.New(rand.NewSource(1))
		for i, op := range ix.Operations() {
			if i == 20 {
				break
			}
			u := &url.URL{Path: concretePath(op, rng)}
			m := ix.Lookup(op.Method, u)
			ix.Check(m, Request{Method: op.Method, URL: u, Body: []byte(`{"a":1}`)}, &Response{Status: 200, Body: []byte(`[1]`)})
		}
	})
}

// FuzzLookup throws arbitrary methods and URLs at an index of the shop
// spec: a lookup never panics, and what it finds fits the request.
func FuzzLookup(f *testing.F) {
	ix := shopIndex(f, Options{Hosts: []string{"eu.shop.example"}, Aliases: []Alias{{From: "/api/v1", To: "/api"}, {From: "/x", To: ""}}})
	for _, s := range []string{
		"/api/orders", "/api/orders/42", "/api/orders/search", "/api/orders/1/items/0e8b8d1e-1c2b-4f3a-9d5e-123456789abc",
		"/api/files/a.json", "/api/files/a%2F.json", "/api/health/", "/api/v1/users/me", "https://eu.shop.example/api/reports/daily",
		"//", "/api/orders/;", "/api/files/%zz", "https://other/api/orders", "/x/api/orders/5/",
		"/api/files/a/b%2Fc/d.txt", "/API/Orders/5/items", "/api/files//x",
	} {
		f.Add("GET", s)
	}
	f.Add("options", "/api/orders/5")
	f.Add("HEAD", "/api/files/x")
	f.Fuzz(func(t *testing.T, method, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		m := ix.Lookup(method, u)
		switch m.Outcome {
		case Found:
			if m.Operation == nil || len(m.Params) != len(m.Operation.pathNames) {
				t.Fatalf("%s %s: found without an operation or with %d params", method, raw, len(m.Params))
			}
			if want := strings.ToUpper(method); m.Operation.Method != want && !(m.ViaGET && want == "HEAD") {
				t.Fatalf("%s %s: found %s", method, raw, m.Operation)
			}
		case MethodNotAllowed, Preflight:
			if len(m.Allowed) == 0 || m.Operation == nil {
				t.Fatalf("%s %s: %v without allowed methods", method, raw, m.Outcome)
			}
		}
		if m.Spanning != "" && m.Outcome != Found {
			t.Fatalf("%s %s: a spanning parameter without a found operation", method, raw)
		}
		if near := ix.Near(method, u); len(near) > maxNearMisses {
			t.Fatalf("%s %s: %d near misses, more than %d", method, raw, len(near), maxNearMisses)
		}
		ix.Check(m, Request{Method: method, URL: u}, &Response{Status: 200})
	})
}
