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
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/ansi"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/spf13/pflag"
)

const prog = "replay"

type options struct {
	inst        cli.InstanceFlags
	specs       cli.SpecFlags
	unsafe      bool
	dryRun      bool
	concurrency int
	rate        float64
	timeout     time.Duration
	maxBody     cli.Size
	retries     int
	noise       string
	learnNoise  bool
	saveNoise   bool
	broadNoise  bool
	update      bool
	json        bool
	quiet       bool
	demo        bool
	junit       string
	allure      string
	html        string
	color       string
	clean       bool
	force       bool
	sel         selection
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	o := options{maxBody: cli.Size(replay.DefaultMaxBody)}
	fs := pflag.NewFlagSet(prog, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.inst.Register(fs)
	o.specs.Register(fs)
	fs.BoolVar(&o.unsafe, "unsafe", false, "")
	fs.BoolVar(&o.dryRun, "dry-run", false, "")
	fs.IntVarP(&o.concurrency, "concurrency", "c", 4, "")
	fs.Float64Var(&o.rate, "rate", 0, "")
	cli.PositiveDurationVar(fs, &o.timeout, "timeout", 30*time.Second)
	fs.IntVar(&o.retries, "retries", 3, "")
	fs.Var(&o.maxBody, "max-body", "")
	fs.StringVar(&o.noise, "noise", "", "")
	fs.BoolVar(&o.learnNoise, "learn-noise", false, "")
	fs.BoolVar(&o.saveNoise, "save-noise", false, "")
	fs.BoolVar(&o.broadNoise, "allow-broad-noise", false, "")
	fs.BoolVar(&o.update, "update", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.StringVar(&o.junit, "junit", "", "")
	fs.StringVar(&o.allure, "allure-results", "", "")
	fs.StringVar(&o.html, "html", "", "")
	fs.StringVar(&o.color, "color", "auto", "")
	o.sel.register(fs)
	fs.BoolVar(&o.clean, "clean", false, "")
	fs.BoolVarP(&o.force, "force", "f", false, "")
	help := fs.BoolP("help", "h", false, "")
	version := fs.Bool("version", false, "")
	completion := fs.String("completion", "", "")
	if err := fs.Parse(args); err != nil {
		return cli.PrintError(stderr, prog, cli.WithHint(err, "run 'replay --help' for usage"))
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if code, done := cli.Meta(stdout, stderr, prog, fs, *version, *completion); done {
		return code
	}
	switch {
	case o.concurrency < 1:
		return cli.PrintError(stderr, prog, errors.New("--concurrency must be at least 1"))
	case o.rate < 0:
		return cli.PrintError(stderr, prog, errors.New("--rate must not be negative"))
	case o.retries < 0:
		return cli.PrintError(stderr, prog, errors.New("--retries must not be negative"))
	case o.saveNoise && !o.learnNoise:
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--save-noise saves what --learn-noise finds"), "add --learn-noise"))
	case o.broadNoise && !o.learnNoise:
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--allow-broad-noise lets through what --learn-noise would hold back"), "add --learn-noise"))
	case o.dryRun && (o.junit != "" || o.allure != "" || o.html != ""):
		return cli.PrintError(stderr, prog, errors.New("--junit, --allure-results and --html report a replay, and --dry-run sends nothing"))
	case o.dryRun && o.json:
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--json reports a replay, and --dry-run prints a plan as text"), "drop --json to see the plan"))
	case o.dryRun && o.update:
		return cli.PrintError(stderr, prog, errors.New("--update stores the answers a replay gets, and --dry-run sends nothing"))
	case slices.Contains(fs.Args(), "-") && o.inst.TokenFile == "-":
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("the recording and --token-file cannot both be standard input"), "put the token in TESTOPS_TOKEN or a file"))
	case slices.Contains(fs.Args(), "-") && o.update:
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--update writes a baseline beside the recording, and standard input has no place"), "save the recording to a file or a recording folder"))
	case slices.Contains(fs.Args(), "-") && o.saveNoise && o.noise == "":
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("--save-noise writes beside the recording, and standard input has no place"), "name the noise file with --noise FILE"))
	case !o.demo && !o.inst.WhoAmI && fs.NArg() == 0:
		return cli.PrintError(stderr, prog, cli.WithHint(errors.New("no recording given"), "name a HAR file or a recording folder, e.g. replay -e URL recordings/; run 'replay --help' for usage"))
	}
	color, err := cli.UseColor(o.color, stdout, getenv)
	if err != nil {
		return cli.PrintError(stderr, prog, cli.WithHint(err, "run 'replay --help' for usage"))
	}
	if err := o.sel.check(); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	if err := checkReportPaths(o); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !o.json {
		// One huge answer must not make a line no terminal or log can
		// hold; --json is for programs and is never cut.
		lc := cli.NewLineCutter(stdout)
		defer lc.Flush()
		stdout = lc
	}
	o.inst.Timeout, o.specs.Timeout = o.timeout, o.timeout
	r := &replayRun{o: o, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, pal: ansi.Palette{On: color}}
	var code int
	if o.demo {
		code, err = r.demo(ctx)
	} else {
		code, err = r.run(ctx, fs.Args())
	}
	err = cli.ExplainEndpoint(ctx, o.inst.Endpoint, err)
	if err != nil {
		if r.inst != nil {
			err = cli.RedactError(err, r.inst.Redactor)
		}
		code = cli.PrintError(stderr, prog, err)
		// An instance that is down or failing is the infrastructure's
		// trouble, which CI tells apart from a wrong set-up by exit 3.
		if auth.IsInfrastructure(err) {
			code = cli.ExitInfra
		}
	}
	if errors.Is(err, errInterrupted) || err != nil && ctx.Err() != nil {
		// Ctrl-C: shells and CI tell an interrupted run by 130.
		code = cli.ExitInterrupted
	}
	return code
}

