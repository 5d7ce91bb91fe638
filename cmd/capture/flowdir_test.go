package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/flow"
)

// TestFlowWritesARecordingFolder: --flow DIR puts the recording and a
// flow.json naming the instance in DIR, which the other commands read.
func TestFlowWritesARecordingFolder(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "export.har")
	os.WriteFile(src, []byte(`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[
	{"startedDateTime":"2026-01-01T00:00:01.000Z","time":1,"request":{"method":"GET","url":"https://testops.example.com/api/launch","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
	 "response":{"status":200,"statusText":"","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":2,"mimeType":"application/json","text":"{}"},"redirectURL":"","headersSize":-1,"bodySize":2},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}}`), 0o600)
	fd := filepath.Join(dir, "flows", "list-launches")
	os.MkdirAll(filepath.Dir(fd), 0o755)
	code, _, stderr := runCapture(t, nil, "--from", src, "--flow", fd)
	if code != 0 || !strings.Contains(stderr, "recording folder "+fd) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	fl, err := flow.Open(fd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fl.NoiseFile()); err != nil {
		t.Errorf("--flow wrote no starter noise file: %v", err)
	}
	if fl.Manifest.Endpoint != "https://testops.example.com" || strings.Join(fl.Manifest.Hosts, ",") != "testops.example.com" || fl.Name() != "list-launches" {
		t.Errorf("flow.json: %+v", fl.Manifest)
	}
	for _, c := range []struct {
		reason string
		args   []string
		want   string
	}{
		{"the folder exists", []string{"--from", src, "--flow", fd}, "capture: error: --flow " + fd + ": the recording folder exists\ncapture: hint: name a new folder, or add --force"},
		{"-o and --flow both", []string{"--from", src, "--flow", fd + "2", "-o", filepath.Join(dir, "x.har")}, "capture: error: --flow and -o both name where the recording goes"},
		{"a folder that is not a recording folder", []string{"--from", src, "--force", "--flow", dir}, "capture: error: --flow " + dir + ": the folder exists and is not a recording folder"},
	} {
		code, _, stderr := runCapture(t, nil, c.args...)
		if code != 2 || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("%s: exit %d\n%s", c.reason, code, stderr)
		}
	}
	// Nothing kept: no folder is left behind.
	empty := filepath.Join(dir, "flows", "nothing")
	if code, _, stderr := runCapture(t, nil, "--from", src, "--host", "other.example.com", "--flow", empty); code != 1 {
		t.Errorf("nothing kept: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(empty); err == nil {
		t.Error("a recording folder with nothing in it was left")
	}
	if code, _, stderr := runCapture(t, nil, "--from", src, "--force", "--flow", fd); code != 0 {
		t.Errorf("--force replaces a recording folder: exit %d %s", code, stderr)
	}
}
