package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec/discover"
)

// searchFlowDir records, on a fresh instance, a flow whose searches name
// the launch it created: by the name it typed with the time in it, and by
// the id the instance gave. It renames the launch and searches again. Its
// noise file keeps the searches' counts strict: each must find exactly
// the flow's launch.
func searchFlowDir(t *testing.T) (dir, name string) {
	t.Helper()
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	b := recorder.NewBrowser(in.URL(), nil)
	name = "UI launch " + time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	if _, err := b.SearchFlow(ctx, name); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "search-flow")
	os.MkdirAll(dir, 0o755)
	if err := har.WriteFile(filepath.Join(dir, flow.HARFile), b.Rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := discover.Discover(ctx, in.Client(), in.URL(), discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := discover.SaveSnapshot(filepath.Join(dir, flow.SpecDir), d.Sources); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "recording.noise"), []byte("ignore body $..createdDate\nignore body $..lastModifiedDate\n"+
		"# the search finds the flow's launch and nothing else\nGET /api/launch/__search: compare body $.totalElements\n"), 0o644)
	return dir, name
}

// TestASearchThatNamesWhatTheFlowCreated replays, five times against one
// long-lived instance where other users write, a flow whose searches name
// the launch it created, by the name it chose and by its id, inside the
// search filter. Sent as recorded, each run after the first creates
// another launch of the recorded name and its searches look for the
// recorded launch; replay makes the name fresh, carries it and the new id
// into the filters, and every run finds exactly its own launch.
func TestASearchThatNamesWhatTheFlowCreated(t *testing.T) {
	dir, recordedName := searchFlowDir(t)
	in := longLived(t)
	seen := map[string]bool{}
	for run := 1; run <= 5; run++ {
		before := len(in.Requests())
		code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", dir)
		if code != 0 || !strings.Contains(out, " 0 regression, 0 drift, 0 infrastructure error") {
			t.Fatalf("run %d: exit %d\n%s\n%s", run, code, out, errOut)
		}
		// What the instance was asked: the run's own name and id, inside
		// the filters, never the recording's.
		var created, searches []string
		for _, r := range in.Requests()[before:] {
			if r.User != "admin" {
				continue
			}
			if r.Method == "PATCH" {
				created = append(created, strings.TrimPrefix(r.Path, "/api/launch/"))
			}
			if r.Path == "/api/launch/__search" {
				q, _ := url.ParseQuery(r.Query)
				searches = append(searches, q.Get("rql"))
			}
		}
		if len(created) != 1 || len(searches) != 2 {
			t.Fatalf("run %d: want one rename and two searches, got %v %v", run, created, searches)
		}
		id := created[0]
		first, second := searches[0], searches[1]
		name, ok := strings.CutPrefix(second, `name ~= "`)
		name = strings.TrimSuffix(name, `"`)
		if !ok || name == recordedName || seen[name] || !strings.HasPrefix(name, "UI launch 20") {
			t.Errorf("run %d: the name search %q does not look for a name of this run's own", run, second)
		}
		seen[name] = true
		if want := fmt.Sprintf(`name = "%s" and id = %s`, name, id); first != want {
			t.Errorf("run %d: the search sent %q, want %q", run, first, want)
		}
		if !strings.Contains(out, "launchName  "+recordedName+" -> "+name+"  ") {
			t.Errorf("run %d: the report does not list the fresh name:\n%s", run, out)
		}
	}
}