// errInterrupted ends a run Ctrl-C stopped, after its reports are written.
var errInterrupted = errors.New("interrupted; the report above shows what ran")

type replayRun struct {
	o              options
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	pal            ansi.Palette
	inst           *cli.Instance
	enc            *json.Encoder
	// showMatch prints the match table before each replay (the demo).
	showMatch bool
	// mustCheck is set until the instance's sign-in has been tried once.
	mustCheck bool
	// demoDir is where the demo put the bundled flows.
	demoDir string
	// selected counts the recordings --operation and --tag chose.
	selected int
}

// target is one recording to replay.
type target struct {
	name string
	har  string
	flow *flow.Flow
}

func (r *replayRun) targets(args []string) ([]target, error) {
	var out []target
	for _, a := range args {
		if a == "-" {
			// Standard input has no folder: no baseline, no noise file
			// beside it (--noise names one).
			out = append(out, target{name: "stdin", har: a})
			continue
		}
		fi, err := cli.StatInput(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, target{name: strings.TrimSuffix(filepath.Base(a), filepath.Ext(a)), har: a})
			continue
		}
		flows, err := flow.Find(a)
		if err != nil {
			return nil, err
		}
		for _, f := range flows {
			out = append(out, target{name: f.Name(), har: f.HAR(), flow: f})
		}
	}
	return out, nil
}

func (r *replayRun) run(ctx context.Context, args []string) (int, error) {
	inst, err := r.o.inst.Open(prog, r.getenv, r.stdin, r.stderr, !r.o.dryRun || r.o.inst.WhoAmI)
	if err != nil {
		return 0, err
	}
	r.inst = inst
	if r.o.inst.WhoAmI {
		return cli.ExitOK, inst.PrintWhoAmI(ctx, r.stdout)
	}
	return r.replayAll(ctx, args)
}

