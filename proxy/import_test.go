package proxy

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// readAll reads every entry of a HAR file.
func readAll(t testing.TB, path string) []*har.Entry {
	t.Helper()
	r, err := har.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*har.Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, e)
	}
}

// sourceSecrets lists the cookie and credential values a real export
// carries: what a clean recording must not.
func sourceSecrets(entries []*har.Entry) []string {
	var out []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) >= 8 {
			out = append(out, v)
		}
	}
	for _, e := range entries {
		for _, c := range e.Request.Cookies {
			add(c.Value)
		}
		for _, c := range e.Response.Cookies {
			add(c.Value)
		}
		for _, h := range e.Request.Headers {
			if strings.EqualFold(h.Name, "authorization") {
				_, cred, _ := strings.Cut(h.Value, " ")
				add(cred)
			}
		}
	}
	return out
}

func TestImportRealWorldExports(t *testing.T) {
	dir := shareddata.Dir(t, "realworld", "har")
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".har") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 10 {
		t.Fatalf("found only %d HAR files in %s", len(files), dir)
	}
	for _, src := range files {
		name, _ := filepath.Rel(dir, src)
		t.Run(name, func(t *testing.T) {
			source := readAll(t, src)
			out := filepath.Join(t.TempDir(), "clean.har")
			red := har.NewRedactor(har.DefaultRules())
			w, err := har.Create(out, har.WriterOptions{Redactor: red})
			if err != nil {
				t.Fatal(err)
			}
			st, err := Import(src, w, ImportOptions{Filter: &Filter{}, MaxBody: 64 << 10, Redactor: red})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if st.Read != len(source) {
				t.Errorf("read %d entries, the file has %d", st.Read, len(source))
			}
			wantKept := 0
			for _, e := range source {
				if (&Filter{}).Keep(e) {
					wantKept++
				}
			}
			got := readAll(t, out)
			if st.Kept != wantKept || len(got) != wantKept {
				t.Errorf("kept %d, wrote %d, want %d of %d", st.Kept, len(got), wantKept, len(source))
			}
			data, _ := os.ReadFile(out)
			if regexp.MustCompile(`"_file":"[^"]`).Match(data) {
				t.Error("the recording still points at side files")
			}
			for _, s := range sourceSecrets(source) {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("a cookie or credential value of the export (%d bytes, starting %.4q) is in the recording", len(s), s)
				}
			}
			for i, e := range got {
				if AssetType(e.Response.ContentType()) {
					t.Errorf("entry %d (%s) is a static asset", i, e.Request.URL)
				}
				body, err := e.ResponseBody()
				if err != nil {
					t.Errorf("entry %d: response body: %v", i, err)
				}
				cut := e.Response.Content.Extra.Get("_truncated") != nil
				if int64(len(body)) > 64<<10 || cut && len(body) == 0 {
					t.Errorf("entry %d: body of %d bytes, _truncated %v", i, len(body), cut)
				}
			}
		})
	}
}

func TestImportInlinesPlaywrightSideFiles(t *testing.T) {
	src := filepath.Join(shareddata.Dir(t, "realworld", "har", "petstore", "playwright"), "playwright_petstore-multiple-endpoints.har")
	source := readAll(t, src)
	var want [][]byte
	for _, e := range source {
		if e.Response.Content.File == "" {
			t.Skip("the export keeps its bodies inline")
		}
		b, err := e.ResponseBody()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b)
	}
	out := filepath.Join(t.TempDir(), "sub", "clean.har")
	os.MkdirAll(filepath.Dir(out), 0o700)
	w, _ := har.Create(out, har.WriterOptions{KeepSecrets: true})
	if _, err := Import(src, w, ImportOptions{Filter: &Filter{KeepAssets: true}}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	got := readAll(t, out)
	for i, e := range got {
		b, err := e.ResponseBody()
		if err != nil || !bytes.Equal(b, want[i]) {
			t.Errorf("entry %d: body %d bytes (err %v), want the side file's %d bytes", i, len(b), err, len(want[i]))
		}
	}
}

