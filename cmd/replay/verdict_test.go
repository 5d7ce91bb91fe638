package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/replaybench"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// TestJSONVerdictsCheckTheRecordedAnswers: a recorded answer that does not
// fit the spec the instance serves gives its call the verdict drift in
// --json, as match would, although the plan checks recorded answers only
// for the outputs that print verdicts; the text report, which does not,
// counts the same outcomes.
func TestJSONVerdictsCheckTheRecordedAnswers(t *testing.T) {
	in := instance(t, sandbox.Knobs{})
	var buf bytes.Buffer
	const calls = 11 // each read call of the recording once
	if err := replaybench.WriteRecording(context.Background(), &buf, in.URL(), calls); err != nil {
		t.Fatal(err)
	}
	f, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	drifting := ""
	for _, e := range f.Log.Entries {
		if !strings.HasSuffix(e.Request.URL, "/api/project/1") {
			continue
		}
		body, _ := e.ResponseBody()
		var project map[string]any
		if err := json.Unmarshal(body, &project); err != nil {
			t.Fatal(err)
		}
		project["id"] = "1" // a string where the spec says integer
		changed, _ := json.Marshal(project)
		e.SetResponseBody(changed, "application/json")
		drifting = e.Request.URL
	}
	if drifting == "" {
		t.Fatal("the recording has no GET /api/project/1")
	}
	rec := filepath.Join(t.TempDir(), "recording.har")
	if err := har.WriteFile(rec, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "-e", in.URL(), "-c", "16", "--json", rec)
	if code != 1 {
		t.Fatalf("--json: exit %d, want 1 (the changed answer is a regression)\n%s\n%s", code, out, errOut)
	}
	verdicts := map[string]string{}
	var counts map[string]int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l struct {
			Kind, RecordedURL, Verdict string
			Counts                     map[string]int
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		switch l.Kind {
		case "entry":
			verdicts[l.RecordedURL] = l.Verdict
		case "flow":
			counts = l.Counts
		}
	}
	if len(verdicts) != calls {
		t.Fatalf("%d entries, want %d:\n%s", len(verdicts), calls, out)
	}
	for u, v := range verdicts {
		want := "matched"
		if u == drifting {
			want = "drift"
		}
		if v != want {
			t.Errorf("%s: verdict %q, want %q", u, v, want)
		}
	}

	code, text, errOut := runReplay(t, env(sandbox.SeedAPIToken), "-e", in.URL(), "-c", "16", rec)
	if code != 1 {
		t.Fatalf("text: exit %d, want 1\n%s\n%s", code, text, errOut)
	}
	want := "11 calls: " + strings.Join([]string{itoa(counts["ok"]) + " ok", itoa(counts["regression"]) + " regression", itoa(counts["drift"]) + " drift"}, ", ")
	if counts["regression"] != 1 || !strings.Contains(text, want) {
		t.Errorf("--json counted %v; the text report does not say %q:\n%s", counts, want, text)
	}
}
