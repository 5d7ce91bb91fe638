package har_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// addSeeds seeds a fuzz target with the project's HAR files (the crafted
// broken ones of testdata/har/bad among them) and, when the
// shared data set is here, the small real ones.
func addSeeds(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.har")
	bad, _ := filepath.Glob("../testdata/har/bad/*.har")
	paths = append(paths, bad...)
	if root, ok := shareddata.Root(); ok {
		real, _ := filepath.Glob(filepath.Join(root, "realworld", "har", "*.har"))
		paths = append(paths, real...)
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || fi.Size() > 100<<10 {
			continue
		}
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"log":{"entries":[`))
	f.Add([]byte(`{"log":{"creator":"x","entries":[{"response":{"status":"200"}}]}}`))
}

// FuzzReader checks that any input gives entries or an error, never a
// panic, that decoding on several goroutines gives what reading entry by
// entry gives, and that whatever reads also writes and reads back the same.
func FuzzReader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, chunk := range []int{1, 256 << 10} {
			if err := sameRead(data, har.ReaderOptions{Name: "fuzz.har", MaxEntrySize: 1 << 20}, 3, chunk); err != nil {
				t.Fatalf("3 decoders, chunks of %d bytes: %v", chunk, err)
			}
		}
		file, err := har.NewReader(bytes.NewReader(data), har.ReaderOptions{Name: "fuzz.har", MaxEntrySize: 1 << 20}).ReadAll()
		if err != nil {
			if bytes.ContainsRune([]byte(err.Error()), '\n') {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := har.Encode(&buf, file, har.WriterOptions{KeepSecrets: true}); err != nil {
			t.Fatal(err)
		}
		again, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
		if err != nil {
			t.Fatalf("written HAR does not read back: %v\n%s", err, buf.Bytes())
		}
		if len(again.Log.Entries) != len(file.Log.Entries) {
			t.Fatalf("%d entries became %d", len(file.Log.Entries), len(again.Log.Entries))
		}
		for _, e := range file.Log.Entries {
			e.RequestBody()
			e.ResponseBody()
		}
	})
}

// FuzzRedactJSON checks that redaction never breaks a JSON document.
func FuzzRedactJSON(f *testing.F) {
	f.Add([]byte(`{"token":"abc","a":[1,{"password":{"x":"y"}}]}`))
	f.Add([]byte(`[{"access_token":"eyJa.eyJb.c"}]`))
	f.Add([]byte(`"plain"`))
	r := har.NewRedactor(har.DefaultRules())
	f.Fuzz(func(t *testing.T, data []byte) {
		out := r.JSON(data)
		if json.Valid(data) && !json.Valid(out) {
			t.Fatalf("redaction broke JSON:\n%s\n%s", data, out)
		}
	})
}
