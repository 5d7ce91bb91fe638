package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
	"github.com/spf13/pflag"
)

const prog = "match"

type options struct {
	specs     []string
	hosts     []string
	aliases   []string
	noAliases bool
	noChecks  bool
	json      bool
	strict    bool
	quiet     bool
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	var o options
	fs := pflag.NewFlagSet(prog, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringArrayVarP(&o.specs, "spec", "s", nil, "")
	fs.StringArrayVar(&o.hosts, "host", nil, "")
	fs.StringArrayVar(&o.aliases, "alias", nil, "")
	fs.BoolVar(&o.noAliases, "no-testops-aliases", false, "")
	fs.BoolVar(&o.noChecks, "no-checks", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.strict, "strict", false, "")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		cli.PrintError(stderr, prog, cli.WithHint(err, "run 'match --help' for usage"))
		return cli.ExitError
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return cli.ExitError
	}
	m := &matchRun{o: o, stdin: stdin, stdout: stdout, stderr: stderr}
	code, err := m.run(fs.Args())
	if err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	return code
}

type matchRun struct {
	o              options
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (m *matchRun) index(docs []*spec.Document) (*spec.Index, error) {
	var aliases []spec.Alias
	if !m.o.noAliases {
		aliases = append(aliases, spec.TestOpsAliases...)
	}
	for _, a := range m.o.aliases {
		al, err := spec.ParseAlias(a)
		if err != nil {
			return nil, cli.WithHint(fmt.Errorf("--alias %q: %w", a, err), "write it as FROM=TO, e.g. --alias /api/rs=/api")
		}
		aliases = append(aliases, al)
	}
	return spec.NewIndex(docs, spec.Options{Aliases: aliases, Artefacts: spec.SpringdocArtefacts})
}

func (m *matchRun) loadSpecs() ([]*spec.Document, error) {
	var docs []*spec.Document
	client := &http.Client{Timeout: 30 * time.Second}
	for _, s := range m.o.specs {
		var d *spec.Document
		var err error
		if u, perr := url.Parse(s); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
			d, err = spec.LoadURL(nil, client, s)
		} else {
			d, err = spec.LoadFile(s)
		}
		if err != nil {
			return nil, err
		}
		for _, w := range d.Warnings {
			if !m.o.json {
				cli.Warn(m.stderr, prog, "%s", w)
			}
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func (m *matchRun) run(inputs []string) (int, error) {
	if len(m.o.specs) == 0 {
		return 0, cli.WithHint(errors.New("no spec: give --spec FILE|URL"), "a TestOps instance serves its documents from its Swagger UI (/swagger-ui.html)")
	}
	docs, err := m.loadSpecs()
	if err != nil {
		return 0, err
	}
	ix, err := m.index(docs)
	if err != nil {
		return 0, err
	}
	tally := match.NewTally(ix)
	var drifted bool
	enc := json.NewEncoder(m.stdout)
	enc.SetEscapeHTML(false)
	for _, in := range inputs {
		results, hosts, err := m.matchFile(ix, in)
		if err != nil {
			return 0, err
		}
		for _, r := range results {
			tally.Add(r)
			if r.Verdict == match.Drift || r.Verdict == match.Undocumented {
				drifted = true
			}
		}
		switch {
		case m.o.json:
			for _, r := range results {
				if err := enc.Encode(jsonEntry{Kind: "entry", File: in, Result: r}); err != nil {
					return 0, err
				}
			}
		case !m.o.quiet:
			m.printTable(in, hosts, docs, results)
		}
	}
	s := tally.Summary()
	if m.o.json {
		if err := enc.Encode(jsonSummary{Kind: "summary", Summary: s}); err != nil {
			return 0, err
		}
	} else {
		printSummary(m.stdout, s)
	}
	if m.o.strict && drifted {
		return cli.ExitDiff, nil
	}
	return cli.ExitOK, nil
}

type jsonEntry struct {
	Kind string `json:"kind"`
	File string `json:"file"`
	match.Result
}

type jsonSummary struct {
	Kind string `json:"kind"`
	match.Summary
}

// matchFile reads a recording twice: once to learn which hosts are the
// instance, once to give each call its verdict. Standard input is held in
// memory for the second pass.
func (m *matchRun) matchFile(ix *spec.Index, in string) ([]match.Result, []string, error) {
	open := func() (*har.Reader, error) { return har.Open(in) }
	if in == "-" {
		data, err := io.ReadAll(m.stdin)
		if err != nil {
			return nil, nil, err
		}
		open = func() (*har.Reader, error) {
			return har.NewReader(strings.NewReader(string(data)), har.ReaderOptions{Name: "<stdin>"}), nil
		}
	} else if fi, err := os.Stat(in); err == nil && fi.IsDir() {
		return nil, nil, cli.WithHint(fmt.Errorf("%s is a folder", in), "give the HAR file inside it")
	}
	mt := match.New(ix, match.Options{Hosts: m.o.hosts, NoChecks: m.o.noChecks})
	if len(m.o.hosts) == 0 {
		if err := each(open, func(_ int, e *har.Entry) { mt.Observe(e) }); err != nil {
			return nil, nil, err
		}
	}
	var results []match.Result
	err := each(open, func(i int, e *har.Entry) { results = append(results, mt.Entry(i+1, e)) })
	return results, mt.Hosts(), err
}

func each(open func() (*har.Reader, error), fn func(int, *har.Entry)) error {
	rd, err := open()
	if err != nil {
		return err
	}
	defer rd.Close()
	for i := 0; ; i++ {
		e, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fn(i, e)
	}
}

func (m *matchRun) printTable(file string, hosts []string, docs []*spec.Document, results []match.Result) {
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Name()
	}
	fmt.Fprintf(m.stdout, "%s: %d calls, matched against %s", filepath.ToSlash(file), len(results), strings.Join(names, ", "))
	if len(hosts) > 0 {
		fmt.Fprintf(m.stdout, "; instance: %s", strings.Join(hosts, ", "))
	}
	fmt.Fprintln(m.stdout)
	tw := tabwriter.NewWriter(m.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tVERDICT\tSTATUS\tCALL\tOPERATION")
	for _, r := range results {
		what := r.Reason
		if r.Operation != nil {
			what = r.Operation.String()
			if r.Verdict == match.Upload {
				what += " (upload: use allurectl)"
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\n", r.Seq, r.Verdict, status(r), r.Method, shortURL(r.URL), what)
		for _, p := range r.Problems {
			fmt.Fprintf(tw, "\t\t\t\t  %s\n", p)
		}
	}
	tw.Flush()
	fmt.Fprintln(m.stdout)
}

func status(r match.Result) string {
	if r.Status == 0 {
		return "-"
	}
	return fmt.Sprint(r.Status)
}

// shortURL shows the path and query of a URL, shortened to fit a table.
func shortURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	s := u.EscapedPath()
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}

var verdictNames = map[match.Verdict]string{
	match.Matched: "matched", match.Drift: "drifted", match.Undocumented: "undocumented",
	match.Upload: "upload", match.Auth: "authentication", match.NotAPI: "not the API",
}

func printSummary(w io.Writer, s match.Summary) {
	var parts []string
	for _, v := range match.Verdicts {
		parts = append(parts, fmt.Sprintf("%d %s", s.Verdicts[v], verdictNames[v]))
	}
	fmt.Fprintf(w, "%d calls: %s\n", s.Entries, strings.Join(parts, ", "))
	c := s.Coverage
	pct := 0.0
	if c.Operations > 0 {
		pct = 100 * float64(c.Exercised) / float64(c.Operations)
	}
	fmt.Fprintf(w, "coverage: %d of %d operations (%.1f%%)\n", c.Exercised, c.Operations, pct)
	tags := append([]match.TagCoverage(nil), c.Tags...)
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].Exercised > tags[j].Exercised })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range tags {
		if t.Exercised == 0 {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%d of %d\n", t.Tag, t.Exercised, t.Operations)
	}
	tw.Flush()
}
