//go:build unix

// Package hartest builds hostile recordings for the tests of every
// command that reads HAR files.
package hartest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
)

// PlantedSecret is the content of a file outside the recording that a
// side file links to; it must never show in any output.
const PlantedSecret = "PLANTED-SECRET-0f1e2d3c4b5a6978"

// SideFileCase is a recording folder whose one entry keeps its response
// body in a side file that must not be read.
type SideFileCase struct {
	Reason string // why the side file is refused, the name of the case
	Dir    string // the recording folder
	HAR    string // Dir/recording.har
	Name   string // the _file value
	Want   string // what the error must say about the file
}

// UnsafeSideFiles builds one recording folder per kind of side file a
// recording must not make a tool read. A kind this machine cannot make
// (a device without the right to mknod) is left out with a log line.
func UnsafeSideFiles(t testing.TB) []SideFileCase {
	t.Helper()
	outside := filepath.Join(t.TempDir(), "outside.txt")
	if err := os.WriteFile(outside, []byte(PlantedSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	type maker struct {
		reason, name, want string
		make               func(path string) error
	}
	makers := []maker{
		{"a symbolic link to a file outside the folder", "body.json", "is a symbolic link",
			func(p string) error { return os.Symlink(outside, p) }},
		{"a symbolic link to /dev/zero, which never ends", "body.json", "is a symbolic link",
			func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"a symbolic link to a file inside the folder", "body.json", "is a symbolic link",
			func(p string) error {
				if err := os.WriteFile(filepath.Join(filepath.Dir(p), "real.json"), []byte(`{"id":1}`), 0o600); err != nil {
					return err
				}
				return os.Symlink("real.json", p)
			}},
		{"a named pipe, whose opening blocks", "body.json", "is a named pipe",
			func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"a device", "body.json", "is a device",
			func(p string) error { return syscall.Mknod(p, syscall.S_IFCHR|0o600, 1<<8|3) }},
		{"a folder", "body.json", "is a folder",
			func(p string) error { return os.Mkdir(p, 0o700) }},
		{"a file larger than the body limit", "body.json", fmt.Sprintf("is %d bytes, larger than the %d-byte body limit", har.DefaultMaxEntrySize+1, har.DefaultMaxEntrySize),
			func(p string) error {
				f, err := os.Create(p)
				if err != nil {
					return err
				}
				defer f.Close()
				// Sparse: it takes no disk, and is refused before any read.
				return f.Truncate(har.DefaultMaxEntrySize + 1)
			}},
		{"a path out of the folder", "../outside.txt", "is not a plain file name", nil},
	}
	var out []SideFileCase
	for _, m := range makers {
		dir := filepath.Join(t.TempDir(), "flow")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if m.make != nil {
			if err := m.make(filepath.Join(dir, m.name)); err != nil {
				t.Logf("cannot make %s here (%v); that case is skipped", m.reason, err)
				continue
			}
		} else if err := os.WriteFile(filepath.Join(filepath.Dir(dir), filepath.Base(m.name)), []byte(PlantedSecret), 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "recording.har")
		if err := os.WriteFile(path, []byte(SideFileHAR(m.name)), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, SideFileCase{Reason: m.reason, Dir: dir, HAR: path, Name: m.name, Want: m.want})
	}
	return out
}

// SideFileHAR is a recording of one API call whose response body is kept
// in the side file name, as Playwright keeps bodies.
func SideFileHAR(name string) string {
	return fmt.Sprintf(`{"log":{"version":"1.2","creator":{"name":"Playwright","version":"1.40"},"entries":[
{"startedDateTime":"2026-01-01T00:00:01.000Z","time":5,
 "request":{"method":"GET","url":"https://app.example.com/api/launch/1","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},
 "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"application/json"}],"cookies":[],
  "content":{"size":8,"mimeType":"application/json","_file":%q},"redirectURL":"","headersSize":-1,"bodySize":-1},
 "cache":{},"timings":{"send":0,"wait":5,"receive":0}}]}}
`, name)
}

// CommandRefusesUnsafeSideFiles runs a command (through run) on each
// recording of UnsafeSideFiles and checks that it fails with exit 2 and one
// error line, "prog: error: FILE: entry 1: response body file ...", within
// a bounded time (opening a named pipe would hang it), and that nothing of
// the file reaches its output.
func CommandRefusesUnsafeSideFiles(t *testing.T, prog string, run func(c SideFileCase) (code int, stdout, stderr string)) {
	t.Helper()
	for _, c := range UnsafeSideFiles(t) {
		t.Run(c.Reason, func(t *testing.T) {
			done := make(chan struct{})
			var code int
			var out, errOut string
			go func() {
				defer close(done)
				code, out, errOut = run(c)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s did not return within 30s", prog)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			want := fmt.Sprintf("%s: error: %s: entry 1: response body file %q %s", prog, c.HAR, c.Name, c.Want)
			if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and one line starting %q", code, errOut, want)
			}
			if strings.Contains(out+errOut, PlantedSecret) {
				t.Error("the planted secret was printed")
			}
		})
	}
}
