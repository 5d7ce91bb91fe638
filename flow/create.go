package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/values"
)

// Build is a flow folder being made. Its files are written into a hidden
// temporary folder beside Dir, which Commit renames into place: a command
// that fails half-way leaves no half-made fixture behind.
type Build struct {
	Dir string
	tmp string
}

// NewBuild starts a flow folder at dir. A dir that exists is refused unless
// it is empty, or force is set and it is a flow folder already (replacing
// anything else would lose a folder the user keeps).
func NewBuild(dir string, force bool) (*Build, error) {
	if err := CheckNew(dir, force); err != nil {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(dir))+".tmp-")
	if err != nil {
		return nil, err
	}
	return &Build{Dir: dir, tmp: tmp}, nil
}

// CheckNew says whether a flow folder can be made at dir (see NewBuild),
// naming dir as the user wrote it.
func CheckNew(dir string, force bool) error {
	fi, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		if pi, err := os.Stat(filepath.Dir(filepath.Clean(dir))); err != nil || !pi.IsDir() {
			return fmt.Errorf("%s: no folder %s to make it in", dir, filepath.Dir(filepath.Clean(dir)))
		}
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s: is a file, and a recording folder is a folder", dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	switch {
	case len(ents) == 0:
		return nil
	case !IsFlow(dir):
		return fmt.Errorf("%s: the folder exists and is not a recording folder", dir)
	case !force:
		return fmt.Errorf("%s: the recording folder exists", dir)
	}
	return nil
}

// HAR, SpecPath, NoiseFile are where the parts go while the folder is made.
func (b *Build) HAR() string       { return filepath.Join(b.tmp, HARFile) }
func (b *Build) SpecPath() string  { return filepath.Join(b.tmp, SpecDir) }
func (b *Build) NoiseFile() string { return diff.RulesFileFor(b.HAR()) }

// WriteManifest writes flow.json.
func (b *Build) WriteManifest(m Manifest) error {
	f := &Flow{Dir: b.tmp, Manifest: m}
	return f.SaveManifest()
}

// starterComment heads the noise file a command starts a recording folder
// with, saying where its rules came from.
const starterComment = "Noise rules for replay (see README, Noise rules): values that differ on\n" +
	"every run. These are the members whose recorded answers hold timestamps;\n" +
	"replay --learn-noise --save-noise adds what else differs."

// WriteStarterNoise writes the folder's starter noise file: StarterNoise's
// rules for entries under a comment. It returns how many rules it wrote.
func (b *Build) WriteStarterNoise(entries []*har.Entry) (int, error) {
	return writeStarterNoise(b.NoiseFile(), entries)
}

// WriteStarterNoise writes the starter noise file of a folder made in
// place, as capture --flow makes one (see Build.WriteStarterNoise).
func (f *Flow) WriteStarterNoise(entries []*har.Entry) (int, error) {
	return writeStarterNoise(f.NoiseFile(), entries)
}

func writeStarterNoise(path string, entries []*har.Entry) (int, error) {
	rules := StarterNoise(entries)
	var sb strings.Builder
	for _, l := range strings.Split(starterComment, "\n") {
		sb.WriteString("# " + l + "\n")
	}
	for _, r := range rules {
		sb.WriteString(r + "\n")
	}
	if _, err := diff.ParseRules(path, strings.NewReader(sb.String())); err != nil {
		return 0, err // a rule this package wrote that diff cannot read is a bug
	}
	return len(rules), os.WriteFile(path, []byte(sb.String()), 0o644)
}

// Commit puts the folder in place, replacing an old flow folder there.
func (b *Build) Commit() error {
	if err := os.Remove(b.Dir); err != nil && !os.IsNotExist(err) {
		// Not empty: CheckNew allowed it, so it is a flow folder and
		// force was given.
		if err := os.RemoveAll(b.Dir); err != nil {
			return err
		}
	}
	return os.Rename(b.tmp, b.Dir)
}

// Abort removes what was written; after Commit it does nothing.
func (b *Build) Abort() { os.RemoveAll(b.tmp) }

// StarterNoise proposes noise rules for a recording: members whose answers
// hold timestamps, as package values recognises them by their text (ISO
// 8601, HTTP dates, Unix times near the time the call was recorded),
// whatever the member is called; a replay at another time answers
// otherwise. It is a start: replay --learn-noise finds the rest.
func StarterNoise(entries []*har.Entry) []string {
	seen := map[string]bool{}
	for _, e := range entries {
		if !strings.Contains(e.Response.Content.MimeType, "json") {
			continue
		}
		body, err := e.ResponseBody()
		if err != nil || len(body) == 0 {
			continue
		}
		// Numbers as written: a 13-digit time must not pass through a float.
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			continue
		}
		at, _ := e.Started()
		timestampMembers(v, at, seen)
	}
	var rules []string
	for name := range seen {
		rules = append(rules, "ignore body $.."+name)
	}
	slices.Sort(rules)
	return rules
}

func timestampMembers(v any, at time.Time, seen map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isTimestamp(x, at) && simpleName(k) {
				seen[k] = true
			}
			timestampMembers(x, at, seen)
		}
	case []any:
		for _, x := range v {
			timestampMembers(x, at, seen)
		}
	}
}

func isTimestamp(v any, at time.Time) bool {
	var text string
	switch v := v.(type) {
	case string:
		text = v
	case json.Number:
		text = v.String()
	default:
		return false
	}
	f, ok := values.Recognise(text, at)
	return ok && f.Kind == values.Timestamp
}

// simpleName keeps rules to names a JSONPath writes bare.
func simpleName(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
