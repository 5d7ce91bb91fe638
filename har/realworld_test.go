package har_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// realHARs lists every HAR file in ../shared/realworld/har, relative to it.
func realHARs(t *testing.T) (string, []string) {
	t.Helper()
	dir := shareddata.Dir(t, "realworld", "har")
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".har") {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("found only %d HAR files in %s", len(files), dir)
	}
	return dir, files
}

// sourceCounts reads the entry counts that SOURCES.md states for each file.
func sourceCounts(t *testing.T) map[string]int {
	t.Helper()
	src, err := os.ReadFile(shareddata.Dir(t, "realworld", "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, line := range strings.Split(string(src), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 9 {
			continue
		}
		name := strings.TrimSpace(cells[1])
		if !strings.HasSuffix(name, ".har") {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(cells[6]), ",", ""))
		if err != nil {
			continue
		}
		counts[name] = n
	}
	return counts
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return normalizeNumbers(v)
}

// normalizeNumbers compares numbers by value: 1.0 and 1 are the same JSON
// value.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	}
	return v
}

func TestRealWorldFilesLoadAndRoundTrip(t *testing.T) {
	dir, files := realHARs(t)
	counts := sourceCounts(t)
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			path := filepath.Join(dir, rel)
			f, err := har.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := har.Encode(&buf, f, har.WriterOptions{KeepSecrets: true}); err != nil {
				t.Fatal(err)
			}
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if want, got := jsonValue(t, orig), jsonValue(t, buf.Bytes()); !reflect.DeepEqual(want, got) {
				t.Errorf("read and write changed the JSON value: %s", firstDifference(want, got, "$"))
			}
			// The written copy reads back to the same entries.
			again, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Log.Entries) != len(f.Log.Entries) {
				t.Errorf("entries after a round trip: %d, want %d", len(again.Log.Entries), len(f.Log.Entries))
			}
			for i, e := range f.Log.Entries {
				if _, err := e.RequestBody(); err != nil {
					t.Errorf("entry %d request body: %v", i, err)
				}
				if _, err := e.ResponseBody(); err != nil {
					t.Errorf("entry %d response body: %v", i, err)
				}
			}
			want, ok := counts[filepath.ToSlash(rel)]
			if !ok {
				want, ok = counts[filepath.Base(rel)]
			}
			if !ok {
				t.Fatalf("SOURCES.md states no entry count for %s", rel)
			}
			t.Logf("%s: %d entries (SOURCES.md: %d)", rel, len(f.Log.Entries), want)
			if len(f.Log.Entries) != want {
				t.Errorf("%s has %d entries, SOURCES.md says %d", rel, len(f.Log.Entries), want)
			}
		})
	}
}

// firstDifference names the first place where two JSON values differ.
func firstDifference(a, b any, path string) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object became %T", path, b)
		}
		for k, x := range av {
			y, ok := bv[k]
			if !ok {
				return fmt.Sprintf("%s.%s: missing", path, k)
			}
			if d := firstDifference(x, y, path+"."+k); d != "" {
				return d
			}
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				return fmt.Sprintf("%s.%s: added", path, k)
			}
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Sprintf("%s: array changed", path)
		}
		for i := range av {
			if d := firstDifference(av[i], bv[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	default:
		if !reflect.DeepEqual(a, b) {
			return fmt.Sprintf("%s: %v became %v", path, a, b)
		}
	}
	return ""
}

func TestRealWorldQuirks(t *testing.T) {
	dir := shareddata.Dir(t, "realworld", "har")
	read := func(t *testing.T, name string) *har.File {
		t.Helper()
		f, err := har.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Run("optic: creator is a string, base64 postData, 1970 timestamps", func(t *testing.T) {
		f := read(t, "optic_capture_har13.har")
		if f.Log.Creator.Name == "" || f.Log.Version != "1.3" {
			t.Errorf("creator %+v version %q", f.Log.Creator, f.Log.Version)
		}
		var jsonPosts int
		for _, e := range f.Log.Entries {
			if e.Request.PostData == nil || e.Request.PostData.Encoding != "base64" {
				continue
			}
			b, err := e.RequestBody()
			if err != nil {
				t.Fatal(err)
			}
			if json.Valid(b) {
				jsonPosts++
			}
			if _, err := e.Started(); err != nil {
				t.Error(err)
			}
		}
		if jsonPosts != 3 {
			t.Errorf("decoded %d base64 JSON request bodies, SOURCES.md says 3", jsonPosts)
		}
	})
	t.Run("playwright: bodies in side files", func(t *testing.T) {
		f := read(t, "petstore/playwright/playwright_petstore-create-pet.har")
		e := f.Log.Entries[0]
		req, err := e.RequestBody()
		if err != nil || !json.Valid(req) {
			t.Fatalf("request body from _file: %q, %v", req, err)
		}
		resp, err := e.ResponseBody()
		if err != nil || len(resp) == 0 {
			t.Fatalf("response body from _file: %q, %v", resp, err)
		}
	})
	t.Run("chrome: failed entries with status 0 and pseudo-headers", func(t *testing.T) {
		f := read(t, "chrome104_requestgenerator_api_665.har")
		var failed int
		for _, e := range f.Log.Entries {
			if e.Response.Status == 0 {
				failed++
				if e.NetworkError() == "" {
					t.Errorf("status 0 entry without its _error")
				}
			}
		}
		if failed != 11 {
			t.Errorf("%d failed entries, SOURCES.md says 11", failed)
		}
	})
	t.Run("fiddler: seven fractional digits and an offset", func(t *testing.T) {
		f := read(t, "fiddler5_post_json.har")
		ts, err := f.Log.Entries[0].Started()
		if err != nil {
			t.Fatal(err)
		}
		if _, off := ts.Zone(); off != 5*3600+30*60 {
			t.Errorf("offset %d", off)
		}
	})
	t.Run("chrome: base64 PNG decodes to a PNG", func(t *testing.T) {
		f := read(t, "chrome_devtools_base64.har")
		var pngs int
		for _, e := range f.Log.Entries {
			b, err := e.ResponseBody()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(b, []byte("\x89PNG")) {
				pngs++
			}
		}
		if pngs != 1 {
			t.Errorf("%d PNG bodies, want 1", pngs)
		}
	})
}
