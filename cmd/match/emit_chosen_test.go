package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// TestEmittedBashFindsItsOwnLaunchEveryRun emits a bash script from a flow
// whose searches name the launch it created (by the name it typed, with
// the time in it, and by id), and runs it with real bash, curl and jq twice
// against one long-lived instance where other users write. Each run makes
// the name anew and carries it and the new id into its search filters, so
// its last search finds its own launch and nothing else.
func TestEmittedBashFindsItsOwnLaunchEveryRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bash against a local instance")
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	rec, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := recorder.NewBrowser(rec.URL(), nil)
	recordedName := "UI launch " + time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	recordedID, err := b.SearchFlow(context.Background(), recordedName)
	rec.Close()
	if err != nil {
		t.Fatal(err)
	}
	harPath := writeHAR(t, dir, "search.har", b.Rec.Entries())
	specPath := writeSandboxSpec(t, dir)
	scriptPath := filepath.Join(dir, "search.sh")
	if code, _, errOut := runMatch(t, "--spec", specPath, "--emit", "bash", "-o", scriptPath, harPath); code != 0 {
		t.Fatalf("--emit bash: exit %d: %s", code, errOut)
	}

	in, err := sandbox.Start(sandbox.Options{DataFile: filepath.Join(dir, "instance.json"), Knobs: sandbox.Knobs{OtherUsers: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	names := map[string]bool{}
	for run := 1; run <= 2; run++ {
		before := len(in.Requests())
		cmd := exec.Command("bash", scriptPath)
		cmd.Env = append(os.Environ(), "ENDPOINT="+in.URL(), "TESTOPS_TOKEN="+sandbox.SeedAPIToken)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("run %d: %v\n%s\n%s", run, err, stdout.String(), stderr.String())
		}
		var created string
		var searches []string
		for _, r := range in.Requests()[before:] {
			if r.User != sandbox.SeedUsername {
				continue
			}
			if r.Method == "PATCH" {
				created = strings.TrimPrefix(r.Path, "/api/launch/")
			}
			if r.Path == "/api/launch/__search" {
				q, _ := url.ParseQuery(r.Query)
				searches = append(searches, q.Get("rql"))
			}
		}
		if created == "" || created == fmt.Sprint(recordedID) || len(searches) != 2 {
			t.Fatalf("run %d: renamed launch %q (recorded %d), searches %q", run, created, recordedID, searches)
		}
		name, ok := strings.CutPrefix(searches[1], `name ~= "`)
		name = strings.TrimSuffix(name, `"`)
		if !ok || name == recordedName || names[name] || !strings.HasPrefix(name, "UI launch 20") {
			t.Errorf("run %d: the search %q does not look for a name of this run's own", run, searches[1])
		}
		names[name] = true
		if want := fmt.Sprintf(`name = "%s" and id = %s`, name, created); searches[0] != want {
			t.Errorf("run %d: the first search sent %q, want %q", run, searches[0], want)
		}
		// The script prints the last answer: the search by name, which
		// must find exactly this run's launch, renamed.
		var page struct {
			Content []struct {
				ID   json.Number `json:"id"`
				Name string      `json:"name"`
			} `json:"content"`
			TotalElements int `json:"totalElements"`
		}
		if err := json.Unmarshal([]byte(stdout.String()), &page); err != nil {
			t.Fatalf("run %d: the last answer is not the search page: %v\n%s", run, err, stdout.String())
		}
		if page.TotalElements != 1 || len(page.Content) != 1 || page.Content[0].ID.String() != created || page.Content[0].Name != name+" (renamed)" {
			t.Errorf("run %d: the search found %+v, want launch %s named %q alone", run, page, created, name+" (renamed)")
		}
		if !strings.Contains(stderr.String(), "launchName="+name) {
			t.Errorf("run %d: the script does not say which name it made:\n%s", run, stderr.String())
		}
	}
}
