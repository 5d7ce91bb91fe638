// Package report writes replay reports in the formats CI servers and Allure
// read: JUnit XML, one test suite per recording and one test case per call,
// and Allure 2 results, one result per call with the diff, the request and
// both responses attached, which allurectl uploads to Allure TestOps.
//
// Both formats show the same calls with the same verdicts as the human
// report of package replay: a regression or drift fails, an infrastructure
// error is an error (Allure: broken), and so is a call sent when the run
// was interrupted, before its answer (the instance may have applied it); a
// call that was skipped or never sent is skipped. Calls that are not the API at all (pages, assets, other hosts,
// preflights) are left out: a browser recording holds hundreds of them, and
// as skipped test cases they would bury the calls that matter.
//
// The exchanges come from the report, where replay has already redacted
// secrets; nothing here adds a header or a token of its own.
package report

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
)

// Options describe the run the reports come from.
type Options struct {
	// Name names the whole run: the JUnit testsuites element.
	// "apitrail replay" when empty.
	Name string
	// Host names the machine that ran the replay: JUnit's hostname and
	// Allure's host label. Left out when empty.
	Host string
}

func (o Options) name() string {
	if o.Name == "" {
		return "apitrail replay"
	}
	return o.Name
}

// Cases returns the calls of a report that become test cases, in recorded
// order: every call but those that are not the API at all.
func Cases(r *replay.Report) []*replay.EntryReport {
	var out []*replay.EntryReport
	for _, e := range r.Entries {
		if e.Verdict == match.NotAPI {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Name is a call's test name: its operation as Swagger UI shows it
// ("launch-controller create_32: POST /api/launch"), or its method and
// recorded path when it has none. It stays the same from run to run, so
// that CI servers can follow a call's history.
func Name(e *replay.EntryReport) string {
	if e.Operation != nil {
		return e.Operation.String()
	}
	return e.Method + " " + recordedPath(e)
}

// operation is "METHOD /template", or the recorded path without one.
func operation(e *replay.EntryReport) string {
	if e.Operation != nil {
		return e.Operation.Method + " " + e.Operation.Path
	}
	return e.Method + " " + recordedPath(e)
}

func recordedPath(e *replay.EntryReport) string {
	raw := e.RecordedURL
	if raw == "" {
		raw = e.URL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return raw
	}
	return u.EscapedPath()
}

// message is the one-line verdict of a call that did not pass: what changed
// for a regression, the first spec problem for drift, the error for an
// infrastructure error, and why for a call that was skipped or not run.
// It is empty for a call that passed.
func message(e *replay.EntryReport) string {
	var parts []string
	switch e.Outcome {
	case replay.OK:
		return ""
	case replay.Regression, replay.Drift:
		if e.Regression {
			parts = append(parts, "regression: "+changes(e))
		}
		if e.Drift {
			parts = append(parts, "drift: "+problems(e))
		}
	case replay.Infra:
		parts = append(parts, "infrastructure error: "+e.Reason)
	case replay.NotRun:
		parts = append(parts, "not run: "+e.Reason)
	case replay.Interrupted:
		parts = append(parts, e.Reason)
	default:
		parts = append(parts, "skipped: "+e.Reason)
	}
	return oneLine(strings.Join(parts, "; "))
}

// maxListed bounds the changes a one-line message names.
const maxListed = 4

// changes names what differs in a regression, the most telling first.
func changes(e *replay.EntryReport) string {
	d := e.Diff
	if d == nil {
		return "the answer differs"
	}
	var items []string
	if d.Status != nil {
		items = append(items, fmt.Sprintf("status %d -> %d", d.Status.Recorded, d.Status.Replayed))
	}
	for _, c := range d.Body {
		if c.Path == "$" {
			items = append(items, "body "+string(c.Kind))
			continue
		}
		items = append(items, c.Path+" "+string(c.Kind))
	}
	for _, h := range d.Headers {
		items = append(items, "header "+h.Name+" "+string(h.Kind))
	}
	more := d.BodyOmitted
	if len(items) > maxListed {
		more += len(items) - maxListed
		items = items[:maxListed]
	}
	if len(items) == 0 {
		return "the answer differs"
	}
	s := strings.Join(items, ", ")
	if more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

func problems(e *replay.EntryReport) string {
	if len(e.SpecProblems) == 0 {
		return "the answer does not fit the spec"
	}
	s := e.SpecProblems[0].String()
	if n := len(e.SpecProblems) - 1; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}

// details is the full account of a call for a reader who opens it: its
// warnings, the comparison (changes by path, what noise hid, the unified
// diff) and the ways the answer does not fit the spec. It is empty when
// there is nothing to tell.
func details(e *replay.EntryReport) string {
	var b strings.Builder
	if e.Outcome == replay.Infra || e.Outcome == replay.NotRun || e.Outcome == replay.Skipped || e.Outcome == replay.Interrupted {
		fmt.Fprintf(&b, "%s\n", e.Reason)
	}
	for _, w := range e.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	if e.Diff != nil {
		if rep := strings.TrimRight(e.Diff.Report(), "\n"); rep != "" {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(rep + "\n")
		}
	}
	if len(e.SpecProblems) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("does not fit the spec:\n")
		for _, p := range e.SpecProblems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	return b.String()
}

// sent tells what was sent for a call and what came back: the request line,
// the status then and now and the values carried over from earlier answers.
func sent(e *replay.EntryReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %s\n", e.Seq, e.Method, e.URL)
	if e.RecordedURL != "" && e.RecordedURL != e.URL {
		fmt.Fprintf(&b, "recorded as %s\n", e.RecordedURL)
	}
	switch {
	case e.Status != 0:
		fmt.Fprintf(&b, "status %d, recorded %d\n", e.Status, e.RecordedStatus)
	case e.RecordedStatus != 0:
		fmt.Fprintf(&b, "recorded status %d\n", e.RecordedStatus)
	}
	for _, s := range e.Substitutions {
		fmt.Fprintf(&b, "carried over: %s\n", s)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, "sent %d times\n", e.Attempts)
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
