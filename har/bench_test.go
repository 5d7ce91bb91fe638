package har_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/bench/readcmp"
)

// The benchmarks read a synthetic HAR of benchMB megabytes (500 unless
// HAR_BENCH_MB says otherwise), made once per run in a temporary folder.
var (
	benchOnce sync.Once
	benchPath string
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchFile(b *testing.B) string {
	benchOnce.Do(func() {
		mb := 500
		if s := os.Getenv("HAR_BENCH_MB"); s != "" {
			mb, _ = strconv.Atoi(s)
		}
		benchDir, benchErr = os.MkdirTemp("", "har-bench-")
		if benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, fmt.Sprintf("synthetic-%dMB.har", mb))
		benchErr = writeSynthetic(benchPath, int64(mb)<<20)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// writeSynthetic writes API-like traffic: JSON requests and responses of a
// few kilobytes with the headers a browser sends.
func writeSynthetic(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := har.NewWriter(bw, har.WriterOptions{KeepSecrets: true, Creator: har.Creator{Name: "bench", Version: "1"}})
	if err != nil {
		return err
	}
	var items []string
	for i := 0; i < 40; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"name":"Launch \"nightly\" #%d","projectId":1,"closed":false,"tags":[{"id":3,"name":"smoke"}],"createdDate":1764320000000,"lastModifiedDate":1764320000123}`, 1000+i, i))
	}
	body := `{"content":[` + strings.Join(items, ",") + `],"totalElements":40,"totalPages":1,"size":40,"number":0}`
	headers := []har.NameValue{{Name: ":authority", Value: "testops.example"}, {Name: "accept", Value: "application/json, text/plain, */*"},
		{Name: "accept-language", Value: "en-US,en;q=0.9"}, {Name: "sec-ch-ua", Value: `"Chromium";v="156", "Not.A/Brand";v="99"`},
		{Name: "user-agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"},
		{Name: "x-xsrf-token", Value: "0b6c1a2e-8f0e-4c1b-9d7e-2f3a4b5c6d7e"}}
	for i := 0; ; i++ {
		e := testEntry(i, 0)
		e.Request.Headers = headers
		e.SetResponseBody([]byte(body), "application/json")
		e.SetRequestBody([]byte(`{"name":"nightly","projectId":1}`), "application/json")
		if err := w.Write(e); err != nil {
			return err
		}
		if i%100 == 0 {
			if fi, err := f.Stat(); err == nil && fi.Size() >= size {
				break
			}
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// peakFromGC collects first, so that each read starts from the same heap,
// then samples the heap while fn runs.
func peakFromGC(fn func()) uint64 {
	runtime.GC()
	return readcmp.PeakHeap(fn)
}

func BenchmarkReadLargeHAR(b *testing.B) {
	path := benchFile(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("har.Reader", func(b *testing.B) {
		b.SetBytes(fi.Size())
		var peak uint64
		for i := 0; i < b.N; i++ {
			n := 0
			peak = max(peak, peakFromGC(func() {
				rd, err := har.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := rd.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				rd.Close()
			}))
			if n == 0 {
				b.Fatal("no entries")
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(fi.Size())
		var peak uint64
		for i := 0; i < b.N; i++ {
			var doc readcmp.UserHAR
			peak = max(peak, peakFromGC(func() {
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := json.Unmarshal(data, &doc); err != nil {
					b.Fatal(err)
				}
			}))
			if len(doc.Log.Entries) == 0 {
				b.Fatal("no entries")
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	})
}

// BenchmarkWriteRedacted writes a browser-like API call through a Writer
// whose Redactor has already learned as many secrets as it keeps, as it has
// an hour into a recording: every header, query value and body is swept for
// each of them.
func BenchmarkWriteRedacted(b *testing.B) {
	red := har.NewRedactor(har.DefaultRules())
	for i := range 64 {
		red.AddSecret(fmt.Sprintf("session-%08d-secret", i))
	}
	w, err := har.NewWriter(io.Discard, har.WriterOptions{Redactor: red})
	if err != nil {
		b.Fatal(err)
	}
	e := &har.Entry{
		StartedDateTime: "2026-11-28T10:00:01.000Z",
		Request: har.Request{Method: "GET", URL: "https://testops.test/api/rs/launch?projectId=1&page=0&size=25&sort=created_date,DESC", HTTPVersion: "HTTP/1.1",
			QueryString: []har.NameValue{{Name: "projectId", Value: "1"}, {Name: "page", Value: "0"}, {Name: "size", Value: "25"}, {Name: "sort", Value: "created_date,DESC"}}},
		Response: har.Response{Status: 200, HTTPVersion: "HTTP/1.1"},
	}
	for _, h := range []string{"Accept", "Accept-Language", "Cache-Control", "Connection", "Pragma", "Referer", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "User-Agent", "X-Requested-With", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform"} {
		e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: h, Value: "value of " + h})
		e.Response.Headers = append(e.Response.Headers, har.NameValue{Name: h, Value: "value of " + h})
	}
	e.SetResponseBody([]byte(`{"content":[{"id":1,"name":"nightly","status":"DONE"},{"id":2,"name":"smoke","status":"RUNNING"}],"totalElements":2}`), "application/json")
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSecrets finds the secrets of a UI session's calls, as match's
// first pass does for every entry: the same Cookie, X-Xsrf-Token and
// Authorization with every call, a URL of its own, a JSON answer.
func BenchmarkSecrets(b *testing.B) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.a0c13b95dd4c7a152f73b6d9126624276254e46e.24386bb76fe7d9fa2481"
	red := har.NewRedactor(har.DefaultRules())
	var entries []*har.Entry
	for i := range 256 {
		e := &har.Entry{
			StartedDateTime: "2026-11-28T10:00:01.000Z",
			Request: har.Request{Method: "GET", URL: fmt.Sprintf("https://testops.test/api/launch/%d/job/suggest?query=q%d&page=%d&sort=name", i, i, i%7), HTTPVersion: "HTTP/1.1",
				Headers: []har.NameValue{
					{Name: "Accept-Language", Value: "en-US,en;q=0.9"},
					{Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"},
					{Name: "Sec-Ch-Ua", Value: `"Chromium";v="156", "Not.A/Brand";v="99"`},
					{Name: "Cookie", Value: "XSRF-TOKEN=0b6c1a2e-8f0e-4c1b-9d7e-2f3a4b5c6d7e; SESSION=ZGVhZGJlZWYtc2Vzc2lvbg"},
					{Name: "X-Xsrf-Token", Value: "0b6c1a2e-8f0e-4c1b-9d7e-2f3a4b5c6d7e"},
					{Name: "Authorization", Value: "Bearer " + jwt},
				}},
			Response: har.Response{Status: 200, HTTPVersion: "HTTP/1.1", Headers: []har.NameValue{
				{Name: "Date", Value: fmt.Sprintf("Mon, 30 Nov 2026 09:%02d:%02d GMT", i/60%60, i%60)},
				{Name: "Cache-Control", Value: "no-cache, no-store"},
				{Name: "Content-Type", Value: "application/json"},
			}},
		}
		e.Request.QueryString = []har.NameValue{{Name: "query", Value: fmt.Sprintf("q%d", i)}, {Name: "page", Value: fmt.Sprint(i % 7)}, {Name: "sort", Value: "name"}}
		e.SetResponseBody([]byte(fmt.Sprintf(`{"content":[{"id":%d,"name":"nightly","status":"DONE","createdDate":1796511609272}],"totalElements":1}`, i)), "application/json")
		entries = append(entries, e)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		red.Secrets(entries[i%len(entries)])
	}
}