// A HAR is often passed on without the side files Playwright keeps its
// bodies in, and a killed recording ends mid-entry; neither may cost the
// user the entries that are whole.
func TestImportKeepsWhatItCan(t *testing.T) {
	entry := func(url, content string) string {
		return `{"startedDateTime":"2026-01-01T00:00:01.000Z","time":5,
		 "request":{"method":"GET","url":"` + url + `","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},
		 "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"application/json"}],"cookies":[],
		  "content":` + content + `,"redirectURL":null,"headersSize":-1,"bodySize":-1},
		 "cache":{},"timings":{"send":0,"wait":5,"receive":0}}`
	}
	head := `{"log":{"version":"1.2","creator":{"name":"Playwright","version":"1.40"},"entries":[`
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "present.json"), []byte(`{"id":2}`), 0o600)
	whole := head +
		entry("https://app.example.com/api/one", `{"size":8,"mimeType":"application/json","_file":"missing.json"}`) + "," +
		entry("https://app.example.com/api/two", `{"size":8,"mimeType":"application/json","_file":"present.json"}`) + "," +
		entry("https://app.example.com/api/three", `{"size":8,"mimeType":"application/json","text":"{\"id\":3}"}`)
	tests := []struct {
		name          string
		text          string
		wantKept      int
		wantLost      int
		wantTruncated bool
	}{
		{"a side file is missing", whole + "]}}", 3, 1, false},
		{"the file was cut inside the last entry", whole[:len(whole)-40], 2, 1, true},
		{"the file was cut before any entry ended", head + `{"startedDateTime":"2026-`, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := filepath.Join(dir, "export.har")
			if err := os.WriteFile(src, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "clean.har")
			w, _ := har.Create(out, har.WriterOptions{})
			st, err := Import(src, w, ImportOptions{Redactor: har.NewRedactor(har.DefaultRules())})
			if err != nil {
				t.Fatalf("import failed: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if st.Kept != tc.wantKept || st.Unreadable != tc.wantLost || (st.Truncated != nil) != tc.wantTruncated {
				t.Errorf("kept %d, unreadable %d, truncated %v; want %d, %d, %v", st.Kept, st.Unreadable, st.Truncated, tc.wantKept, tc.wantLost, tc.wantTruncated)
			}
			if tc.wantLost > 0 && (st.BodyErr == nil || !strings.Contains(st.BodyErr.Error(), "missing.json")) {
				t.Errorf("BodyErr %v, want it to name missing.json", st.BodyErr)
			}
			// The result is a whole HAR (readAll fails on anything else) in
			// HAR 1.2's own types, though the exporter wrote null.
			got := readAll(t, out)
			if data, _ := os.ReadFile(out); bytes.Contains(data, []byte(`"redirectURL":null`)) {
				t.Error("the import kept a null redirectURL")
			}
			if len(got) != tc.wantKept {
				t.Fatalf("the result holds %d entries, want %d", len(got), tc.wantKept)
			}
			if tc.wantKept == 0 {
				return
			}
			c := got[0].Response.Content
			if c.File != "" || c.Text != "" || !strings.Contains(c.Comment, "could not read") || c.Size != 8 {
				t.Errorf("entry with the missing body: file %q text %q comment %q size %d", c.File, c.Text, c.Comment, c.Size)
			}
			if b, err := got[1].ResponseBody(); err != nil || string(b) != `{"id":2}` {
				t.Errorf("entry with its side file: body %q, %v", b, err)
			}
		})
	}
}

// ImportHeader keeps what the export says about itself and names the
// importing tool as the creator, so a recording tells where it came from.
func TestImportHeader(t *testing.T) {
	entry := `{"startedDateTime":"2026-01-01T00:00:01.000Z","time":5,
	 "request":{"method":"GET","url":"https://app.example.com/api/one","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},
	 "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":0,"mimeType":"text/plain"},"redirectURL":"","headersSize":-1,"bodySize":0},
	 "cache":{},"timings":{"send":0,"wait":5,"receive":0}}`
	pages := `"pages":[{"startedDateTime":"2026-01-01T00:00:00.000Z","id":"page_1","title":"App","pageTimings":{}}]`
	by := har.Creator{Name: "apitrail test", Version: "9.9"}
	tests := []struct {
		reason      string
		text        string
		wantComment string
		wantPages   int
		wantBrowser string
	}{
		{"a DevTools export names its creator and version",
			`{"log":{"version":"1.1","creator":{"name":"WebInspector","version":"537.36"},` + pages + `,"entries":[` + entry + `]}}`,
			"imported by apitrail test from export.har, made by WebInspector 537.36", 1, ""},
		{"a creator without a version is named alone",
			`{"log":{"version":"1.2","creator":{"name":"Charles Proxy","version":""},"browser":{"name":"Firefox","version":"128"},"entries":[` + entry + `]}}`,
			"imported by apitrail test from export.har, made by Charles Proxy", 0, "Firefox"},
		{"no creator at all says only where the file came from",
			`{"log":{"version":"1.2","creator":{"name":" ","version":""},"entries":[]}}`,
			"imported by apitrail test from export.har", 0, ""},
		{"the export's own comment comes first",
			`{"log":{"version":"1.2","creator":{"name":"Playwright","version":"1.40"},"comment":"checkout flow","entries":[` + entry + `]}}`,
			"checkout flow; imported by apitrail test from export.har, made by Playwright 1.40", 0, ""},
		{"a file cut inside its first entry still has its header",
			`{"log":{"version":"1.2","creator":{"name":"Playwright","version":"1.40"},` + pages + `,"entries":[` + entry[:60],
			"imported by apitrail test from export.har, made by Playwright 1.40", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "export.har")
			if err := os.WriteFile(src, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			h, err := ImportHeader(src, by)
			if err != nil {
				t.Fatal(err)
			}
			if h.Log.Comment != tc.wantComment {
				t.Errorf("comment %q, want %q", h.Log.Comment, tc.wantComment)
			}
			if h.Log.Creator.Name != by.Name || h.Log.Creator.Version != by.Version || h.Log.Version != "1.2" {
				t.Errorf("creator %+v, version %q; want %+v, 1.2", h.Log.Creator, h.Log.Version, by)
			}
			if len(h.Log.Pages) != tc.wantPages {
				t.Errorf("%d pages, want %d", len(h.Log.Pages), tc.wantPages)
			}
			browser := ""
			if h.Log.Browser != nil {
				browser = h.Log.Browser.Name
			}
			if browser != tc.wantBrowser {
				t.Errorf("browser %q, want %q", browser, tc.wantBrowser)
			}
		})
	}
	t.Run("a file that is not a HAR is named with the place", func(t *testing.T) {
		src := filepath.Join(t.TempDir(), "bad.har")
		if err := os.WriteFile(src, []byte("{\"log\":\n  [1,2]}"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ImportHeader(src, by)
		if err == nil || !regexp.MustCompile(regexp.QuoteMeta(src)+`:2:`).MatchString(err.Error()) {
			t.Errorf("error %v, want one naming %s and its line 2", err, src)
		}
	})
	t.Run("a file that cannot be opened is an fs.PathError", func(t *testing.T) {
		_, err := ImportHeader(filepath.Join(t.TempDir(), "missing.har"), by)
		if pe := (*fs.PathError)(nil); !errors.As(err, &pe) || pe.Op != "open" {
			t.Errorf("error %v, want the open error as it is", err)
		}
	})
}
