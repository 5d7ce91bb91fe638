package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.sh")
	if err := os.WriteFile(existing, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		reason string
		path   string
		force  bool
		want   string // "" for no error, else a part of the error line
	}{
		{"standard output is always writable", "-", false, ""},
		{"a new file in an existing folder", filepath.Join(dir, "new.sh"), false, ""},
		{"an existing file is not replaced silently", existing, false, "-o " + existing + ": the file exists"},
		{"--force replaces an existing file", existing, true, ""},
		{"a folder is named as the user wrote it", dir, false, "-o " + dir + ": is a folder"},
		{"a folder even with --force", dir, true, "is a folder"},
		{"a missing folder is named", filepath.Join(dir, "nope", "a.sh"), false, "no folder " + filepath.Join(dir, "nope")},
	} {
		err := CheckOutput("-o", c.path, c.force)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.reason, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q", c.reason, err, c.want)
		}
	}
	if err := CheckOutput("-o", existing, false); err == nil || !strings.Contains(err.(Hinted).Hint(), "--force") {
		t.Errorf("an existing file's hint names --force: %v", err)
	}
}

func TestVersionLine(t *testing.T) {
	for _, c := range []struct {
		reason   string
		settings []debug.BuildSetting
		want     []string
	}{
		{"a clean build names its revision and time", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-06T00:00:00Z"}, {Key: "vcs.modified", Value: "false"}},
			[]string{"replay v1.2.3 revision abc123 (2026-12-06T00:00:00Z)"}},
		{"a modified tree is marked dirty", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}},
			[]string{"revision abc123+dirty"}},
		{"no revision is said, not invented", nil, []string{"no VCS revision"}},
	} {
		bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}, Settings: c.settings}
		got := versionLine("replay", bi)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.reason, got, w)
			}
		}
		if !strings.HasSuffix(got, "go1.26.0") {
			t.Errorf("%s: %q does not end with the Go version", c.reason, got)
		}
	}
}

func TestStatInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rec.har")
	os.WriteFile(file, []byte("{}"), 0o600)
	for _, c := range []struct {
		reason, path, want string
		notExist           bool
	}{
		{"a file is read", file, "", false},
		{"a folder is read (a recording folder)", dir, "", false},
		{"a missing file is named without the system call", filepath.Join(dir, "nothere.har"), filepath.Join(dir, "nothere.har") + ": no such file or folder", true},
		{"a path through a file says what is wrong", filepath.Join(file, "x.har"), filepath.Join(file, "x.har") + ": not a directory", false},
	} {
		_, err := StatInput(c.path)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want || errors.Is(err, fs.ErrNotExist) != c.notExist {
			t.Errorf("%s: %q (not exist %v), want %q", c.reason, got, errors.Is(err, fs.ErrNotExist), c.want)
		}
	}
}
