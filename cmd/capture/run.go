package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/apitrail/apitrail/flow"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/proxy"
	"github.com/apitrail/apitrail/proxy/ca"
)

const prog = "capture"

// defaultListen is where the proxy listens unless told otherwise: this
// machine only, since anyone who reaches a recording proxy reads what it
// records.
const defaultListen = "127.0.0.1:8080"

// shutdownGrace is how long exchanges in flight get to finish after
// Ctrl-C before they are recorded as cut short.
const shutdownGrace = 3 * time.Second

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

	from    string
	flowDir string

	filter *proxy.Filter
	rules  har.Rules
	// pageHostOnly says the filter was set to --browser's host because
	// --host was not given.
	pageHostOnly bool
}

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
			code, err = importHAR(&o, stdout, stderr)
			done()
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

// creator names this tool in the HAR files it writes.
func creator() har.Creator {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return har.Creator{Name: "apitrail capture", Version: v}
}

// caDir is where the CA lives: --ca-dir, $APITRAIL_CAROOT, or a folder in
// the user's data folder, as mkcert chooses its CAROOT.
func caDir(o *options, getenv func(string) string) (string, error) {
	if o.caDir != "" {
		return o.caDir, nil
	}
	if d := getenv("APITRAIL_CAROOT"); d != "" {
		return d, nil
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = getenv("LocalAppData")
	case "darwin":
		if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Application Support")
		}
	default:
		base = getenv("XDG_DATA_HOME")
		if base == "" {
			if h := getenv("HOME"); h != "" {
				base = filepath.Join(h, ".local", "share")
			}
		}
	}
	if base == "" {
		return "", cli.WithHint(errors.New("cannot tell where to keep the CA: no home folder"), "name a folder with --ca-dir or $APITRAIL_CAROOT")
	}
	return filepath.Join(base, "apitrail", "ca"), nil
}

// openCA loads the CA, making it on first use, and says so when it did.
func openCA(o *options, stderr io.Writer, getenv func(string) string) (*ca.CA, error) {
	dir, err := caDir(o, getenv)
	if err != nil {
		return nil, err
	}
	name := "local CA"
	if u, err := user.Current(); err == nil {
		name = u.Username
		if h, err := os.Hostname(); err == nil {
			name += "@" + h
		}
	}
	c, created, err := ca.LoadOrCreate(dir, name)
	var perm *ca.PermissionError
	if errors.As(err, &perm) {
		// The error names the folder or key, and its hint the fix.
		return nil, err
	}
	if err != nil {
		return nil, cli.WithHint(fmt.Errorf("the CA in %s: %w", dir, err), "another folder can be named with --ca-dir")
	}
	if created {
		fmt.Fprintf(stderr, "%s: made a new local CA in %s (the key is readable by you only)\n", prog, dir)
		fmt.Fprintf(stderr, "%s: 'capture --ca-info' tells how to make browsers and curl trust it\n", prog)
	}
	return c, nil
}

func printCAInfo(o *options, stdout, stderr io.Writer, getenv func(string) string) error {
	c, err := openCA(o, stderr, getenv)
	if err != nil {
		return err
	}
	listen := o.listen
	if listen == "" {
		listen = defaultListen
	}
	fmt.Fprint(stdout, c.TrustInstructions("http://"+listen))
	return nil
}

// upstreamRoots is the system's roots plus --upstream-ca.
func upstreamRoots(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--upstream-ca: %w", err)
	}
	pool, ok := cli.PoolWithPEM(pem)
	if !ok {
		return nil, cli.WithHint(fmt.Errorf("--upstream-ca: %s holds no PEM certificate", path), "give the CA certificate file, the one that starts with -----BEGIN CERTIFICATE-----")
	}
	return pool, nil
}

// output is where the recording goes: a file created for it, or standard
// output.
type output struct {
	w       io.Writer
	path    string
	file    *os.File
	created bool
}

// createOutput opens the recording file, refusing to replace one unless
// asked: a recording lost to a repeated command is a recording lost.
func createOutput(path string, force bool, stdout io.Writer) (*output, error) {
	if path == "-" {
		return &output{w: stdout, path: "standard output"}, nil
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, cli.WithHint(fmt.Errorf("%s exists", path), "choose another file with -o, or add --force to replace it")
	}
	if err != nil {
		return nil, err
	}
	return &output{w: f, path: path, file: f, created: true}, nil
}

