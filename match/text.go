package match

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"

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
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "#\t%s\tSTATUS\tCALL\tOPERATION\n", p.Header("VERDICT"))
	for _, r := range results {
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
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\n", r.Seq, p.Word(string(r.Verdict), string(r.Verdict)), status, r.Method, shortURL(r.URL), what)
		for _, p := range r.Problems {
			fmt.Fprintf(tw, "\t\t\t\t  %s\n", p)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(tw, "\t\t\t\t  note: %s\n", n)
		}
		for _, c := range r.Closest {
			fmt.Fprintf(tw, "\t\t\t\t  closest: %s\n", c)
		}
	}
	return tw.Flush()
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
