package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// ChangeKind says how a value or header differs.
type ChangeKind string

const (
	Changed ChangeKind = "changed" // present in both, with different values
	Added   ChangeKind = "added"   // only in the replayed response
	Removed ChangeKind = "removed" // only in the recorded response
)

// Result is the comparison of a recorded response with a replayed one. It
// marshals to JSON as it is, for --json output.
type Result struct {
	// Equal is true when status, compared headers and body all match once
	// noise is removed.
	Equal   bool           `json:"equal"`
	Status  *StatusChange  `json:"status,omitempty"`
	Headers []HeaderChange `json:"headers,omitempty"`
	// BodyKind is how the bodies were compared: "json" (structurally),
	// "text" (by lines), "binary" (by size and sha256), "empty",
	// "truncated" when a body was cut at a size limit (by length, sha256 or
	// the start both kept; see Response.Cut), or "unknown" when a body was
	// not recorded and nothing was compared.
	BodyKind string `json:"bodyKind"`
	// Body lists what differs in the body: for JSON each changed, added and
	// removed value by path, for text and binary one change at $.
	Body []Change `json:"body,omitempty"`
	// BodyOmitted counts changes left out of Body beyond Config.MaxChanges.
	BodyOmitted int `json:"bodyOmitted,omitempty"`
	// Ignored lists each rule, default and hint that hid something here, and
	// each rule for this operation that hid nothing.
	Ignored []IgnoredPath `json:"ignored,omitempty"`
	// Notes says what the reader should know about how the comparison was
	// made: a body that claimed to be JSON and was not, a diff cut short by
	// its time limit.
	Notes []string `json:"notes,omitempty"`
	// Diff is a unified line diff of the bodies, "--- recorded" and
	// "+++ replayed" with @@ hunks, after noise is removed. JSON is
	// pretty-printed with sorted keys and a trailing comma after every
	// member, unchanged objects and arrays are collapsed to {...} and
	// [...], and long runs of unchanged members to "... N unchanged";
	// hidden values read <ignored>. In an array whose length changed, the
	// differing elements are printed whole so that go-diff can line up an
	// insertion (hints do not mask values there, rules do). Hunk line
	// numbers count lines of this print. Diff is empty exactly when the
	// bodies are equal.
	Diff string `json:"diff,omitempty"`
}

// StatusChange is a status code that differs.
type StatusChange struct {
	Recorded int `json:"recorded"`
	Replayed int `json:"replayed"`
}

// HeaderChange is a header that differs; several values are joined by ", ".
type HeaderChange struct {
	Kind ChangeKind `json:"kind"`
	Name string     `json:"name"`
	Old  string     `json:"old,omitempty"`
	New  string     `json:"new,omitempty"`
}

// Change is one value that differs in a body. Old and New are compact JSON
// (for text and binary bodies, a quoted excerpt or a size and hash), cut to
// Config.MaxValueLen bytes with a trailing "…".
type Change struct {
	Kind ChangeKind `json:"kind"`
	Path string     `json:"path"`
	Old  string     `json:"old,omitempty"`
	New  string     `json:"new,omitempty"`
}

// IgnoredPath accounts for one rule, default or hint: how many values it
// hid from the comparison, so that noise handling is never silent.
type IgnoredPath struct {
	// Rule is the rule as written in a rules file; defaults read
	// "ignore header Date", hints "hint body PATH" or "hint name *Date".
	Rule string `json:"rule"`
	// Source is "file:line" for a rule read from a file, "config" for a rule
	// built in code, "default" for a default ignored header, and for a hint
	// its reason (such as "format: date-time" or "field name").
	Source string `json:"source"`
	Target Target `json:"target"`
	Expr   string `json:"expr"`
	// Comparisons counts the comparisons the entry applied to: 1 in a
	// Result, more in a Tally.
	Comparisons int `json:"comparisons"`
	// Hidden counts the values (or headers) the entry kept out of the
	// comparison, equal or not; a hint hides only values that differ.
	// Zero means the rule matched nothing.
	Hidden int `json:"hidden"`
	// Differed counts the hidden values that did differ: without the entry,
	// each would have been reported.
	Differed int `json:"differed"`
	// Examples are up to three concrete paths (or header names) it hid,
	// those that differed first.
	Examples []string `json:"examples,omitempty"`
}

// noise collects IgnoredPath entries during one comparison.
type noise struct {
	entries []IgnoredPath
	always  []bool // report even when nothing was hidden (rules, not defaults or hints)
	index   map[string]int
	equalEx [][]string // examples of hidden values that did not differ
}

func newNoise() *noise { return &noise{index: map[string]int{}} }

// entry returns the index of the entry for a rule text and source, adding it.
func (n *noise) entry(rule, source string, target Target, expr string, always bool) int {
	key := rule + "\x00" + source
	if i, ok := n.index[key]; ok {
		return i
	}
	n.index[key] = len(n.entries)
	n.entries = append(n.entries, IgnoredPath{Rule: rule, Source: source, Target: target, Expr: expr, Comparisons: 1})
	n.always = append(n.always, always)
	n.equalEx = append(n.equalEx, nil)
	return len(n.entries) - 1
}

func (n *noise) rule(r *compiledRule) int {
	return n.entry(r.String(), r.source(), r.Target, r.Expr, true)
}

const maxExamples = 3

