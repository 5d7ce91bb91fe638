package match

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/apitrail/apitrail/internal/ansi"
)

// WriteTable prints results as an aligned table, one call a line, with each
// difference from the spec on a line of its own below its call.
func WriteTable(w io.Writer, results []Result) error {
	return WriteTableColor(w, results, ansi.Palette{})
}

// WriteTableColor is WriteTable with the verdicts painted by p, for a
// terminal.
func WriteTableColor(w io.Writer, results []Result, p ansi.Palette) error {
	t := NewTable(w, p)
	for _, r := range results {
		t.Add(r)
	}
	return t.Close()
}

// tableWindow is how many lines a Table aligns as a whole before it fixes
// its column widths: a recording of any size prints in bounded memory, and
// one of fewer lines (nearly all) prints exactly as text/tabwriter aligns it.
const tableWindow = 8192

// Table writes results as WriteTableColor does, one at a time, holding at
// most tableWindow lines of text and no Result. The first tableWindow
// lines are aligned as a whole; later ones keep the widths those set,
// widening a column only when a cell does not fit.
type Table struct {
	w      *bufio.Writer
	p      ansi.Palette
	lines  []string
	widths [tableColumns]int
	fixed  bool
	err    error
}

// tableColumns is the number of aligned columns; the last, the operation,
// is left as it is.
const tableColumns = 4

// tablePadding is the space between columns, as WriteTable has always had.
const tablePadding = 2

// NewTable starts a table on w with its header line.
func NewTable(w io.Writer, p ansi.Palette) *Table {
	t := &Table{w: bufio.NewWriterSize(w, 64<<10), p: p}
	t.line(fmt.Sprintf("#\t%s\tSTATUS\tCALL\tOPERATION\n", p.Header("VERDICT")))
	return t
}

// Add writes one result's line, and a line for each problem, note and
// closest operation below it.
func (t *Table) Add(r Result) {
	what := r.Reason
	if r.Operation != nil {
		what = r.Operation.String()
		switch r.Verdict {
		case Upload:
			what += " (upload: use allurectl)"
		case Auth:
			what += " (authentication call)"
		}
	}
	if f := r.WebSocket; f != nil {
		what = fmt.Sprintf("%s (WebSocket: %d sent, %d received)", what, f.Sent, f.Received)
		if r.Operation == nil {
			what = fmt.Sprintf("WebSocket: %d frame(s) sent, %d received", f.Sent, f.Received)
		}
	}
	status := "-"
	if r.Status != 0 {
		status = fmt.Sprint(r.Status)
	}
	t.line(fmt.Sprintf("%d\t%s\t%s\t%s %s\t%s\n", r.Seq, t.p.Word(string(r.Verdict), string(r.Verdict)), status, r.Method, shortURL(r.URL), what))
	for _, p := range r.Problems {
		t.line(fmt.Sprintf("\t\t\t\t  %s\n", p))
	}
	for _, n := range r.Notes {
		t.line(fmt.Sprintf("\t\t\t\t  note: %s\n", n))
	}
	for _, c := range r.Closest {
		t.line(fmt.Sprintf("\t\t\t\t  closest: %s\n", c))
	}
}

func (t *Table) line(s string) {
	if t.err != nil {
		return
	}
	if !t.fixed {
		t.measure(s)
		t.lines = append(t.lines, s)
		if len(t.lines) >= tableWindow {
			t.flushWindow()
		}
		return
	}
	t.measure(s)
	// The cells as text/tabwriter writes them: each padded to its
	// column's width, the last as it is.
	rest := s
	for i := 0; i < tableColumns; i++ {
		cell, after, ok := strings.Cut(rest, "\t")
		if !ok {
			break
		}
		t.w.WriteString(cell)
		for n := utf8.RuneCountInString(cell); n < t.widths[i]; n++ {
			t.w.WriteByte(' ')
		}
		rest = after
	}
	if _, err := t.w.WriteString(rest); err != nil {
		t.err = err
	}
}

// measure widens the columns to fit a line's cells, as text/tabwriter
// counts them (runes, plus the padding).
func (t *Table) measure(s string) {
	rest := s
	for i := 0; i < tableColumns; i++ {
		cell, after, ok := strings.Cut(rest, "\t")
		if !ok {
			return
		}
		if n := utf8.RuneCountInString(cell) + tablePadding; n > t.widths[i] {
			t.widths[i] = n
		}
		rest = after
	}
}

// flushWindow aligns the lines held with text/tabwriter and fixes the
// widths for the lines to come.
func (t *Table) flushWindow() {
	tw := tabwriter.NewWriter(t.w, 0, 4, tablePadding, ' ', 0)
	for _, s := range t.lines {
		io.WriteString(tw, s)
	}
	if err := tw.Flush(); err != nil && t.err == nil {
		t.err = err
	}
	t.lines, t.fixed = nil, true
}

// Close writes what is held and reports the first error writing.
func (t *Table) Close() error {
	if !t.fixed {
		t.flushWindow()
	}
	if err := t.w.Flush(); err != nil && t.err == nil {
		t.err = err
	}
	return t.err
}

// PathOf shows a recorded URL as a reader looks for it: its path and
// query as sent, without scheme and host.
func PathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	s := u.EscapedPath()
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	return s
}

// shortURL is PathOf, shortened to fit a table.
func shortURL(raw string) string {
	s := PathOf(raw)
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}

var verdictNames = map[Verdict]string{
	Matched: "matched", Drift: "drifted", Undocumented: "undocumented",
	Upload: "upload", Auth: "authentication", WebSocket: "websocket", NotAPI: "not the API",
}

// WriteSummary prints the verdict counts and the coverage per tag.
func WriteSummary(w io.Writer, s Summary) error {
	var parts []string
	for _, v := range Verdicts {
		if v == WebSocket && s.Verdicts[v] == 0 {
			continue // most recordings have none; a zero would only widen the line
		}
		parts = append(parts, fmt.Sprintf("%d %s", s.Verdicts[v], verdictNames[v]))
	}
	fmt.Fprintf(w, "%d calls: %s\n", s.Entries, strings.Join(parts, ", "))
	c := s.Coverage
	if c.Operations == 0 {
		_, err := fmt.Fprintln(w, "coverage: no spec operations to cover")
		return err
	}
	fmt.Fprintf(w, "coverage: %d of %d operations (%.1f%%)\n", c.Exercised, c.Operations, 100*float64(c.Exercised)/float64(c.Operations))
	tags := append([]TagCoverage(nil), c.Tags...)
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].Exercised > tags[j].Exercised })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range tags {
		if t.Exercised > 0 {
			fmt.Fprintf(tw, "  %s\t%d of %d\n", t.Tag, t.Exercised, t.Operations)
		}
	}
	return tw.Flush()
}

// WriteCoverage prints every tag of the spec with the operations the
// recordings did not call, so a team sees what its fixtures leave out.
func WriteCoverage(w io.Writer, c Coverage) error {
	fmt.Fprintf(w, "operations not called, by tag (%d of %d called):\n", c.Exercised, c.Operations)
	for _, t := range c.Tags {
		if len(t.Missing) == 0 {
			fmt.Fprintf(w, "  %s: all %d called\n", t.Tag, t.Operations)
			continue
		}
		fmt.Fprintf(w, "  %s: %d of %d called; not called:\n", t.Tag, t.Exercised, t.Operations)
		for _, m := range t.Missing {
			fmt.Fprintf(w, "    %s\n", m)
		}
	}
	return nil
}
