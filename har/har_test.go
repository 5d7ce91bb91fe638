package har_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
)

func readTestdata(t *testing.T, name string) *har.File {
	t.Helper()
	f, err := har.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestQuirks(t *testing.T) {
	f := readTestdata(t, "quirks.har")
	first, failed := f.Log.Entries[0], f.Log.Entries[1]
	cases := []struct {
		reason string
		got    any
		want   any
	}{
		{"a creator given as a bare string lands in Name", f.Log.Creator.Name, "hand-written quirks sample"},
		{"HAR 1.3 is read", f.Log.Version, "1.3"},
		{"null where a number belongs reads as zero", first.Request.HeadersSize, int64(0)},
		{"a number given as a string is read", first.Request.BodySize, int64(27)},
		{"null where an array belongs reads as none", len(first.Request.QueryString), 0},
		{"null where a string belongs reads as empty", first.Response.RedirectURL, ""},
		{"httpVersion without HTTP/ is kept", first.Request.HTTPVersion, "1.1"},
		{"a garbled httpVersion is kept", failed.Request.HTTPVersion, "ori"},
		{"a failed request has status 0", failed.Response.Status, 0},
		{"a failed request keeps the browser's error", failed.NetworkError(), "net::ERR_INTERNET_DISCONNECTED"},
		{"an expiry that is not a date is kept as text", failed.Cache.AfterRequest.Expires, "4294967295"},
		{"unknown members are kept", string(first.Extra.Get("_resourceType")), `"fetch"`},
		{"unknown members of nested objects are kept", string(first.Timings.Extra.Get("_blocked_queueing")), "1.25"},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.reason, c.got, c.want)
		}
	}

	body, err := first.RequestBody()
	if err != nil || string(body) != `{"name":"launch","projectId":1}` {
		t.Errorf("base64 postData with the non-standard encoding member: %q, %v", body, err)
	}
	resp, err := first.ResponseBody()
	if err != nil || string(resp) != `{"id":123}` {
		t.Errorf("unpadded base64 content: %q, %v", resp, err)
	}
	ts, err := first.Started()
	if err != nil || ts.UTC().Format(time.RFC3339Nano) != "2020-06-23T11:44:02.596184Z" {
		t.Errorf("seven fractional digits and an offset: %v, %v", ts, err)
	}
}

