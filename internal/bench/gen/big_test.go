package gen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
)

// TestWriteBig writes a recording with large answers from the sandbox's
// document and reads it back as match would: the large answers are there,
// near the size asked, valid JSON pages, and the broken item is only in
// the first.
func TestWriteBig(t *testing.T) {
	path, err := WriteSandboxDocument(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ix, err := LoadIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	const size = 300 << 10
	var buf bytes.Buffer
	if err := WriteBig(&buf, ix, BigOptions{Options: Options{Entries: 60, Seed: 2}, Big: 3, Size: size, Broken: true}); err != nil {
		t.Fatal(err)
	}
	rd := har.NewReader(&buf, har.ReaderOptions{Name: "big.har"})
	entries, big, broken := 0, 0, 0
	for {
		e, err := rd.Next()
		if err != nil {
			break
		}
		entries++
		body, _ := e.ResponseBody()
		if len(body) < size {
			continue
		}
		big++
		if len(body) > size+64<<10 {
			t.Errorf("a large answer of %d bytes, asked for %d", len(body), size)
		}
		var page struct{ Content []json.RawMessage }
		if err := json.Unmarshal(body, &page); err != nil || len(page.Content) < 100 {
			t.Fatalf("large answer %d is not a page of many items: %v", big, err)
		}
		if strings.Contains(string(body), `"id":"not-a-number"`) {
			broken++
		}
	}
	if entries != 60 || big != 3 || broken != 1 {
		t.Fatalf("read %d entries, %d large, %d broken; want 60, 3, 1", entries, big, broken)
	}
}
