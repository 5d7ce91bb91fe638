package recordings_test

import (
	"bytes"
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/golden"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/recordings"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

func flows(t *testing.T) []*flow.Flow {
	t.Helper()
	fl, err := flow.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

// TestUpdateSnapshots rewrites each flow's spec snapshot from what a fresh
// instance serves, found the way Swagger UI finds it. Run with -update.
func TestUpdateSnapshots(t *testing.T) {
	if !golden.Updating() {
		t.Skip("run with -update to rediscover the spec snapshots")
	}
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	d, err := discover.Discover(context.Background(), in.Client(), in.URL(), discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flows(t) {
		os.RemoveAll(f.SpecPath())
		if err := discover.SaveSnapshot(f.SpecPath(), d.Sources); err != nil {
			t.Fatal(err)
		}
		f.Manifest.Name = filepath.Base(f.Dir)
		f.Manifest.Description = "the local instance's web UI flow: log in, list projects, create a launch, open it, search"
		if err := f.SaveManifest(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEmbeddedFlowsAreTheFolders(t *testing.T) {
	for _, f := range flows(t) {
		name := filepath.Base(f.Dir)
		for _, file := range []string{flow.HARFile, "recording.noise", flow.ManifestFile, "spec/" + discover.SnapshotManifest} {
			want, err := os.ReadFile(filepath.Join(f.Dir, filepath.FromSlash(file)))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, err := fs.ReadFile(recordings.FS, name+"/"+file)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s is not embedded as it is on disk (%v)", name, file, err)
			}
		}
	}
}

func TestRecordingsHoldNoSecrets(t *testing.T) {
	for _, f := range flows(t) {
		data, err := os.ReadFile(f.HAR())
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"eyJ", sandbox.SeedAPIToken, "password=admin", "Bearer ey"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %q", f.HAR(), secret)
			}
		}
		rec, err := har.ReadFile(f.HAR())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range rec.Log.Entries {
			for _, c := range append(e.Request.Cookies, e.Response.Cookies...) {
				if !har.IsPlaceholder(c.Value) {
					t.Errorf("%s: cookie %s is not redacted", e.Request.URL, c.Name)
				}
			}
			for _, h := range e.Request.Headers {
				if n := strings.ToLower(h.Name); (n == "cookie" || n == "x-xsrf-token") && !strings.Contains(h.Value, har.PlaceholderPrefix) {
					t.Errorf("%s: header %s is not redacted", e.Request.URL, h.Name)
				}
			}
		}
	}
}

func matcher(t *testing.T, f *flow.Flow) (*match.Matcher, *spec.Index, []*har.Entry) {
	t.Helper()
	docs, err := f.Specs()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex(docs, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := har.ReadFile(f.HAR())
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{Hosts: f.Manifest.Hosts})
	for _, e := range rec.Log.Entries {
		m.Observe(e)
	}
	return m, ix, rec.Log.Entries
}

func TestEveryAPICallResolves(t *testing.T) {
	for _, f := range flows(t) {
		m, _, entries := matcher(t, f)
		var api int
		for i, e := range entries {
			r := m.Entry(i+1, e)
			switch r.Verdict {
			case match.Matched:
				api++
			case match.Auth, match.NotAPI:
			default:
				t.Errorf("%s #%d %s %s: %s (%s) %v", f.Name(), r.Seq, r.Method, r.URL, r.Verdict, r.Reason, r.Problems)
			}
		}
		if api < 5 {
			t.Errorf("%s: only %d calls resolved to operations", f.Name(), api)
		}
	}
}

func TestSuiteReplaysCleanAgainstAFreshInstance(t *testing.T) {
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	a, err := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := url.Parse(in.URL())
	for _, f := range flows(t) {
		m, ix, entries := matcher(t, f)
		rules, err := f.Rules()
		if err != nil {
			t.Fatal(err)
		}
		p := replay.NewPlan(entries, replay.PlanOptions{Matcher: m, Unsafe: true})
		rep, err := p.Run(context.Background(), replay.Options{Name: f.Name(), Endpoint: ep, Client: a.Client(), Spec: ix, Diff: diff.Config{Rules: rules}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed() || rep.Counts[replay.Infra]+rep.Counts[replay.NotRun] > 0 || rep.Counts[replay.OK] == 0 {
			var buf bytes.Buffer
			replay.WriteText(&buf, rep)
			t.Errorf("%s does not replay clean:\n%s", f.Name(), buf.String())
		}
	}
}
