package har_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// keepOnly is ReaderOptions.Headers done after reading: the headers of
// those names, in their order.
func keepOnly(hs []har.NameValue, names []string) []har.NameValue {
	if hs == nil {
		return nil
	}
	out := []har.NameValue{}
	for _, h := range hs {
		for _, n := range names {
			if strings.EqualFold(h.Name, n) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// TestHeadersFilterReadsAsFilteringAfter holds a reader that keeps only
// some headers to reading everything and dropping the others afterwards:
// the same entries otherwise, the same error at the same place, whether
// entries are decoded on the caller's goroutine or ahead of it.
func TestHeadersFilterReadsAsFilteringAfter(t *testing.T) {
	entry := func(headers string) string {
		return `{"startedDateTime":"2026-11-28T10:00:00Z","time":1,"request":{"method":"GET","url":"http://x/a","headers":[` + headers +
			`]},"response":{"status":200,"headers":[{"name":"content-type","value":"application/json"},{"name":"Date","value":"x"}],"content":{"size":1,"text":"{}"}}}`
	}
	doc := func(entries ...string) string {
		return `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[` + strings.Join(entries, ",\n") + "]}}"
	}
	cases := []struct {
		reason, data string
	}{
		{"kept and dropped headers", doc(entry(`{"name":"Accept","value":"text/html"},{"name":"User-Agent","value":"Mozilla"},{"name":"UPGRADE","value":"websocket"}`))},
		{"none kept", doc(entry(`{"name":"User-Agent","value":"Mozilla"}`))},
		{"no headers at all", doc(entry(``))},
		{"an escaped name is judged once decoded", doc(entry(`{"name":"Acc\u0065pt","value":"a"},{"name":"X-\u0041","value":"b"}`))},
		{"the name after the value", doc(entry(`{"value":"c","name":"Accept"},{"value":"d","name":"X-B"}`))},
		{"spaces around the name", doc(entry(`{ "name" : "Accept" , "value" : "e" },{ "name" : "X-C" , "value" : "f" }`))},
		{"a comment on a dropped header", doc(entry(`{"name":"X-D","value":"g","comment":"h"}`))},
		{"a number for a dropped header's value", doc(entry(`{"name":"X-E","value":5},{"name":"Accept","value":6}`))},
		{"an object for a dropped header's value is refused", doc(entry(`{"name":"Accept","value":"i"}`), entry(`{"name":"X-F","value":{}}`))},
		{"bad UTF-8 in a dropped header is refused", doc(entry(`{"name":"X-G","value":"` + "\xff" + `"}`))},
		{"a string for a dropped header is refused", doc(entry(`"X-H: j"`))},
		{"a cut inside a dropped header", doc(entry(`{"name":"X-I","value":"k"}`))[:150]},
	}
	for _, b := range hartest.BadHARs(t) {
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ reason, data string }{"bad HAR " + b.Name, string(data)})
	}
	files, _ := filepath.Glob("testdata/*.har")
	if root, ok := shareddata.Root(); ok {
		real, _ := filepath.Glob(filepath.Join(root, "realworld", "har", "*.har"))
		files = append(files, real...)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ reason, data string }{p, string(data)})
	}
	for _, c := range cases {
		for _, decoders := range []int{0, 2} {
			want, got := filteredReads([]byte(c.data), decoders)
			if strings.Contains(c.reason, "refused") && want.err == "" {
				t.Fatalf("%s: read without an error", c.reason)
			}
			if err := sameOutcome(got, want); err != nil {
				t.Errorf("%s, %d decoders: %v", c.reason, decoders, err)
			}
		}
	}
}

// filterNames are the headers the tests keep.
var filterNames = []string{"accept", "Upgrade", "Content-Type", "sec-fetch-dest"}

// filteredReads reads data whole, dropping the headers not kept after, and
// with ReaderOptions.Headers.
func filteredReads(data []byte, decoders int) (want, got readOutcome) {
	opts := har.ReaderOptions{Name: "t.har", Decoders: decoders}
	want = readWith(data, opts)
	for _, e := range want.entries {
		e.Request.Headers = keepOnly(e.Request.Headers, filterNames)
		e.Response.Headers = keepOnly(e.Response.Headers, filterNames)
	}
	opts.Headers = filterNames
	return want, readWith(data, opts)
}

func FuzzHeadersFilter(f *testing.F) {
	f.Add(`{"log":{"entries":[{"request":{"headers":[{"name":"Accept","value":"a"},{"name":"X","value":"b"}]},"response":{"headers":[{"name":"X","value":{}}]}}]}}`)
	f.Add(`{"log":{"entries":[{"request":{"headers":[{ "name" : "X\u0041", "value":1},{"value":"c","name":"upgrade"}]}}]}}`)
	f.Fuzz(func(t *testing.T, data string) {
		for _, decoders := range []int{0, 2} {
			want, got := filteredReads([]byte(data), decoders)
			if err := sameOutcome(got, want); err != nil {
				t.Fatalf("%d decoders: %v", decoders, err)
			}
		}
	})
}

func sameOutcome(got, want readOutcome) error {
	if got.err != want.err {
		return fmt.Errorf("error %q, reading all %q", got.err, want.err)
	}
	if got.count != want.count || len(got.entries) != len(want.entries) {
		return fmt.Errorf("%d entries (count %d), reading all %d (count %d)", len(got.entries), got.count, len(want.entries), want.count)
	}
	for i := range want.entries {
		g, w := got.entries[i], want.entries[i]
		if !reflect.DeepEqual(g.Request.Headers, w.Request.Headers) || !reflect.DeepEqual(g.Response.Headers, w.Response.Headers) {
			return fmt.Errorf("entry %d: headers %+v and %+v, reading all %+v and %+v", i, g.Request.Headers, g.Response.Headers, w.Request.Headers, w.Response.Headers)
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Errorf("entry %d differs:\n%+v\nreading all:\n%+v", i, g, w)
		}
	}
	return nil
}
