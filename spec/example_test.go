package spec_test

import (
	"fmt"
	"log"
	"net/url"
	"time"

	"github.com/apitrail/apitrail/spec"
)

func ExampleLoadFile() {
	d, err := spec.LoadFile("../testdata/spec/petshop-2.0.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Version, d.Title, d.APIVersion, "→ OpenAPI", d.OpenAPI.OpenAPI)
	for _, w := range d.Warnings {
		fmt.Println(w)
	}
	// Output:
	// 2.0 Petshop 2.0.1 → OpenAPI 3.0.3
	// ../testdata/spec/petshop-2.0.json: /definitions/Pet/properties/tags/items: items is an array of 2 schemas (tuple form, not allowed here); kept the first
}

func ExampleLoad() {
	yaml := []byte(`openapi: 3.0.3
info: {title: Tiny, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Gone'}
`)
	_, err := spec.Load(spec.NewSource("tiny", "tiny.yaml", yaml, time.Now()))
	fmt.Println(err)
	// Output:
	// tiny.yaml: /paths/~1a/get/responses/200/content/application~1json/schema: broken $ref "#/components/schemas/Gone": nothing is at that place
}

func ExampleReadFile() {
	src, err := spec.ReadFile("../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Name, src.URL)
	// Output:
	// shop-3.0.yaml ../testdata/spec/shop-3.0.yaml
}

func ExampleLoadAll() {
	var srcs []spec.Source
	for _, f := range []string{"../testdata/spec/shop-3.0.yaml", "../testdata/spec/anchors-3.1.yaml"} {
		src, err := spec.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	docs, err := spec.LoadAll(srcs)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range docs {
		fmt.Println(d.Name(), d.Version, len(d.Warnings), "warnings")
	}
	// Output:
	// shop-3.0.yaml 3.0.3 2 warnings
	// anchors-3.1.yaml 3.1.0 3 warnings
}

func ExampleNewIndex() {
	d, err := spec.LoadFile("../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{d}, spec.Options{
		Hosts:     []string{"eu.shop.example"},
		Aliases:   append([]spec.Alias{{From: "/api/v1", To: "/api"}}, spec.TestOpsAliases...),
		Artefacts: spec.SpringdocArtefacts,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ix.Operations()), "operations")
	// Output:
	// 16 operations
}

func ExampleIndex_Lookup() {
	d, err := spec.LoadFile("../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{d}, spec.Options{Aliases: []spec.Alias{{From: "/api/v1", To: "/api"}}})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range []struct{ method, url string }{
		{"GET", "https://eu.shop.example/api/orders/search?rql=x"},
		{"get", "https://eu.shop.example/api/orders/42"},
		{"HEAD", "/api/v1/orders/42"},
		{"PUT", "/api/orders/42"},
		{"GET", "/static/app.js"},
	} {
		u, _ := url.Parse(r.url)
		m := ix.Lookup(r.method, u)
		switch m.Outcome {
		case spec.Found:
			fmt.Printf("%s %s → %s %s", r.method, u.Path, m.Operation.OperationID, m.Operation.Path)
			for _, p := range m.Params {
				fmt.Printf(" %s=%v (%T)", p.Name, p.Value, p.Value)
			}
			if m.Alias != nil {
				fmt.Printf(" via alias %s", m.Alias)
			}
			fmt.Println()
		case spec.MethodNotAllowed:
			fmt.Printf("%s %s → %v, allowed %v\n", r.method, u.Path, m.Outcome, m.Allowed)
		default:
			fmt.Printf("%s %s → %v\n", r.method, u.Path, m.Outcome)
		}
	}
	// Output:
	// GET /api/orders/search → searchOrders /orders/search
	// get /api/orders/42 → getOrder /orders/{orderId} orderId=42 (int64)
	// HEAD /api/v1/orders/42 → getOrder /orders/{orderId} orderId=42 (int64) via alias /api/v1=/api
	// PUT /api/orders/42 → method not allowed, allowed [DELETE GET]
	// GET /static/app.js → not found
}

func ExampleIndex_Near() {
	d, err := spec.LoadFile("../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{d}, spec.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// A listing the spec leaves out, one segment short of a template.
	u, _ := url.Parse("https://eu.shop.example/api/orders/42/items")
	fmt.Println(ix.Lookup("GET", u).Outcome)
	for _, nm := range ix.Near("GET", u) {
		fmt.Printf("closest: %s (%s)\n", nm.Operation, nm.Why)
	}
	// Output:
	// not found
	// closest: GET /orders/{orderId}/items/{itemId} (one segment more)
	// closest: GET /orders/{orderId} (one segment less)
}

func ExampleIndex_Check() {
	d, err := spec.LoadFile("../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{d}, spec.Options{Artefacts: spec.SpringdocArtefacts})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse("https://eu.shop.example/api/orders?size=0&debug=1")
	req := spec.Request{Method: "GET", URL: u}
	resp := &spec.Response{Status: 200, Body: []byte(`{"content":[{"id":"seven"}]}`)}
	for _, p := range ix.Check(ix.Lookup(req.Method, req.URL), req, resp) {
		fmt.Println(p)
	}
	// Output:
	// undocumented-query query.debug: query parameter is not in the spec
	// invalid-param query.size: number must be at least 1
	// invalid-response-body $.content[0].id: value must be an integer (in the closest of 2 oneOf branches)
}

func ExampleParseAlias() {
	a, err := spec.ParseAlias("/api/rs=/api")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q → %q\n", a.From, a.To)
	_, err = spec.ParseAlias("api/rs")
	fmt.Println(err)
	// Output:
	// "/api/rs" → "/api"
	// alias "api/rs" is not of the form /FROM=/TO
}

func ExampleDocument_ServerHosts() {
	d, err := spec.LoadFile("../testdata/spec/shop-3.0.yaml")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.ServerHosts())
	// Output:
	// [eu.shop.example us.shop.example]
}
