package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/martian/v3"
	mlog "github.com/google/martian/v3/log"
	"github.com/google/martian/v3/mitm"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/proxy/ca"
)

// DefaultMaxBody is how much of each body a recording keeps when
// Options.MaxBody is zero.
const DefaultMaxBody = 4 << 20

// DefaultIdleTimeout closes a client connection that has neither sent nor
// received anything for this long, when Options.IdleTimeout is zero.
const DefaultIdleTimeout = 5 * time.Minute

// EntryWriter receives each recorded exchange. *har.Writer is one; it
// redacts secrets before anything reaches its file.
type EntryWriter interface {
	Write(*har.Entry) error
}

// Options configure a Proxy.
type Options struct {
	// CA signs the certificates that HTTPS clients see. Required.
	CA *ca.CA
	// Writer receives the recording. Required. The proxy writes to it
	// from one goroutine at a time.
	Writer EntryWriter
	// Filter decides what is recorded; nil records everything.
	Filter *Filter
	// MaxBody is how many bytes of each body (and of a WebSocket
	// connection's messages) the recording keeps: zero means
	// DefaultMaxBody, a negative value keeps no bodies.
	MaxBody int64
	// UpstreamRoots verifies servers' certificates; nil means the
	// system's roots.
	UpstreamRoots *x509.CertPool
	// InsecureSkipVerify accepts any server certificate. It exists for
	// users who ask for it by flag, and should come with a warning.
	InsecureSkipVerify bool
	// IdleTimeout closes client connections idle for this long; zero
	// means DefaultIdleTimeout. Streams (WebSocket, server-sent events,
	// tunnels) have none.
	IdleTimeout time.Duration
	// OnError hears of problems that do not stop the proxy: a client that
	// refused the interception certificate, a failed write. May be nil.
	OnError func(error)
}

// Stats counts what the proxy has seen.
type Stats struct {
	// Recorded is the number of entries handed to the writer.
	Recorded int64
	// Passed is the number of requests and tunnels passed through
	// without being recorded (other hosts, static assets).
	Passed int64
}

// Proxy is a recording forward proxy. Serve it on one or more listeners,
// then Shutdown to finish the recording.
type Proxy struct {
	opts      Options
	maxBody   int64
	filter    *Filter
	mp        *martian.Proxy
	transport *http.Transport
	upTLS     *tls.Config
	dialer    *net.Dialer
	queue     *entryQueue

	baseCtx    context.Context
	cancelBase context.CancelFunc

	mu        sync.Mutex
	listeners map[net.Listener]bool
	conns     map[*trackedConn]bool
	streams   map[io.Closer]bool
	closing   atomic.Bool
	shutdown  sync.Once
	pending   tracker

	recorded atomic.Int64
	passed   atomic.Int64
}

