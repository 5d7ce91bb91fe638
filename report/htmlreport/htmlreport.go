// Package htmlreport writes the reports of match and replay as one
// self-contained HTML file each: the CSS and JavaScript are inline, nothing
// is fetched (a Content-Security-Policy of default-src 'none', with the
// hashes of the inline style and script, enforces it), so the file works
// from file:// and as a CI artifact.
//
// The essentials are in the HTML itself and readable without JavaScript:
// the totals, every call in a table, and every call that failed with its
// differences. The script adds filters (by outcome or verdict, flow,
// operation and tag, kept in the URL's #fragment so a filtered view can be
// shared) and expands the details of passing calls on demand, from a JSON
// block, so that a report of 10,000 calls stays small.
//
// Every string from a recording or an answer goes through the har
// package's redaction (URLs through Redactor.URL, free text through
// Redactor.Text) before html/template escapes it.
package htmlreport

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/atomicfile"
)

//go:embed assets/report.css
var css string

//go:embed assets/report.js
var js string

//go:embed assets/report.tmpl
var tmplText string

// Options describe the report.
type Options struct {
	// Title heads the page; by default "apitrail replay" or "apitrail match".
	Title string
	// Redactor cleans every URL and text that reaches the page. A new one
	// with har.DefaultRules when nil.
	Redactor *har.Redactor
	// Now dates the report; the current time when zero.
	Now time.Time
}

func (o *Options) fill(title string) {
	if o.Title == "" {
		o.Title = title
	}
	if o.Redactor == nil {
		o.Redactor = har.NewRedactor(har.DefaultRules())
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
}

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return 100 * float64(n) / float64(of)
	},
}).Parse(tmplText))

// CSP is the policy every report carries: nothing may load, and only the
// report's own style and script run.
func CSP() string {
	return "default-src 'none'; style-src " + hash(css) + "; script-src " + hash(js) + "; img-src data:; base-uri 'none'; form-action 'none'"
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// page is what every report shares.
type page struct {
	Title     string
	Kind      string // "replay" or "match"
	Generated string
	CSP       string
	CSS       template.CSS
	JS        template.JS
	Counts    []count
	Total     int
	Facets    []facet
	Replay    *replayView
	Match     *matchView
	// Lazy holds the details of calls the page shows only on demand.
	Lazy map[string]lazyCall
}

func newPage(o Options, kind string) *page {
	return &page{Title: o.Title, Kind: kind, Generated: o.Now.UTC().Format(time.RFC3339), CSP: CSP(),
		CSS: template.CSS(css), JS: template.JS(js), Lazy: map[string]lazyCall{}}
}

func (p *page) write(w io.Writer) error {
	sum := 0
	for _, c := range p.Counts {
		sum += c.N
	}
	x := 0.0
	for i := range p.Counts {
		if sum > 0 {
			p.Counts[i].X, p.Counts[i].W = x, 1000*float64(p.Counts[i].N)/float64(sum)
			x += p.Counts[i].W
		}
	}
	return tmpl.Execute(w, p)
}

// writeFile renders to a temporary file renamed into place, so that a
// failed run leaves no half-written report.
func writeFile(path string, render func(io.Writer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	return atomicfile.Write(path, b.Bytes(), 0o644)
}

// count is one verdict or outcome and how many calls got it.
type count struct {
	Name  string
	Class string
	N     int
	// X and W place its part of the stacked bar, 1000 wide.
	X, W float64
}

// counts orders a tally: the known names first, in their order, then any
// other (a verdict this package does not know yet) by name.
func counts(known []string, n map[string]int) []count {
	var out []count
	seen := map[string]bool{}
	for _, k := range known {
		seen[k] = true
		out = append(out, count{Name: k, Class: class(k), N: n[k]})
	}
	var extra []string
	for k := range n {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, count{Name: k, Class: class(k), N: n[k]})
	}
	return out
}

// class makes a verdict or outcome a CSS class: "v-" and its letters and
// digits, whatever the word.
func class(word string) string {
	var b strings.Builder
	b.WriteString("v-")
	for _, r := range strings.ToLower(word) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// facet is one filter's choices.
type facet struct {
	Key    string // the #fragment key: outcome, flow, op, tag
	Label  string
	Values []string
}

func newFacet(key, label string, set map[string]bool) facet {
	f := facet{Key: key, Label: label}
	for v := range set {
		if v != "" {
			f.Values = append(f.Values, v)
		}
	}
	sort.Strings(f.Values)
	return f
}

// line is one line of a unified diff and how it is coloured.
type line struct {
	Class string // del, ins, hunk, file, fold or ctx
	Text  string
}

// diffLines classifies a unified diff's lines as the terminal colours them.
func diffLines(d string) []line {
	if d == "" {
		return nil
	}
	var out []line
	for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		c := "ctx"
		switch {
		case strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ "):
			c = "file"
		case strings.HasPrefix(l, "@@"):
			c = "hunk"
		case strings.HasPrefix(l, "-"):
			c = "del"
		case strings.HasPrefix(l, "+"):
			c = "ins"
		case strings.HasPrefix(strings.TrimSpace(l), "... ") && strings.HasSuffix(l, "unchanged"):
			c = "fold"
		}
		out = append(out, line{c, l})
	}
	return out
}

// kv is a header or a label and its value.
type kv struct{ Name, Value string }

// lazyCall is what a passing call shows when it is opened, a line each.
type lazyCall []string

// maxBody bounds a body shown in a report; the rest is cut with a note.
const maxBody = 64 << 10

func cut(b []byte) (string, bool) {
	if len(b) <= maxBody {
		return string(b), false
	}
	return strings.ToValidUTF8(string(b[:maxBody]), ""), true
}
