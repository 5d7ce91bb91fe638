package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

// foreignWrites counts the writes other users made in a slice of the log.
func foreignWrites(log []sandbox.Request) int {
	n := 0
	for _, r := range log {
		if slices.Contains(sandbox.OtherUsernames, r.User) && r.Method != "GET" && r.Status < 400 {
			n++
		}
	}
	return n
}

var addedByOthers = regexp.MustCompile(`compare body \$\.content by id: added by others +default +hid (\d+) value`)

// TestFixturesHoldOnALongLivedInstance is the headline: one
// instance kept running with other users writing in the flow's project,
// the flow replayed 10 times, --update, 10 more times, with no regression;
// then version 2 mode on the same data reports exactly version 2's
// documented changes.
func TestFixturesHoldOnALongLivedInstance(t *testing.T) {
	dir := flowDir(t)
	in := longLived(t)
	replay := func(what string, args ...string) (int, string) {
		t.Helper()
		before := len(in.Requests())
		code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), append([]string{"--endpoint", in.URL(), "--unsafe"}, append(args, dir)...)...)
		if n := foreignWrites(in.Requests()[before:]); n == 0 {
			t.Errorf("%s: no other user wrote while it ran", what)
		}
		if code == 0 && !strings.Contains(out, " 0 regression, 0 drift, 0 infrastructure error") {
			t.Errorf("%s: exit 0 without a clean summary:\n%s", what, out)
		}
		_ = errOut
		return code, out
	}
	foreignSeen := 0
	for i := range 21 {
		what, args := fmt.Sprintf("run %d", i+1), []string(nil)
		if i == 10 {
			what, args = "--update", []string{"--update"}
		}
		// Other users write at their own pace; a run is a fraction of a
		// second, so give them a moment between runs as a suite would.
		time.Sleep(30 * time.Millisecond)
		code, out := replay(what, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", what, code, out)
		}
		if m := addedByOthers.FindStringSubmatch(out); m != nil && m[1] != "0" {
			foreignSeen++
		}
	}
	if foreignSeen < 15 {
		t.Errorf("only %d of 21 runs saw items others added in the search answer", foreignSeen)
	}
	// The search answers hold other users' launches, not only the flow's.
	req, _ := http.NewRequest("GET", in.URL()+"/api/launch/__search?projectId=1&rql=name+~%3D+%22nightly%22&size=10&sort=created_date,DESC", nil)
	req.Header.Set("Authorization", bearer(t, in))
	res, err := in.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "Nightly by alice") && !strings.Contains(string(body), "Nightly by bob") {
		t.Errorf("the flow's search finds no other user's launch: %s", body)
	}

	// Version 2 on the same data, other users still at work: exactly its
	// documented changes, in the answers the flow reads.
	k := in.Knobs()
	k.V2 = true
	in.SetKnobs(k)
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--json", dir)
	if code != 1 {
		t.Fatalf("version 2: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	members := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Kind string `json:"kind"`
			Seq  int    `json:"seq"`
			Diff *struct {
				Status  any `json:"status"`
				Headers []struct {
					Name string `json:"name"`
				} `json:"headers"`
				Body []struct {
					Path string `json:"path"`
				} `json:"body"`
			} `json:"diff"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if e.Kind != "entry" || e.Diff == nil {
			continue
		}
		if e.Diff.Status != nil || len(e.Diff.Headers) > 0 {
			t.Errorf("version 2: #%d: a status or header change no change list mentions: %s", e.Seq, line)
		}
		for _, c := range e.Diff.Body {
			members[c.Path[strings.LastIndexAny(c.Path, ".]")+1:]] = true
		}
	}
	got := slices.Sorted(maps.Keys(members))
	// Version 2's documented list: launches say isClosed for closed, and
	// projects gain archived (the removed statistic operation is not in
	// this flow).
	if want := []string{"archived", "closed", "isClosed"}; !slices.Equal(got, want) {
		t.Errorf("version 2 changed members %v, want exactly %v\n%s", got, want, out)
	}
}

// bearer signs in to the sandbox as the seed user, for a test's own calls.
func bearer(t *testing.T, in *sandbox.Instance) string {
	t.Helper()
	res, err := in.Client().PostForm(in.URL()+"/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {sandbox.SeedAPIToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("no token: %v", err)
	}
	return "Bearer " + tok.AccessToken
}

// renameLaunch renames a launch as another user of the instance would.
func renameLaunch(t *testing.T, in *sandbox.Instance, id int64, name string) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", fmt.Sprintf("%s/api/launch/%d", in.URL(), id), strings.NewReader(fmt.Sprintf(`{"name":%q}`, name)))
	req.Header.Set("Authorization", bearer(t, in))
	req.Header.Set("Content-Type", "application/json")
	res, err := in.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("rename of launch %d: %s", id, res.Status)
	}
}

// changedPaths lists, per call, the body paths --json reports changed.
func changedPaths(t *testing.T, out string) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Kind, Method, URL string
			Diff              *struct {
				Body []struct{ Path, Old, New string } `json:"body"`
			} `json:"diff"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if e.Kind != "entry" || e.Diff == nil {
			continue
		}
		u, _ := url.Parse(e.URL)
		for _, c := range e.Diff.Body {
			got[e.Method+" "+u.Path] = append(got[e.Method+" "+u.Path], c.Path+" "+c.Old+" -> "+c.New)
		}
	}
	return got
}