// New returns a proxy that records through opts.Writer.
func New(opts Options) (*Proxy, error) {
	if opts.CA == nil {
		return nil, errors.New("no CA")
	}
	if opts.Writer == nil {
		return nil, errors.New("no writer")
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	p := &Proxy{
		opts:      opts,
		maxBody:   bodyLimit(opts.MaxBody),
		filter:    opts.Filter,
		listeners: map[net.Listener]bool{},
		conns:     map[*trackedConn]bool{},
		streams:   map[io.Closer]bool{},
	}
	p.baseCtx, p.cancelBase = context.WithCancel(context.Background())

	mc, err := mitm.NewConfig(opts.CA.Cert, opts.CA.Key)
	if err != nil {
		return nil, err
	}
	mc.SetOrganization("apitrail capture")
	// Leaf certificates live a day either side of now: long enough for a
	// recording, short enough that one copied off the machine soon stops
	// working, and well inside every browser's limit.
	mc.SetValidity(24 * time.Hour)
	mc.SetHandshakeErrorCallback(func(req *http.Request, err error) {
		if !isClosedConn(err) {
			p.report(fmt.Errorf("%w for %s: %w", ErrClientHandshake, req.Host, err))
		}
	})

	p.upTLS = &tls.Config{RootCAs: opts.UpstreamRoots, InsecureSkipVerify: opts.InsecureSkipVerify}
	p.dialer = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	p.transport = &http.Transport{
		DialContext:           p.dialer.DialContext,
		TLSClientConfig:       p.upTLS,
		TLSHandshakeTimeout:   15 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Bodies pass through as the server encoded them; the recording
		// decodes its own copy.
		DisableCompression: true,
	}

	// martian logs every refused connection at its default level; the
	// proxy reports what matters through OnError instead.
	mlog.SetLevel(mlog.Silent)
	p.mp = martian.NewProxy()
	p.mp.SetMITM(mc)
	p.mp.SetRoundTripper(roundTripper{p})
	// Idle timeouts are kept per read and write by trackedConn; martian's
	// own deadline would cut long downloads and streams.
	p.mp.SetTimeout(365 * 24 * time.Hour)
	p.mp.SetRequestModifier(modifier{p})
	p.mp.SetResponseModifier(modifier{p})

	p.queue = newEntryQueue(opts.Writer, 4*p.maxBody+(32<<20), p.entryWritten)
	return p, nil
}

// bodyLimit reads Options.MaxBody and ImportOptions.MaxBody: zero means
// DefaultMaxBody, a negative value keeps no body.
func bodyLimit(maxBody int64) int64 {
	switch {
	case maxBody == 0:
		return DefaultMaxBody
	case maxBody < 0:
		return 0
	}
	return maxBody
}

// Errors that Options.OnError hears of, for callers to tell apart with
// errors.Is.
var (
	// ErrClientHandshake: a client refused the interception certificate
	// (it does not trust the CA) or broke off the TLS handshake.
	ErrClientHandshake = errors.New("TLS handshake with a client failed")
	// ErrWrite: an entry could not be written; the recording misses it.
	ErrWrite = errors.New("writing the recording")
	// ErrUpstreamCertificate: a server's certificate was not trusted, so
	// the request was not sent; the client got a 502.
	ErrUpstreamCertificate = errors.New("server certificate not trusted")
)

func (p *Proxy) report(err error) {
	if p.opts.OnError != nil {
		p.opts.OnError(err)
	}
}

func (p *Proxy) entryWritten(err error) {
	if err != nil {
		p.report(err)
		return
	}
	p.recorded.Add(1)
}

// Stats returns what the proxy has recorded and passed through so far.
func (p *Proxy) Stats() Stats {
	return Stats{Recorded: p.recorded.Load(), Passed: p.passed.Load()}
}

// Err returns the first error the writer returned, if any: the recording
// is missing entries from then on.
func (p *Proxy) Err() error { return p.queue.Err() }

// Serve accepts proxy connections on l until Shutdown. It returns nil
// after Shutdown.
func (p *Proxy) Serve(l net.Listener) error {
	p.mu.Lock()
	if p.closing.Load() {
		p.mu.Unlock()
		l.Close()
		return nil
	}
	p.listeners[l] = true
	p.mu.Unlock()
	err := p.mp.Serve(&trackingListener{Listener: l, p: p})
	if p.closing.Load() {
		return nil
	}
	return err
}

// Shutdown finishes the recording. It stops accepting connections, ends
// streams (WebSocket, server-sent events, tunnels) at once, and gives
// other exchanges in flight until ctx is done to finish; then it closes
// every connection left, records what arrived of the unfinished exchanges
// (marked with response._error), and returns once every entry has reached
// the writer. The writer itself is left open for the caller to close.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.shutdown.Do(func() {
		p.mu.Lock()
		p.closing.Store(true)
		var stop []io.Closer
		for l := range p.listeners {
			stop = append(stop, l)
		}
		for s := range p.streams {
			stop = append(stop, s)
		}
		p.mu.Unlock()
		// Closing a client connection takes p.mu too.
		for _, c := range stop {
			c.Close()
		}

		closed := make(chan struct{})
		go func() {
			p.mp.Close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-ctx.Done():
			// Unblock round trips still waiting on servers, then the
			// connections still writing to clients.
			p.cancelBase()
			p.mu.Lock()
			conns := make([]net.Conn, 0, len(p.conns))
			for c := range p.conns {
				conns = append(conns, c.Conn)
			}
			p.mu.Unlock()
			for _, c := range conns {
				c.Close()
			}
			<-closed
		}
		<-p.pending.wait()
		p.cancelBase()
		p.queue.close()
		p.transport.CloseIdleConnections()
	})
	return p.queue.Err()
}

func (p *Proxy) addStream(c io.Closer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing.Load() {
		return false
	}
	p.streams[c] = true
	return true
}

func (p *Proxy) removeStream(c io.Closer) {
	p.mu.Lock()
	delete(p.streams, c)
	p.mu.Unlock()
}

