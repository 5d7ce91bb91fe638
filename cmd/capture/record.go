package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/proxy"
	"github.com/apitrail/apitrail/proxy/ca"
)

// shutdownGrace is how long exchanges in flight get to finish after
// Ctrl-C before they are recorded as cut short.
const shutdownGrace = 3 * time.Second

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
	w    io.Writer
	path string
	file *os.File
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
		return nil, cli.CheckOutput("-o", path, false) // the refusal every command words alike
	}
	if err != nil {
		return nil, err
	}
	return &output{w: f, path: path, file: f}, nil
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
	if remove {
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
	if e.NetworkError() != "" {
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

// record is the default mode: a recording proxy (and a browser, with
// --browser) until Ctrl-C or the browser closes.
func record(o *options, stdout, stderr io.Writer, getenv func(string) string) (int, error) {
	r, err := startRecorder(o, stdout, stderr, getenv)
	if err != nil {
		return 0, err
	}
	defer r.release()
	if err := r.wait(); err != nil {
		return 0, err
	}
	return r.finish()
}

// recorder is one recording: the proxy, the file it writes and the browser
// it may have started. startRecorder sets it going, wait waits for its end
// and finish closes it and says what was recorded.
type recorder struct {
	o           *options
	con         *console
	ca          *ca.CA
	browserPath string
	l           net.Listener
	out         *output
	hw          *har.Writer
	sink        *sink
	p           *proxy.Proxy
	served      chan error
	proxyAddr   string
	sigs        chan os.Signal
	br          *browser

	// why the recording ended, and how the browser did, for finish.
	why        string
	browserErr error
}

// startRecorder listens, opens the file, starts the proxy (and the browser)
// and says where they are. When it fails it leaves nothing behind: no
// listener, and no file it made.
func startRecorder(o *options, stdout, stderr io.Writer, getenv func(string) string) (_ *recorder, err error) {
	r := &recorder{o: o}
	roots, err := upstreamRoots(o.upstreamCA)
	if err != nil {
		return nil, err
	}
	if r.ca, err = openCA(o, stderr, getenv); err != nil {
		return nil, err
	}
	if o.browser != "" {
		if r.browserPath, err = findBrowser(o.browserPath); err != nil {
			return nil, err
		}
	}
	addr := o.listen
	if addr == "" {
		addr = defaultListen
		if o.browser != "" {
			addr = "127.0.0.1:0"
		}
	}
	if r.l, err = net.Listen("tcp", addr); err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, cli.WithHint(fmt.Errorf("cannot listen on %s: the address is in use", addr), "another proxy (or capture) runs there; pick a port with --listen 127.0.0.1:8081")
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	defer func() {
		if err != nil {
			r.abort()
		}
	}()

	if r.out, err = createOutput(o.output, o.force, stdout); err != nil {
		return nil, err
	}
	red := har.NewRedactor(o.rules)
	head := &har.File{Log: har.Log{Version: "1.2", Creator: cli.Creator(prog)}}
	if r.browserPath != "" {
		head.Log.Browser = browserVersion(r.browserPath)
	}
	if r.hw, err = har.NewWriter(r.out.w, har.WriterOptions{Header: head, Redactor: red, KeepSecrets: o.keepSecrets}); err != nil {
		return nil, fmt.Errorf("writing %s: %w", r.out.path, err)
	}
	r.con = &console{w: stderr, status: cli.NewStatus(stderr), warned: map[string]bool{}}
	if o.keepSecrets {
		cli.Warn(stderr, prog, "--keep-secrets: tokens, cookies and passwords go into %s as they are; do not share it", r.out.path)
	}
	if o.insecure {
		cli.Warn(stderr, prog, "--insecure: server certificates are not checked; anyone between you and a server can read and change what is recorded")
	}
	if !isLoopback(r.l.Addr()) {
		host, _, _ := net.SplitHostPort(addr)
		_, port, _ := net.SplitHostPort(r.l.Addr().String())
		cli.Warn(stderr, prog, "listening on %s, which other machines may reach: anyone who can connect can use this proxy and read what it records", net.JoinHostPort(host, port))
	}
	r.sink = &sink{w: r.hw, red: red, keep: o.keepSecrets}
	con := r.con
	p, err := proxy.New(proxy.Options{
		CA:                 r.ca,
		Writer:             r.sink,
		Filter:             o.filter,
		MaxBody:            o.maxBody.MaxBody(),
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
		return nil, err
	}
	r.p = p
	r.served = make(chan error, 1)
	go func() { r.served <- p.Serve(r.l) }()

	r.proxyAddr = r.l.Addr().String()
	if ta, ok := r.l.Addr().(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		r.proxyAddr = net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	r.sigs = make(chan os.Signal, 2)
	signal.Notify(r.sigs, os.Interrupt, syscall.SIGTERM)

	if r.browserPath != "" {
		if r.br, err = startBrowser(r.browserPath, browserArgs(o, r.proxyAddr, r.ca.SPKIHash())); err != nil {
			return nil, err
		}
	}
	r.con.printf("proxy on http://%s, recording to %s", r.proxyAddr, r.out.path)
	r.con.printf("CA certificate %s", r.ca.CertFile())
	if o.pageHostOnly {
		r.con.printf("recording %s only, the page's host; name others with --host, or --host '*' for all", o.filter.Hosts[0])
	}
	if r.br != nil {
		r.con.printf("started %s on %s; close it (or press Ctrl-C) to finish", filepath.Base(r.browserPath), o.browser)
	} else {
		r.con.printf("try: curl --proxy http://%s --cacert %s https://example.com/", r.proxyAddr, r.ca.CertFile())
		r.con.printf("press Ctrl-C to finish")
	}
	return r, nil
}

// abort undoes a start that failed half-way: the proxy stopped, the file
// it began removed.
func (r *recorder) abort() {
	if r.p != nil {
		shutdown(r.p, nil)
		r.hw.Close()
	}
	if r.out != nil {
		r.out.close(true)
	}
	r.release()
}

// release lets go of what the recording holds to its very end, whichever
// way it ended.
func (r *recorder) release() {
	if r.br != nil {
		r.br.stop()
	}
	if r.sigs != nil {
		signal.Stop(r.sigs)
	}
	r.l.Close()
}

// wait shows the status line until Ctrl-C, SIGTERM or the browser's end.
// A proxy that stops on its own is an error, with the file closed as it
// stands.
func (r *recorder) wait() error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var browserDone <-chan struct{}
	if r.br != nil {
		browserDone = r.br.exited
	}
	var shown string
	for {
		select {
		case s := <-r.sigs:
			r.why = "stopped by " + signalName(s)
			return nil
		case <-browserDone:
			r.why = "the browser closed"
			r.browserErr = r.br.failure()
			return nil
		case err := <-r.served:
			r.con.status.Clear()
			shutdown(r.p, nil)
			r.hw.Close()
			r.out.close(false)
			return fmt.Errorf("the proxy stopped: %v", err)
		case <-tick.C:
			n, last := r.sink.state()
			line := fmt.Sprintf("capture: %d recorded, %d passed through", n, r.p.Stats().Passed)
			if last != "" {
				line += "; last: " + last
			}
			if line != shown {
				shown = line
				r.con.setStatus(line)
			}
		}
	}
}

// finish stops the browser and the proxy, giving exchanges in flight their
// grace, closes the file and says what was recorded: ExitDiff when nothing
// was.
func (r *recorder) finish() (int, error) {
	if r.br != nil {
		r.br.stop()
	}
	perr := shutdown(r.p, r.sigs)
	werr := r.hw.Close()
	if cerr := r.out.close(false); werr == nil {
		werr = cerr
	}
	r.con.status.Clear()
	n, _ := r.sink.state()
	st := r.p.Stats()
	r.con.printf("%s: recorded %d exchanges to %s (%d passed through unrecorded)", r.why, n, r.out.path, st.Passed)
	switch {
	case werr != nil:
		return 0, fmt.Errorf("writing %s: %w", r.out.path, werr)
	case perr != nil:
		return 0, perr
	case r.browserErr != nil:
		return 0, r.browserErr
	case n == 0:
		if len(r.o.filter.Hosts) > 0 {
			r.con.printf("nothing was recorded: no request went to %s", hostList(r.o.filter.Hosts))
		} else {
			r.con.printf("nothing was recorded")
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

func hostList(ps []proxy.HostPattern) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}
