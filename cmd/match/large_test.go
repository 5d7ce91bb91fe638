package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/bench/gen"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// updateLarge rewrites testdata/large-golden.txt. The hashes in it must
// come from the commit named there, the last before match streamed: run
// it with that commit checked out, never to make a failing test pass.
var updateLarge = flag.Bool("update-large", false, "rewrite testdata/large-golden.txt from this build")

// largeCase is one run of match over a generated recording whose output
// is held to a hash made before match streamed its input.
type largeCase struct {
	name    string
	doc     string // "sandbox" or "testops"
	entries int
	args    []string // besides --spec and the recording
	stdin   bool     // the recording comes on standard input
}

var largeCases = []largeCase{
	{name: "sandbox-json", doc: "sandbox", entries: 2000, args: []string{"--json"}},                                 // hosts learnt in a first pass
	{name: "sandbox-json-host", doc: "sandbox", entries: 2000, args: []string{"--json", "--host", gen.Host}},        // one pass
	{name: "sandbox-json-stdin", doc: "sandbox", entries: 2000, args: []string{"--json"}, stdin: true},              // spooled for two passes
	{name: "sandbox-json-nochecks", doc: "sandbox", entries: 2000, args: []string{"--json", "--no-checks"}},         // resolution alone
	{name: "sandbox-text", doc: "sandbox", entries: 2000},                                                           // the aligned table
	{name: "sandbox-text-coverage-strict", doc: "sandbox", entries: 2000, args: []string{"--coverage", "--strict"}}, // exit 1 on drift
	{name: "testops-json", doc: "testops", entries: 1000, args: []string{"--json"}},                                 // the real document
}

