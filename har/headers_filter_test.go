package har_test

import (
	"errors"
	"fmt"
	"io"
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

// headerCases are recordings whose headers come in every shape: kept and
// dropped, escaped, out of order, odd values, refused ones, and the
// corpus of bad HARs, the repository's HARs and the shared real ones.
func headerCases(t *testing.T) []struct{ reason, data string } {
	entry := func(headers string) string {
		return `{"startedDateTime":"2026-11-28T10:00:00Z","time":1,"request":{"method":"GET","url":"http://x/a?b=c","headers":[` + headers +
			`],"queryString":[{"name":"b","value":"c"}]},"response":{"status":200,"headers":[{"name":"content-type","value":"application/json"},{"name":"Date","value":"x"}],"content":{"size":1,"text":"{}"}}}`
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
		{"escaped values", doc(entry(`{"name":"Accept","value":"a\"b\\c\u00e9"},{"name":"X-E","value":"\n"}`))},
		{"the name after the value", doc(entry(`{"value":"c","name":"Accept"},{"value":"d","name":"X-B"}`))},
		{"spaces around the name", doc(entry(`{ "name" : "Accept" , "value" : "e" },{ "name" : "X-C" , "value" : "f" }`))},
		{"a comment on a header", doc(entry(`{"name":"X-D","value":"g","comment":"h"},{"name":"Accept","value":"g","comment":"h"}`))},
		{"a member of a tool's own", doc(entry(`{"name":"Accept","value":"g","_x":1}`))},
		{"a name given twice", doc(entry(`{"name":"X-Z","name":"Accept","value":"g"},{"name":"Accept","name":"X-Z","value":"g"}`))},
		{"a value given twice", doc(entry(`{"name":"Accept","value":"g","value":"h"}`))},
		{"a null value", doc(entry(`{"name":"Accept","value":null},{"name":"X-N","value":null}`))},
		{"a number for a header's value", doc(entry(`{"name":"X-E","value":5},{"name":"Accept","value":6}`))},
		{"an object for a dropped header's value is refused", doc(entry(`{"name":"Accept","value":"i"}`), entry(`{"name":"X-F","value":{}}`))},
		{"an object for a kept header's value is refused", doc(entry(`{"name":"Accept","value":{}}`))},
		{"bad UTF-8 in a dropped header is refused", doc(entry(`{"name":"X-G","value":"` + "\xff" + `"}`))},
		{"bad UTF-8 in a kept header is refused", doc(entry(`{"name":"Accept","value":"` + "\xff" + `"}`))},
		{"a bad escape in a name is refused", doc(entry(`{"name":"Acc\x","value":"a"}`))},
		{"a string for a dropped header is refused", doc(entry(`"X-H: j"`))},
		{"a missing comma in a pair is refused", doc(entry(`{"name":"Accept" "value":"a"}`))},
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
	return cases
}

// TestHeadersFilterReadsAsFilteringAfter holds a reader that keeps only
// some headers to reading everything and dropping the others afterwards:
// the same entries otherwise, the same error at the same place, whether
// entries are decoded on the caller's goroutine or ahead of it.
func TestHeadersFilterReadsAsFilteringAfter(t *testing.T) {
	for _, c := range headerCases(t) {
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

// TestPlainPairsDecodeAsTheGeneralDecoder holds the short way for plain
// name-value pairs to the general decoder: the same entries, unexported
// parts included, and the same errors, with and without a headers filter.
func TestPlainPairsDecodeAsTheGeneralDecoder(t *testing.T) {
	for _, c := range headerCases(t) {
		for _, headers := range [][]string{nil, filterNames} {
			if err := samePlainRead([]byte(c.data), headers); err != nil {
				t.Errorf("%s, headers %v: %v", c.reason, headers, err)
			}
		}
	}
}

// samePlainRead reads data on the caller's goroutine (so that no decoder
// outlives the switch) with and without the short way.
func samePlainRead(data []byte, headers []string) error {
	opts := har.ReaderOptions{Name: "t.har", Headers: headers}
	restore := har.SetPlainPairs(false)
	want := readWith(data, opts)
	restore()
	return sameOutcome(readWith(data, opts), want)
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
		for _, headers := range [][]string{nil, filterNames} {
			if err := samePlainRead([]byte(data), headers); err != nil {
				t.Fatalf("the short way for pairs, headers %v: %v", headers, err)
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

// TestRecycledEntriesReadAsNew: entries made in the room of recycled ones
// are the entries a reader that recycles nothing makes, unexported parts
// included, and the strings an entry held stay as they were once it is
// handed back.
func TestRecycledEntriesReadAsNew(t *testing.T) {
	for _, c := range headerCases(t) {
		for _, decoders := range []int{0, 2} {
			for _, headers := range [][]string{nil, filterNames} {
				opts := har.ReaderOptions{Name: "t.har", Decoders: decoders, Headers: headers}
				want := readWith([]byte(c.data), opts)
				rd := har.NewReader(strings.NewReader(c.data), opts)
				var got readOutcome
				var urls []string
				for {
					e, err := rd.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						got.err = err.Error()
						if _, again := rd.Next(); again == nil || again.Error() != got.err {
							got.err += fmt.Sprintf(" (then %v)", again)
						}
						break
					}
					i := len(got.entries)
					if i < len(want.entries) && !reflect.DeepEqual(e, want.entries[i]) {
						t.Fatalf("%s, %d decoders: entry %d made in a recycled one differs:\n%+v\nnew:\n%+v", c.reason, decoders, i, e, want.entries[i])
					}
					got.entries = append(got.entries, want.entries[min(i, len(want.entries)-1)])
					urls = append(urls, e.Request.URL)
					rd.Recycle([]*har.Entry{e})
				}
				rd.Close()
				got.count = rd.Count()
				if got.err != want.err || got.count != want.count || len(got.entries) != len(want.entries) {
					t.Errorf("%s, %d decoders: error %q after %d entries (count %d), new ones %q after %d (count %d)",
						c.reason, decoders, got.err, len(got.entries), got.count, want.err, len(want.entries), want.count)
				}
				for i, u := range urls {
					if i < len(want.entries) && u != want.entries[i].Request.URL {
						t.Errorf("%s: entry %d's URL changed to %q once handed back", c.reason, i, u)
					}
				}
			}
		}
	}
}

// TestPlaceAfterTheBufferMoves: an error's line and column agree with its
// offset, counted in the file itself, when the reader has dropped and
// refilled its buffer many times before it: on one long line, as compact
// exporters write, and across lines.
func TestPlaceAfterTheBufferMoves(t *testing.T) {
	for _, sep := range []string{",", ",\n", ",\r\n  "} {
		var b strings.Builder
		b.WriteString(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[`)
		for i := range 3000 {
			if i > 0 {
				b.WriteString(sep)
			}
			status := `200`
			if i == 2999 {
				status = `{"x":1}` // refused: a status is a number
			}
			fmt.Fprintf(&b, `{"startedDateTime":"2026-11-28T10:00:00Z","time":%d,"request":{"method":"GET","url":"http://x/%d","headers":[{"name":"A","value":"%s"}]},"response":{"status":%s,"content":{"size":0}}}`,
				i, i, strings.Repeat("v", i%300), status)
		}
		b.WriteString("]}}")
		data := b.String()
		for _, decoders := range []int{0, 2} {
			rd := har.NewReader(strings.NewReader(data), har.ReaderOptions{Name: "t.har", Decoders: decoders})
			var err error
			for err == nil {
				_, err = rd.Next()
			}
			rd.Close()
			var se *har.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("separator %q, %d decoders: %v, want a syntax error", sep, decoders, err)
			}
			before := data[:se.Offset]
			line := strings.Count(before, "\n") + 1
			col := len(before) - strings.LastIndexByte(before, '\n')
			if se.Offset < 256<<10 || se.Line != line || se.Column != col {
				t.Errorf("separator %q, %d decoders: %s at line %d, column %d, offset %d; the file has that offset at line %d, column %d",
					sep, decoders, se.Msg, se.Line, se.Column, se.Offset, line, col)
			}
		}
	}
}