// close syncs and closes the file, and removes it when the recording
// never started.
func (o *output) close(remove bool) error {
	if o.file == nil {
		return nil
	}
	err := o.file.Sync()
	if cerr := o.file.Close(); err == nil {
		err = cerr
	}
	if remove && o.created {
		os.Remove(o.path)
	}
	return err
}

func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// console prints lines while keeping the status line out of their way.
type console struct {
	mu     sync.Mutex
	w      io.Writer
	status *cli.Status
	warned map[string]bool
}

func (c *console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.Clear()
	fmt.Fprintf(c.w, prog+": "+format+"\n", args...)
}

// setStatus replaces the status line, never in the middle of a line that
// printf or warnOnce writes.
func (c *console) setStatus(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.Set("%s", line)
}

// warnOnce prints a warning the first time its key comes up.
func (c *console) warnOnce(key, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.warned[key] {
		return
	}
	c.warned[key] = true
	c.status.Clear()
	cli.Warn(c.w, prog, format, args...)
}

// sink writes entries to the HAR and keeps what the status line shows.
type sink struct {
	w    *har.Writer
	red  *har.Redactor
	keep bool

	mu    sync.Mutex
	count int
	last  string
}

func (s *sink) Write(e *har.Entry) error {
	if err := s.w.Write(e); err != nil {
		return err
	}
	u := e.Request.URL
	if !s.keep {
		u = s.red.URL(u)
	}
	status := fmt.Sprint(e.Response.Status)
	if e.Error() != "" {
		status = "failed"
	}
	s.mu.Lock()
	s.count++
	s.last = e.Request.Method + " " + u + " " + status
	s.mu.Unlock()
	return nil
}

func (s *sink) state() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count, s.last
}

