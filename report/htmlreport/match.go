package htmlreport

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/drift"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

// MatchRecording is one recording's verdicts and, when it was checked
// against another spec, what changed under its calls.
type MatchRecording struct {
	Name    string
	Results []match.Result
	Changes []drift.Call
}

// Match is a match run over one or more recordings.
type Match struct {
	Recordings []MatchRecording
	// Summary holds the verdict counts and the coverage of the spec.
	Summary match.Summary
	// Against names the documents the calls were checked against, when
	// they were (match --against).
	Against string
}

type matchView struct {
	Against    string
	Breaking   []againstRow
	Changed    []againstRow
	Unchanged  int
	Operations int
	Exercised  int
	Tags       []match.TagCoverage
	Drift      []driftGroup
	Undoc      []callRow
	Recordings []recordingView
}

type againstRow struct {
	ID        string // the anchor of the call's row
	Recording string
	Seq       int
	Call      string
	Old, New  string
	Resolves  bool
	Changes   []string
}

// driftGroup is how the calls of one operation differ from it: requests
// and answers alike, each kind of difference at each place once, with how
// often it was seen.
type driftGroup struct {
	Operation string
	Calls     []callLink
	Problems  []problemCount
}

type callLink struct {
	ID  string
	Seq int
}

type problemCount struct {
	Kind, Where, Example string
	N                    int
}

var arrayIndex = regexp.MustCompile(`\[\d+\]`)

func (g *driftGroup) add(c cleaner, row callRow, problems []spec.Problem) {
	g.Calls = append(g.Calls, callLink{row.ID, row.Seq})
	for _, p := range problems {
		where := arrayIndex.ReplaceAllString(c.text(p.Where), "[*]")
		found := false
		for i := range g.Problems {
			if g.Problems[i].Kind == string(p.Kind) && g.Problems[i].Where == where {
				g.Problems[i].N++
				found = true
				break
			}
		}
		if !found {
			g.Problems = append(g.Problems, problemCount{string(p.Kind), where, c.text(p.Message), 1})
		}
	}
}

type recordingView struct {
	Name  string
	ID    string
	Calls []callRow
}

// WriteMatch writes a match run as one HTML page: the breaking changes
// first (with Against), the verdict counts, the coverage per tag with the
// operations no recording calls, the drift grouped by operation, the
// undocumented calls, then every call.
func WriteMatch(w io.Writer, m Match, o Options) error {
	o.fill("apitrail match")
	c := cleaner{o.Redactor}
	p := newPage(o, "match")
	mv := &matchView{Against: c.text(m.Against), Operations: m.Summary.Coverage.Operations, Exercised: m.Summary.Coverage.Exercised}
	p.Match = mv
	for _, t := range m.Summary.Coverage.Tags {
		t.Tag = c.text(t.Tag)
		t.Missing = c.texts(t.Missing)
		mv.Tags = append(mv.Tags, t)
	}
	// The least covered tags first: they are what a lead asks about.
	sort.SliceStable(mv.Tags, func(i, j int) bool {
		a, b := mv.Tags[i], mv.Tags[j]
		return a.Exercised*b.Operations > b.Exercised*a.Operations
	})
	n := map[string]int{}
	for v, k := range m.Summary.Verdicts {
		n[string(v)] = k
	}
	recs, ops, tags, words := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	ids := map[string]int{}
	groups := map[string]*driftGroup{}
	for _, rec := range m.Recordings {
		rv := recordingView{Name: c.text(rec.Name)}
		rv.ID = uniqueID(ids, "flow-"+slug(anchorName(rec.Name)))
		for _, r := range rec.Results {
			row := newRow(c, rv.Name, rv.ID, r.Seq, string(r.Verdict), r.Method, r.URL, r.Operation)
			row.Result, row.Passing = c.text(r.Reason), r.Verdict == match.Matched
			if r.Status != 0 {
				row.Status = fmt.Sprint(r.Status)
			}
			for _, pr := range r.Problems {
				row.Problems = append(row.Problems, c.text(pr.String()))
			}
			row.Notes = c.texts(r.Notes)
			// The near misses are why a person reads an undocumented call at all.
			for _, cl := range r.Closest {
				row.Notes = append(row.Notes, c.text("closest: "+cl.String()))
			}
			if r.Operation != nil && len(r.Problems) > 0 {
				g := groups[row.Name]
				if g == nil {
					g = &driftGroup{Operation: row.Name}
					groups[row.Name] = g
				}
				g.add(c, row, r.Problems)
			}
			recs[rv.Name], ops[row.Op], tags[row.Tag], words[row.Word] = true, true, true, true
			if r.Verdict == match.Undocumented {
				mv.Undoc = append(mv.Undoc, row)
			}
			rv.Calls = append(rv.Calls, row)
			p.Total++
		}
		for _, ch := range rec.Changes {
			a := againstRow{ID: "call-" + rv.ID[len("flow-"):] + "-" + fmt.Sprint(ch.Seq), Recording: rv.Name, Seq: ch.Seq, Call: ch.Method + " " + c.url(match.PathOf(ch.URL)), Old: c.text(ch.Old), New: c.text(ch.New), Resolves: ch.Resolves}
			for _, x := range ch.Changes {
				a.Changes = append(a.Changes, c.text(x.String()))
			}
			switch {
			case ch.Breaking:
				mv.Breaking = append(mv.Breaking, a)
			case len(ch.Changes) > 0:
				mv.Changed = append(mv.Changed, a)
			default:
				mv.Unchanged++
			}
		}
		mv.Recordings = append(mv.Recordings, rv)
	}
	for _, g := range groups {
		mv.Drift = append(mv.Drift, *g)
	}
	// The operations with the most drifting calls first.
	sort.Slice(mv.Drift, func(i, j int) bool {
		a, b := mv.Drift[i], mv.Drift[j]
		if len(a.Calls) != len(b.Calls) {
			return len(a.Calls) > len(b.Calls)
		}
		return a.Operation < b.Operation
	})
	var known []string
	for _, v := range match.Verdicts {
		known = append(known, string(v))
	}
	p.Counts = counts(known, n)
	p.Facets = []facet{newFacet("outcome", "verdict", words), newFacet("flow", "recording", recs), newFacet("op", "operation", ops), newFacet("tag", "tag", tags)}
	return p.write(w)
}

// WriteMatchFile is WriteMatch into a file, replaced whole or not at all.
func WriteMatchFile(path string, m Match, o Options) error {
	return writeFile(path, func(w io.Writer) error { return WriteMatch(w, m, o) })
}

// anchorName is the part of a recording's path that names it: the folder
// of a recording folder's recording.har, else the file without .har.
func anchorName(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(filepath.ToSlash(name), "/recording.har"), ".har")
	return path.Base(name)
}
