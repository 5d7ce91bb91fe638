package htmlreport

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
)

type replayView struct {
	Flows []flowView
}

type flowView struct {
	Name        string
	ID          string
	Endpoint    string
	Summary     string
	Interrupted bool
	Counts      []count
	Calls       []callRow
	Failed      []failView
	Vars        []varRow
	Noise       []noiseRow
	Learned     []string
}

// callRow is a call's line in the table. Its data attributes are what the
// filters select on.
type callRow struct {
	ID      string
	Seq     int
	Flow    string
	Word    string // the outcome or verdict
	Class   string
	Method  string
	Path    string
	Name    string // the operation as Swagger UI shows it, or the call
	Op      string // METHOD /template
	Tag     string
	Status  string
	Result  string
	Detail  string // the anchor of its failure section, if it has one
	Lazy    bool   // JavaScript can show more on demand
	Passing bool
	// Problems and Notes are match's, under the call.
	Problems []string
	Notes    []string
}

type failView struct {
	callRow
	URL         string
	RecordedURL string
	Reason      string
	Warnings    []string
	Changes     []changeRow
	Omitted     int
	Headers     []changeRow
	Ignored     []noiseRow
	Notes       []string
	Diff        []line
	Problems    []string
	Subs        []string
	Request     *messageView
}

type changeRow struct {
	Kind  string
	Where string
	Old   string
	New   string
}

type noiseRow struct {
	Rule     string
	Source   string
	Hidden   int
	Differed int
	Compared int
	Examples string
}

type varRow struct{ Name, Recorded, Replayed, From string }

type messageView struct {
	Line    string
	Headers []kv
	Body    string
	Cut     bool
}

// WriteReplay writes the reports of one replay run (a recording, or a
// suite of them) as one HTML page.
func WriteReplay(w io.Writer, reps []*replay.Report, o Options) error {
	o.fill("apitrail replay")
	c := cleaner{o.Redactor}
	p := newPage(o, "replay")
	p.Replay = &replayView{}
	total := map[string]int{}
	flows, ops, tags, words := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	ids := map[string]int{}
	for _, r := range reps {
		fv := flowView{Name: c.text(r.Flow), Endpoint: c.url(r.Endpoint), Summary: replay.Summary(r), Interrupted: r.Interrupted}
		fv.ID = uniqueID(ids, "flow-"+slug(fv.Name))
		n := map[string]int{}
		for _, e := range r.Entries {
			row := replayRow(c, fv.Name, fv.ID, e)
			n[row.Word]++
			total[row.Word]++
			flows[fv.Name], ops[row.Op], tags[row.Tag], words[row.Word] = true, true, true, true
			if failing(e) {
				f := replayFailure(c, row, e)
				row.Detail = "diff-" + row.ID
				f.callRow = row
				fv.Failed = append(fv.Failed, f)
			} else if lz := lazyLines(c, e); len(lz) > 0 {
				row.Lazy = true
				p.Lazy[row.ID] = lz
			}
			fv.Calls = append(fv.Calls, row)
			p.Total++
		}
		fv.Counts = counts(outcomeNames, n)
		for _, v := range r.Vars {
			now := v.Replayed
			if now == "" {
				now = "(not replayed)"
			}
			fv.Vars = append(fv.Vars, varRow{c.text(v.Name), c.text(v.Recorded), c.text(now), c.text(v.From)})
		}
		fv.Noise = noiseRows(c, r.Ignored)
		for _, l := range r.Learned {
			fv.Learned = append(fv.Learned, c.text(l.String()))
		}
		p.Replay.Flows = append(p.Replay.Flows, fv)
	}
	p.Counts = counts(outcomeNames, total)
	p.Facets = []facet{newFacet("outcome", "outcome", words), newFacet("flow", "flow", flows), newFacet("op", "operation", ops), newFacet("tag", "tag", tags)}
	return p.write(w)
}

// WriteReplayFile is WriteReplay into a file, replaced whole or not at all.
func WriteReplayFile(path string, reps []*replay.Report, o Options) error {
	return writeFile(path, func(w io.Writer) error { return WriteReplay(w, reps, o) })
}