// replayAll replays every recording the arguments name and returns the
// exit code their reports call for.
func (r *replayRun) replayAll(ctx context.Context, args []string) (int, error) {
	ts, err := r.targets(args)
	if err != nil {
		return 0, err
	}
	if ts, err = r.o.sel.pick(ts, r.stderr); err != nil {
		return 0, err
	}
	if len(ts) == 0 && r.o.sel.n > 0 {
		return cli.ExitOK, nil // an empty shard, which pick said
	}
	// Outside a terminal (a CI log) a suite shows its progress as one
	// plain line per recording, with no status line to redraw.
	plain := len(ts) > 1 && !r.o.quiet && !r.o.json && !cli.IsTerminal(r.stderr)
	// One exchange before the first recording is replayed, so that a wrong
	// endpoint or a rejected token stops the run with advice instead of
	// failing every call; made after that recording is read, so that a
	// broken one is named as such (exit 2) even when the instance is down.
	r.mustCheck = !r.o.dryRun
	r.enc = json.NewEncoder(r.stdout)
	r.enc.SetEscapeHTML(false)
	total := map[replay.Outcome]int{}
	var failed, infra, interrupted bool
	var reps []*replay.Report
	for i, t := range ts {
		rep, err := r.one(ctx, t)
		if err != nil {
			return 0, err
		}
		if rep == nil {
			continue // a dry run, or not selected
		}
		if plain {
			fmt.Fprintf(r.stderr, "%s: [%d/%d] %s: %s\n", prog, i+1, len(ts), rep.Flow, replay.Summary(rep))
		}
		reps = append(reps, rep)
		for k, v := range rep.Counts {
			total[k] += v
		}
		failed = failed || rep.Failed()
		infra = infra || rep.Counts[replay.Infra] > 0
		interrupted = interrupted || rep.Interrupted
		if interrupted {
			break
		}
	}
	if r.o.sel.byCalls() && r.selected == 0 {
		return 0, cli.WithHint(fmt.Errorf("%s: no recording calls what it names", r.o.sel.callFlags()),
			"give an operationId or 'METHOD /path/{template}' as the spec writes it, or a tag; match RECORDING lists them")
	}
	if r.o.dryRun {
		return cli.ExitOK, nil
	}
	if r.o.json {
		r.enc.Encode(map[string]any{"kind": "summary", "flows": len(ts), "counts": total})
	} else if len(ts) > 1 {
		fmt.Fprintf(r.stdout, "\nall %d recordings: %d ok, %d regression, %d drift, %d infrastructure error, %d skipped, %d not run",
			len(ts), total[replay.OK], total[replay.Regression], total[replay.Drift], total[replay.Infra], total[replay.Skipped], total[replay.NotRun])
		if n := total[replay.Interrupted]; n > 0 {
			fmt.Fprintf(r.stdout, ", %d interrupted after sending", n)
		}
		fmt.Fprintln(r.stdout)
	}
	// Written even when interrupted: they report what ran, as the text does.
	if err := r.writeReports(reps); err != nil {
		return 0, err
	}
	switch {
	case interrupted:
		return 0, errInterrupted
	case failed:
		return cli.ExitDiff, nil
	case infra:
		return cli.ExitInfra, nil
	}
	if total[replay.OK] == 0 {
		// Nothing was compared: green would claim a check that never ran,
		// as pytest's "no tests ran" has a code of its own.
		fmt.Fprintf(r.stderr, "%s: error: nothing was checked: no call was sent and compared (%d skipped, %d not run)\n", prog, total[replay.Skipped], total[replay.NotRun])
		fmt.Fprintf(r.stderr, "%s: hint: calls that change data are skipped without --unsafe; the report says why each one was\n", prog)
		return exitNothingChecked, nil
	}
	return cli.ExitOK, nil
}

// exitNothingChecked is replay's own exit code for a run that compared no
// call at all.
const exitNothingChecked = 4