func record(o *options, stdout, stderr io.Writer, getenv func(string) string) (int, error) {
	roots, err := upstreamRoots(o.upstreamCA)
	if err != nil {
		return 0, err
	}
	c, err := openCA(o, stderr, getenv)
	if err != nil {
		return 0, err
	}
	var browserPath string
	if o.browser != "" {
		if browserPath, err = findBrowser(o.browserPath); err != nil {
			return 0, err
		}
	}
	addr := o.listen
	if addr == "" {
		addr = defaultListen
		if o.browser != "" {
			addr = "127.0.0.1:0"
		}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return 0, cli.WithHint(fmt.Errorf("cannot listen on %s: the address is in use", addr), "another proxy (or capture) runs there; pick a port with --listen 127.0.0.1:8081")
		}
		return 0, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	defer l.Close()

	out, err := createOutput(o.output, o.force, stdout)
	if err != nil {
		return 0, err
	}
	started := false
	defer func() {
		if !started {
			out.close(true)
		}
	}()
	red := har.NewRedactor(o.rules)
	head := &har.File{Log: har.Log{Version: "1.2", Creator: creator()}}
	if browserPath != "" {
		head.Log.Browser = browserVersion(browserPath)
	}
	hw, err := har.NewWriter(out.w, har.WriterOptions{Header: head, Redactor: red, KeepSecrets: o.keepSecrets})
	if err != nil {
		return 0, fmt.Errorf("writing %s: %w", out.path, err)
	}
	con := &console{w: stderr, status: cli.NewStatus(stderr), warned: map[string]bool{}}
	if o.keepSecrets {
		cli.Warn(stderr, prog, "--keep-secrets: tokens, cookies and passwords go into %s as they are; do not share it", out.path)
	}
	if o.insecure {
		cli.Warn(stderr, prog, "--insecure: server certificates are not checked; anyone between you and a server can read and change what is recorded")
	}
	if !isLoopback(l.Addr()) {
		host, _, _ := net.SplitHostPort(addr)
		_, port, _ := net.SplitHostPort(l.Addr().String())
		cli.Warn(stderr, prog, "listening on %s, which other machines may reach: anyone who can connect can use this proxy and read what it records", net.JoinHostPort(host, port))
	}
	rec := &sink{w: hw, red: red, keep: o.keepSecrets}
	p, err := proxy.New(proxy.Options{
		CA:                 c,
		Writer:             rec,
		Filter:             o.filter,
		MaxBody:            maxBodyOption(int64(o.maxBody)),
		UpstreamRoots:      roots,
		InsecureSkipVerify: o.insecure,
		OnError: func(err error) {
			switch {
			case errors.Is(err, proxy.ErrWrite):
				con.warnOnce("write", "%v; the recording is missing entries from here on", err)
			case errors.Is(err, proxy.ErrClientHandshake):
				// Clients word a refused certificate in many ways (curl's
				// OpenSSL makes it "bad record MAC"), so every failed
				// handshake is shown, each once.
				con.warnOnce(err.Error(), "%v", err)
				con.warnOnce("ca-hint", "a client that does not trust the capture CA fails this way; 'capture --ca-info' tells how to trust it, or use --browser")
			case errors.Is(err, proxy.ErrUpstreamCertificate):
				con.warnOnce(err.Error(), "%v", err)
				con.warnOnce("upstream-hint", "to trust a server's private CA, give its certificate with --upstream-ca FILE (or --insecure to check nothing)")
			}
		},
	})
	if err != nil {
		return 0, err
	}
	served := make(chan error, 1)
	go func() { served <- p.Serve(l) }()

	proxyAddr := l.Addr().String()
	if ta, ok := l.Addr().(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		proxyAddr = net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	var br *browser
	if browserPath != "" {
		br, err = startBrowser(browserPath, browserArgs(o, proxyAddr, c.SPKIHash()))
		if err != nil {
			shutdown(p, nil)
			hw.Close()
			return 0, err
		}
		defer br.stop()
	}
	started = true
	con.printf("proxy on http://%s, recording to %s", proxyAddr, out.path)
	con.printf("CA certificate %s", c.CertFile())
	if o.pageHostOnly {
		con.printf("recording %s only, the page's host; name others with --host, or --host '*' for all", o.filter.Hosts[0])
	}
	if br != nil {
		con.printf("started %s on %s; close it (or press Ctrl-C) to finish", filepath.Base(browserPath), o.browser)
	} else {
		con.printf("try: curl --proxy http://%s --cacert %s https://example.com/", proxyAddr, c.CertFile())
		con.printf("press Ctrl-C to finish")
	}

	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var browserDone <-chan struct{}
	if br != nil {
		browserDone = br.exited
	}
	var why, shown string
	var browserErr error
loop:
	for {
		select {
		case s := <-sigs:
			why = "stopped by " + signalName(s)
			break loop
		case <-browserDone:
			why = "the browser closed"
			browserErr = br.failure()
			break loop
		case err := <-served:
			con.status.Clear()
			shutdown(p, nil)
			hw.Close()
			out.close(false)
			return 0, fmt.Errorf("the proxy stopped: %v", err)
		case <-tick.C:
			n, last := rec.state()
			line := fmt.Sprintf("capture: %d recorded, %d passed through", n, p.Stats().Passed)
			if last != "" {
				line += "; last: " + last
			}
			if line != shown {
				shown = line
				con.setStatus(line)
			}
		}
	}
	if br != nil {
		br.stop()
	}
	perr := shutdown(p, sigs)
	werr := hw.Close()
	if cerr := out.close(false); werr == nil {
		werr = cerr
	}
	con.status.Clear()
	n, _ := rec.state()
	st := p.Stats()
	con.printf("%s: recorded %d exchanges to %s (%d passed through unrecorded)", why, n, out.path, st.Passed)
	switch {
	case werr != nil:
		return 0, fmt.Errorf("writing %s: %w", out.path, werr)
	case perr != nil:
		return 0, perr
	case browserErr != nil:
		return 0, browserErr
	case n == 0:
		if len(o.filter.Hosts) > 0 {
			con.printf("nothing was recorded: no request went to %s", hostList(o.filter.Hosts))
		} else {
			con.printf("nothing was recorded")
		}
		return cli.ExitDiff, nil
	}
	return cli.ExitOK, nil
}

// shutdown finishes the proxy, giving exchanges in flight a grace period
// that a second Ctrl-C cuts short.
func shutdown(p *proxy.Proxy, sigs <-chan os.Signal) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	return p.Shutdown(ctx)
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "Ctrl-C"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// maxBodyOption turns --max-body into proxy's terms, where 0 means the
// default and a negative value keeps no bodies.
func maxBodyOption(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

func importHAR(o *options, stdout, stderr io.Writer) (int, error) {
	if _, err := os.Stat(o.from); err != nil {
		return 0, fmt.Errorf("--from: %w", err)
	}
	if o.output != "-" {
		if same(o.output, o.from) {
			return 0, cli.WithHint(fmt.Errorf("-o %s would replace the file being imported", o.output), "write the clean copy to another file")
		}
		if _, err := os.Stat(o.output); err == nil && !o.force {
			return 0, cli.WithHint(fmt.Errorf("%s exists", o.output), "choose another file with -o, or add --force to replace it")
		}
	}
	head, err := importHeader(o.from)
	if err != nil {
		return 0, err
	}
	var w io.Writer = stdout
	var tmp *atomicfile.File
	if o.output != "-" {
		if tmp, err = atomicfile.Create(o.output, 0o600); err != nil {
			return 0, err
		}
		defer tmp.Abort()
		w = tmp
	}
	red := har.NewRedactor(o.rules)
	hw, err := har.NewWriter(w, har.WriterOptions{Header: head, Redactor: red, KeepSecrets: o.keepSecrets})
	if err != nil {
		return 0, err
	}
	if o.keepSecrets {
		cli.Warn(stderr, prog, "--keep-secrets: tokens, cookies and passwords go into %s as they are; do not share it", o.output)
	}
	opts := proxy.ImportOptions{Filter: o.filter, MaxBody: maxBodyOption(int64(o.maxBody))}
	if !o.keepSecrets {
		opts.Redactor = red
	}
	st, err := proxy.Import(o.from, hw, opts)
	if err != nil {
		if !strings.Contains(err.Error(), o.from) {
			err = fmt.Errorf("%s: %w", o.from, err)
		}
		return 0, err
	}
	if st.Truncated != nil {
		// A recording killed mid-write is what --from makes whole again.
		cli.Warn(stderr, prog, "%v; imported the %d complete entries", st.Truncated, st.Truncated.Entries)
	}
	if st.Unreadable > 0 {
		noun := "bodies"
		if st.Unreadable == 1 {
			noun = "body"
		}
		cli.Warn(stderr, prog, "%d %s could not be read and were left out of their entries (first: %v)", st.Unreadable, noun, st.BodyErr)
	}
	if err := hw.Close(); err != nil {
		return 0, err
	}
	if tmp != nil {
		if err := tmp.Commit(); err != nil {
			return 0, err
		}
	}
	dest := o.output
	if dest == "-" {
		dest = "standard output"
	}
	msg := fmt.Sprintf("%s: kept %d of %d entries of %s in %s", prog, st.Kept, st.Read, o.from, dest)
	if left := st.Read - st.Kept; left > 0 {
		msg += fmt.Sprintf(" (%d were static assets or other hosts)", left)
	}
	if st.Cut > 0 {
		msg += fmt.Sprintf("; %d with a body cut to --max-body", st.Cut)
	}
	fmt.Fprintln(stderr, msg)
	if st.Kept == 0 {
		return cli.ExitDiff, nil
	}
	return cli.ExitOK, nil
}

// importHeader reads the log header of an exported HAR (browser, pages)
// and names capture as the creator, noting where the file came from.
func importHeader(path string) (*har.File, error) {
	r, err := har.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	defer r.Close()
	// A file cut short still has its header, unless the cut came before
	// the entries began; Import says how much was left.
	if _, err := r.Next(); err != nil && err != io.EOF && !errors.Is(err, har.ErrTruncated) {
		if !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return nil, err
	}
	h := *r.Header()
	src := h.Log.Creator.Name
	if h.Log.Creator.Version != "" {
		src += " " + h.Log.Creator.Version
	}
	note := "imported by apitrail capture from " + filepath.Base(path)
	if strings.TrimSpace(src) != "" {
		note += ", made by " + strings.TrimSpace(src)
	}
	if h.Log.Comment != "" {
		note = h.Log.Comment + "; " + note
	}
	h.Log.Comment = note
	h.Log.Creator = creator()
	h.Log.Version = "1.2"
	return &h, nil
}

func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func hostList(ps []proxy.HostPattern) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}
