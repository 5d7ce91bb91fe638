package har_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
)

// readOutcome is all a caller sees of one read: the entries, the error
// that ended it, the count and the document around the entries.
type readOutcome struct {
	entries []*har.Entry
	err     string
	count   int
	header  har.File
}

func readWith(data []byte, opts har.ReaderOptions) readOutcome {
	rd := har.NewReader(bytes.NewReader(data), opts)
	defer rd.Close()
	var out readOutcome
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			out.err = err.Error()
			if _, again := rd.Next(); again == nil || again.Error() != out.err {
				out.err += fmt.Sprintf(" (then %v)", again)
			}
			break
		}
		out.entries = append(out.entries, e)
	}
	out.count = rd.Count()
	out.header = *rd.Header()
	return out
}

// sameRead reports how reading data with the given decoders and chunk size
// differs from reading it entry by entry on the caller's goroutine.
func sameRead(data []byte, opts har.ReaderOptions, decoders, chunk int) error {
	want := readWith(data, opts)
	restore := har.SetChunkBytes(chunk)
	defer restore()
	opts.Decoders = decoders
	got := readWith(data, opts)
	if got.err != want.err {
		return fmt.Errorf("error %q, entry by entry %q", got.err, want.err)
	}
	if got.count != want.count || len(got.entries) != len(want.entries) {
		return fmt.Errorf("%d entries (count %d), entry by entry %d (count %d)", len(got.entries), got.count, len(want.entries), want.count)
	}
	for i := range want.entries {
		if !reflect.DeepEqual(got.entries[i], want.entries[i]) {
			return fmt.Errorf("entry %d differs:\n%+v\nentry by entry:\n%+v", i, got.entries[i], want.entries[i])
		}
	}
	if !reflect.DeepEqual(got.header, want.header) {
		return fmt.Errorf("document differs:\n%+v\nentry by entry:\n%+v", got.header, want.header)
	}
	return nil
}

// TestDecodersReadAsOne holds reading with several decoder goroutines to
// reading entry by entry: the same entries (unexported parts too), the
// same error at the same place after the same entries, the same document
// around them, whether a chunk holds one entry or many.
func TestDecodersReadAsOne(t *testing.T) {
	var many strings.Builder
	many.WriteString(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[` + "\n")
	for i := range 300 {
		if i > 0 {
			many.WriteString(",\n")
		}
		fmt.Fprintf(&many, `{"startedDateTime":"2026-11-28T10:00:00Z","time":%d,"request":{"method":"GET","url":"http://x/a/%d?q=\"%d\"","headers":[{"name":"A","value":"b\\n%d"}]},"response":{"status":"%d","content":{"size":1,"text":"\u00e9\\u00e9\\ud83d\\ude00"}},"_x":[%d,{"y":null}]}`, i, i, i, i, 200+i%3, i)
	}
	doc := many.String()
	whole := doc + "\n],\"comment\":\"after\",\"_after\":{\"a\":1}},\"_top\":2}\n"
	cases := []struct {
		reason string
		data   string
	}{
		{"300 entries, members after them", whole},
		{"no entries", `{"log":{"entries":[]}}`},
		{"entries given twice", `{"log":{"entries":[{"time":1}],"entries":[{"time":2},{"time":3}]}}`},
		{"cut inside entry 120", doc[:len(doc)*2/5]},
		{"cut after the last entry", doc},
		{"a bad type in entry 150", strings.Replace(whole, `"status":"200","content":{"size":1,"text":"\u00e9\\u00e9\\ud83d\\ude00"}},"_x":[150`, `"status":"x","content":{"size":1,"text":"é"}},"_x":[150`, 1)},
		{"a number for entry 7", strings.Replace(whole, `{"startedDateTime":"2026-11-28T10:00:00Z","time":7,`, `7,{"startedDateTime":"2026-11-28T10:00:00Z","time":7,`, 1)},
		{"a missing comma after entry 200", strings.Replace(whole, ",\n{\"startedDateTime\":\"2026-11-28T10:00:00Z\",\"time\":201,", "\n{\"startedDateTime\":\"2026-11-28T10:00:00Z\",\"time\":201,", 1)},
		{"invalid UTF-8 in entry 90", strings.Replace(whole, `"url":"http://x/a/90?`, "\"url\":\"http://x/\xff/90?", 1)},
		{"a bad escape in entry 299", strings.Replace(whole, `b\\n299`, `b\x299`, 1)},
		{"garbage after the document", whole + "x"},
		{"entry 250 over MaxEntrySize", strings.Replace(whole, `"_x":[250`, `"_pad":"`+strings.Repeat("p", 300<<10)+`","_x":[250`, 1)},
	}
	for _, c := range cases[5:12] {
		if !strings.HasPrefix(c.data, doc[:50]) || c.data == whole {
			t.Fatalf("%s: the edit found nothing to change", c.reason)
		}
		if readWith([]byte(c.data), har.ReaderOptions{MaxEntrySize: 200 << 10}).err == "" {
			t.Fatalf("%s: read without an error", c.reason)
		}
	}
	bad := hartest.BadHARs(t)
	for _, b := range bad {
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ reason, data string }{"bad HAR " + b.Name, string(data)})
	}
	good, _ := filepath.Glob("testdata/*.har")
	for _, p := range good {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ reason, data string }{p, string(data)})
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 700, 256 << 10} {
			for _, decoders := range []int{2, 5} {
				opts := har.ReaderOptions{Name: "t.har", MaxEntrySize: 200 << 10}
				if err := sameRead([]byte(c.data), opts, decoders, chunk); err != nil {
					t.Errorf("%s, %d decoders, chunks of %d bytes: %v", c.reason, decoders, chunk, err)
				}
			}
		}
	}
}

