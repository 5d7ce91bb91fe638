package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// sizedSuite makes a suite of recording folders of different sizes from the
// UI flow: each is a slice [from, to) of its calls. The calls from the 4th
// on use the launch the 4th creates, so a slice that has them starts at 0.
func sizedSuite(t *testing.T, parts map[string][2]int) string {
	t.Helper()
	src := flowDir(t)
	f, err := har.ReadFile(filepath.Join(src, flow.HARFile))
	if err != nil {
		t.Fatal(err)
	}
	suite := t.TempDir()
	for name, sl := range parts {
		if sl[1] > len(f.Log.Entries) {
			t.Fatalf("the UI flow has %d calls, fewer than %d", len(f.Log.Entries), sl[1])
		}
		dir := filepath.Join(suite, name)
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		cut := *f
		cut.Log.Entries = f.Log.Entries[sl[0]:sl[1]]
		if err := har.WriteFile(filepath.Join(dir, flow.HARFile), &cut, har.WriterOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return suite
}

type junitSuites struct {
	Suites []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
	} `xml:"testsuite"`
}

// TestShardsSplitASuite: the shards of a suite are disjoint, together the
// whole suite, each non-empty when there are enough recordings, the same
// split on every run, and their JUnit reports merge without clashing.
func TestShardsSplitASuite(t *testing.T) {
	// Each shard replays on a fresh instance, and one recording that
	// creates the launch per shard keeps its id as recorded.
	suite := sizedSuite(t, map[string][2]int{"big": {0, 7}, "mid": {0, 5}, "small": {0, 3}, "tiny": {2, 3}})
	all := []string{"big", "mid", "small", "tiny"}
	for _, n := range []int{2, 3} {
		var union []string
		for k := 1; k <= n; k++ {
			in := instance(t, sandbox.Knobs{})
			junit := filepath.Join(t.TempDir(), "junit.xml")
			shard := []string{"--shard", strings.Join([]string{itoa(k), itoa(n)}, "/")}
			code, _, errOut := runReplay(t, env(sandbox.SeedAPIToken), append(shard, "--endpoint", in.URL(), "--unsafe", "--junit", junit, suite)...)
			if code != 0 {
				t.Fatalf("shard %d/%d: exit %d\n%s", k, n, code, errOut)
			}
			data, err := os.ReadFile(junit)
			if err != nil {
				t.Fatal(err)
			}
			var js junitSuites
			if err := xml.Unmarshal(data, &js); err != nil {
				t.Fatal(err)
			}
			if len(js.Suites) == 0 {
				t.Errorf("shard %d/%d is empty", k, n)
			}
			for _, s := range js.Suites {
				if slices.Contains(union, s.Name) {
					t.Errorf("shard %d/%d: %s is in another shard too", k, n, s.Name)
				}
				union = append(union, s.Name)
			}
			if strings.ContainsAny(errOut, "\r\033") {
				t.Errorf("shard %d/%d: control characters on stderr outside a terminal: %q", k, n, errOut)
			}
			if len(js.Suites) > 1 && !strings.Contains(errOut, "replay: [1/"+itoa(len(js.Suites))+"] ") {
				t.Errorf("shard %d/%d: no plain progress line per recording on stderr:\n%s", k, n, errOut)
			}
		}
		slices.Sort(union)
		if !slices.Equal(union, all) {
			t.Errorf("%d shards together replayed %v, want %v", n, union, all)
		}
	}
	// By call count, largest first into the lighter shard: big (7) and
	// mid (5) open the two, small (3) joins mid, tiny (1) joins big: 8
	// calls each.
	if mine := shardNames(t, suite, 1, 2); !slices.Equal(mine, []string{"big", "tiny"}) {
		t.Errorf("shard 1/2 is %v, want [big tiny]", mine)
	}
	in := instance(t, sandbox.Knobs{})
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--shard", "5/5", "--endpoint", in.URL(), "--unsafe", suite)
	if code != 0 || out != "" || !strings.Contains(errOut, "replay: shard 5/5 has no recording: the suite has 4, fewer than 5 shards") {
		t.Errorf("an empty shard: exit %d %q %q", code, out, errOut)
	}
}

func shardNames(t *testing.T, suite string, k, n int) []string {
	t.Helper()
	r := &replayRun{}
	ts, err := r.targets([]string{suite})
	if err != nil {
		t.Fatal(err)
	}
	sel := selection{shard: itoa(k) + "/" + itoa(n)}
	if err := sel.check(); err != nil {
		t.Fatal(err)
	}
	mine, err := sel.pick(ts, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mine {
		names = append(names, m.name)
	}
	return names
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSelectionFlags: --flow, --operation and --tag choose recordings; a
// choice of nothing is a usage error that sends nothing.
func TestSelectionFlags(t *testing.T) {
	suite := sizedSuite(t, map[string][2]int{"big": {0, 7}, "small": {0, 3}})
	for _, c := range []struct {
		reason string
		args   []string
		code   int
		want   string // in stdout for exit 0, the error line for exit 2
	}{
		{"--flow picks one recording", []string{"--flow", "small"}, 0, "replay of small"},
		{"--flow of no recording lists the suite", []string{"--flow", "nope"}, 2, "replay: error: --flow nope: no such recording; the suite has big, small"},
		{"--tag of no call", []string{"--tag", "no-such-tag"}, 2, "replay: error: --tag no-such-tag: no recording calls what it names"},
		{"--operation of no call", []string{"--operation", "GET /api/nothing"}, 2, "replay: error: --operation GET /api/nothing: no recording calls what it names"},
		{"a shard out of range", []string{"--shard", "3/2"}, 2, `replay: error: --shard "3/2" is not K/N with 1 <= K <= N`},
		{"a shard that is not K/N", []string{"--shard", "half"}, 2, `replay: error: --shard "half" is not K/N`},
	} {
		in := instance(t, sandbox.Knobs{})
		code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), append(c.args, "--endpoint", in.URL(), "--unsafe", suite)...)
		got := out
		if c.code != 0 {
			got = errOut
		}
		if code != c.code || !strings.Contains(got, c.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s\n%s", c.reason, code, c.code, c.want, out, errOut)
		}
		if c.code == 2 {
			for _, r := range in.Requests() {
				if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/uaa/oauth/token" {
					t.Errorf("%s: %s was sent before the usage error", c.reason, r.Path)
				}
			}
		}
	}
	// The tag of a call only the big recording makes selects it alone.
	in := instance(t, sandbox.Knobs{})
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--tag", "launch-controller", "--endpoint", in.URL(), "--unsafe", suite)
	if code != 0 || !strings.Contains(out, "replay of big") || strings.Contains(out, "replay of small") {
		t.Errorf("--tag launch-controller: exit %d\n%s\n%s", code, out, errOut)
	}
}
