package diff

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// realJSONBodies returns the JSON documents of the shared data set: the
// JSON specs, and the JSON response bodies of every HAR file.
func realJSONBodies(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	specs, _ := filepath.Glob(filepath.Join(shareddata.Dir(t, "realworld", "specs"), "*.json"))
	for _, p := range specs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = data
	}
	hars, _ := filepath.Glob(filepath.Join(shareddata.Dir(t, "realworld", "har"), "*.har"))
	for _, p := range hars {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Log struct {
				Entries []struct {
					Response struct {
						Content struct {
							MimeType string `json:"mimeType"`
							Text     string `json:"text"`
							Encoding string `json:"encoding"`
						} `json:"content"`
					} `json:"response"`
				} `json:"entries"`
			} `json:"log"`
		}
		if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &h); err != nil {
			t.Logf("%s: not read: %v", filepath.Base(p), err)
			continue
		}
		for i, e := range h.Log.Entries {
			c := e.Response.Content
			body := []byte(c.Text)
			if c.Encoding == "base64" {
				if body, err = base64.StdEncoding.DecodeString(c.Text); err != nil {
					continue
				}
			}
			if strings.Contains(c.MimeType, "json") && json.Valid(body) {
				out[filepath.Base(p)+"#"+strconv.Itoa(i)] = body
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d JSON documents found in the shared data set", len(out))
	}
	return out
}

// TestRealWorldJSON runs every real JSON document through the parser and the
// comparison: the parser agrees with encoding/json, a document equals
// itself re-encoded with other key order and spacing, and one changed value
// deep inside is reported at exactly its path.
func TestRealWorldJSON(t *testing.T) {
	bodies := realJSONBodies(t)
	names := make([]string, 0, len(bodies))
	for n := range bodies {
		names = append(names, n)
	}
	slices.Sort(names)
	mutated := 0
	for _, name := range names {
		body := bodies[name]
		if utf8.Valid(body) {
			checkAgainstStd(t, body)
		}
		v, err := decodeStd(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// encoding/json writes members sorted and compact, so this has
		// another key order and spacing than most of the originals.
		reencoded, _ := json.Marshal(v)
		if r := Compare(jsonResp(string(body)), jsonResp(string(reencoded))); !r.Equal {
			t.Errorf("%s differs from itself re-encoded:\n%s", name, r.Report())
			continue
		}
		path, ok := changeLastString(v, nil)
		if !ok {
			continue
		}
		changed, _ := json.Marshal(v)
		r := Compare(jsonResp(string(body)), jsonResp(string(changed)))
		want := formatPath(path)
		if len(r.Body) != 1 || r.Body[0].Path != want || r.Body[0].New != `"apitrail-was-here"` {
			t.Errorf("%s: changing %s gives %+v", name, want, r.Body)
			continue
		}
		if !strings.Contains(r.Diff, `"apitrail-was-here"`) || strings.Count(r.Diff, "\n+") != 2 { // "+++ replayed" and the changed line
			t.Errorf("%s: the diff should add exactly one line:\n%s", name, r.Diff)
		}
		mutated++
	}
	t.Logf("%d real JSON documents, %d with a changed value found at its path", len(names), mutated)
}

// changeLastString replaces the first string found by always looking at
// the last member or element first, and returns its path.
func changeLastString(v any, path []step) ([]step, bool) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i := len(keys) - 1; i >= 0; i-- {
			here := append(slices.Clip(path), step{key: keys[i]})
			if _, ok := x[keys[i]].(string); ok {
				x[keys[i]] = "apitrail-was-here"
				return here, true
			}
			if p, ok := changeLastString(x[keys[i]], here); ok {
				return p, true
			}
		}
	case []any:
		for i := len(x) - 1; i >= 0; i-- {
			here := append(slices.Clip(path), step{index: i, isIndex: true})
			if _, ok := x[i].(string); ok {
				x[i] = "apitrail-was-here"
				return here, true
			}
			if p, ok := changeLastString(x[i], here); ok {
				return p, true
			}
		}
	}
	return nil, false
}