// TestDecodersRefuseSideFilesAsOne: an entry whose side file must not be
// read stops the read at that entry, with the same error either way.
func TestDecodersRefuseSideFilesAsOne(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"log":{"entries":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		name := "ok.json"
		if i == 31 {
			name = "../../etc/passwd"
		}
		fmt.Fprintf(&b, `{"request":{"method":"GET","url":"http://x/%d"},"response":{"status":200,"content":{"size":2,"mimeType":"application/json","_file":%q}}}`, i, name)
	}
	b.WriteString(`]}}`)
	opts := har.ReaderOptions{Name: filepath.Join(dir, "t.har"), Dir: dir}
	want := readWith([]byte(b.String()), opts)
	if !strings.Contains(want.err, "refusing to read it") || want.count != 31 {
		t.Fatalf("entry by entry: %d entries, error %q; want 31 and a refusal", want.count, want.err)
	}
	for _, chunk := range []int{1, 1000} {
		if err := sameRead([]byte(b.String()), opts, 3, chunk); err != nil {
			t.Errorf("chunks of %d bytes: %v", chunk, err)
		}
	}
}

// TestDecodersEndWithClose: a caller that stops early and closes the
// reader leaves no goroutine behind, and one that reads on gets an error
// rather than entries further on.
func TestDecodersEndWithClose(t *testing.T) {
	var b bytes.Buffer
	w, err := har.NewWriter(&b, har.WriterOptions{KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		if err := w.Write(testEntry(i, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	restore := har.SetChunkBytes(4096)
	defer restore()
	rd := har.NewReader(bytes.NewReader(b.Bytes()), har.ReaderOptions{Decoders: 4})
	for range 10 {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if runtime.NumGoroutine() < before+5 {
		t.Fatalf("%d goroutines while reading, %d before: the decoders did not start", runtime.NumGoroutine(), before)
	}
	if err := rd.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
	if e, err := rd.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close gave entry %v, error %v; want an error", e != nil, err)
	}
}

// TestLargeAnswersKeepTheirText: an answer of several megabytes takes the
// room it was unescaped into (no copy), and the reader's buffer shrinks
// after it; every answer kept must still read as written after the later
// ones are decoded, and after a later string of its own entry is
// unescaped, on one goroutine and with decoders ahead, and with ordinary
// entries between them.
func TestLargeAnswersKeepTheirText(t *testing.T) {
	var doc strings.Builder
	var want []string
	doc.WriteString(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[`)
	for i := range 12 {
		if i > 0 {
			doc.WriteString(",")
		}
		text := fmt.Sprintf(`{"n":%d,"small":true}`, i)
		if i%3 == 1 {
			// Escaped quotes make the reader unescape it into its room.
			text = fmt.Sprintf(`{"n":%d,"items":[`, i) + strings.Repeat(fmt.Sprintf(`{"name":"item %d"},`, i), (2<<20)/16) + `{}]}`
		}
		want = append(want, text)
		quoted, _ := json.Marshal(text)
		fmt.Fprintf(&doc, `{"request":{"method":"GET","url":"http://x/%d"},"response":{"status":200,"content":{"mimeType":"application/json","text":%s},"statusText":"O\"K"}}`, i, quoted)
	}
	doc.WriteString("]}}")
	for _, decoders := range []int{0, 2} {
		got := readWith([]byte(doc.String()), har.ReaderOptions{Decoders: decoders})
		if got.err != "" || len(got.entries) != len(want) {
			t.Fatalf("decoders %d: %d entries, error %q", decoders, len(got.entries), got.err)
		}
		for i, e := range got.entries {
			if e.Response.Content.Text != want[i] {
				t.Errorf("decoders %d: entry %d's answer changed after later ones were read (%d bytes, want %d)", decoders, i, len(e.Response.Content.Text), len(want[i]))
			}
		}
	}
}