// trackingListener hands out trackedConns, so that Shutdown can close the
// connections martian still holds.
type trackingListener struct {
	net.Listener
	p *Proxy
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetKeepAlive(true)
		tc.SetKeepAlivePeriod(time.Minute)
	}
	t := &trackedConn{Conn: c, p: l.p}
	t.idle.Store(int64(l.p.opts.IdleTimeout))
	l.p.mu.Lock()
	l.p.conns[t] = true
	l.p.mu.Unlock()
	return t, nil
}

// trackedConn is a client connection. It replaces martian's fixed
// per-request deadline with an idle timeout renewed on every read and
// write, so a download may take as long as it takes while a silent client
// still goes away.
type trackedConn struct {
	net.Conn
	p      *Proxy
	idle   atomic.Int64 // nanoseconds; 0 for none
	closed sync.Once
}

func (c *trackedConn) Read(b []byte) (int, error) {
	if d := c.idle.Load(); d > 0 {
		c.Conn.SetReadDeadline(time.Now().Add(time.Duration(d)))
	}
	return c.Conn.Read(b)
}

func (c *trackedConn) Write(b []byte) (int, error) {
	if d := c.idle.Load(); d > 0 {
		c.Conn.SetWriteDeadline(time.Now().Add(time.Duration(d)))
	}
	return c.Conn.Write(b)
}

// SetDeadline ignores martian's deadlines; see trackedConn.
func (c *trackedConn) SetDeadline(time.Time) error { return nil }

// stream turns the idle timeout off for a connection that carries a
// stream, which may be quiet for a long time.
func (c *trackedConn) stream() {
	c.idle.Store(0)
	c.Conn.SetReadDeadline(time.Time{})
	c.Conn.SetWriteDeadline(time.Time{})
}

func (c *trackedConn) Close() error {
	c.closed.Do(func() {
		c.p.mu.Lock()
		delete(c.p.conns, c)
		c.p.mu.Unlock()
	})
	return c.Conn.Close()
}

// noIdle turns off the idle timeout of the client connection behind a
// hijacked session.
func noIdle(c net.Conn) {
	if tc, ok := c.(*trackedConn); ok {
		tc.stream()
	}
}

func isClosedConn(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection reset by peer") || strings.Contains(s, "broken pipe")
}

// tracker counts exchanges in flight, so that Shutdown can wait for them
// to reach the writer. Unlike a WaitGroup it may go back up from zero
// while someone waits.
type tracker struct {
	mu   sync.Mutex
	n    int
	zero chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	if t.n == 0 {
		t.zero = make(chan struct{})
	}
	t.n++
	t.mu.Unlock()
}

func (t *tracker) done() {
	t.mu.Lock()
	t.n--
	if t.n == 0 {
		close(t.zero)
	}
	t.mu.Unlock()
}

func (t *tracker) wait() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return t.zero
}

// entryQueue builds entries and hands them to the writer on a goroutine of
// its own, so that building, encoding, redaction and the file write stay
// off the connection that is waiting for its next request. It holds at
// most about limit bytes of bodies; past that, exchanges wait for the
// writer.
type entryQueue struct {
	w       EntryWriter
	written func(error)
	limit   int64

	mu     sync.Mutex
	cond   *sync.Cond
	items  []queued
	bytes  int64
	closed bool
	err    error
	done   chan struct{}
}

type queued struct {
	build func() *har.Entry
	size  int64
}

func newEntryQueue(w EntryWriter, limit int64, written func(error)) *entryQueue {
	q := &entryQueue{w: w, written: written, limit: limit, done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	go q.run()
	return q
}

// push queues an entry that build makes when its turn comes; size is
// what the exchange holds in memory until then.
func (q *entryQueue) push(build func() *har.Entry, size int64) {
	q.mu.Lock()
	for q.bytes > 0 && q.bytes+size > q.limit && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, queued{build, size})
	q.bytes += size
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (q *entryQueue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		for len(q.items) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.items) == 0 {
			q.mu.Unlock()
			return
		}
		it := q.items[0]
		q.items[0] = queued{}
		q.items = q.items[1:]
		q.mu.Unlock()

		err := q.w.Write(it.build())
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrWrite, err)
		}
		q.mu.Lock()
		q.bytes -= it.size
		if err != nil && q.err == nil {
			q.err = err
		}
		q.mu.Unlock()
		q.cond.Broadcast()
		q.written(err)
	}
}

// close waits for every queued entry to be written.
func (q *entryQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
	<-q.done
}

func (q *entryQueue) Err() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}
