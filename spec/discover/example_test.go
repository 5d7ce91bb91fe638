package discover_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/apitrail/apitrail/spec/discover"
)

func ExampleDiscover() {
	docs := map[string]string{
		"/v3/api-docs/swagger-config": `{"urls":[{"url":"/v3/api-docs/Report%20Service","name":"Report Service"},{"url":"/v3/api-docs/All%20Services","name":"All Services"}]}`,
		"/v3/api-docs/Report Service": `{"openapi":"3.1.0","info":{"title":"report","version":"1"},"paths":{}}`,
		"/v3/api-docs/All Services":   `{"openapi":"3.1.0","info":{"title":"all","version":"1"},"paths":{}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()

	found, err := discover.Discover(context.Background(), srv.Client(), srv.URL, discover.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("via", strings.TrimPrefix(found.Via, srv.URL))
	for _, src := range found.Sources {
		fmt.Println(src.Name)
	}
	// Output:
	// via /v3/api-docs/swagger-config
	// Report Service
	// All Services
}

func ExampleFetch() {
	srv := httptest.NewServer(http.FileServer(http.Dir("../../testdata/spec")))
	defer srv.Close()
	src, err := discover.Fetch(context.Background(), srv.Client(), srv.URL+"/anchors-3.1.yaml", 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Name, len(src.Data) > 0, src.SHA256 != "")
	// Output:
	// /anchors-3.1.yaml true true
}
