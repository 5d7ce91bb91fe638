package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptUsageNamesTheFileWritten: the line that tells how to run a
// script names the file -o wrote, and the token variable is the one every
// command reads.
func TestScriptUsageNamesTheFileWritten(t *testing.T) {
	specPath, harPath := fixture(t)
	dir := t.TempDir()
	for _, c := range []struct {
		format, file, want string
	}{
		{"postman", "suite.json", "newman run %s --bail"},
		{"bash", "launch.sh", "TESTOPS_TOKEN=<your API token> bash %s"},
		{"http", "calls.http", "httpyac send --all --bail %s"},
	} {
		out := filepath.Join(dir, c.file)
		if code, _, errOut := runMatch(t, "--spec", specPath, "--emit", c.format, "-o", out, harPath); code != 0 {
			t.Fatalf("%s: exit %d %s", c.format, code, errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(c.want, "%s", out)
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: the script does not say %q:\n%.600s", c.format, want, b)
		}
		if strings.Contains(string(b), "USER_TOKEN") {
			t.Errorf("%s: the script reads USER_TOKEN, which no command reads", c.format)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	code, out, errOut := runMatch(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "match ") || errOut != "" {
		t.Errorf("--version: exit %d %q %q", code, out, errOut)
	}
}