var outcomeNames = func() []string {
	var out []string
	for _, o := range replay.Outcomes {
		out = append(out, string(o))
	}
	return out
}()

// failing says whether a call gets its own section: what a reader of a
// failed run opens first.
func failing(e *replay.EntryReport) bool {
	switch e.Outcome {
	case replay.Regression, replay.Drift, replay.Infra, replay.Interrupted:
		return true
	}
	return len(e.Warnings) > 0
}

// newRow is what a call's row shows of it in either report: its anchor,
// its outcome or verdict, what was sent and the operation.
func newRow(c cleaner, flow, flowID string, seq int, word, method, rawURL string, op *match.Operation) callRow {
	row := callRow{ID: "call-" + strings.TrimPrefix(flowID, "flow-") + "-" + fmt.Sprint(seq), Seq: seq, Flow: flow,
		Word: word, Class: class(word), Method: method, Path: c.url(match.PathOf(rawURL))}
	row.Name = row.Method + " " + row.Path
	row.Op = row.Name
	if op != nil {
		row.Name = c.text(op.String())
		row.Op = op.Method + " " + c.text(op.Path)
		row.Tag = c.text(op.Tag)
	}
	return row
}

func replayRow(c cleaner, flow, flowID string, e *replay.EntryReport) callRow {
	row := newRow(c, flow, flowID, e.Seq, string(e.Outcome), e.Method, e.URL, e.Operation)
	row.Passing = e.Outcome == replay.OK
	switch {
	case e.Status != 0:
		row.Status = fmt.Sprintf("%d → %d", e.RecordedStatus, e.Status)
	case e.RecordedStatus != 0:
		row.Status = fmt.Sprint(e.RecordedStatus)
	}
	if e.Outcome != replay.Regression && e.Outcome != replay.Drift && e.Reason != "" {
		row.Result = c.text(e.Reason)
	}
	var subs []string
	for _, s := range e.Substitutions {
		subs = append(subs, fmt.Sprintf("%s %s → %s", s.Var, s.Old, s.New))
	}
	if len(subs) > 0 {
		row.Result = strings.TrimSpace(row.Result + " (" + c.text(strings.Join(subs, ", ")) + ")")
	}
	return row
}

func replayFailure(c cleaner, row callRow, e *replay.EntryReport) failView {
	f := failView{URL: c.url(e.URL), Warnings: c.texts(e.Warnings)}
	if e.RecordedURL != "" && e.RecordedURL != e.URL {
		f.RecordedURL = c.url(e.RecordedURL)
	}
	if e.Outcome == replay.Infra || e.Outcome == replay.Interrupted {
		f.Reason = c.text(e.Reason)
	}
	// A call that passed can still have had noise hidden from it, which a
	// page of its own (the Allure attachment) shows.
	if d := e.Diff; d != nil {
		f.Changes, f.Headers, f.Omitted = changeRows(c, d)
		f.Ignored = noiseRows(c, d.Ignored)
		f.Notes = c.texts(d.Notes)
		for _, l := range diffLines(d.Diff) {
			f.Diff = append(f.Diff, line{l.Class, c.diffLine(l.Text)})
		}
	}
	for _, pr := range e.SpecProblems {
		f.Problems = append(f.Problems, c.text(pr.String()))
	}
	for _, s := range e.Substitutions {
		f.Subs = append(f.Subs, c.text(s.String()))
	}
	if m := e.Request; m != nil {
		f.Request = messageOf(c, m.Method+" "+c.url(m.URL), m)
	}
	return f
}

// changeRows lists a comparison's status, body and header changes.
func changeRows(c cleaner, d *diff.Result) (body, headers []changeRow, omitted int) {
	if d.Status != nil {
		body = append(body, changeRow{"changed", "status", fmt.Sprint(d.Status.Recorded), fmt.Sprint(d.Status.Replayed)})
	}
	for _, ch := range d.Body {
		body = append(body, changeRow{string(ch.Kind), c.text(ch.Path), c.value(ch.Path, ch.Old), c.value(ch.Path, ch.New)})
	}
	for _, h := range d.Headers {
		headers = append(headers, changeRow{string(h.Kind), h.Name, c.header(h.Name, h.Old), c.header(h.Name, h.New)})
	}
	return body, headers, d.BodyOmitted
}

