package har_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/apitrail/apitrail/har"
)

func ExampleOpen() {
	rd, err := har.Open("testdata/minimal.har")
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Close()
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, har.ErrTruncated) {
			fmt.Println("the recording was cut short:", err)
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Request.Method, e.Request.URL, e.Response.Status)
	}
	fmt.Println("creator:", rd.Header().Log.Creator.Name)
	// Output:
	// GET http://127.0.0.1:8080/api/launch/1 200
	// creator: apitrail
}

func ExampleReadFile() {
	f, err := har.ReadFile("testdata/quirks.har")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(f.Log.Entries), "entries, HAR", f.Log.Version, "by", f.Log.Creator.Name)
	// Output: 2 entries, HAR 1.3 by hand-written quirks sample
}

func ExampleEntry_ResponseBody() {
	f, err := har.ReadFile("testdata/quirks.har")
	if err != nil {
		log.Fatal(err)
	}
	// The body is stored in base64; ResponseBody decodes it.
	body, err := f.Log.Entries[0].ResponseBody()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(body))
	// Output: {"id":123}
}

func ExampleEntry_NewRequest() {
	f, err := har.ReadFile("testdata/quirks.har")
	if err != nil {
		log.Fatal(err)
	}
	req, err := f.Log.Entries[0].NewRequest(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	fmt.Println(req.Method, req.URL.Path, req.Header.Get("Content-Type"))
	fmt.Println(string(body))
	// Output:
	// POST /api/launch application/json
	// {"name":"launch","projectId":1}
}

func ExampleNewWriter() {
	w, err := har.NewWriter(os.Stdout, har.WriterOptions{Creator: har.Creator{Name: "example", Version: "1"}})
	if err != nil {
		log.Fatal(err)
	}
	e := &har.Entry{StartedDateTime: "2026-11-28T10:00:00.000Z", Time: 1,
		Request: har.Request{Method: "GET", URL: "http://127.0.0.1/api/project?page=0", HTTPVersion: "HTTP/1.1",
			Headers: []har.NameValue{{Name: "Cookie", Value: "SESSION=abc123"}}},
		Response: har.Response{Status: 200}}
	if err := w.Write(e); err != nil { // the cookie is redacted on the way out
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
}

func ExampleRedactor() {
	r := har.NewRedactor(har.DefaultRules())
	a := r.URL("https://testops.test/api/launch?projectId=1&token=abcd1234efgh")
	b := r.Header("Authorization", "Bearer abcd1234efgh")
	fmt.Println(strings.HasPrefix(a, "https://testops.test/api/launch?projectId=1&token=REDACTED-"))
	fmt.Println(strings.TrimPrefix(b, "Bearer ") == strings.TrimPrefix(a, "https://testops.test/api/launch?projectId=1&token="))
	// Output:
	// true
	// true
}

func ExampleNewReader() {
	doc := `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[
	{"request":{"method":"GET","url":"http://a.test/1"},"response":{"status":200}},
	{"request":{"method":"GET","url":"http://a.test/2"},"respo`
	rd := har.NewReader(strings.NewReader(doc), har.ReaderOptions{Name: "killed.har"})
	for {
		e, err := rd.Next()
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(e.Request.URL)
	}
	// Output:
	// http://a.test/1
	// killed.har: cut short at byte 213, after 1 complete entry: the rest of the file is missing (a recording that was killed, or a partial copy)
}

func ExampleEntry_Normalize() {
	// Charles writes null where HAR 1.2 wants a string.
	const export = `{"log":{"version":"1.2","creator":{"name":"Charles","version":"4.6"},"entries":[
	{"startedDateTime":"2026-01-01T00:00:01Z","time":3,"request":{"method":"GET","url":"https://a.example/x",
	 "httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
	 "response":{"status":204,"statusText":"No Content","httpVersion":"HTTP/1.1","headers":[],"cookies":[],
	 "content":{"size":0,"mimeType":""},"redirectURL":null,"headersSize":-1,"bodySize":0},
	 "cache":{},"timings":{"send":0,"wait":3,"receive":0}}]}}`
	f, err := har.NewReader(strings.NewReader(export), har.ReaderOptions{}).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	e := f.Log.Entries[0]
	e.Normalize()
	var out strings.Builder
	if err := har.Encode(&out, &har.File{Log: har.Log{Version: "1.2", Entries: []*har.Entry{e}}}, har.WriterOptions{KeepSecrets: true}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Contains(out.String(), `"redirectURL":""`))
	// Output: true
}

func ExampleContent_MarkTruncated() {
	e := &har.Entry{}
	body := []byte(`{"content":[{"id":1},{"id":2}]}`)
	// A recorder that keeps at most 12 bytes of each body.
	e.SetResponseBody(body[:12], "application/json")
	e.Response.Content.MarkTruncated(fmt.Sprintf("kept the first 12 of %d bytes", len(body)))

	// A reader checks before it holds the body to a schema.
	fmt.Println(e.Response.Content.Truncated(), e.Response.Content.Comment)
	// Output: true kept the first 12 of 31 bytes
}

func ExampleContent_SetSHA256() {
	whole := []byte(`{"items":["a","b","c"]}`)
	sum := sha256.Sum256(whole)
	e := &har.Entry{}
	e.SetResponseBody(whole[:10], "application/json")
	e.Response.Content.Size = int64(len(whole))
	e.Response.Content.MarkTruncated(fmt.Sprintf("kept the first 10 of %d bytes", len(whole)))
	e.Response.Content.SetSHA256(hex.EncodeToString(sum[:]))
	fmt.Println(e.Response.Content.Truncated(), e.Response.Content.Size, e.Response.Content.SHA256()[:16])
	// Output: true 23 1ef7a7f832aa621b
}

func ExampleRedactor_ReportURL() {
	r := har.NewRedactor(har.DefaultRules())
	u := r.ReportURL("https://bob:hunter2@testops.example.com/api/launch?page=0&token=tok-1234567890")
	fmt.Println(strings.HasPrefix(u, "https://testops.example.com/api/launch?page=0&token=REDACTED-"))
	// Output: true
}