func TestRoundTripKeepsOddValuesUntilChanged(t *testing.T) {
	f := readTestdata(t, "quirks.har")
	e := f.Log.Entries[0]
	b, _ := json.Marshal(e)
	for _, want := range []string{`"headersSize":null`, `"bodySize":"27"`, `"queryString":null`, `"redirectURL":null`, `"_transferSize":300`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("unchanged entry lost %s: %s", want, b)
		}
	}
	e.Request.BodySize = 30
	e.Response.RedirectURL = "https://example.test/next"
	b, _ = json.Marshal(e)
	for _, want := range []string{`"bodySize":30`, `"redirectURL":"https://example.test/next"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("changed value not written: want %s in %s", want, b)
		}
	}
	var again har.Entry
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatal(err)
	}
	if again.Request.BodySize != 30 || again.Response.RedirectURL != "https://example.test/next" {
		t.Errorf("read back %+v", again.Request)
	}
}

func TestNewRequest(t *testing.T) {
	f := readTestdata(t, "quirks.har")
	req, err := f.Log.Entries[0].NewRequest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" {
		t.Errorf("method %q: a lower-case standard method is sent upper-case, as fetch does", req.Method)
	}
	for _, h := range []string{":authority", ":path", "Accept-Encoding"} {
		if _, ok := req.Header[h]; ok {
			t.Errorf("header %s must not be sent", h)
		}
	}
	if req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", req.Header.Get("Content-Type"))
	}
	body, _ := io.ReadAll(req.Body)
	if string(body) != `{"name":"launch","projectId":1}` || req.ContentLength != int64(len(body)) {
		t.Errorf("body %q length %d", body, req.ContentLength)
	}
	if req.GetBody == nil {
		t.Error("GetBody is needed to resend the request after a redirect or a 401")
	}
	if req.URL.Query()["sort"][1] != "b,desc" {
		t.Errorf("repeated query parameters: %v", req.URL.Query())
	}

	e := &har.Entry{Request: har.Request{Method: "GET", URL: "http://127.0.0.1:1/x",
		Headers: []har.NameValue{{Name: "Host", Value: "instance.test"}},
		Cookies: []har.Cookie{{Name: "SESSION", Value: "abc"}}}}
	req, err = e.NewRequest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if req.Host != "instance.test" || req.Header.Get("Cookie") != "SESSION=abc" || req.Body != http.NoBody {
		t.Errorf("host %q cookie %q body %v", req.Host, req.Header.Get("Cookie"), req.Body)
	}
	e.Request.URL = "/relative"
	if _, err := e.NewRequest(context.Background()); err == nil {
		t.Error("a relative URL cannot be sent")
	}
}

func TestSideFileMustStayNextToTheHAR(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "body.json"), []byte(`{"ok":true}`), 0o600)
	for _, c := range []struct {
		reason, name string
		ok           bool
	}{
		{"a plain name next to the HAR is read", "body.json", true},
		{"a parent path is refused", "../body.json", false},
		{"an absolute path is refused", "/etc/passwd", false},
		{"a sub-folder is refused", "sub/body.json", false},
	} {
		e := &har.Entry{}
		e.SetBaseDir(dir)
		e.Response.Content.File = c.name
		_, err := e.ResponseBody()
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.reason, err)
		}
	}
}

// writeEntries writes n small entries and returns the file and the offset
// where each entry ends.
func writeEntries(t testing.TB, n int) ([]byte, []int) {
	var buf bytes.Buffer
	w, err := har.NewWriter(&buf, har.WriterOptions{Creator: har.Creator{Name: "test", Version: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	var ends []int
	for i := 0; i < n; i++ {
		if err := w.Write(testEntry(i, 20)); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, buf.Len())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), ends
}

func testEntry(i, bodySize int) *har.Entry {
	e := &har.Entry{
		StartedDateTime: har.FormatTime(time.Date(2026, 11, 28, 10, 0, 0, i*1e6, time.UTC)),
		Time:            float64(i),
		Request: har.Request{Method: "GET", URL: fmt.Sprintf("http://127.0.0.1:8080/api/launch/%d", i), HTTPVersion: "HTTP/1.1",
			Headers: []har.NameValue{{Name: "Accept", Value: "application/json"}}, Cookies: []har.Cookie{}, QueryString: []har.NameValue{},
			HeadersSize: -1},
		Response: har.Response{Status: 200, StatusText: "OK", HTTPVersion: "HTTP/1.1", Cookies: []har.Cookie{},
			Headers: []har.NameValue{{Name: "Content-Type", Value: "application/json"}}, HeadersSize: -1},
		Timings: har.Timings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Wait: float64(i)},
	}
	body := fmt.Sprintf(`{"id":%d,"name":%q}`, i, strings.Repeat("x", bodySize))
	e.SetResponseBody([]byte(body), "application/json")
	return e
}

func TestTruncatedFileYieldsEveryCompleteEntry(t *testing.T) {
	data, ends := writeEntries(t, 5)
	for cut := 0; cut <= len(data); cut++ {
		rd := har.NewReader(bytes.NewReader(data[:cut]), har.ReaderOptions{Name: "cut.har"})
		var got int
		var err error
		for {
			var e *har.Entry
			e, err = rd.Next()
			if err != nil {
				break
			}
			if e.Request.URL != fmt.Sprintf("http://127.0.0.1:8080/api/launch/%d", got) {
				t.Fatalf("cut at %d: entry %d is %s", cut, got, e.Request.URL)
			}
			got++
		}
		complete := 0
		for _, end := range ends {
			if end <= cut {
				complete++
			}
		}
		switch {
		case cut == len(data) || strings.TrimSpace(string(data[cut:])) == "":
			if err != io.EOF || got != 5 {
				t.Fatalf("whole file: %d entries, %v", got, err)
			}
		case cut == 0:
			if err == nil || errors.Is(err, har.ErrTruncated) {
				t.Fatalf("empty file: %v", err)
			}
		default:
			var te *har.TruncatedError
			if !errors.As(err, &te) {
				t.Fatalf("cut at %d of %d: want a truncation error, got %v", cut, len(data), err)
			}
			if got != complete || te.Entries != complete {
				t.Fatalf("cut at %d: read %d entries (error says %d), %d were complete", cut, got, te.Entries, complete)
			}
		}
	}
}

// TestKilledWriter kills a process that is recording and reads back what it
// left: every entry it reported as written must be there.
func TestKilledWriter(t *testing.T) {
	if path := os.Getenv("HAR_TEST_WRITER_CHILD"); path != "" {
		writeForever(path)
		return
	}
	path := filepath.Join(t.TempDir(), "killed.har")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriter$")
	cmd.Env = append(os.Environ(), "HAR_TEST_WRITER_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	written := 0
	for sc.Scan() {
		if n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "wrote ")); err == nil {
			written = n
		}
		if written >= 200 {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if written < 200 {
		t.Fatalf("the child wrote only %d entries", written)
	}
	rd, err := har.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	n := 0
	for {
		e, err := rd.Next()
		if err != nil {
			if !errors.Is(err, har.ErrTruncated) {
				t.Fatalf("after %d entries: %v", n, err)
			}
			break
		}
		if want := fmt.Sprintf("http://127.0.0.1:8080/api/launch/%d", n); e.Request.URL != want {
			t.Fatalf("entry %d is %s, want %s", n, e.Request.URL, want)
		}
		n++
	}
	if n < written {
		t.Fatalf("read back %d entries, the writer had finished %d", n, written)
	}
	t.Logf("killed after %d reported entries; %d read back", written, n)
}

func writeForever(path string) {
	w, err := har.Create(path, har.WriterOptions{})
	if err != nil {
		panic(err)
	}
	for i := 0; ; i++ {
		if err := w.Write(testEntry(i, 50_000)); err != nil {
			panic(err)
		}
		fmt.Printf("wrote %d\n", i+1)
	}
}

// TestBadHARsGiveOneLineErrorWithPlace reads each crafted broken recording
// of testdata/har/bad, which the commands' tests read too, and holds the
// error to the line listed for it: the file, line and column, and what is
// wrong.
func TestBadHARsGiveOneLineErrorWithPlace(t *testing.T) {
	for _, b := range hartest.BadHARs(t) {
		_, err := har.ReadFile(b.Path)
		if err == nil || err.Error() != b.Want {
			t.Errorf("%s:\n got %v\nwant %s", b.Name, err, b.Want)
		}
	}
}

// TestHugeBadInputGivesOneLineErrorWithPlace covers what is too large to
// keep as a file: the input is generated.
func TestHugeBadInputGivesOneLineErrorWithPlace(t *testing.T) {
	big := func() io.Reader {
		head := `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"request":{"method":"GET","url":"http://x/"},"response":{"status":200,"content":{"size":1,"mimeType":"text/plain","text":"`
		return io.MultiReader(strings.NewReader(head), io.LimitReader(repeatReader('a'), 1<<30), strings.NewReader(`"}}}]}}`))
	}
	cases := []struct {
		reason string
		input  func() io.Reader
		want   string // in the message
	}{
		{"deep nesting", text(`{"log":{"entries":[{"_x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}]}}`), "nesting deeper than 10000 levels"},
		{"a 1 GB body", big, "entry 0 is larger than the 256 MiB limit"},
	}
	for _, c := range cases {
		rd := har.NewReader(c.input(), har.ReaderOptions{Name: "bad.har"})
		_, err := rd.ReadAll()
		if err == nil {
			t.Errorf("%s: no error", c.reason)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: error has more than one line: %q", c.reason, msg)
		}
		if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "bad.har:") {
			t.Errorf("%s:\n got %s\nwant %s", c.reason, msg, c.want)
		}
	}
}