// TestARenameOfARecordedLaunchIsReported: on the long-lived instance the
// flow was recorded on, a rename made between runs of a launch the
// recording holds is a regression: the flow's own launch (the one it made
// while recorded, which a run without --unsafe finds again), and a launch
// its search recorded. Launches only others made, which alice and bob
// create and rename, stay information.
func TestARenameOfARecordedLaunchIsReported(t *testing.T) {
	in, err := sandbox.Start(sandbox.Options{DataFile: filepath.Join(t.TempDir(), "instance.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	// Recorded while nobody else writes, so the recording holds only the
	// seed launches and the flow's own.
	dir := flowDirOn(t, in)
	// Then other users make and rename a few launches of their own, which
	// the flow's search finds. A few only: a page of 10 sorted newest
	// first must still hold the recorded launches.
	k := in.Knobs()
	k.OtherUsers = 20 * time.Millisecond
	in.SetKnobs(k)
	for deadline := time.Now().Add(10 * time.Second); foreignWrites(in.Requests()) < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	k.OtherUsers = 0
	in.SetKnobs(k)
	if foreignWrites(in.Requests()) < 3 {
		t.Fatal("other users did not write")
	}
	own := int64(0)
	for _, v := range recordedLaunchIDs(t, dir) {
		own = max(own, v) // the flow's launch is the newest
	}

	// Without --unsafe the flow's search finds its recorded launch again.
	args := []string{"--endpoint", in.URL(), "--json", dir}
	if code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), args...); code != 0 {
		t.Fatalf("before the rename: exit %d\n%s\n%s", code, out, errOut)
	}
	renameLaunch(t, in, own, "nightly, renamed by someone")
	code, out, _ := runReplay(t, env(sandbox.SeedAPIToken), args...)
	got := changedPaths(t, out)
	if search := got["GET /api/launch/__search"]; code != 1 || len(got) != 1 || len(search) != 1 || !strings.HasSuffix(search[0], `.name "nightly" -> "nightly, renamed by someone"`) {
		t.Errorf("the rename of the flow's own launch: exit %d, changes %q; want the search to report it, and only it\n%s", code, got, out)
	}
	if !strings.Contains(out, `"rule":"compare body $.content by id: added by others"`) {
		t.Errorf("the search found no launch of other users, as information:\n%s", out)
	}

	// With --unsafe the flow makes a launch of its own each run; a seed
	// launch its search recorded is still the recording's.
	renameLaunch(t, in, own, "nightly")
	args = []string{"--endpoint", in.URL(), "--unsafe", "--json", dir}
	if code, out, _ := runReplay(t, env(sandbox.SeedAPIToken), args...); code != 0 {
		t.Fatalf("--unsafe before the rename: exit %d\n%s", code, out)
	}
	renameLaunch(t, in, 102, "Nightly regression #42, renamed")
	code, out, _ = runReplay(t, env(sandbox.SeedAPIToken), args...)
	got = changedPaths(t, out)
	if code != 1 || len(got) != 1 || len(got["GET /api/launch/__search"]) != 1 || !strings.HasSuffix(got["GET /api/launch/__search"][0], `.name "Nightly regression #42" -> "Nightly regression #42, renamed"`) {
		t.Errorf("the rename of a recorded seed launch: exit %d, changes %q\n%s", code, got, out)
	}
}

// recordedLaunchIDs are the launch ids the flow's recorded search found.
func recordedLaunchIDs(t *testing.T, dir string) []int64 {
	t.Helper()
	f, err := har.ReadFile(filepath.Join(dir, flow.HARFile))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, e := range f.Log.Entries {
		if !strings.Contains(e.Request.URL, "__search") {
			continue
		}
		body, _ := e.ResponseBody()
		var page struct{ Content []struct{ ID int64 } }
		json.Unmarshal(body, &page)
		for _, c := range page.Content {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) < 2 {
		t.Fatalf("the recorded search found %v, want the flow's launch and seed launches", ids)
	}
	return ids
}

// TestARunThatCheckedNothingExitsFour: a flow whose calls are all skipped
// (its only data call is a POST, and there is no --unsafe) is not green.
func TestARunThatCheckedNothingExitsFour(t *testing.T) {
	dir := flowDir(t)
	dropCalls(t, dir, "/api/project", "/api/launch/", "/api/testresult")
	in := instance(t, sandbox.Knobs{})
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), dir)
	if code != 4 || !strings.Contains(errOut, "replay: error: nothing was checked: no call was sent and compared (3 skipped, 0 not run)") ||
		!strings.Contains(errOut, "replay: hint: calls that change data are skipped without --unsafe") {
		t.Errorf("exit %d, want 4\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runReplay(t, env(""), "--endpoint", in.URL(), "--dry-run", dir); code != 0 {
		t.Errorf("a dry run of it: exit %d, want 0: %s", code, errOut)
	}
	if code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", dir); code != 0 {
		t.Errorf("with --unsafe the POST is checked: exit %d\n%s\n%s", code, out, errOut)
	}
}
