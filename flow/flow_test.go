package flow_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

func makeFlow(t *testing.T, dir string, manifest string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, flow.HARFile), []byte(`{"log":{"version":"1.2","entries":[]}}`), 0o600)
	if manifest != "" {
		os.WriteFile(filepath.Join(dir, flow.ManifestFile), []byte(manifest), 0o600)
	}
}

func TestFindFlowsInAFolder(t *testing.T) {
	root := t.TempDir()
	makeFlow(t, filepath.Join(root, "b-search"), "")
	makeFlow(t, filepath.Join(root, "a-login"), `{"name":"Log in","hosts":["testops.example.com"]}`)
	os.MkdirAll(filepath.Join(root, "not-a-flow"), 0o755)
	flows, err := flow.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range flows {
		names = append(names, f.Name())
	}
	if got := strings.Join(names, ","); got != "Log in,b-search" {
		t.Errorf("flows %s, want them sorted by folder, named by flow.json or folder", got)
	}
	if flows[0].Manifest.Hosts[0] != "testops.example.com" {
		t.Errorf("manifest %+v", flows[0].Manifest)
	}
	one, err := flow.Find(filepath.Join(root, "b-search"))
	if err != nil || len(one) != 1 {
		t.Errorf("a flow folder itself: %v %v", one, err)
	}
	if _, err := flow.Find(filepath.Join(root, "not-a-flow")); err == nil || !strings.Contains(err.Error(), "holds no flow") {
		t.Errorf("a folder without flows: %v", err)
	}
}

func TestBrokenManifestNamesTheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	makeFlow(t, dir, `{"name":`)
	_, err := flow.Open(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, flow.ManifestFile)) {
		t.Errorf("error %v", err)
	}
	for _, c := range []struct{ reason, manifest, place string }{
		{"a syntax error names its line and column", "{\n  \"name\": \"x\",\n}", ":3:1: "},
		{"a value of the wrong type names where it ends", "{\"name\": \"x\",\n \"hosts\": \"h\"}", ":2:13: "},
	} {
		makeFlow(t, dir, c.manifest)
		_, err := flow.Open(dir)
		if want := filepath.Join(dir, flow.ManifestFile) + c.place; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: got %v, want it to start %q", c.reason, err, want)
		}
	}
}

func TestSpecSnapshotAndRules(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	makeFlow(t, dir, "")
	f, _ := flow.Open(dir)
	if f.HasSpec() || f.HasBaseline() {
		t.Fatal("a bare flow has no spec or baseline")
	}
	if rules, err := f.Rules(); err != nil || rules != nil {
		t.Errorf("no rules file means no rules: %v %v", rules, err)
	}
	data, _ := sandbox.Document(sandbox.ReportService, false)
	if err := discover.SaveSnapshot(f.SpecPath(), []spec.Source{spec.NewSource("Report Service", "http://x/v3/api-docs/report-service", data, time.Now())}); err != nil {
		t.Fatal(err)
	}
	docs, err := f.Specs()
	if err != nil || len(docs) != 1 || docs[0].Name() != "Report Service" {
		t.Fatalf("specs %v %v", docs, err)
	}
	os.WriteFile(f.NoiseFile(), []byte("ignore header X-Trace\n"), 0o600)
	rules, err := f.Rules()
	if err != nil || len(rules) != 1 {
		t.Errorf("rules %v %v", rules, err)
	}
	f.Manifest.Name = "renamed"
	if err := f.SaveManifest(); err != nil {
		t.Fatal(err)
	}
	again, _ := flow.Open(dir)
	if again.Name() != "renamed" {
		t.Errorf("saved manifest: %+v", again.Manifest)
	}
}
