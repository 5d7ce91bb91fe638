package spec

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tolerant := shopIndex(t, Options{Artefacts: SpringdocArtefacts})
	strict := shopIndex(t, Options{})
	jsonHeader := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	page := `{"content":[{"id":1,"item":"tea","quantity":2}],"totalElements":1}`
	tests := []struct {
		reason string
		strict bool
		method string
		url    string
		header http.Header
		body   string
		resp   *Response
		want   []string
	}{
		{reason: "a springdoc page call: csrfToken not sent, a page that fits both oneOf branches",
			method: "GET", url: "/api/orders?page=0&size=10&sort=id,desc&sort=item,asc",
			resp: &Response{Status: 200, Header: jsonHeader, Body: []byte(page)}},
		{reason: "the same call without tolerating springdoc's artefacts", strict: true,
			method: "GET", url: "/api/orders?page=0",
			resp: &Response{Status: 200, Header: jsonHeader, Body: []byte(page)},
			want: []string{
				"missing-param query.csrfToken: required query parameter was not sent",
				`invalid-response-body $: value matches more than one schema from "oneOf" (matches schemas at indices [0 1])`,
			}},
		{reason: "a browser that does send csrfToken is not drifting",
			method: "GET", url: "/api/orders?csrfToken=abc"},
		{reason: "an undocumented query parameter and a value under its minimum",
			method: "GET", url: "/api/orders?size=0&debug=1",
			want: []string{
				"undocumented-query query.debug: query parameter is not in the spec",
				"invalid-param query.size: number must be at least 1",
			}},
		{reason: "a required query parameter missing",
			method: "GET", url: "/api/orders/search",
			want: []string{"missing-param query.rql: required query parameter was not sent"}},
		{reason: "an exploded object parameter takes any query key",
			method: "GET", url: "/api/search?color=red&size=xl"},
		{reason: "a valid JSON body",
			method: "POST", url: "/api/orders", header: jsonHeader, body: `{"item":"tea","quantity":2}`,
			resp: &Response{Status: 200, Header: jsonHeader, Body: []byte(`{"id":7,"item":"tea","quantity":2}`)}},
		{reason: "a body missing a required property, another of the wrong type",
			method: "POST", url: "/api/orders", header: jsonHeader, body: `{"quantity":"two"}`,
			want: []string{
				"invalid-request-body $.quantity: value must be an integer",
				`invalid-request-body $.item: property "item" is missing`,
			}},
		{reason: "JSON with its Content-Type lost in the recording is still checked as JSON",
			method: "POST", url: "/api/orders", body: `{"item":"tea","quantity":0}`,
			want: []string{"invalid-request-body $.quantity: number must be at least 1"}},
		{reason: "JSON sent as text/plain is a media type the operation does not take",
			method: "POST", url: "/api/orders", header: http.Header{"Content-Type": {"text/plain;charset=UTF-8"}}, body: `{"item":"tea","quantity":2}`,
			want: []string{`undocumented-content-type request.content-type: media type "text/plain;charset=UTF-8" is not in the spec`}},
		{reason: "a required body not sent",
			method: "POST", url: "/api/orders",
			want: []string{"missing-request-body request.body: required request body was not sent"}},
		{reason: "a body the operation does not declare",
			method: "DELETE", url: "/api/orders/3", header: jsonHeader, body: `{"force":true}`,
			want: []string{"undocumented-request-body request.body: the operation declares no request body"}},
		{reason: "an id past int64 routes by its digits but is not a valid int64",
			method: "GET", url: "/api/orders/99999999999999999999",
			want: []string{"invalid-param path.orderId: value 99999999999999999999: an invalid integer: value out of range"}},
		{reason: "a status the operation does not list",
			method: "GET", url: "/api/orders/3", resp: &Response{Status: 500},
			want: []string{"undocumented-status status: status 500 is not in the spec (it lists 200, 404)"}},
		{reason: "a 304 revalidates the browser's cache: neither its status nor its (empty) body is the operation's answer",
			method: "GET", url: "/api/orders/3", resp: &Response{Status: 304, Header: jsonHeader}},
		{reason: "a documented 404 is not drift",
			method: "GET", url: "/api/orders/3", resp: &Response{Status: 404, Header: jsonHeader, Body: []byte(`{"message":"no"}`)}},
		{reason: "a response body of the wrong shape",
			method: "GET", url: "/api/orders/3", resp: &Response{Status: 200, Header: jsonHeader, Body: []byte(`{"id":"x","item":"tea"}`)},
			want: []string{"invalid-response-body $.id: value must be an integer"}},
		{reason: `a "*/*" response without Content-Type is checked when the body is JSON`,
			method: "POST", url: "/api/orders", header: jsonHeader, body: `{"item":"tea","quantity":2}`,
			resp: &Response{Status: 200, Body: []byte(`{"id":7}`)},
			want: []string{`invalid-response-body $.item: property "item" is missing`}},
		{reason: "XML where the spec declares JSON",
			method: "GET", url: "/api/orders/3", resp: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/xml"}}, Body: []byte(`<order/>`)},
			want: []string{`undocumented-content-type response.content-type: media type "application/xml" is not in the spec`}},
		{reason: "a decodable media type the response does not declare reads like the request's",
			method: "GET", url: "/api/orders/3", resp: &Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(`oops`)},
			want: []string{`undocumented-content-type response.content-type: media type "text/plain" is not in the spec`}},
		{reason: "a required response header missing, and the body still checked",
			method: "GET", url: "/api/orders/1/items/0e8b8d1e-1c2b-4f3a-9d5e-123456789abc",
			resp: &Response{Status: 200, Header: jsonHeader, Body: []byte(`{"id":1}`)},
			want: []string{
				`invalid-response-header response.header.X-Rate-Limit: response header "X-Rate-Limit" missing`,
				`invalid-response-body $.item: property "item" is missing`,
			}},
		{reason: "a response header that does not fit its schema",
			method: "GET", url: "/api/orders/1/items/0e8b8d1e-1c2b-4f3a-9d5e-123456789abc",
			resp: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Rate-Limit": {"lots"}}, Body: []byte(`{"id":1,"item":"tea"}`)},
			want: []string{
				`invalid-response-header response.header.X-Rate-Limit: unable to decode header "X-Rate-Limit" value: value lots: an invalid integer: invalid syntax`,
			}},
		{reason: "HEAD answered by GET: no body to check",
			method: "HEAD", url: "/api/orders/3", resp: &Response{Status: 200, Header: jsonHeader}},
	}
	for _, tt := range tests {
		ix := tolerant
		if tt.strict {
			ix = strict
		}
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		m := ix.Lookup(tt.method, u)
		if m.Outcome != Found {
			t.Fatalf("%s: %s %s did not match: %v", tt.reason, tt.method, tt.url, m.Outcome)
		}
		var body []byte
		if tt.body != "" {
			body = []byte(tt.body)
		}
		var got []string
		for _, p := range ix.Check(m, Request{Method: tt.method, URL: u, Header: tt.header, Body: body}, tt.resp) {
			got = append(got, p.String())
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: %s %s\n got %q\nwant %q", tt.reason, tt.method, tt.url, got, tt.want)
		}
	}
}

