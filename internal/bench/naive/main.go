// Command naive is the program match is measured against in
// docs/benchmarks.md: what a user would write in an afternoon to route a
// recording's calls to an OpenAPI document's operations. It streams the HAR
// with encoding/json's Decoder, one entry at a time, and routes each URL
// with kin-openapi's gorillamux router, built once. It checks nothing and
// prints how many calls it routed.
//
//	naive SPEC HAR
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

type entry struct {
	Request struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: naive SPEC HAR")
		os.Exit(2)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	// Any host: the recording's instance is not the document's server.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		fail(err)
	}
	f, err := os.Open(os.Args[2])
	if err != nil {
		fail(err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	// Walk down to log.entries, skipping every other member whole.
	expect(dec, json.Delim('{'))
	for {
		name := key(dec)
		if name == "log" {
			break
		}
		skip(dec)
	}
	expect(dec, json.Delim('{'))
	for {
		name := key(dec)
		if name == "entries" {
			break
		}
		skip(dec)
	}
	expect(dec, json.Delim('['))
	total, routed := 0, 0
	for dec.More() {
		var e entry
		if err := dec.Decode(&e); err != nil {
			fail(err)
		}
		total++
		req, err := http.NewRequest(e.Request.Method, e.Request.URL, nil)
		if err != nil {
			continue
		}
		if _, _, err := router.FindRoute(req); err == nil {
			routed++
		}
	}
	fmt.Printf("%d calls, %d routed\n", total, routed)
}

func key(dec *json.Decoder) string {
	t, err := dec.Token()
	if err != nil {
		fail(err)
	}
	s, ok := t.(string)
	if !ok {
		fail(fmt.Errorf("no log.entries in the HAR (at %v)", t))
	}
	return s
}

func skip(dec *json.Decoder) {
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		fail(err)
	}
}

func expect(dec *json.Decoder, d json.Delim) {
	t, err := dec.Token()
	if err != nil {
		fail(err)
	}
	if t != d {
		fail(fmt.Errorf("HAR: want %v, got %v", d, t))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "naive: error:", err)
	os.Exit(2)
}