// one replays one recording and prints its report.
func (r *replayRun) one(ctx context.Context, t target) (*replay.Report, error) {
	f, err := r.readHAR(t.har)
	if errors.Is(err, har.ErrTruncated) {
		cli.Warn(r.stderr, prog, "%v; replaying the %d complete calls", err, len(f.Log.Entries))
	} else if err != nil {
		return nil, err
	}
	if r.mustCheck {
		r.mustCheck = false
		if err := auth.Check(ctx, r.inst.Source); err != nil {
			return nil, err
		}
	}
	entries := f.Log.Entries
	red := r.inst.Redactor

	specs, err := r.o.specs.For(ctx, t.flow, r.inst, func(w string) {
		if !r.o.quiet && !r.o.json {
			cli.Warn(r.stderr, prog, "%s", w)
		}
	}, true)
	if err != nil {
		return nil, err
	}
	if len(specs.Docs) == 0 {
		cli.Warn(r.stderr, prog, "%s: no spec, so calls are told apart by their paths alone and answers are not checked against one (give --spec)", t.name)
	}
	ix, err := r.o.specs.Index(specs.Docs, t.flow)
	if err != nil {
		return nil, err
	}
	// A recorded call's problems with the spec change only its verdict
	// (drift rather than matched), which --json and the demo's match table
	// print and no other report does: checking every recorded exchange was
	// half of planning, so it is done only for them.
	mt := match.New(ix, match.Options{Hosts: r.o.specs.HostList(t.flow), Redactor: red, NoChecks: !r.o.json && !r.showMatch})
	// The recording's own secrets are hidden by value too: an answer or a
	// message may repeat a recorded cookie or password without its name.
	// Observing pins them (on every core) before anything of the recording
	// is matched or printed, and learns the instance's hosts in the same
	// pass; pinning them first with PinSecrets found every secret twice.
	mt.ObserveAll(entries)
	if len(specs.Docs) > 0 {
		if err := checkFits(t.name, entries, mt, r.inst.Endpoint.Host, r.o.specs.HostList(t.flow)); err != nil {
			return nil, err
		}
	}
	if hosts := mt.SoleHost(entries); len(hosts) > 1 {
		return nil, cli.WithHint(fmt.Errorf("%s: the API calls go to %d hosts (%s) and nothing says which is the instance", t.har, len(hosts), strings.Join(hosts, ", ")),
			"name the instance's host with --host HOST (repeatable); calls to the other hosts are skipped")
	}
	plan := replay.NewPlan(entries, replay.PlanOptions{Matcher: mt, Unsafe: r.o.unsafe, Redactor: red})
	if !r.o.sel.wants(plan) {
		return nil, nil
	}
	r.selected++
	if r.showMatch && !r.o.json {
		var results []match.Result
		for _, c := range plan.Calls {
			results = append(results, c.Match)
		}
		fmt.Fprintf(r.stdout, "match %s: each recorded call and its operation in %s\n\n", t.name, specs.From)
		match.WriteTableColor(r.stdout, results, r.pal)
		fmt.Fprintln(r.stdout)
	}
	if r.o.dryRun {
		return nil, replay.WritePlan(r.stdout, t.name, plan, r.inst.Endpoint)
	}

	rules, noiseFile, err := r.rules(t)
	if err != nil {
		return nil, err
	}
	baseline, was, err := r.baseline(t, len(entries))
	if err != nil {
		return nil, err
	}
	status := cli.NewStatus(r.stderr)
	if r.o.quiet || r.o.json {
		status = nil
	}
	opts := replay.Options{
		Name: t.name, Endpoint: r.inst.Endpoint, Client: r.inst.Client, Spec: ix,
		Diff:        diff.Config{Rules: rules, NameHints: r.o.learnNoise, ValueHints: true},
		Concurrency: r.o.concurrency, Rate: r.o.rate, Timeout: r.o.timeout, Retries: r.o.retries,
		LearnNoise: r.o.learnNoise, BroadNoise: r.o.broadNoise, Baseline: baseline, BaselineValues: was, Redactor: red,
		Progress: func(done, total int, last *replay.EntryReport) {
			status.Set("replaying %s: %d/%d  #%d %s %s", t.name, done, total, last.Seq, last.Method, last.URL)
		},
	}
	if r.o.retries == 0 {
		opts.Retries = -1
	}
	opts.MaxBody = r.o.maxBody.MaxBody()
	rep, err := plan.Run(ctx, opts)
	status.Clear()
	if err != nil {
		return nil, err
	}
	if err := r.print(rep); err != nil {
		return nil, err
	}
	if r.learnBrake(t, rep) {
		// shown; nothing saved
	} else if r.o.saveNoise && len(rep.Learned) > 0 {
		added, err := diff.AddRules(noiseFile, rep.Learned)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(r.stderr, "%s: added %d noise rule(s) to %s\n", prog, len(added), noiseFile)
	} else if r.o.saveNoise {
		fmt.Fprintf(r.stderr, "%s: %s: no noise rule learned, nothing added to %s: %s\n", prog, t.name, r.display(noiseFile), whyNothingLearned(rep))
	}
	if r.o.update && !rep.Interrupted {
		if err := r.updateBaseline(t, f, baseline, was, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// readHAR reads a recording, "-" from standard input.
func (r *replayRun) readHAR(path string) (*har.File, error) {
	if path != "-" {
		return har.ReadFile(path)
	}
	return har.NewReader(r.stdin, har.ReaderOptions{Name: "<stdin>"}).ReadAll()
}

// learnBrake warns of learned noise the brake held back, and reports
// whether the whole lot is not to be saved: more rules than a sane limit.
// Rules held back for one answer are left out of rep.Learned already.
func (r *replayRun) learnBrake(t target, rep *replay.Report) (refused bool) {
	if n := len(rep.HeldBack); n > 0 {
		cli.Warn(r.stderr, prog, "%s: %d learned noise rule(s) held back, neither applied nor saved: for their answers they would hide most of it (see the call's warnings)", t.name, n)
	}
	refused = len(rep.LearnWarnings) > 0 && !r.o.broadNoise
	for _, w := range rep.LearnWarnings {
		if refused {
			w += "; none is saved"
		}
		cli.Warn(r.stderr, prog, "%s: %s", t.name, w)
	}
	if len(rep.HeldBack) > 0 || refused {
		fmt.Fprintf(r.stderr, "%s: hint: when the instance really answers so, --allow-broad-noise applies and saves them\n", prog)
	}
	return refused
}

// whyNothingLearned explains an empty --learn-noise result, so that
// saying nothing does not suggest the flow is clean.
func whyNothingLearned(rep *replay.Report) string {
	switch {
	case len(rep.HeldBack) > 0:
		return "what was learned was held back, as it would hide most of an answer"
	case rep.Counts[replay.OK]+rep.Counts[replay.Regression]+rep.Counts[replay.Drift] == 0:
		return "no call was answered"
	}
	return "each call answered the same both times, and as recorded where hints look"
}

func (r *replayRun) rules(t target) ([]diff.Rule, string, error) {
	file := r.o.noise
	if file == "" && t.har == "-" {
		return nil, "", nil
	}
	if file == "" {
		file = flow.NoiseFor(t.har)
	}
	fh, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) && r.o.noise == "" {
		return nil, file, nil
	}
	if err != nil {
		return nil, file, err
	}
	defer fh.Close()
	rules, err := diff.ParseRules(r.display(file), fh)
	return rules, file, err
}

// display names a file for reports: the demo's flows live in a temporary
// folder, but they are the bundled recordings/ to the reader.
func (r *replayRun) display(path string) string {
	if r.demoDir != "" {
		if rel, err := filepath.Rel(r.demoDir, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(filepath.Join("recordings", rel))
		}
	}
	return path
}

// baseline reads a recording's baseline (see baselinePath), answers to
// compare with in place of the recorded ones.
// The values map is what the run that wrote each answer created, in
// place of the recorded values (see readBaselineValues).
func (r *replayRun) baseline(t target, n int) (map[int]*har.Entry, map[int]map[string]string, error) {
	if t.har == "-" {
		return nil, nil, nil
	}
	path := baselinePath(t)
	f, err := har.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if len(f.Log.Entries) != n {
		cli.Warn(r.stderr, prog, "%s has %d calls but the recording has %d; comparing with the recording (refresh it with --update)", path, len(f.Log.Entries), n)
		return nil, nil, nil
	}
	was, err := readBaselineValues(path, n)
	if err != nil {
		return nil, nil, err
	}
	out := map[int]*har.Entry{}
	for i, e := range f.Log.Entries {
		out[i] = e
	}
	return out, was, nil
}

// baselinePath is where a recording's baseline lives, as package flow
// lays recordings out.
func baselinePath(t target) string {
	if t.flow != nil {
		return t.flow.BaselinePath()
	}
	return flow.BaselineFor(t.har)
}

// updateBaseline writes the answers received now as the flow's baseline.
// A call that got no usable answer (an infrastructure error, not run,
// skipped) keeps the answer it had, from the old baseline or else the
// recording: a 503 or a gap stored as the expected answer would turn the
// next good run into a regression.
func (r *replayRun) updateBaseline(t target, f *har.File, old map[int]*har.Entry, oldWas map[int]map[string]string, rep *replay.Report) error {
	path := baselinePath(t)
	fresh := map[int]bool{}
	out := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "apitrail replay --update", Version: "1"}}}
	var changed, kept []string
	for i, e := range f.Log.Entries {
		er := rep.Entries[i]
		prev := e
		if b := old[i]; b != nil {
			prev = b
		}
		switch er.Outcome {
		case replay.OK, replay.Regression, replay.Drift:
		case replay.Infra, replay.NotRun, replay.Interrupted:
			kept = append(kept, fmt.Sprintf("#%d", er.Seq))
			fallthrough
		default:
			out.Log.Entries = append(out.Log.Entries, prev)
			continue
		}
		fresh[i] = true
		ne := *e
		ne.Response = har.Response{Status: er.Response.Status, StatusText: "", HTTPVersion: "HTTP/1.1",
			Cookies: []har.Cookie{}, Headers: har.HeadersFrom(er.Response.Header), HeadersSize: -1, BodySize: int64(len(er.Response.Body))}
		ne.SetResponseBody(er.Response.Body, er.Response.Header.Get("Content-Type"))
		if c := er.Response.Cut; c != nil {
			// The digest lets the next replay tell a change past the cut
			// from none, which a recording capture cut cannot.
			ne.Response.BodySize, ne.Response.Content.Size = c.Size, c.Size
			ne.Response.Content.MarkTruncated(fmt.Sprintf("replay kept the first %d of %d bytes", c.Kept, c.Size))
			ne.Response.Content.SetSHA256(c.SHA256)
		}
		out.Log.Entries = append(out.Log.Entries, &ne)
		if er.Regression {
			changed = append(changed, fmt.Sprintf("#%d", er.Seq))
		}
	}
	// The baseline is meant to be committed: it goes out through the
	// redactor that knows the tokens in play and the recording's secrets.
	if err := har.WriteFile(path, out, har.WriterOptions{Redactor: r.inst.Redactor}); err != nil {
		return err
	}
	// An answer kept from the old baseline keeps its values; one kept from
	// the recording has the recorded ones (no entry).
	keptWas := map[int]map[string]string{}
	for i := range old {
		if old[i] != nil {
			keptWas[i] = oldWas[i]
		}
	}
	if err := writeBaselineValues(path, len(f.Log.Entries), fresh, runValues(rep), keptWas); err != nil {
		return err
	}
	what := "no answer changed"
	if len(changed) > 0 {
		where := "the differences are above"
		switch {
		case r.o.json:
			where = "the differences are in their \"entry\" lines"
		case r.o.quiet:
			where = "-q printed no differences; run without it to see them"
		}
		what = fmt.Sprintf("%d answer(s) changed: %s (%s)", len(changed), strings.Join(changed, ", "), where)
	}
	if len(kept) > 0 {
		what += fmt.Sprintf("; %s got no usable answer and keep the previous one", strings.Join(kept, ", "))
	}
	fmt.Fprintf(r.stderr, "%s: wrote %s: %s\n", prog, path, what)
	return nil
}

func (r *replayRun) print(rep *replay.Report) error {
	switch {
	case r.o.json:
		for _, e := range rep.Entries {
			if err := r.enc.Encode(struct {
				Kind string `json:"kind"`
				Flow string `json:"flow"`
				*replay.EntryReport
			}{"entry", rep.Flow, e}); err != nil {
				return err
			}
		}
		return r.enc.Encode(struct {
			Kind string `json:"kind"`
			*replay.Report
		}{"flow", rep})
	case r.o.quiet:
		_, err := fmt.Fprintf(r.stdout, "%s: %s\n", rep.Flow, replay.Summary(rep))
		return err
	}
	return replay.WriteTextColor(r.stdout, rep, r.pal)
}