func TestCheckNotFound(t *testing.T) {
	ix := shopIndex(t, Options{})
	u := &url.URL{Path: "/api/nowhere"}
	if p := ix.Check(ix.Lookup("GET", u), Request{Method: "GET", URL: u}, &Response{Status: 200}); p != nil {
		t.Errorf("an unmatched request has nothing to be checked against, got %v", p)
	}
}

func TestCheckSpecLabel(t *testing.T) {
	tests := []struct {
		reason string
		doc    string
		want   string
	}{
		{"a 3.0 document is checked as it is", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}`, "3.0.3"},
		{"3.1 without 2020-12 keywords takes kin-openapi's own validator, as kin-openapi itself falls back to",
			`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"A":{"type":["string","null"]}}}}`, "3.0.3"},
		{"3.1 with const keeps the JSON Schema 2020-12 validator",
			`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"A":{"const":"x"}}}}`, "3.1.0"},
		{"a 2020-12 keyword deep in an operation's answer counts too",
			`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","properties":{"x":{"type":"array","items":{"anyOf":[{"type":"string"},{"prefixItems":[{"type":"integer"}]}]}}}}}}}}}}}}`, "3.1.0"},
		{"a 2020-12 keyword in a parameter's schema counts too",
			`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a":{"parameters":[{"name":"q","in":"query","schema":{"const":1}}],"get":{"responses":{"200":{"description":"ok"}}}}}}`, "3.1.0"},
	}
	for _, tt := range tests {
		d, err := Load(NewSource("t", "t.json", []byte(tt.doc), benchTime))
		if err != nil {
			t.Fatal(err)
		}
		if got := checkSpec(d.OpenAPI).OpenAPI; got != tt.want {
			t.Errorf("%s: checked as %s, want %s", tt.reason, got, tt.want)
		}
		if d.OpenAPI.OpenAPI != d.Version {
			t.Errorf("%s: the loaded document itself must keep its version, got %s", tt.reason, d.OpenAPI.OpenAPI)
		}
	}
}