// hit counts one hidden value; where names it, and is called only when the
// example lists still have room.
func (n *noise) hit(i int, differed bool, where func() string) {
	e := &n.entries[i]
	e.Hidden++
	switch {
	case differed:
		e.Differed++
		if len(e.Examples) < maxExamples {
			e.Examples = append(e.Examples, where())
		}
	case len(n.equalEx[i]) < maxExamples && len(e.Examples) < maxExamples:
		n.equalEx[i] = append(n.equalEx[i], where())
	}
}

// result returns the entries to report, in the order they were added.
func (n *noise) result() []IgnoredPath {
	var out []IgnoredPath
	for i, e := range n.entries {
		if e.Hidden == 0 && !n.always[i] {
			continue
		}
		for _, ex := range n.equalEx[i] {
			if len(e.Examples) < maxExamples {
				e.Examples = append(e.Examples, ex)
			}
		}
		out = append(out, e)
	}
	return out
}

// Report renders the result for people: the status and header changes, the
// body's changes by path, what noise handling hid, notes, then the diff.
// It is empty when the responses are equal and nothing was ignored.
func (r *Result) Report() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if r.Status != nil {
		fmt.Fprintf(tw, "status\t%d -> %d\n", r.Status.Recorded, r.Status.Replayed)
	}
	for _, h := range r.Headers {
		fmt.Fprintf(tw, "header %s\t%s\n", h.Name, describe(h.Kind, quoteValue(h.Old), quoteValue(h.New)))
	}
	for _, c := range r.Body {
		fmt.Fprintf(tw, "%s\t%s\n", c.Path, describe(c.Kind, c.Old, c.New))
	}
	if r.BodyOmitted > 0 {
		fmt.Fprintf(tw, "...\tand %d more body changes\n", r.BodyOmitted)
	}
	tw.Flush()
	if len(r.Ignored) > 0 {
		b.WriteString("ignored:\n")
		writeIgnored(&b, r.Ignored)
	}
	for _, n := range r.Notes {
		b.WriteString("note: " + n + "\n")
	}
	b.WriteString(r.Diff)
	return b.String()
}

func describe(kind ChangeKind, old, new string) string {
	switch kind {
	case Added:
		return "added " + new
	case Removed:
		return "removed " + old
	}
	return old + " -> " + new
}

func quoteValue(s string) string { return strconv.Quote(s) }

// writeIgnored writes one aligned line per entry, saying plainly when a
// rule matched nothing.
func writeIgnored(b *strings.Builder, list []IgnoredPath) {
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	for _, e := range list {
		var what string
		switch {
		case e.Comparisons == 0:
			what = "never applied: no comparison was in its scope"
		case e.Hidden == 0:
			what = "matched nothing"
		default:
			what = fmt.Sprintf("hid %d, %d differed", e.Hidden, e.Differed)
		}
		if e.Comparisons > 1 {
			what += fmt.Sprintf(" in %d comparisons", e.Comparisons)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s", e.Rule, e.Source, what)
		// Examples only when they add something to the rule's own text.
		if len(e.Examples) > 0 && !(len(e.Examples) == 1 && e.Examples[0] == e.Expr) {
			fmt.Fprintf(tw, "\te.g. %s", strings.Join(e.Examples, ", "))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// Tally adds up what noise handling hid over many comparisons, such as a
// whole replay, and finds the rules that never matched anything.
type Tally struct {
	order   []string
	entries map[string]*IgnoredPath
}

// NewTally starts a tally that accounts for the given rules even if no
// comparison applies them, so a rule for an operation that was never
// replayed, or one that never matched, still shows up as matching nothing.
func NewTally(rules []Rule) *Tally {
	t := &Tally{entries: map[string]*IgnoredPath{}}
	for _, r := range rules {
		if r.Action == IgnoreAction {
			t.entry(IgnoredPath{Rule: r.String(), Source: r.source(), Target: r.Target, Expr: r.Expr})
		}
	}
	return t
}

func (t *Tally) entry(p IgnoredPath) *IgnoredPath {
	key := p.Rule + "\x00" + p.Source
	if e, ok := t.entries[key]; ok {
		return e
	}
	e := &IgnoredPath{Rule: p.Rule, Source: p.Source, Target: p.Target, Expr: p.Expr}
	t.entries[key] = e
	t.order = append(t.order, key)
	return e
}

// Add counts one comparison's ignored values.
func (t *Tally) Add(r *Result) {
	for _, p := range r.Ignored {
		e := t.entry(p)
		e.Comparisons += p.Comparisons
		e.Hidden += p.Hidden
		e.Differed += p.Differed
		for _, ex := range p.Examples {
			if len(e.Examples) < maxExamples && !slices.Contains(e.Examples, ex) {
				e.Examples = append(e.Examples, ex)
			}
		}
	}
}

// Ignored returns the totals, rules first in the order given to NewTally,
// then defaults and hints in the order they were first seen.
func (t *Tally) Ignored() []IgnoredPath {
	out := make([]IgnoredPath, 0, len(t.order))
	for _, k := range t.order {
		out = append(out, *t.entries[k])
	}
	return out
}

// Unused returns the entries that hid nothing in any comparison.
func (t *Tally) Unused() []IgnoredPath {
	var out []IgnoredPath
	for _, e := range t.Ignored() {
		if e.Hidden == 0 {
			out = append(out, e)
		}
	}
	return out
}

// Report renders the totals as aligned text, one line an entry.
func (t *Tally) Report() string {
	var b strings.Builder
	writeIgnored(&b, t.Ignored())
	return b.String()
}
