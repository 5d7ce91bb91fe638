package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/apitrail/apitrail/drift"
	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/infer"
	"github.com/apitrail/apitrail/internal/ansi"
	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/report/htmlreport"
	"github.com/apitrail/apitrail/script"
	"github.com/apitrail/apitrail/spec"
	"github.com/spf13/pflag"
)

const prog = "match"

type options struct {
	inst            cli.InstanceFlags
	specs           cli.SpecFlags
	against         []string
	againstInstance bool
	noChecks        bool
	keepBusters     bool
	coverage        bool
	emit            string
	infer           string
	output          string
	json            bool
	strict          bool
	quiet           bool
	html            string
	color           string
	force           bool
	saveFlow        string
	timeout         time.Duration
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	var o options
	fs := pflag.NewFlagSet(prog, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.inst.Register(fs)
	o.specs.Register(fs)
	fs.StringArrayVar(&o.against, "against", nil, "")
	fs.BoolVar(&o.againstInstance, "against-instance", false, "")
	fs.BoolVar(&o.noChecks, "no-checks", false, "")
	fs.BoolVar(&o.keepBusters, "no-cache-busters", false, "")
	fs.BoolVar(&o.coverage, "coverage", false, "")
	fs.StringVar(&o.emit, "emit", "", "")
	fs.StringVar(&o.infer, "infer", "", "")
	fs.StringVarP(&o.output, "output", "o", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.strict, "strict", false, "")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "")
	fs.StringVar(&o.html, "html", "", "")
	fs.StringVar(&o.color, "color", "auto", "")
	fs.BoolVarP(&o.force, "force", "f", false, "")
	fs.StringVar(&o.saveFlow, "save-flow", "", "")
	cli.PositiveDurationVar(fs, &o.timeout, "timeout", 30*time.Second)
	help := fs.BoolP("help", "h", false, "")
	version := fs.Bool("version", false, "")
	completion := fs.String("completion", "", "")
	if err := fs.Parse(args); err != nil {
		return cli.PrintError(stderr, prog, cli.WithHint(err, "run 'match --help' for usage"))
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if code, done := cli.Meta(stdout, stderr, prog, fs, *version, *completion); done {
		return code
	}
	if _, err := o.inst.Scheme(); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	o.inst.Timeout, o.specs.Timeout = o.timeout, o.timeout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if o.output != "" && o.emit == "" {
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--output names the file --emit writes"), "add --emit bash|http|go|postman"))
	}
	if o.emit != "" {
		if _, err := script.ParseFormat(o.emit); err != nil {
			return cli.PrintError(stderr, prog, err)
		}
		if o.json {
			return cli.PrintError(stderr, prog, errors.New("--emit and --json both write to standard output; give --emit an --output FILE"))
		}
	}
	if o.infer == "-" && (o.json || (o.emit != "" && (o.output == "" || o.output == "-"))) {
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--infer - and the other output both write to standard output"), "give --infer a FILE (.json, .yaml or .yml)"))
	}
	// Files the user names are checked before any work, so that a typo
	// costs nothing and an existing file is never replaced silently.
	if err := cli.CheckOutput("-o", o.output, o.force); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	if err := cli.CheckOutput("--infer", o.infer, o.force); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	if err := checkSaveFlow(o, fs.Args()); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	if o.againstInstance && o.inst.Endpoint == "" {
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--against-instance needs --endpoint"), "name the instance whose current documents the recording is checked against"))
	}
	m := &matchRun{o: o, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, report: stdout}
	if o.emit != "" && (o.output == "" || o.output == "-") || o.infer == "-" {
		m.report = stderr // the script or the document takes standard output
	}
	color, err := cli.UseColor(o.color, m.report, getenv)
	if err != nil {
		return cli.PrintError(stderr, prog, cli.WithHint(err, "run 'match --help' for usage"))
	}
	m.pal = ansi.Palette{On: color}
	if err := cli.CheckOutput("--html", o.html, o.force); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	if o.saveFlow != "" {
		b, err := flow.NewBuild(o.saveFlow, o.force)
		if err != nil {
			return cli.PrintError(stderr, prog, err)
		}
		defer b.Abort()
		m.build = b
		m.o.specs.SaveSpec = b.SpecPath() // the documents loaded are the folder's snapshot
	}
	code, err := m.run(ctx, fs.Args())
	for _, t := range m.temps {
		os.Remove(t)
	}
	err = cli.ExplainEndpoint(ctx, o.inst.Endpoint, err)
	if err == nil && m.build != nil && ctx.Err() == nil {
		err = m.finishFlow()
	}
	if err != nil && m.inst != nil {
		err = cli.RedactError(err, m.inst.Redactor)
	}
	if err != nil {
		code = cli.PrintError(stderr, prog, err)
	}
	if ctx.Err() != nil {
		// Ctrl-C: shells and CI tell an interrupted run by 130.
		if err == nil {
			cli.PrintError(stderr, prog, errors.New("interrupted"))
		}
		return cli.ExitInterrupted
	}
	return code
}

type matchRun struct {
	o              options
	stdin          io.Reader
	stdout, stderr io.Writer
	// report receives the human report: standard output, or standard error
	// when a script goes to standard output.
	report io.Writer
	pal    ansi.Palette
	getenv func(string) string
	inst   *cli.Instance
	// inferrer learns the calls no spec documents, for --infer.
	inferrer  *infer.Inferrer
	redactor  *har.Redactor
	inferSpec bool // a spec was given: calls it documents are not inferred
	inferSeen int  // calls looked at for --infer
	inferAPI  int  // of which calls of the API, documented or not
	// warnedEmpty are the operationless documents already warned about,
	// as every recording of a run shares the same --spec documents.
	warnedEmpty map[string]bool
	// build is the folder --save-flow makes, and saved what goes in it.
	build *flow.Build
	saved *saved
	// temps are the temporary files standard input was spooled to, and
	// stdinRead whether it has been read as it came.
	temps     []string
	stdinRead bool
}

// input is one recording to match: a HAR, and the flow folder it sits in
// when it came from one.
type input struct {
	name string
	har  string
	flow *flow.Flow
	// stdin marks standard input, read as it comes, or from path once
	// spooled to a temporary file for a second pass.
	stdin bool
	path  string
}

func (m *matchRun) inputs(args []string) ([]input, error) {
	var out []input
	for _, a := range args {
		if a == "-" {
			out = append(out, input{name: "<stdin>", stdin: true})
			continue
		}
		fi, err := cli.StatInput(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, input{name: a, har: a})
			continue
		}
		flows, err := flow.Find(a)
		if err != nil {
			return nil, err
		}
		for _, f := range flows {
			out = append(out, input{name: filepath.ToSlash(f.HAR()), har: f.HAR(), flow: f})
		}
	}
	return out, nil
}

