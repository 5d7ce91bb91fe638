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

// record is the default mode: a recording proxy (and a browser, with
// --browser) until Ctrl-C or the browser closes.
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

func hostList(ps []proxy.HostPattern) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}
