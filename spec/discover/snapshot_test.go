package discover_test

import (
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"

	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSnapshot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rec", "spec")
	report, err := spec.ReadFile(filepath.Join("..", "..", "testdata", "spec", "shop-3.0.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	report.Name = "Report Service"
	report.URL = "https://admin:secret@testops.example.com/v3/api-docs/Report%20Service?access_token=abc&group=x"
	all, err := spec.ReadFile(filepath.Join("..", "..", "testdata", "spec", "petshop-2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	all.Name = "All Services"
	if err := discover.SaveSnapshot(dir, []spec.Source{report, all}); err != nil {
		t.Fatal(err)
	}
	got, err := discover.LoadSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0].Data) != string(report.Data) || got[1].SHA256 != all.SHA256 || got[0].Name != "Report Service" ||
		!got[1].Fetched.Equal(all.Fetched) {
		t.Fatalf("the snapshot must give back the bytes, names, digests and times saved, got %+v", got)
	}
	if got[0].URL != "https://REDACTED@testops.example.com/v3/api-docs/Report%20Service?access_token=REDACTED&group=x" {
		t.Errorf("credentials in a URL must not reach the manifest, got %q", got[0].URL)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, discover.SnapshotManifest))
	if strings.Contains(string(manifest), "secret") || strings.Contains(string(manifest), "abc") {
		t.Errorf("the manifest holds a credential:\n%s", manifest)
	}
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if strings.Join(files, " ") != "01-report-service.yaml 02-all-services.json specs.json" {
		t.Errorf("snapshot files: %v", files)
	}

	// Saving again with one document drops the other's file.
	if err := discover.SaveSnapshot(dir, []spec.Source{all}); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("a re-saved snapshot must not keep documents it no longer lists: %d files", len(entries))
	}

	// Changed bytes are caught.
	if err := os.WriteFile(filepath.Join(dir, "01-all-services.json"), []byte(`{"swagger":"2.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = discover.LoadSnapshot(dir)
	if err == nil || !strings.Contains(err.Error(), "01-all-services.json: sha256 ") || !strings.Contains(err.Error(), "the snapshot was changed after it was saved") {
		t.Errorf("a changed document must be refused, got %v", err)
	}
}

func TestSnapshotBadManifest(t *testing.T) {
	tests := []struct{ reason, manifest, want string }{
		{"a file name that climbs out of the folder", `{"format":1,"specs":[{"name":"x","file":"../x.json","sha256":"00"}]}`,
			`specs.json: /specs/0: file "../x.json" is not a plain file name in the snapshot folder`},
		{"a later format", `{"format":2,"specs":[]}`, "specs.json: /format: snapshot format 2 is not one this version reads (1)"},
		{"not a manifest", `[1,2]`, "specs.json: not a snapshot manifest: json: cannot unmarshal array into Go value of type discover.manifest"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, discover.SnapshotManifest), []byte(tt.manifest), 0o644)
		_, err := discover.LoadSnapshot(dir)
		if err == nil || err.Error() != filepath.Join(dir, tt.want) {
			t.Errorf("%s: got %v, want %q", tt.reason, err, filepath.Join(dir, tt.want))
		}
	}
	if _, err := discover.LoadSnapshot(t.TempDir()); err == nil || !strings.HasSuffix(err.Error(), "specs.json: no such file or directory") {
		t.Errorf("a folder without a manifest: %v", err)
	}
}