func (m *matchRun) run(ctx context.Context, args []string) (int, error) {
	if m.o.inst.Endpoint != "" || m.o.inst.WhoAmI {
		inst, err := m.o.inst.Open(prog, m.getenv, m.stdin, m.stderr, m.o.inst.WhoAmI)
		if err != nil {
			return 0, err
		}
		m.inst = inst
		if m.o.inst.WhoAmI {
			return cli.ExitOK, inst.PrintWhoAmI(ctx, m.stdout)
		}
	}
	if len(args) == 0 {
		return 0, cli.WithHint(errors.New("no recording given"), "name a HAR file or a recording folder, e.g. match --endpoint URL export.har; run 'match --help' for usage")
	}
	ins, err := m.inputs(args)
	if err != nil {
		return 0, err
	}
	if m.o.emit != "" && len(ins) != 1 {
		return 0, cli.WithHint(fmt.Errorf("--emit writes one script from one recording, and %d were given", len(ins)), "run match --emit once per recording")
	}
	enc := json.NewEncoder(m.stdout)
	enc.SetEscapeHTML(false)
	var tally *match.Tally
	var drifted, broken bool
	newIx, newFrom, err := m.againstIndex(ctx)
	if err != nil {
		return 0, err
	}
	var observed []match.Observed
	var page htmlreport.Match
	for _, in := range ins {
		s, err := m.o.specs.For(ctx, in.flow, m.inst, func(w string) {
			if !m.o.json {
				cli.Warn(m.stderr, prog, "%s", w)
			}
		}, false)
		if err != nil {
			return 0, err
		}
		if len(s.Docs) == 0 && m.o.infer == "" {
			return 0, m.noSpec(in)
		}
		ix, err := m.o.specs.Index(s.Docs, in.flow)
		if err != nil {
			return 0, err
		}
		if len(s.Docs) > 0 {
			if err := m.checkOperations(s.Docs, ix); err != nil {
				return 0, err
			}
		}
		if tally == nil {
			tally = match.NewTally(ix)
		}
		restoreGC := paceGC(m.getenv)
		// Every result is kept only for what needs them all at the end;
		// the table, --json and the counts take them one at a time.
		keep := m.build != nil || m.o.infer != "" || m.o.emit != "" || newIx != nil || m.o.html != ""
		var results []match.Result
		var table *match.Table
		var head func(int, []string) error
		if !m.o.json && !m.o.quiet {
			head = func(calls int, hosts []string) error {
				names := make([]string, len(s.Docs))
				for i, d := range s.Docs {
					names[i] = d.Name()
				}
				fmt.Fprintf(m.report, "%s: %d calls, matched against %s (%s)", in.name, calls, strings.Join(names, ", "), s.From)
				if len(hosts) > 0 {
					fmt.Fprintf(m.report, "; instance: %s", strings.Join(hosts, ", "))
				}
				fmt.Fprintln(m.report)
				table = match.NewTable(m.report, m.pal)
				return nil
			}
		}
		// -q without checks prints the totals and the coverage, and
		// nothing of any one call. With an instance, its Redactor also
		// hides the recording's secrets in errors (a refused entry quoted),
		// and so learns them from every call: no counting then.
		counting := m.o.quiet && m.o.noChecks && !m.o.json && !keep && m.inst == nil
		hosts, err := m.matchStream(ix, in, counting, head, func(r match.Result) error {
			tally.Add(r)
			drifted = drifted || r.Verdict == match.Drift || r.Verdict == match.Undocumented
			if r.Operation != nil && len(r.Problems) > 0 {
				observed = append(observed, match.Observed{Operation: r.Operation.String(), Seq: r.Seq, Problems: r.Problems})
			}
			if keep {
				results = append(results, r)
			}
			switch {
			case m.o.json:
				return enc.Encode(jsonEntry{Kind: "entry", File: in.name, Result: r})
			case table != nil:
				table.Add(r)
			}
			return nil
		})
		restoreGC()
		if table != nil {
			if cerr := table.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return 0, err
		}
		if m.build != nil {
			m.saved = &saved{in: in, results: results, hosts: hosts}
		}
		if m.o.infer != "" {
			m.learn(ix, s.Docs, results)
		}
		if m.o.emit != "" {
			if err := m.emitScript(in, results); err != nil {
				return 0, err
			}
		}
		var changes []drift.Call
		if newIx != nil {
			changes = drift.Compare(results, ix, newIx)
			for _, c := range changes {
				broken = broken || c.Breaking
			}
		}
		if m.o.html != "" {
			page.Recordings = append(page.Recordings, htmlreport.MatchRecording{Name: in.name, Results: results, Changes: changes})
		}
		switch {
		case m.o.json:
		case !m.o.quiet:
			fmt.Fprintln(m.report)
			if newIx != nil {
				s := drift.Summarize(changes)
				fmt.Fprintf(m.report, "against %s: %d calls still resolve unchanged, %d changed without breaking, %d break\n",
					newFrom, s.Unchanged, s.Changed, s.Breaking)
				drift.WriteCalls(m.report, changes)
				fmt.Fprintln(m.report)
			}
		case newIx != nil:
			// -q drops the tables, but a breaking call is why the run
			// exits 1, and an exit status alone does not say which call.
			s := drift.Summarize(changes)
			fmt.Fprintf(m.report, "%s against %s: %d calls still resolve unchanged, %d changed without breaking, %d break\n",
				in.name, newFrom, s.Unchanged, s.Changed, s.Breaking)
			var breaking []drift.Call
			for _, c := range changes {
				if c.Breaking {
					breaking = append(breaking, c)
				}
			}
			drift.WriteCalls(m.report, breaking)
		}
		if m.o.json && newIx != nil {
			for _, c := range changes {
				if err := enc.Encode(struct {
					Kind string `json:"kind"`
					File string `json:"file"`
					drift.Call
				}{"change", in.name, c}); err != nil {
					return 0, err
				}
			}
		}
	}
	byOp := match.ByOperation(observed)
	sum := tally.Summary()
	if m.o.infer != "" {
		if err := m.writeInferred(enc); err != nil {
			return 0, err
		}
	}
	if m.o.json {
		if err := enc.Encode(jsonSummary{Kind: "summary", Summary: sum, Drift: byOp}); err != nil {
			return 0, err
		}
	} else {
		match.WriteSummary(m.report, sum)
		if m.o.coverage {
			match.WriteCoverage(m.report, sum.Coverage)
		}
		if len(byOp) > 0 {
			fmt.Fprintln(m.report, "answers that do not fit their schema, by operation:")
			match.WriteByOperation(m.report, byOp)
		}
	}
	if m.o.html != "" {
		page.Summary, page.Against = sum, newFrom
		if err := htmlreport.WriteMatchFile(m.o.html, page, htmlreport.Options{}); err != nil {
			return 0, fmt.Errorf("--html: %v", err)
		}
		if !m.o.json {
			fmt.Fprintf(m.stderr, "%s: wrote the HTML report %s\n", prog, m.o.html)
		}
	}
	if (m.o.strict && drifted) || broken {
		return cli.ExitDiff, nil
	}
	return cli.ExitOK, nil
}