// TestConcurrentUse runs lookups and checks from several goroutines on one
// index, as a matcher working through a recording in parallel would; run
// with -race it proves the index and kin-openapi's schemas are shared safely.
func TestConcurrentUse(t *testing.T) {
	ix := shopIndex(t, Options{Artefacts: SpringdocArtefacts})
	u, _ := url.Parse("/api/orders/1/items/0e8b8d1e-1c2b-4f3a-9d5e-123456789abc")
	done := make(chan []string)
	for range 4 {
		go func() {
			var got []string
			for range 50 {
				m := ix.Lookup("GET", u)
				got = got[:0]
				for _, p := range ix.Check(m, Request{Method: "GET", URL: u},
					&Response{Status: 200, Header: http.Header{"X-Rate-Limit": {"1"}}, Body: []byte(`{"id":"x","item":"tea"}`)}) {
					got = append(got, p.String())
				}
			}
			done <- got
		}()
	}
	for range 4 {
		if got := <-done; strings.Join(got, "|") != "invalid-response-body $.id: value must be an integer" {
			t.Errorf("concurrent checks disagree: %q", got)
		}
	}
}

// A problem's place in a body is spelt as package diff spells the same
// place, so that a replay report names one member one way.
func TestProblemPathsReadAsDiffs(t *testing.T) {
	for _, c := range []struct {
		reason string
		tokens []string
		want   string
	}{
		{"members and array elements", []string{"content", "0", "id"}, "$.content[0].id"},
		{"a name with a dash after its first letter", []string{"x-total"}, "$.x-total"},
		{"a name with a space", []string{"first name"}, `$['first name']`},
		{"a quote inside a name", []string{"it's"}, `$['it\'s']`},
		{"a name starting with a dollar sign", []string{"$type"}, `$['$type']`},
		{"an empty name", []string{""}, `$['']`},
	} {
		if got := jsonPath(c.tokens); got != c.want {
			t.Errorf("%s: got %s, want %s", c.reason, got, c.want)
		}
	}
}

// A body capture cut at its size limit is not the API's answer; checking
// it would report the cut ("unexpected EOF", missing members) as drift.
func TestCheckSkipsTruncatedBodies(t *testing.T) {
	ix := shopIndex(t, Options{Artefacts: SpringdocArtefacts})
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	u, _ := url.Parse("/api/orders")
	m := ix.Lookup("POST", u)
	req := Request{Method: "POST", URL: u, Header: jsonHeader, Body: []byte(`{"item":"te`), Truncated: true}
	resp := &Response{Status: 200, Header: jsonHeader, Body: []byte(`{"id":7,"it`), Truncated: true}
	if p := ix.Check(m, req, resp); len(p) != 0 {
		t.Errorf("cut bodies were checked: %v", p)
	}
	// The status is still the API's own, cut body or not.
	resp = &Response{Status: 500, Header: jsonHeader, Body: []byte(`{"mess`), Truncated: true}
	if p := ix.Check(m, req, resp); len(p) != 1 || p[0].Kind != UndocumentedStatus {
		t.Errorf("an undocumented status behind a cut body: %v", p)
	}
}

