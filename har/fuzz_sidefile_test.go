//go:build unix

package har_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
)

// FuzzSideFile checks the side-file reader against any name a recording
// may give and any kind of file it may find there: it reads exactly the
// regular file of that name in the folder, refuses everything else with
// one line, never returns what lies outside the folder, and never hangs.
func FuzzSideFile(f *testing.F) {
	for _, s := range []struct {
		name    string
		content []byte
		kind    uint8
	}{
		{"body.json", []byte(`{"id":1}`), 0},
		{"body.bin", []byte{0, 1, 2, 255}, 0},
		{"link.json", nil, 1},
		{"inner.json", nil, 2},
		{"pipe", nil, 3},
		{"dir", nil, 4},
		{"big.json", bytes.Repeat([]byte("x"), 5000), 0},
		{"../outside.txt", nil, 0},
		{"/etc/passwd", nil, 0},
		{"a/b.json", nil, 0},
		{`a\b.json`, nil, 0},
		{".", nil, 0},
		{"", nil, 0},
	} {
		f.Add(s.name, s.content, s.kind)
	}
	parent := f.TempDir()
	outside := filepath.Join(parent, "outside.txt")
	if err := os.WriteFile(outside, []byte(hartest.PlantedSecret), 0o600); err != nil {
		f.Fatal(err)
	}
	const limit = 4096
	f.Fuzz(func(t *testing.T, name string, content []byte, kind uint8) {
		dir, err := os.MkdirTemp(parent, "flow")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		if !utf8.ValidString(name) {
			return // a HAR is JSON: such a name cannot be written in one
		}
		plain := name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00") && len(name) < 200
		regular := false
		if plain {
			p := filepath.Join(dir, name)
			switch kind % 5 {
			case 0:
				err, regular = os.WriteFile(p, content, 0o600), true
			case 1:
				err = os.Symlink(outside, p)
			case 2:
				os.WriteFile(filepath.Join(dir, "real"), content, 0o600)
				err = os.Symlink("real", p)
			case 3:
				err = syscall.Mkfifo(p, 0o600)
			case 4:
				err = os.Mkdir(p, 0o700)
			}
			if err != nil {
				t.Skip(err)
			}
		}
		nameJSON, _ := json.Marshal(name)
		doc := strings.Replace(hartest.SideFileHAR("NAME"), `"NAME"`, string(nameJSON), 1)
		done := make(chan struct{})
		var body []byte
		var nextErr, bodyErr error
		go func() {
			defer close(done)
			rd := har.NewReader(strings.NewReader(doc), har.ReaderOptions{Name: "f.har", Dir: dir, MaxEntrySize: limit})
			e, err := rd.Next()
			if nextErr = err; err != nil {
				return
			}
			body, bodyErr = e.ResponseBody()
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("reading side file %q (kind %d) hangs", name, kind%5)
		}
		err = errors.Join(nextErr, bodyErr)
		if name == "" {
			return // no side file: an empty body
		}
		if regular && len(content) <= limit {
			if err != nil || !bytes.Equal(body, content) {
				t.Fatalf("side file %q: %d bytes, %v; want its %d bytes", name, len(body), err, len(content))
			}
			return
		}
		if err == nil {
			t.Fatalf("side file %q (kind %d, %d bytes) was read: %q", name, kind%5, len(content), body)
		}
		if bytes.Contains(body, []byte(hartest.PlantedSecret)) || strings.Contains(err.Error(), hartest.PlantedSecret) {
			t.Fatalf("side file %q reached outside the folder", name)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}