// checkOperations refuses documents that declare no operation at all (a
// bare {"openapi":"3.0.0"}, an error page's JSON, a document with its paths
// left out): against them every call is "undocumented", which reads as
// news about the API when it is a wrong file. Beside documents that do
// declare operations, such a document costs only a warning.
func (m *matchRun) checkOperations(docs []*spec.Document, ix *spec.Index) error {
	count := map[*spec.Document]int{}
	for _, op := range ix.Operations() {
		count[op.Document]++
	}
	var empty []string
	for _, d := range docs {
		if count[d] == 0 {
			empty = append(empty, docFile(d))
		}
	}
	if len(empty) == 0 {
		return nil
	}
	if len(empty) == len(docs) {
		return cli.WithHint(fmt.Errorf("%s: the spec declares no operations (no paths), so no call could match it", strings.Join(empty, ", ")),
			"give the instance's OpenAPI document itself (a TestOps instance lists them in its Swagger UI, /swagger-ui.html)")
	}
	if m.warnedEmpty == nil {
		m.warnedEmpty = map[string]bool{}
	}
	for _, f := range empty {
		if !m.warnedEmpty[f] && !m.o.json {
			cli.Warn(m.stderr, prog, "%s: the spec declares no operations (no paths); the other documents are used", f)
		}
		m.warnedEmpty[f] = true
	}
	return nil
}

