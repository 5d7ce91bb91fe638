// Package flow reads and writes recorded flows: folders that keep a
// recording together with what it takes to check it again later, so that
// a flow can serve as a regression fixture.
//
// A flow folder holds:
//
//	recording.har    the recorded calls, secrets redacted
//	recording.noise  noise rules for replay diffs (see package diff)
//	spec/            the spec snapshot the flow was matched against
//	                 (specs.json lists each document with its URL and SHA-256)
//	baseline.har     optional: the responses a replay compares against;
//	                 without it, the recording's own responses are the baseline
//	baseline.values.json
//	                 optional: the values the run that wrote baseline.har
//	                 created, by recorded value, so later runs correlate
//	flow.json        optional: the flow's name, the instance it was recorded
//	                 on, its hosts and path aliases
package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

// File names inside a flow folder.
const (
	HARFile      = "recording.har"
	BaselineFile = "baseline.har"
	ManifestFile = "flow.json"
	SpecDir      = "spec"
)

// Manifest is what flow.json says about a flow.
type Manifest struct {
	// Name is shown in reports; the folder's name when empty.
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Endpoint is the base URL of the instance the flow was recorded on.
	Endpoint string `json:"endpoint,omitempty"`
	// Hosts are the instance's hosts as the recording names them.
	Hosts []string `json:"hosts,omitempty"`
	// Aliases are path prefix aliases (FROM=TO) beyond the built-in ones.
	Aliases []string `json:"aliases,omitempty"`
	// Recorded is when the recording was made.
	Recorded time.Time `json:"recorded,omitzero"`
}

// Flow is one flow folder.
type Flow struct {
	Dir      string
	Manifest Manifest
}

// IsFlow reports whether dir holds a recording.
func IsFlow(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, HARFile))
	return err == nil && fi.Mode().IsRegular()
}

// Open reads the flow in dir.
func Open(dir string) (*Flow, error) {
	if !IsFlow(dir) {
		return nil, fmt.Errorf("%s is not a flow folder: it has no %s", dir, HARFile)
	}
	f := &Flow{Dir: dir}
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(data, &f.Manifest); err != nil {
			return nil, fmt.Errorf("%s: %v", jsonPlace(filepath.Join(dir, ManifestFile), data, err), err)
		}
	}
	return f, nil
}

// jsonPlace names the file and, when the decoder says where it stopped, the
// line and column of the last byte it read, since flow.json is written by
// hand.
func jsonPlace(path string, data []byte, err error) string {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return path
	}
	before := data[:max(0, min(int(off), len(data))-1)]
	line := 1 + bytes.Count(before, []byte{'\n'})
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

// Find returns the flow in dir, or, when dir is a folder of flows, each flow
// in it sorted by folder name.
func Find(dir string) ([]*Flow, error) {
	if IsFlow(dir) {
		f, err := Open(dir)
		if err != nil {
			return nil, err
		}
		return []*Flow{f}, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && IsFlow(filepath.Join(dir, e.Name())) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no flow: no %s in it or in its sub-folders", dir, HARFile)
	}
	sort.Strings(names)
	var out []*Flow
	for _, n := range names {
		f, err := Open(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Name is the flow's name for reports.
func (f *Flow) Name() string {
	if f.Manifest.Name != "" {
		return f.Manifest.Name
	}
	return filepath.Base(filepath.Clean(f.Dir))
}

// HAR is the path of the recording.
func (f *Flow) HAR() string { return filepath.Join(f.Dir, HARFile) }

// NoiseFile is the path of the noise rules, which may not exist yet.
func (f *Flow) NoiseFile() string { return diff.RulesFileFor(f.HAR()) }

// BaselinePath is the path of the replay baseline, which may not exist.
func (f *Flow) BaselinePath() string { return filepath.Join(f.Dir, BaselineFile) }

// HasBaseline reports whether the flow keeps a baseline of its own.
func (f *Flow) HasBaseline() bool {
	_, err := os.Stat(f.BaselinePath())
	return err == nil
}

// SpecPath is the folder of the spec snapshot.
func (f *Flow) SpecPath() string { return filepath.Join(f.Dir, SpecDir) }

// HasSpec reports whether the flow keeps a spec snapshot.
func (f *Flow) HasSpec() bool {
	_, err := os.Stat(filepath.Join(f.SpecPath(), discover.SnapshotManifest))
	return err == nil
}

// Specs loads the spec snapshot, checking each document against the hash
// recorded when it was saved.
func (f *Flow) Specs() ([]*spec.Document, error) {
	srcs, err := discover.LoadSnapshot(f.SpecPath())
	if err != nil {
		return nil, err
	}
	return spec.LoadAll(srcs)
}

// Rules loads the flow's noise rules; a flow without a rules file has none.
func (f *Flow) Rules() ([]diff.Rule, error) {
	rules, err := diff.LoadRules(f.NoiseFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return rules, err
}

// SaveManifest writes flow.json atomically.
func (f *Flow) SaveManifest() error {
	data, err := json.MarshalIndent(f.Manifest, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(f.Dir, ManifestFile), append(data, '\n'), 0o644)
}

// BaselineFor is where the baseline of the recording at harPath lives:
// baseline.har in its recording folder, NAME.baseline.har beside a bare
// NAME.har. A folder's recording.har named by itself shares the folder's
// baseline, so that replaying the folder later reads what was written.
func BaselineFor(harPath string) string {
	if dir := filepath.Dir(harPath); filepath.Base(harPath) == HARFile && IsFlow(dir) {
		return filepath.Join(dir, BaselineFile)
	}
	return strings.TrimSuffix(harPath, filepath.Ext(harPath)) + ".baseline.har"
}

// NoiseFor is where the noise rules of the recording at harPath live.
func NoiseFor(harPath string) string { return diff.RulesFileFor(harPath) }
