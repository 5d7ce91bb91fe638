package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/proxy"
)

const prog = "capture"

// defaultListen is where the proxy listens unless told otherwise: this
// machine only, since anyone who reaches a recording proxy reads what it
// records.
const defaultListen = "127.0.0.1:8080"

type options struct {
	output      string
	force       bool
	hosts       []string
	keepAssets  bool
	maxBody     cli.Size
	redact      []string
	keepSecrets bool

	listen     string
	caDir      string
	caInfo     bool
	upstreamCA string
	insecure   bool

	browser     string
	browserPath string
	browserArgs []string
	headless    bool

	from string
	// fromName is how messages name --from when it is not a path the
	// user gave: "standard input", spooled to a temporary file.
	fromName string
	flowDir  string

	filter *proxy.Filter
	rules  har.Rules
	// pageHostOnly says the filter was set to --browser's host because
	// --host was not given.
	pageHostOnly bool
}

// run parses the flags and runs one mode, each in a file of its own:
// --ca-info (ca.go), --from (import.go) or recording (record.go); --flow
// (flowdir.go) wraps the last two.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	o := options{maxBody: cli.Size(proxy.DefaultMaxBody)}
	fs := pflag.NewFlagSet(prog, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&o.output, "output", "o", flow.HARFile, "")
	fs.BoolVarP(&o.force, "force", "f", false, "")
	fs.StringArrayVar(&o.hosts, "host", nil, "")
	fs.BoolVar(&o.keepAssets, "keep-assets", false, "")
	fs.Var(&o.maxBody, "max-body", "")
	fs.StringArrayVar(&o.redact, "redact", nil, "")
	fs.BoolVar(&o.keepSecrets, "keep-secrets", false, "")
	fs.StringVarP(&o.listen, "listen", "l", "", "")
	fs.StringVar(&o.caDir, "ca-dir", "", "")
	fs.BoolVar(&o.caInfo, "ca-info", false, "")
	fs.StringVar(&o.upstreamCA, "upstream-ca", "", "")
	fs.BoolVar(&o.insecure, "insecure", false, "")
	fs.StringVar(&o.browser, "browser", "", "")
	fs.StringVar(&o.browserPath, "browser-path", "", "")
	fs.StringArrayVar(&o.browserArgs, "browser-arg", nil, "")
	fs.BoolVar(&o.headless, "headless", false, "")
	fs.StringVar(&o.from, "from", "", "")
	fs.StringVar(&o.flowDir, "flow", "", "")
	help := fs.BoolP("help", "h", false, "")
	version := fs.Bool("version", false, "")
	completion := fs.String("completion", "", "")
	if err := fs.Parse(args); err != nil {
		return cli.PrintError(stderr, prog, cli.WithHint(err, "run 'capture --help' for usage"))
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if code, done := cli.Meta(stdout, stderr, prog, fs, *version, *completion); done {
		return code
	}
	if err := o.check(fs); err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	var err error
	code := cli.ExitOK
	undoFlow := func() {}
	if o.flowDir != "" && !o.caInfo {
		if undoFlow, err = o.makeFlowDir(); err != nil {
			return cli.PrintError(stderr, prog, err)
		}
	}
	switch {
	case o.caInfo:
		err = printCAInfo(&o, stdout, stderr, getenv)
	case o.from == "-":
		var done func()
		if o.from, done, err = spoolStdin(stdin); err == nil {
			o.fromName = "standard input"
			code, err = importHAR(&o, stdout, stderr)
			done()
			err = renamed(err, o.from, o.fromName)
		}
	case o.from != "":
		code, err = importHAR(&o, stdout, stderr)
	default:
		code, err = record(&o, stdout, stderr, getenv)
	}
	if err != nil {
		code = cli.PrintError(stderr, prog, err)
	}
	if o.flowDir != "" && !o.caInfo {
		switch {
		case err == nil && code == cli.ExitOK:
			if err := o.finishFlow(stderr); err != nil {
				return cli.PrintError(stderr, prog, err)
			}
		case code == cli.ExitDiff || !flow.IsFlow(o.flowDir):
			undoFlow() // nothing was recorded in the folder made for it
		}
	}
	return code
}

