package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckHelper is the test the other tests run in a child test binary,
// so that its failure is theirs to read.
func TestCheckHelper(t *testing.T) {
	path := os.Getenv("GOLDEN_HELPER_FILE")
	if path == "" {
		t.Skip("run by TestCheck")
	}
	Check(t, path, "one\ntwo\nthree\n")
}

// TestCheck runs Check in a child test binary, as go test would: over a
// file that matches, one that differs, one that is missing, and with
// -update.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	run := func(path string, args ...string) (string, bool) {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestCheckHelper$", "-test.v"}, args...)...)
		cmd.Env = append(os.Environ(), "GOLDEN_HELPER_FILE="+path)
		out, err := cmd.CombinedOutput()
		return string(out), err == nil
	}
	same := filepath.Join(dir, "same.txt")
	os.WriteFile(same, []byte("one\ntwo\nthree\n"), 0o644)
	differs := filepath.Join(dir, "differs.txt")
	os.WriteFile(differs, []byte("one\n2\nthree\n"), 0o644)
	missing := filepath.Join(dir, "sub", "missing.txt")

	cases := []struct {
		reason string
		path   string
		args   []string
		pass   bool
		says   []string
	}{
		{"a file that holds what the test got passes", same, nil, true, nil},
		{"a difference fails with a unified diff and how to rewrite the file", differs, nil, false,
			[]string{differs + " differs", "--- " + differs + "\n+++ got\n@@ -1,3 +1,3 @@\none\n-2\n+two\nthree\n", "-update rewrites it"}},
		{"a missing file fails saying -update writes it", missing, nil, false, []string{"golden file:", "no such file", "-update writes it"}},
		{"-update writes the file, folders and all, and passes", missing, []string{"-update"}, true, nil},
		{"after -update the file matches", missing, nil, true, nil},
	}
	// go test indents what a test logs; the diff is compared without it.
	flat := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSpace(l)
		}
		return strings.Join(lines, "\n")
	}
	for _, c := range cases {
		out, pass := run(c.path, c.args...)
		out = flat(out)
		if pass != c.pass {
			t.Errorf("%s: passed %v, want %v:\n%s", c.reason, pass, c.pass, out)
		}
		for _, s := range c.says {
			if !strings.Contains(out, s) {
				t.Errorf("%s: the output lacks %q:\n%s", c.reason, s, out)
			}
		}
	}
	if got, _ := os.ReadFile(missing); string(got) != "one\ntwo\nthree\n" {
		t.Errorf("-update wrote %q", got)
	}
}
