package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// dropCalls removes the recorded calls whose URL contains any of parts,
// to test one concern of a flow without another's.
func dropCalls(t *testing.T, dir string, parts ...string) {
	t.Helper()
	path := filepath.Join(dir, flow.HARFile)
	f, err := har.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep []*har.Entry
	for _, e := range f.Log.Entries {
		drop := false
		for _, p := range parts {
			drop = drop || strings.Contains(e.Request.URL, p)
		}
		if !drop {
			keep = append(keep, e)
		}
	}
	f.Log.Entries = keep
	if err := har.WriteFile(path, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
}

// longLived is one instance kept across runs, with other users writing in
// the flow's project all along.
func longLived(t *testing.T) *sandbox.Instance {
	t.Helper()
	in, err := sandbox.Start(sandbox.Options{DataFile: filepath.Join(t.TempDir(), "instance.json"),
		Knobs: sandbox.Knobs{OtherUsers: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// TestBaselineKeepsItsCorrelation is the second-run failure of a baseline:
// --update stored the update run's launch id, later runs create other ids,
// and only the values file beside the baseline maps one to the other.
func TestBaselineKeepsItsCorrelation(t *testing.T) {
	dir := flowDir(t)
	dropCalls(t, dir, "__search") // collections are another test's concern
	in := longLived(t)
	replayOK := func(what string, args ...string) string {
		t.Helper()
		code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), append([]string{"--endpoint", in.URL(), "--unsafe"}, append(args, dir)...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", what, code, out, errOut)
		}
		return out
	}
	replayOK("before --update")
	replayOK("--update", "--update")
	var vf baselineValuesFile
	b, err := os.ReadFile(filepath.Join(dir, "baseline.values.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Entries) == 0 || vf.Entries[0].Values["104"] == "" || vf.Entries[0].Values["104"] == "104" {
		t.Fatalf("the values file does not say which launch the update run created: %s", b)
	}
	for i := range 3 {
		out := replayOK("after --update")
		if !strings.Contains(out, "launchId 104 -> ") || strings.Contains(out, "regression\n#") {
			t.Errorf("run %d after --update:\n%s", i, out)
		}
	}

	// Without the values file the baseline's ids are taken for recorded
	// ones, which is the failure this file exists for.
	os.Remove(filepath.Join(dir, "baseline.values.json"))
	code, out, _ := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", dir)
	if code != 1 || !strings.Contains(out, "$.id ") {
		t.Errorf("without the values file: exit %d, want a $.id regression\n%s", code, out)
	}
}

func TestBadBaselineValuesFile(t *testing.T) {
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{})
	if code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--update", dir); code != 0 {
		t.Fatalf("--update: exit %d: %s", code, errOut)
	}
	path := filepath.Join(dir, "baseline.values.json")
	for _, tc := range []struct{ name, content, want string }{
		{"not JSON", "{", "unexpected EOF"},
		{"an index past the calls", `{"format":1,"entries":[{"index":99,"values":{"1":"2"}}]}`, "entries[0]: index 99 is not one of the 7 calls"},
		{"another format", `{"format":2,"entries":[]}`, "format 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(path, []byte(tc.content), 0o644)
			code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", dir)
			if code != 2 || !strings.Contains(errOut, path) || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q: want 2 naming %s and %q", code, errOut, path, tc.want)
			}
		})
	}
}
