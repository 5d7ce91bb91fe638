package replay

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/apitrail/apitrail/internal/ansi"
	"github.com/apitrail/apitrail/match"
)

// WriteText prints a report for people: one line per call (its operation,
// the status then and now, the outcome), then the differences of each call
// that failed, then what noise handling hid, then the totals.
func WriteText(w io.Writer, r *Report) error { return WriteTextColor(w, r, ansi.Palette{}) }

// WriteTextColor is WriteText with outcomes and diffs painted by p, for a
// terminal.
func WriteTextColor(w io.Writer, r *Report, p ansi.Palette) error {
	fmt.Fprintf(w, "replay of %s against %s\n\n", r.Flow, r.Endpoint)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCALL\tSTATUS\tRESULT")
	for _, e := range r.Entries {
		status := "-"
		switch {
		case e.Status != 0:
			status = fmt.Sprintf("%d -> %d", e.RecordedStatus, e.Status)
		case e.RecordedStatus != 0:
			status = fmt.Sprint(e.RecordedStatus)
		}
		result := string(e.Outcome)
		switch {
		case e.Outcome == Interrupted:
			// Its reason starts "interrupted after sending".
			result = e.Reason
		case e.Reason != "" && e.Outcome != Regression && e.Outcome != Drift:
			result += ": " + e.Reason
		}
		if len(e.Substitutions) > 0 {
			var subs []string
			for _, s := range e.Substitutions {
				subs = append(subs, fmt.Sprintf("%s %s -> %s", s.Var, s.Old, s.New))
			}
			result += " (" + strings.Join(subs, ", ") + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", e.Seq, callName(e), status, p.Word(string(e.Outcome), result))
	}
	tw.Flush()

	for _, e := range r.Entries {
		if e.Outcome != Regression && e.Outcome != Drift && len(e.Warnings) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n#%d %s %s", e.Seq, e.Method, match.PathOf(e.URL))
		if e.RecordedURL != "" && match.PathOf(e.RecordedURL) != match.PathOf(e.URL) {
			fmt.Fprintf(w, " (recorded %s)", match.PathOf(e.RecordedURL))
		}
		fmt.Fprintln(w)
		for _, warn := range e.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
		if e.Regression && e.Diff != nil {
			for _, line := range strings.Split(strings.TrimRight(e.Diff.Report(), "\n"), "\n") {
				fmt.Fprintf(w, "  %s\n", p.DiffLine(line))
			}
		}
		if len(e.SpecProblems) > 0 {
			fmt.Fprintln(w, "  does not fit the spec:")
			for _, p := range e.SpecProblems {
				fmt.Fprintf(w, "    %s\n", p)
			}
		}
	}

	var observed []match.Observed
	for _, e := range r.Entries {
		if len(e.SpecProblems) > 0 {
			observed = append(observed, match.Observed{Operation: callName(e), Seq: e.Seq, Problems: e.SpecProblems})
		}
	}
	if byOp := match.ByOperation(observed); len(byOp) > 0 {
		fmt.Fprintln(w, "\nanswers that do not fit their schema, by operation:")
		match.WriteByOperation(w, byOp)
	}

	if len(r.Vars) > 0 {
		fmt.Fprintln(w, "\nvalues carried between calls:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, v := range r.Vars {
			now := v.Replayed
			if now == "" {
				now = "(not replayed)"
			}
			fmt.Fprintf(tw, "  %s\t%s -> %s\tfrom %s\n", v.Name, v.Recorded, now, v.From)
		}
		tw.Flush()
	}
	if len(r.Ignored) > 0 {
		fmt.Fprintln(w, "\nnoise ignored (every rule, default and hint that hid something, or that matched nothing):")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, ig := range r.Ignored {
			what := fmt.Sprintf("hid %d value(s) in %d answer(s), %d of them different", ig.Hidden, ig.Comparisons, ig.Differed)
			if ig.Hidden == 0 {
				what = "matched nothing"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", ig.Rule, ig.Source, what)
		}
		tw.Flush()
	}
	if len(r.Learned) > 0 {
		fmt.Fprintln(w, "\nnoise learnt by sending calls twice and from the hints (save them with --save-noise):")
		for _, rule := range r.Learned {
			fmt.Fprintf(w, "  %s\n", rule)
		}
	}
	if len(r.HeldBack) > 0 {
		fmt.Fprintln(w, "\nnoise learnt but held back, as it would hide most of an answer (not applied, not saved):")
		for _, rule := range r.HeldBack {
			fmt.Fprintf(w, "  %s\n", rule)
		}
	}
	for _, warn := range r.LearnWarnings {
		fmt.Fprintf(w, "\nwarning: %s\n", warn)
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, Summary(r))
	return err
}

// Summary is the one-line total of a report.
func Summary(r *Report) string {
	c := r.Counts
	s := fmt.Sprintf("%d calls: %d ok, %d regression, %d drift, %d infrastructure error, %d skipped",
		len(r.Entries), c[OK], c[Regression], c[Drift], c[Infra], c[Skipped])
	if c[NotRun] > 0 {
		s += fmt.Sprintf(", %d not run", c[NotRun])
	}
	if c[Interrupted] > 0 {
		s += fmt.Sprintf(", %d interrupted after sending", c[Interrupted])
	}
	if r.Interrupted {
		s += " (interrupted)"
	}
	return s
}

// callName names a call by its operation, or by what was sent when it has none.
func callName(e *EntryReport) string {
	if e.Operation != nil {
		return e.Operation.String()
	}
	return e.Method + " " + match.PathOf(e.URL)
}

// WritePlan prints what a replay would do, in order, without sending
// anything: each call with its operation, or why it stays behind, the calls
// it waits for, and the values it would take from earlier answers.
func WritePlan(w io.Writer, name string, p *Plan, endpoint *url.URL) error {
	fmt.Fprintf(w, "plan for %s: %d of %d calls would be sent", name, p.Sending(), len(p.Calls))
	if endpoint != nil {
		fmt.Fprintf(w, " to %s", p.red.ReportURL(endpoint.String()))
	}
	fmt.Fprintln(w, "; nothing is sent now")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tACTION\tCALL\tOPERATION")
	for _, c := range p.Calls {
		target := c.Entry.Request.URL
		if endpoint != nil {
			if u, err := Target(target, endpoint); err == nil {
				target = u.String()
			}
		}
		target = p.red.ReportURL(target)
		op := "-"
		if c.Match.Operation != nil {
			op = c.Match.Operation.String()
		}
		action := "send"
		if !c.Send {
			action, op = "skip", p.red.ReportText(c.Skip)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s %s\t%s\n", c.Seq, action, strings.ToUpper(c.Entry.Request.Method), target, op)
		if !c.Send {
			continue
		}
		if len(c.deps) > 0 {
			var after []string
			for _, d := range c.deps {
				after = append(after, fmt.Sprintf("#%d", p.Calls[d].Seq))
			}
			fmt.Fprintf(tw, "\t\t  after %s\n", strings.Join(after, ", "))
		}
		if c.corr >= 0 {
			for _, b := range p.Corr.Bindings(c.corr) {
				if ch := b.Var.Chosen; ch != nil {
					where := "chosen by the flow here"
					if ch.Call != c.corr {
						where = fmt.Sprintf("chosen at #%d %s", p.Calls[p.corrCalls[ch.Call]].Seq, ch.Place)
					}
					fmt.Fprintf(tw, "\t\t  %s %s %s, its time made fresh on each run (recorded %s)\n", b.Place, b.Var.Name, where, p.red.Text(b.Var.Value))
					continue
				}
				if b.Var.From == nil {
					continue
				}
				prod := p.Calls[p.corrCalls[b.Var.From.Call]]
				fmt.Fprintf(tw, "\t\t  %s %s from #%d %s (recorded %s)\n", b.Place, b.Var.Name, prod.Seq, b.Var.From.Place, p.red.Text(b.Var.Value))
			}
		}
	}
	return tw.Flush()
}
