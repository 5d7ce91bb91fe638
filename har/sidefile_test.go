//go:build unix

package har_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/har/hartest"
)

// within fails the test instead of hanging when f blocks, as opening a
// named pipe would.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return within 20s", what)
	}
}

// A recording is often someone else's: it must not make the tool read
// anything but regular files in its own folder, whether it is read through
// a Reader (which refuses the entry) or an entry's body is asked for.
func TestUnsafeSideFilesAreRefused(t *testing.T) {
	for _, c := range hartest.UnsafeSideFiles(t) {
		t.Run(c.Reason, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error", how)
				}
				msg := err.Error()
				if !errors.Is(err, har.ErrUnsafeSideFile) || !strings.Contains(msg, "entry 1") ||
					!strings.Contains(msg, `"`+c.Name+`"`) || !strings.Contains(msg, c.Want) || strings.Contains(msg, "\n") {
					t.Errorf("%s: error %q, want one line naming entry 1 and %q, saying %q", how, msg, c.Name, c.Want)
				}
				if strings.Contains(msg, hartest.PlantedSecret) {
					t.Errorf("%s: the error shows the planted secret", how)
				}
			}
			within(t, "reading the recording", func() {
				rd, err := har.Open(c.HAR)
				if err != nil {
					t.Error(err)
					return
				}
				defer rd.Close()
				_, err = rd.Next()
				check("Reader.Next", err)
				if _, again := rd.Next(); again != err {
					t.Errorf("the refusal is not final: %v", again)
				}
			})
			// A caller that builds entries itself, or one read before the
			// file was swapped, is refused when it reads the body.
			within(t, "reading the body", func() {
				rd := har.NewReader(strings.NewReader(hartest.SideFileHAR(c.Name)), har.ReaderOptions{Name: c.HAR})
				e, err := rd.Next()
				if err != nil {
					t.Error(err)
					return
				}
				e.SetBaseDir(c.Dir)
				b, err := e.ResponseBody()
				check("Entry.ResponseBody", err)
				if len(b) > 0 {
					t.Errorf("%d bytes were read", len(b))
				}
			})
		})
	}
}

// The limit is the reader's: a side file holds what the entry would
// otherwise hold inline.
func TestSideFileLimitIsTheReaders(t *testing.T) {
	dir := t.TempDir()
	body := `{"id":1,"name":"` + strings.Repeat("x", 3000) + `"}`
	os.WriteFile(filepath.Join(dir, "body.json"), []byte(body), 0o600)
	tests := []struct {
		reason string
		limit  int
		ok     bool
	}{
		{"a body within the limit is read", 8 << 10, true},
		{"a body over the limit is refused before it is read", 2 << 10, false},
	}
	for _, tc := range tests {
		rd := har.NewReader(strings.NewReader(hartest.SideFileHAR("body.json")), har.ReaderOptions{Name: "x.har", Dir: dir, MaxEntrySize: tc.limit})
		e, err := rd.Next()
		if tc.ok != (err == nil) {
			t.Errorf("%s: Next: %v", tc.reason, err)
			continue
		}
		if !tc.ok {
			if !errors.Is(err, har.ErrUnsafeSideFile) || !strings.Contains(err.Error(), "larger than the 2048-byte body limit") {
				t.Errorf("%s: %v", tc.reason, err)
			}
			continue
		}
		if b, err := e.ResponseBody(); err != nil || string(b) != body {
			t.Errorf("%s: %d bytes, %v", tc.reason, len(b), err)
		}
		if _, err := rd.Next(); err != io.EOF {
			t.Errorf("%s: after the entry: %v", tc.reason, err)
		}
	}
}

// A missing side file is no attack: the HAR was passed on without it. The
// reader lets it through and reading the body says which file is missing.
func TestMissingSideFileIsNoRefusal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.har")
	os.WriteFile(path, []byte(hartest.SideFileHAR("gone.json")), 0o600)
	rd, err := har.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	e, err := rd.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	_, err = e.ResponseBody()
	if err == nil || errors.Is(err, har.ErrUnsafeSideFile) || !strings.Contains(err.Error(), `response body file "gone.json" cannot be read: does not exist`) {
		t.Errorf("ResponseBody: %v", err)
	}
}
