package match_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/bench/gen"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

// TestCountingKeepsTheVerdicts holds a counting Matcher (what match -q
// uses) to the full one on a generated recording of the sandbox's API:
// the same verdict and operation for every call, and nothing shown that
// quotes the call, since nothing of it was redacted.
func TestCountingKeepsTheVerdicts(t *testing.T) {
	docPath, err := gen.WriteSandboxDocument(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spec.LoadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{Aliases: spec.TestOpsAliases})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gen.Write(&buf, ix, gen.Options{Entries: 3000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	entries := readAll(t, buf.Bytes(), nil)
	// match -q --no-checks reads only the headers a counting Matcher
	// looks at.
	lean := readAll(t, buf.Bytes(), match.CountingHeaders())
	for _, c := range []struct {
		reason string
		opts   match.Options
	}{
		{"hosts given, no checks (match -q --no-checks --host)", match.Options{Hosts: []string{gen.Host}, NoChecks: true}},
		{"hosts learnt in a first pass", match.Options{NoChecks: true}},
		{"checks on: drift is still told, from problems not kept", match.Options{Hosts: []string{gen.Host}}},
		{"cache-busters kept as parameters", match.Options{Hosts: []string{gen.Host}, KeepCacheBusters: true}},
	} {
		t.Run(c.reason, func(t *testing.T) {
			full := match.New(ix, c.opts)
			copts := c.opts
			copts.Counting = true
			counting := match.New(ix, copts)
			mine := entries
			if c.opts.NoChecks {
				mine = lean
			}
			if len(c.opts.Hosts) == 0 {
				full.ObserveAll(entries)
				counting.ObserveAll(mine)
				if fmt.Sprint(full.Hosts()) != fmt.Sprint(counting.Hosts()) {
					t.Fatalf("hosts learnt: counting %v, full %v", counting.Hosts(), full.Hosts())
				}
			}
			verdicts := map[match.Verdict]int{}
			shown := 0
			for i, e := range entries {
				want, got := full.Entry(i+1, e), counting.Entry(i+1, mine[i])
				verdicts[want.Verdict]++
				if got.Verdict != want.Verdict || fmt.Sprint(got.Operation) != fmt.Sprint(want.Operation) {
					t.Fatalf("call %d %s %s: counting says %s %v, the full matcher %s %v (%s)",
						i+1, e.Request.Method, e.Request.URL, got.Verdict, got.Operation, want.Verdict, want.Operation, want.Reason)
				}
				if got.URL != "" || got.Reason != "" || got.Query != nil || got.Params != nil || got.Closest != nil || got.Problems != nil || got.Notes != nil {
					t.Fatalf("call %d: a counting result shows the call: %+v", i+1, got)
				}
				if want.URL != "" && (want.Reason != "" || len(want.Query)+len(want.Params)+len(want.Closest) > 0) {
					shown++
				}
			}
			// The comparison means something only if the recording has
			// calls of every kind and the full results show them.
			// (Sign-ins, WebSockets and the documentation are in
			// TestBrowserTrafficVerdicts, which holds counting to them.)
			for _, v := range []match.Verdict{match.Matched, match.Undocumented, match.Upload, match.NotAPI} {
				if verdicts[v] == 0 {
					t.Errorf("the recording has no %s call", v)
				}
			}
			if !c.opts.NoChecks && verdicts[match.Drift] == 0 {
				t.Error("with checks on, no call drifted")
			}
			if shown == 0 {
				t.Error("no full result showed anything of its call")
			}
		})
	}
}

func readAll(t *testing.T, data []byte, headers []string) []*har.Entry {
	t.Helper()
	var entries []*har.Entry
	rd := har.NewReader(bytes.NewReader(data), har.ReaderOptions{Name: "generated.har", Headers: headers})
	for {
		e, err := rd.Next()
		if err == io.EOF {
			return entries
		}
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
}
