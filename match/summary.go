package match

import (
	"sort"

	"github.com/apitrail/apitrail/spec"
)

// Summary counts verdicts and the spec's operations that a set of
// recordings exercised.
type Summary struct {
	Entries  int             `json:"entries"`
	Verdicts map[Verdict]int `json:"verdicts"`
	Coverage Coverage        `json:"coverage"`
}

// Coverage is how many of the spec's operations were called, per tag.
type Coverage struct {
	Operations int           `json:"operations"`
	Exercised  int           `json:"exercised"`
	Tags       []TagCoverage `json:"tags"`
}

// TagCoverage is the coverage of one tag (a controller, in springdoc's
// documents).
type TagCoverage struct {
	Tag        string   `json:"tag"`
	Operations int      `json:"operations"`
	Exercised  int      `json:"exercised"`
	Missing    []string `json:"missing,omitempty"`
}

// opKey is an operation as coverage counts it, by method and template: a
// pair rather than one string, which would be made again for every call.
type opKey struct{ method, path string }

// Tally accumulates results into a Summary.
type Tally struct {
	ix       *spec.Index
	entries  int
	verdicts map[Verdict]int
	called   map[opKey]bool
}

// NewTally starts a tally over the operations of ix.
func NewTally(ix *spec.Index) *Tally {
	return &Tally{ix: ix, verdicts: map[Verdict]int{}, called: map[opKey]bool{}}
}

// Add counts one result.
func (t *Tally) Add(r Result) {
	t.entries++
	t.verdicts[r.Verdict]++
	if r.Operation != nil {
		t.called[opKey{r.Operation.Method, r.Operation.Path}] = true
	}
}

// Summary returns the counts so far. Operations that several documents
// declare (a "Report Service" and an "All Services" definition) count once.
func (t *Tally) Summary() Summary {
	s := Summary{Entries: t.entries, Verdicts: map[Verdict]int{}}
	for _, v := range Verdicts {
		s.Verdicts[v] = t.verdicts[v]
	}
	seen := map[string]bool{}
	tags := map[string]*TagCoverage{}
	for _, op := range t.ix.Operations() {
		key := op.Method + " " + op.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		tag := "(untagged)"
		if len(op.Tags) > 0 {
			tag = op.Tags[0]
		}
		tc := tags[tag]
		if tc == nil {
			tc = &TagCoverage{Tag: tag}
			tags[tag] = tc
		}
		tc.Operations++
		s.Coverage.Operations++
		if t.called[opKey{op.Method, op.Path}] {
			tc.Exercised++
			s.Coverage.Exercised++
		} else {
			tc.Missing = append(tc.Missing, key)
		}
	}
	for _, tc := range tags {
		s.Coverage.Tags = append(s.Coverage.Tags, *tc)
	}
	sort.Slice(s.Coverage.Tags, func(i, j int) bool { return s.Coverage.Tags[i].Tag < s.Coverage.Tags[j].Tag })
	return s
}