// TestLargeRecordingKeepsItsResults matches generated recordings and
// compares the SHA-256 of the output with the one the commit before the
// streaming rewrite printed, byte for byte.
func TestLargeRecordingKeepsItsResults(t *testing.T) {
	golden := filepath.Join("testdata", "large-golden.txt")
	want := map[string]string{}
	if data, err := os.ReadFile(golden); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
				want[f[0]] = f[1]
			}
		}
	}
	got := map[string]string{}
	for _, c := range largeCases {
		t.Run(c.name, func(t *testing.T) {
			if raceEnabled && !*updateLarge && c.name != "sandbox-json-host" && c.name != "sandbox-json-stdin" {
				// Under the race detector the one-pass and the spooled
				// two-pass runs are enough to watch the batches spread
				// over the cores; the other cases take minutes there.
				t.Skip("race detector: the one-pass and spooled cases run")
			}
			docPath, harPath := largeRecording(t, c.doc, c.entries)
			args := append([]string{"--spec", docPath}, c.args...)
			stdin := []byte(nil)
			var err error
			if c.stdin {
				args = append(args, "-")
				if stdin, err = os.ReadFile(harPath); err != nil {
					t.Fatal(err)
				}
			} else {
				args = append(args, harPath)
			}
			var out, errb bytes.Buffer
			code := run(args, bytes.NewReader(stdin), &out, &errb, func(string) string { return "" })
			if code > 1 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			// The temporary folder's name changes from run to run.
			norm := bytes.ReplaceAll(out.Bytes(), []byte(harPath), []byte("RECORDING"))
			norm = bytes.ReplaceAll(norm, []byte(docPath), []byte("SPEC"))
			norm = numberPlaceholders(norm)
			sum := sha256.Sum256(append(norm, fmt.Sprintf("exit %d", code)...))
			h := hex.EncodeToString(sum[:])
			got[c.name] = h
			if *updateLarge {
				return
			}
			if want[c.name] == "" {
				t.Fatalf("no golden hash for %s in %s", c.name, golden)
			}
			if h != want[c.name] {
				t.Errorf("output of match %s on %d generated entries changed: sha256 %s, the golden commit printed %s (%d bytes now)",
					strings.Join(c.args, " "), c.entries, h, want[c.name], out.Len())
			}
		})
	}
	if *updateLarge {
		var b strings.Builder
		b.WriteString("# SHA-256 of match's output (and exit status, placeholders numbered) on recordings internal/bench/gen makes with seed 1,\n")
		b.WriteString("# made by commit c6be1f5 (infer: digits are checked with values.Digits instead of a copy of it),\n")
		b.WriteString("# the last before match streamed its input. See TestLargeRecordingKeepsItsResults.\n")
		for _, c := range largeCases {
			if got[c.name] != "" {
				fmt.Fprintf(&b, "%s %s\n", c.name, got[c.name])
			}
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// largeRecording writes a recording of n generated calls against a
// case's document and returns the document's path and the recording's.
func largeRecording(t *testing.T, doc string, n int) (docPath, harPath string) {
	t.Helper()
	docPath = largeDoc(t, doc)
	ix, err := gen.LoadIndex(docPath)
	if err != nil {
		t.Fatal(err)
	}
	harPath = filepath.Join(t.TempDir(), "recording.har")
	f, err := os.Create(harPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gen.Write(f, ix, gen.Options{Entries: n, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return docPath, harPath
}

// TestQuietCountsAsTheFullRun: match -q without checks counts the calls
// with a Matcher that keeps only verdicts and reads only four headers
// (match.Options.Counting); the same run asked for an HTML report as well
// makes every result in full. What they print must be the same.
func TestQuietCountsAsTheFullRun(t *testing.T) {
	for _, c := range []struct {
		reason, doc string
		args        []string
	}{
		{"hosts given: one pass", "sandbox", []string{"--host", gen.Host}},
		{"hosts learnt: two passes", "sandbox", nil},
		{"exit status of --strict", "sandbox", []string{"--host", gen.Host, "--strict"}},
		{"the real TestOps document", "testops", []string{"--host", gen.Host}},
	} {
		t.Run(c.reason, func(t *testing.T) {
			docPath, harPath := largeRecording(t, c.doc, 2000)
			args := append([]string{"--spec", docPath, "-q", "--no-checks", "--coverage"}, c.args...)
			var quiet, quietErr, full, fullErr bytes.Buffer
			qcode := run(append(args, harPath), nil, &quiet, &quietErr, func(string) string { return "" })
			html := filepath.Join(t.TempDir(), "report.html")
			fcode := run(append(args, "--html", html, harPath), nil, &full, &fullErr, func(string) string { return "" })
			if qcode != fcode || quiet.String() != full.String() {
				t.Fatalf("counting: exit %d\n%s\nin full: exit %d\n%s", qcode, quiet.String(), fcode, full.String())
			}
			if !strings.Contains(quiet.String(), "2000 calls") || !strings.Contains(quiet.String(), "coverage:") {
				t.Fatalf("the totals are not there:\n%s", quiet.String())
			}
			if _, err := os.Stat(html); err != nil {
				t.Fatalf("the full run wrote no report: %v", err)
			}
		})
	}
}

// placeholderRE is a redaction placeholder: a hash keyed afresh by every
// run, so the same secret reads differently from one run to the next.
var placeholderRE = regexp.MustCompile(`REDACTED-[0-9a-f]{16}`)

// numberPlaceholders renames each placeholder by the order it first
// appears in, which keeps what the output says (the same secret, another
// secret) without the run's key.
func numberPlaceholders(b []byte) []byte {
	seen := map[string]string{}
	return placeholderRE.ReplaceAllFunc(b, func(m []byte) []byte {
		n, ok := seen[string(m)]
		if !ok {
			n = fmt.Sprintf("REDACTED-%d", len(seen)+1)
			seen[string(m)] = n
		}
		return []byte(n)
	})
}

// largeDoc is the document a case matches against: the sandbox's, always
// here, or the real TestOps 26.1.1 one from the shared data set.
func largeDoc(t *testing.T, which string) string {
	if which == "testops" {
		return filepath.Join(shareddata.Dir(t, "realworld", "testops"), "allure-testops-service-26.1.1.openapi.json")
	}
	p, err := gen.WriteSandboxDocument(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