func noiseRows(c cleaner, list []diff.IgnoredPath) []noiseRow {
	var out []noiseRow
	for _, ig := range list {
		out = append(out, noiseRow{Rule: c.text(ig.Rule), Source: c.text(ig.Source), Hidden: ig.Hidden, Differed: ig.Differed,
			Compared: ig.Comparisons, Examples: c.text(strings.Join(ig.Examples, ", "))})
	}
	return out
}

func messageOf(c cleaner, first string, m *replay.Message) *messageView {
	mv := &messageView{Line: first}
	names := make([]string, 0, len(m.Header))
	for k := range m.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		mv.Headers = append(mv.Headers, kv{http.CanonicalHeaderKey(k), c.header(k, strings.Join(m.Header[k], ", "))})
	}
	switch {
	case len(m.Body) == 0:
	case utf8.Valid(m.Body):
		mv.Body, mv.Cut = cut(c.r.Body(m.Header.Get("Content-Type"), m.Body))
	default:
		mv.Body = fmt.Sprintf("(%d bytes of binary data)", len(m.Body))
	}
	return mv
}

// lazyLines is what a passing call shows when opened: what was sent, the
// status then and now, the values carried into it, what noise hid.
func lazyLines(c cleaner, e *replay.EntryReport) []string {
	if e.Outcome == replay.NotRun || e.Outcome == replay.Skipped {
		return nil
	}
	// The row shows the path, the flow's heading the endpoint.
	var out []string
	if e.RecordedURL != "" && e.RecordedURL != e.URL {
		out = append(out, "recorded as "+c.url(e.RecordedURL))
	}
	for _, s := range e.Substitutions {
		out = append(out, "carried over: "+c.text(s.String()))
	}
	if e.Attempts > 1 {
		out = append(out, fmt.Sprintf("sent %d times", e.Attempts))
	}
	if e.DurationMS > 0 {
		out = append(out, fmt.Sprintf("answered in %.0f ms", e.DurationMS))
	}
	if e.Diff != nil {
		for _, ig := range e.Diff.Ignored {
			if ig.Hidden > 0 {
				out = append(out, fmt.Sprintf("noise: %s hid %d value(s)", c.text(ig.Rule), ig.Hidden))
			}
		}
	}
	return out
}

// slug makes a name part of an anchor.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// uniqueID returns id, or id with a number when it was given before (two
// flows whose names differ only in punctuation).
func uniqueID(seen map[string]int, id string) string {
	seen[id]++
	if n := seen[id]; n > 1 {
		return fmt.Sprintf("%s-%d", id, n)
	}
	return id
}

// Attachment renders one call of a flow as a page of its own: its
// differences coloured as the report colours them (changed, added and
// removed members, the unified diff), the ways it misses the spec, the
// values carried into it and the request sent. Allure shows it inline as
// a text/html attachment.
func Attachment(flow string, e *replay.EntryReport, o Options) ([]byte, error) {
	o.fill("apitrail replay")
	c := cleaner{o.Redactor}
	row := replayRow(c, flow, "flow-"+slug(flow), e)
	f := replayFailure(c, row, e)
	f.callRow = row
	f.Detail = "diff-" + row.ID
	if e.Outcome != replay.Infra && e.Outcome != replay.Interrupted {
		f.Reason = ""
	}
	var b bytes.Buffer
	err := tmpl.ExecuteTemplate(&b, "attachment", struct {
		CSP   string
		Title string
		CSS   template.CSS
		Fail  failView
	}{"default-src 'none'; style-src " + hash(css), "#" + fmt.Sprint(e.Seq) + " " + row.Name, template.CSS(css), f})
	return b.Bytes(), err
}
