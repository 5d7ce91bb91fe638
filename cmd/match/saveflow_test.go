package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
)

// TestSaveFlowMakesARecordingFolder: --save-flow turns a HAR into a
// recording folder that match (and replay) then use with no --spec.
func TestSaveFlowMakesARecordingFolder(t *testing.T) {
	specPath, harPath := fixture(t)
	// The exported HAR carries a token, which the folder must not.
	f, err := har.ReadFile(harPath)
	if err != nil {
		t.Fatal(err)
	}
	f.Log.Entries[1].Request.Headers = append(f.Log.Entries[1].Request.Headers, har.NameValue{Name: "Authorization", Value: "Bearer tok-abcdefghijklmnop"})
	if err := har.WriteFile(harPath, f, har.WriterOptions{KeepSecrets: true}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "open-launch")
	code, _, errOut := runMatch(t, "--spec", specPath, "--save-flow", dir, harPath)
	if code != 0 || !strings.Contains(errOut, "match: made the recording folder "+dir) {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	fl, err := flow.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fl.HasSpec() || fl.Manifest.Endpoint != "http://testops.test" || strings.Join(fl.Manifest.Hosts, ",") != "testops.test" || fl.Name() != "open-launch" {
		t.Errorf("spec snapshot %v, manifest %+v", fl.HasSpec(), fl.Manifest)
	}
	data, _ := os.ReadFile(fl.HAR())
	if strings.Contains(string(data), "tok-abcdefghijklmnop") {
		t.Error("the token went into the recording folder")
	}
	// The export's header is kept, naming match and where it came from.
	saved, err := har.ReadFile(fl.HAR())
	if err != nil {
		t.Fatal(err)
	}
	if c := saved.Log.Creator; c.Name != "apitrail match" || c.Version == "" {
		t.Errorf("creator %+v, want apitrail match", c)
	}
	if want := "imported by apitrail match from " + filepath.Base(harPath) + ", made by " + f.Log.Creator.Name; !strings.Contains(saved.Log.Comment, want) {
		t.Errorf("comment %q, want it to hold %q", saved.Log.Comment, want)
	}
	rules, err := fl.Rules()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range rules {
		texts = append(texts, r.String())
	}
	if got := strings.Join(texts, "\n"); !strings.Contains(got, "$..createdDate") || !strings.Contains(got, "$..lastModifiedDate") || strings.Contains(got, "$..id") {
		t.Errorf("starter noise:\n%s", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left: %v", leftovers)
	}
	// The folder needs neither --spec nor --endpoint now.
	code, out, errOut := runMatch(t, "--json", dir)
	if code != 0 || !strings.Contains(out, `"verdict":"matched"`) {
		t.Errorf("matching the folder: exit %d\n%s\n%s", code, out, errOut)
	}

	other := filepath.Join(t.TempDir(), "keep")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "mine.txt"), []byte("x"), 0o644)
	for _, c := range []struct {
		reason string
		args   []string
		want   string
	}{
		{"an existing recording folder without --force", []string{"--spec", specPath, "--save-flow", dir, harPath}, "match: error: --save-flow " + dir + ": the recording folder exists\nmatch: hint: name a new folder, or add --force"},
		{"a folder that is not a recording folder, even with --force", []string{"--spec", specPath, "--force", "--save-flow", other, harPath}, "match: error: --save-flow " + other + ": the folder exists and is not a recording folder"},
		{"two recordings", []string{"--spec", specPath, "--save-flow", dir + "2", harPath, harPath}, "match: error: --save-flow makes one recording folder from one recording, and 2 were given"},
		{"no spec names the recording's host", []string{harPath}, "match: error: no spec: give --spec FILE|URL or --endpoint URL\nmatch: hint: the recording was made on http://testops.test: match --endpoint http://testops.test " + harPath},
	} {
		code, _, errOut := runMatch(t, c.args...)
		if code != 2 || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s: exit %d\n%s", c.reason, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(other, "mine.txt")); err != nil {
		t.Error("a refused --save-flow touched the user's folder")
	}
	if code, _, errOut := runMatch(t, "--spec", specPath, "--force", "--save-flow", dir, harPath); code != 0 {
		t.Errorf("--force replaces a recording folder: exit %d %s", code, errOut)
	}
}