// springdoc types a Java Object argument as "object"; TestOps's
// GET /api/account/{id} takes an id or a username that way.
func TestCheckSpringdocObjectParams(t *testing.T) {
	const doc = `{"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{
	  "/api/account/{id}":{"get":{"operationId":"findById_2","parameters":[
	    {"in":"path","name":"id","required":true,"schema":{"type":"object"}},
	    {"in":"query","name":"who","required":false,"explode":false,"schema":{"type":"object"}}],
	    "responses":{"200":{"description":"ok"}}}}}}`
	d, err := Load(NewSource("t", "t.json", []byte(doc), benchTime))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("/api/account/admin?who=admin")
	for _, c := range []struct {
		reason string
		opts   Options
		want   int
	}{
		{"springdoc's artefact tolerated", Options{Artefacts: SpringdocArtefacts}, 0},
		{"held to the letter without it", Options{}, 2},
	} {
		ix, err := NewIndex([]*Document{d}, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		m := ix.Lookup("GET", u)
		if m.Outcome != Found {
			t.Fatalf("%s: %v", c.reason, m.Outcome)
		}
		if p := ix.Check(m, Request{Method: "GET", URL: u}, &Response{Status: 200}); len(p) != c.want {
			t.Errorf("%s: %d problems, want %d: %v", c.reason, len(p), c.want, p)
		}
	}
}

func TestIsResponse(t *testing.T) {
	for _, c := range []struct {
		reason string
		p      Problem
		want   bool
	}{
		{"an undocumented status is the answer's", Problem{Kind: UndocumentedStatus, Where: "status"}, true},
		{"a body that misses its schema is the answer's", Problem{Kind: InvalidResponseBody, Where: "$.id"}, true},
		{"a bad response header is the answer's", Problem{Kind: InvalidResponseHeader, Where: "header.X-Total"}, true},
		{"a response media type is the answer's", Problem{Kind: UndocumentedContentType, Where: "response.content-type"}, true},
		{"a request media type is the recording's", Problem{Kind: UndocumentedContentType, Where: "request.content-type"}, false},
		{"a query parameter is the recording's", Problem{Kind: UndocumentedQuery, Where: "query.x"}, false},
		{"a request body is the recording's", Problem{Kind: InvalidRequestBody, Where: "$.name"}, false},
	} {
		if got := c.p.IsResponse(); got != c.want {
			t.Errorf("%s: IsResponse() = %v, want %v", c.reason, got, c.want)
		}
	}
}

// Query keys count as declared by the operation's and its path item's
// query parameters, both lists even where one overrides the other, and
// by a deepObject parameter's "name[...]" keys.
func TestCheckDeclaredQueryKeys(t *testing.T) {
	const doc = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	  "/a":{"parameters":[
	      {"in":"query","name":"trace","schema":{"type":"string"}},
	      {"in":"query","name":"filter","style":"deepObject","schema":{"type":"object","properties":{"a":{"type":"string"}}}}],
	    "get":{"parameters":[
	      {"in":"query","name":"size","schema":{"type":"string"}},
	      {"in":"header","name":"hdr","schema":{"type":"string"}}],
	    "responses":{"200":{"description":"ok"}}}},
	  "/b":{"parameters":[
	      {"in":"query","name":"filter","style":"deepObject","schema":{"type":"object","properties":{"a":{"type":"string"}}}}],
	    "get":{"parameters":[
	      {"in":"query","name":"filter","schema":{"type":"string"}}],
	    "responses":{"200":{"description":"ok"}}}}}}`
	d, err := Load(NewSource("t", "t.json", []byte(doc), benchTime))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex([]*Document{d}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		reason, url string
		want        []string
	}{
		{"the path item's and the operation's query parameters", "/a?trace=1&size=2", nil},
		{"a deepObject parameter's keys", "/a?filter%5Ba%5D=x", nil},
		{"a deepObject parameter's own name", "/a?filter=x", nil},
		{"a name that only starts like a deepObject parameter's", "/a?filterx=1", []string{"query.filterx"}},
		{"a header parameter declares no query key", "/a?hdr=1", []string{"query.hdr"}},
		{"names are case-sensitive", "/a?Size=1&TRACE=2", []string{"query.Size", "query.TRACE"}},
		{"only deepObject parameters take bracketed keys", "/a?size%5Ba%5D=1", []string{"query.size[a]"}},
		{"the path item's deepObject still counts where the operation overrides it", "/b?filter%5Ba%5D=x", nil},
	} {
		u, _ := url.Parse(c.url)
		m := ix.Lookup("GET", u)
		if m.Outcome != Found {
			t.Fatalf("%s: %v", c.reason, m.Outcome)
		}
		var got []string
		for _, p := range ix.Check(m, Request{Method: "GET", URL: u}, &Response{Status: 200}) {
			if p.Kind == UndocumentedQuery {
				got = append(got, p.Where)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: undocumented %v, want %v", c.reason, got, c.want)
		}
	}
}
