package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/replay"
)

// A baseline written by --update holds the answers of the update run, with
// the ids that run created. Replay maps the recording's ids to the ones a
// run creates; to compare with a baseline, it must map the baseline's ids
// instead. The values file beside the baseline says, per answer, which
// value the update run had in place of each recorded one.

// baselineValuesFile is the on-disk form: one item per baseline answer
// whose values differ from the recording's, by 0-based index.
type baselineValuesFile struct {
	Format  int                   `json:"format"`
	Entries []baselineValuesEntry `json:"entries"`
}

type baselineValuesEntry struct {
	Index int `json:"index"`
	// Values maps a recorded value to the one the update run had.
	Values map[string]string `json:"values"`
}

const baselineValuesFormat = 1

// baselineValuesPath is the values file beside a baseline:
// baseline.values.json beside baseline.har.
func baselineValuesPath(baseline string) string {
	return strings.TrimSuffix(baseline, ".har") + ".values.json"
}

// readBaselineValues reads the values file of baseline; none (an older
// baseline, or one written by hand) means the baseline holds the
// recording's values.
func readBaselineValues(baseline string, n int) (map[int]map[string]string, error) {
	path := baselineValuesPath(baseline)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f baselineValuesFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if f.Format != baselineValuesFormat {
		return nil, fmt.Errorf("%s: format %d, this replay reads format %d", path, f.Format, baselineValuesFormat)
	}
	out := map[int]map[string]string{}
	for i, e := range f.Entries {
		if e.Index < 0 || e.Index >= n {
			return nil, fmt.Errorf("%s: entries[%d]: index %d is not one of the %d calls", path, i, e.Index, n)
		}
		out[e.Index] = e.Values
	}
	return out, nil
}

// runValues is what a run created, by recorded value, leaving out values
// that look like secrets: the values file is written to disk, and an API
// token a flow created has no business there.
func runValues(rep *replay.Report) map[string]string {
	red := har.NewRedactor(har.DefaultRules())
	out := map[string]string{}
	for _, v := range rep.Vars {
		if v.From == "" || v.Replayed == "" || v.Replayed == v.Recorded || red.SecretName(v.Name) ||
			red.Text(v.Replayed) != v.Replayed || red.Text(v.Recorded) != v.Recorded {
			continue
		}
		out[v.Recorded] = v.Replayed
	}
	return out
}

// writeBaselineValues writes the values file for a baseline whose answers
// came, index by index, from the run (fresh) or were kept (old values).
func writeBaselineValues(baseline string, n int, fresh map[int]bool, now map[string]string, old map[int]map[string]string) error {
	f := baselineValuesFile{Format: baselineValuesFormat, Entries: []baselineValuesEntry{}}
	for i := range n {
		vals := old[i]
		if fresh[i] {
			vals = now
		}
		if len(vals) > 0 {
			f.Entries = append(f.Entries, baselineValuesEntry{Index: i, Values: vals})
		}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(baselineValuesPath(baseline), append(b, '\n'), 0o644)
}
