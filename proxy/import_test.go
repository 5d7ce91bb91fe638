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