// check validates the flags together, before anything is touched.
func (o *options) check(fs *pflag.FlagSet) error {
	if fs.NArg() > 0 {
		hint := "capture takes no arguments"
		if u, err := url.Parse(fs.Arg(0)); err == nil && u.Scheme != "" {
			hint = "to open a page in a browser, write --browser " + fs.Arg(0)
		}
		return cli.WithHint(fmt.Errorf("unexpected argument %q", fs.Arg(0)), "%s", hint)
	}
	if err := o.checkFlow(fs); err != nil {
		return err
	}
	// A folder (or a missing one) is named as the user wrote it; an
	// existing file is refused later, where --force is weighed.
	if o.output != "" && !o.caInfo && o.flowDir == "" {
		if err := cli.CheckOutput("-o", o.output, true); err != nil {
			return err
		}
	}
	set := func(name string) bool { return fs.Changed(name) }
	if o.from != "" {
		for _, name := range []string{"browser", "browser-path", "browser-arg", "headless", "listen", "upstream-ca", "insecure", "ca-dir", "ca-info"} {
			if set(name) {
				return cli.WithHint(fmt.Errorf("--%s does not go with --from", name), "--from cleans a file; --%s is for recording live", name)
			}
		}
	}
	if o.browser == "" {
		for _, name := range []string{"browser-path", "browser-arg", "headless"} {
			if set(name) {
				return cli.WithHint(fmt.Errorf("--%s needs --browser URL", name), "name the page to open, e.g. --browser https://testops.example.com/")
			}
		}
	} else {
		u, err := url.Parse(o.browser)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cli.WithHint(fmt.Errorf("--browser %q is not an http or https URL", o.browser), "write the whole address, e.g. --browser https://%s", strings.TrimPrefix(o.browser, "//"))
		}
	}
	if o.output == "" {
		return cli.WithHint(errors.New("--output is empty"), "name a file, or - for standard output")
	}
	o.filter = &proxy.Filter{KeepAssets: o.keepAssets}
	for _, arg := range o.hosts {
		for _, s := range strings.Split(arg, ",") {
			p, err := proxy.ParseHostPattern(s)
			if err != nil {
				return cli.WithHint(fmt.Errorf("--host: %w", err), "a pattern is a host name with an optional port, and * for any part: *.example.com, localhost:8443")
			}
			o.filter.Hosts = append(o.filter.Hosts, p)
		}
	}
	if o.browser != "" && len(o.filter.Hosts) == 0 {
		// A browser talks to Google on its own (sign-in, updates) even
		// with its background networking off; without --host, record
		// the page's own host rather than that.
		u, _ := url.Parse(o.browser)
		p, err := proxy.ParseHostPattern(u.Hostname())
		if err != nil {
			return cli.WithHint(fmt.Errorf("--browser %q: %w", o.browser, err), "name the hosts to record with --host")
		}
		o.filter.Hosts = []proxy.HostPattern{p}
		o.pageHostOnly = true
	}
	var names []string
	for _, n := range o.redact {
		for _, s := range strings.Split(n, ",") {
			if s = strings.TrimSpace(s); s == "" {
				return errors.New("--redact needs a name, such as --redact X-Session-Id")
			}
			names = append(names, s)
		}
	}
	o.rules = har.DefaultRules().With(har.Rules{Names: names})
	if o.keepSecrets && len(names) > 0 {
		return errors.New("--redact and --keep-secrets contradict each other")
	}
	if o.listen != "" {
		if _, _, err := net.SplitHostPort(o.listen); err != nil {
			return cli.WithHint(fmt.Errorf("--listen %q: %v", o.listen, err), "write host:port, e.g. --listen 127.0.0.1:8081")
		}
	}
	return nil
}