func text(s string) func() io.Reader { return func() io.Reader { return strings.NewReader(s) } }

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestWriterHeaderAndTail(t *testing.T) {
	src := readTestdata(t, "quirks.har")
	src.Extra = har.Extra{{Name: "_topLevel", Value: json.RawMessage(`{"kept":true}`)}}
	src.Log.Comment = "imported"
	var buf bytes.Buffer
	if err := har.Encode(&buf, src, har.WriterOptions{KeepSecrets: true}); err != nil {
		t.Fatal(err)
	}
	got, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got.Log.Comment != "imported" || string(got.Extra.Get("_topLevel")) != `{"kept":true}` || len(got.Log.Entries) != 2 {
		t.Errorf("header or tail lost: comment %q extra %s entries %d", got.Log.Comment, got.Extra.Get("_topLevel"), len(got.Log.Entries))
	}
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.har")
	os.WriteFile(path, []byte("old"), 0o600)
	f := readTestdata(t, "minimal.har")
	f.Log.Entries = append(f.Log.Entries, nil) // a nil entry cannot be encoded: the write fails
	if err := har.WriteFile(path, f, har.WriterOptions{}); err == nil {
		t.Fatal("writing a nil entry did not fail")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("a failed write replaced the file: %q", b)
	}
	f.Log.Entries = f.Log.Entries[:1]
	if err := har.WriteFile(path, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := har.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Normalize turns an exporter's odd shapes into HAR 1.2 types, keeping the
// members the format leaves to tools.
func TestNormalize(t *testing.T) {
	src := `{"log":{"version":"1.2","creator":{"name":"Charles","version":"4.6"},"entries":[
	{"startedDateTime":"2026-01-01T00:00:01.000Z","time":null,"_initiator":{"type":"script"},
	 "request":{"method":"GET","url":"https://a.example/x","httpVersion":"","headers":[],"queryString":[],"headersSize":-1,"bodySize":"0"},
	 "response":{"status":200,"statusText":null,"httpVersion":"HTTP/1.1","headers":[],"cookies":[],
	  "content":{"size":2,"mimeType":"application/json","text":"{}"},"redirectURL":null,"headersSize":-1,"bodySize":2},
	 "cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}}`
	f, err := har.NewReader(strings.NewReader(src), har.ReaderOptions{}).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	e := f.Log.Entries[0]
	e.Normalize()
	var buf bytes.Buffer
	if err := har.Encode(&buf, &har.File{Log: har.Log{Version: "1.2", Entries: []*har.Entry{e}}}, har.WriterOptions{KeepSecrets: true}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Log struct {
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	g := got.Log.Entries[0]
	req, res := g["request"].(map[string]any), g["response"].(map[string]any)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"null redirectURL becomes a string", res["redirectURL"], ""},
		{"null statusText becomes a string", res["statusText"], ""},
		{"null time becomes a number", g["time"], float64(0)},
		{"a number given as a string becomes a number", req["bodySize"], float64(0)},
		{"a missing cookies list is written", req["cookies"], []any{}},
		{"an underscore member is kept", g["_initiator"], map[string]any{"type": "script"}},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}
