package infer

import (
	"bytes"
	"io"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// BenchmarkInferRealHAR infers a document from every call of a real
// 665-call recording (3.7 MB), as match --infer does with no spec.
func BenchmarkInferRealHAR(b *testing.B) {
	p := filepath.Join(shareddata.Dir(b, "realworld", "har"), "chrome104_requestgenerator_api_665.har")
	rd, err := har.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	f, err := rd.ReadAll()
	rd.Close()
	if err != nil {
		b.Fatal(err)
	}
	var calls []Call
	for _, e := range f.Log.Entries {
		u, _ := url.Parse(e.Request.URL)
		req, _ := e.RequestBody()
		resp, _ := e.ResponseBody()
		calls = append(calls, Call{Method: e.Request.Method, URL: u, Status: e.Response.Status,
			RequestType: e.Request.HTTPHeader().Get("Content-Type"), RequestBody: req,
			ResponseType: e.Response.ContentType(), ResponseBody: resp})
	}
	b.ReportAllocs()
	for b.Loop() {
		in := New(Options{})
		for _, c := range calls {
			in.Add(c)
		}
		if _, err := in.Result(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBody compares the two ways a JSON body is summarised, on a
// 16 MB body: decoded whole (what bodies up to 4 MiB get) and streamed
// token by token (what bigger ones get, in memory that does not grow
// with the body).
func BenchmarkBody(b *testing.B) {
	body, _ := io.ReadAll(&bigArray{n: 200_000})
	no := func(string, string) bool { return false }
	b.Run("decoded", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			s := newShape()
			if err := s.addDecoded(body, no); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("streamed", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if err := newShape().addJSON(bytes.NewReader(body), no); err != nil {
				b.Fatal(err)
			}
		}
	})
}