// docFile names a document by the file or URL it came from, which is what
// the user typed; its title may be the same in several files.
func docFile(d *spec.Document) string {
	if d.Source.URL != "" {
		return d.Source.URL
	}
	return d.Name()
}

type jsonEntry struct {
	Kind string `json:"kind"`
	File string `json:"file"`
	match.Result
}

type jsonSummary struct {
	Kind string `json:"kind"`
	match.Summary
	Drift []match.OperationDrift `json:"drift,omitempty"`
}

// againstIndex loads the documents the recordings are checked against
// (--against, or the instance's current ones with --against-instance).
func (m *matchRun) againstIndex(ctx context.Context) (*spec.Index, string, error) {
	if len(m.o.against) == 0 && !m.o.againstInstance {
		return nil, "", nil
	}
	f := m.o.specs
	f.Specs, f.SaveSpec = m.o.against, ""
	inst := m.inst
	if !m.o.againstInstance {
		inst = nil
	}
	s, err := f.Load(ctx, nil, inst, func(w string) {
		if !m.o.json {
			cli.Warn(m.stderr, prog, "%s", w)
		}
	}, false)
	if err != nil {
		return nil, "", err
	}
	if len(s.Docs) == 0 {
		return nil, "", errors.New("no documents to check against")
	}
	ix, err := f.Index(s.Docs, nil)
	if err == nil {
		err = m.checkOperations(s.Docs, ix)
	}
	names := make([]string, len(s.Docs))
	for i, d := range s.Docs {
		names[i] = d.Name()
		if d.APIVersion != "" {
			names[i] += " " + d.APIVersion
		}
	}
	return ix, strings.Join(names, ", "), err
}

// emitScript writes the recording as a runnable script.
func (m *matchRun) emitScript(in input, results []match.Result) error {
	format, _ := script.ParseFormat(m.o.emit)
	opts := script.Options{Name: strings.TrimSuffix(filepath.Base(in.name), filepath.Ext(in.name))}
	if in.flow != nil {
		opts.Name = in.flow.Name()
		opts.Endpoint = in.flow.Manifest.Endpoint
	}
	if m.inst != nil {
		opts.Endpoint = m.inst.Endpoint.String()
	}
	if m.o.output != "" && m.o.output != "-" {
		opts.File = m.o.output // the usage line names the file written
	}
	scheme, err := m.o.inst.Scheme()
	if err != nil {
		return err
	}
	opts.SignIn = script.SignIn{Scheme: scheme, Headers: m.o.inst.AuthHeaders, TokenURL: m.o.inst.TokenURL, ClientID: m.o.inst.ClientID, Scopes: m.o.inst.Scopes}
	out, err := script.Generate(format, results, opts)
	if err != nil {
		return err
	}
	if m.o.output == "" || m.o.output == "-" {
		_, err := m.stdout.Write(out)
		return err
	}
	mode := os.FileMode(0o644)
	if format == script.Bash {
		mode = 0o755
	}
	if err := atomicfile.Write(m.o.output, out, mode); err != nil {
		return err
	}
	fmt.Fprintf(m.stderr, "%s: wrote %s (%s)\n", prog, m.o.output, format)
	return nil
}
