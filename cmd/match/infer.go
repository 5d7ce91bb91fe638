package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/infer"
	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

// learn feeds --infer the calls of one recording that the spec does not
// document: undocumented calls on the instance, and calls that fit a
// template only through a value its parameter's type rejects, which are
// most often a literal route beside it (/api/launch/suggest beside
// /api/launch/{id}).
func (m *matchRun) learn(ix *spec.Index, docs []*spec.Document, results []match.Result) {
	if m.inferrer == nil {
		m.redactor = har.NewRedactor(har.DefaultRules())
		opts := infer.Options{Redactor: m.redactor}
		if len(docs) > 0 {
			opts.Spec = ix
			if docs[0].Title != "" {
				opts.Title = docs[0].Title + " (inferred)"
			}
		}
		m.inferrer = infer.New(opts)
		m.inferSpec = len(docs) > 0
	}
	// Secrets the recording holds anywhere (cookies, tokens) are secrets
	// wherever else they turn up, in a path or a body.
	for _, r := range results {
		for _, v := range m.redactor.Secrets(r.Entry) {
			m.redactor.Pin(v)
		}
	}
	for _, r := range results {
		m.inferSeen++
		switch r.Verdict {
		case match.Matched, match.Drift, match.Undocumented, match.Upload:
			m.inferAPI++
		}
		shadowed := r.Verdict == match.Drift && r.Match.Untyped && r.Match.Operation != nil
		if !(r.Verdict == match.Undocumented && !preflight(r.Entry)) && !shadowed {
			continue
		}
		u, err := url.Parse(r.URL)
		if err != nil {
			continue
		}
		e := r.Entry
		c := infer.Call{Method: r.Method, URL: u, Status: e.Response.Status,
			RequestType: har.HeaderValue(e.Request.Headers, "Content-Type"), ResponseType: e.Response.ContentType()}
		c.RequestBody, _ = e.RequestBody()
		// The type is the header's alone, as the checker reads it: a
		// recording whose postData names a type its headers do not is
		// checked as sent without one.
		if pd := e.Request.PostData; pd != nil {
			c.RequestTruncated = pd.Truncated()
		}
		c.ResponseBody, _ = e.ResponseBody()
		c.ResponseTruncated = e.Response.Content.Truncated()
		if shadowed {
			c.Shadows = r.Match.Operation
		}
		m.inferrer.Add(c)
	}
}

// writeInferred writes the --infer document and reports what it holds.
func (m *matchRun) writeInferred(enc *json.Encoder) error {
	if m.inferrer == nil || m.inferrer.Calls() == 0 {
		if m.inferSpec && m.inferAPI > 0 {
			if !m.o.json && !m.o.quiet {
				fmt.Fprintf(m.report, "nothing to infer: all %d API calls are in the spec; %s not written\n\n", m.inferAPI, m.o.infer)
			}
			return nil
		}
		return cli.WithHint(fmt.Errorf("no API calls to infer from: none of the %d calls is an API call on the instance (pages, assets, other hosts and sign-ins do not count)", m.inferSeen),
			"name the instance with --host HOST, or record the UI while it loads data")
	}
	res, err := m.inferrer.Result()
	if err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(m.o.infer))
	data, err := infer.Marshal(res.Document, ext == ".yaml" || ext == ".yml")
	if err != nil {
		return err
	}
	// Belt and braces: nothing the recording marks as secret leaves, even
	// where no rule looked (a literal path segment, a member name).
	data = m.redactor.Sweep(data)
	if m.o.infer == "-" {
		if _, err := m.stdout.Write(data); err != nil {
			return err
		}
	} else if err := atomicfile.Write(m.o.infer, data, 0o644); err != nil {
		return err
	}
	if res.Guesses > 0 && !m.o.json {
		cli.Warn(m.stderr, prog, "%d of the %d inferred operations rest on one call each: their parameters, types and required members are guesses; record them again with other values to firm them up",
			res.Guesses, len(res.Operations))
	}
	if res.Unread > 0 && !m.o.json {
		cli.Warn(m.stderr, prog, "%d bodies were cut short when recorded or are not the JSON their Content-Type says; the schemas they would have shaped are left open", res.Unread)
	}
	if m.o.json {
		for _, op := range res.Operations {
			if err := enc.Encode(struct {
				Kind string `json:"kind"`
				File string `json:"file"`
				infer.Operation
			}{"inferred", m.o.infer, op}); err != nil {
				return err
			}
		}
		return nil
	}
	if m.o.infer != "-" {
		fmt.Fprintf(m.stderr, "%s: wrote %s (%d operations inferred from %d calls)\n", prog, m.o.infer, len(res.Operations), m.inferrer.Calls())
	}
	if m.o.quiet {
		return nil
	}
	writeInferredTable(m.report, res.Operations)
	return nil
}

// writeInferredTable lists the inferred operations by tag, each with the
// calls that support it.
func writeInferredTable(w io.Writer, ops []infer.Operation) {
	fmt.Fprintf(w, "inferred %d operations the spec does not document, by tag:\n", len(ops))
	byTag := map[string][]infer.Operation{}
	var tags []string
	for _, op := range ops {
		if byTag[op.Tag] == nil {
			tags = append(tags, op.Tag)
		}
		byTag[op.Tag] = append(byTag[op.Tag], op)
	}
	sort.Strings(tags)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range tags {
		fmt.Fprintf(tw, "  %s\n", t)
		for _, op := range byTag[t] {
			calls := fmt.Sprintf("%d calls", op.Calls)
			if op.Calls == 1 {
				calls = "1 call"
			}
			fmt.Fprintf(tw, "    %s %s\t%s\t%s", op.Method, op.Template, op.OperationID, calls)
			if len(op.Shadows) > 0 {
				fmt.Fprintf(tw, "\tbeside %s", strings.Join(op.Shadows, ", "))
			}
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// preflight reports whether an OPTIONS call is the browser's CORS check
// rather than a call of the API: the matcher reads those as not the API
// once their path is documented.
func preflight(e *har.Entry) bool {
	return e.Request.Method == "OPTIONS" && har.HeaderValue(e.Request.Headers, "Access-Control-Request-Method") != ""
}
