package proxy

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/martian/v3"

	"github.com/apitrail/apitrail/har"
)

// Keys of values kept in martian's per-request context.
const (
	ctxSelf       = "apitrail.self"       // the request is addressed to the proxy itself
	ctxFailure    = "apitrail.failure"    // why the upstream round trip failed
	sessConnectTo = "apitrail.connect-to" // the CONNECT target of a session
)

// hopHeaders belong to one connection and are not passed on.
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// proxyHeaders are sent to the proxy, not to the server, so the recording
// leaves them out as a browser without a proxy would not send them.
var proxyHeaders = []string{"Proxy-Connection", "Proxy-Authorization"}

func removeHopHeaders(h http.Header) {
	// Headers named in Connection are hop-by-hop too.
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

type roundTripper struct{ p *Proxy }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return rt.p.roundTrip(req)
}

func (p *Proxy) records(req *http.Request) bool {
	return p.filter.RecordsHost(HostPort(req.URL)) && (p.filter.keepsAssets() || !AssetRequest(req.URL, req.Header))
}

// outgoing is the request as the server gets it: the client's, without
// the headers that belong to the client's connection.
func outgoing(ctx context.Context, req *http.Request) *http.Request {
	out := req.WithContext(ctx)
	out.Header = req.Header.Clone()
	removeHopHeaders(out.Header)
	return out
}

// noteFailure tells ModifyResponse why the round trip failed, so that the
// client gets a page saying so.
func (p *Proxy) noteFailure(req *http.Request, err error) {
	if ctx := martian.NewContext(req); ctx != nil {
		ctx.Set(ctxFailure, err)
	}
	// The client only sees a 502 page; whoever runs the proxy must hear
	// that a server's certificate was refused, or they cannot fix it.
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) {
		p.report(fmt.Errorf("%w for %s: %w", ErrUpstreamCertificate, req.URL.Host, err))
	}
}

func (p *Proxy) roundTrip(req *http.Request) (*http.Response, error) {
	if !p.records(req) {
		p.passed.Add(1)
		resp, err := p.transport.RoundTrip(outgoing(p.baseCtx, req))
		if err != nil {
			p.noteFailure(req, err)
		}
		return resp, err
	}

	x := p.newExchange(req)
	out := outgoing(httptrace.WithClientTrace(p.baseCtx, x.clientTrace()), req)
	narrowAcceptEncoding(out.Header)
	if req.Body != nil && req.Body != http.NoBody {
		x.reqBody = newCapture(p.maxBody, req.ContentLength)
		out.Body = &teeBody{rc: req.Body, c: x.reqBody}
	}
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.noteFailure(req, err)
		x.fail(err)
		return nil, err
	}
	if !p.filter.keepsAssets() && AssetType(resp.Header.Get("Content-Type")) {
		x.drop()
		p.passed.Add(1)
		return resp, nil
	}
	x.resp = resp
	x.respBody = newCapture(p.maxBody, resp.ContentLength)
	rb := &responseBody{rc: resp.Body, x: x}
	if resp.Body == http.NoBody {
		rb.eof = true
		x.setBodyEnd(time.Now())
	}
	resp.Body = rb
	return resp, nil
}

// decodable are the content codings the recording can undo.
var decodable = map[string]bool{"gzip": true, "x-gzip": true, "deflate": true, "identity": true}

// narrowAcceptEncoding keeps only the codings the recording can undo, so
// that no server answers a recorded request in brotli or zstd. The client
// accepts what is left as well as what it asked for.
func narrowAcceptEncoding(h http.Header) {
	ae := h.Values("Accept-Encoding")
	if len(ae) == 0 {
		return
	}
	var keep []string
	for _, v := range ae {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			name := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
			if decodable[name] {
				keep = append(keep, part)
			}
		}
	}
	if len(keep) == 0 {
		h.Set("Accept-Encoding", "identity")
		return
	}
	h.Set("Accept-Encoding", strings.Join(keep, ", "))
}

// exchange is one recorded request and response on its way to the HAR.
type exchange struct {
	p     *Proxy
	start time.Time
	// req is the request as the client sent it, headers copied before
	// anything was changed for the server.
	req      *http.Request
	reqBody  *capture
	resp     *http.Response
	respBody *capture

	mu                     sync.Mutex
	getConn, gotConn       time.Time
	dnsStart, dnsDone      time.Time
	connStart, connDone    time.Time
	tlsStart, tlsDone      time.Time
	wroteReq, firstByte    time.Time
	bodyEnd                time.Time
	reused                 bool
	serverIP, connectionID string
	finished               bool
}

func (p *Proxy) newExchange(req *http.Request) *exchange {
	p.pending.add()
	view := &http.Request{
		Method:        req.Method,
		URL:           req.URL,
		Proto:         req.Proto,
		ProtoMajor:    req.ProtoMajor,
		ProtoMinor:    req.ProtoMinor,
		Header:        req.Header.Clone(),
		Host:          req.Host,
		ContentLength: req.ContentLength,
	}
	for _, name := range proxyHeaders {
		view.Header.Del(name)
	}
	return &exchange{p: p, start: time.Now(), req: view}
}

func (x *exchange) clientTrace() *httptrace.ClientTrace {
	at := func(t *time.Time) {
		x.mu.Lock()
		if t.IsZero() {
			*t = time.Now()
		}
		x.mu.Unlock()
	}
	return &httptrace.ClientTrace{
		GetConn:  func(string) { at(&x.getConn) },
		DNSStart: func(httptrace.DNSStartInfo) { at(&x.dnsStart) },
		DNSDone:  func(httptrace.DNSDoneInfo) { at(&x.dnsDone) },
		ConnectStart: func(string, string) {
			at(&x.connStart)
		},
		ConnectDone:       func(string, string, error) { at(&x.connDone) },
		TLSHandshakeStart: func() { at(&x.tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { at(&x.tlsDone) },
		GotConn: func(info httptrace.GotConnInfo) {
			x.mu.Lock()
			defer x.mu.Unlock()
			x.gotConn = time.Now()
			x.reused = info.Reused
			if info.Conn != nil {
				if a, ok := info.Conn.RemoteAddr().(*net.TCPAddr); ok {
					x.serverIP = a.IP.String()
				}
				if a, ok := info.Conn.LocalAddr().(*net.TCPAddr); ok {
					x.connectionID = strconv.Itoa(a.Port)
				}
			}
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { at(&x.wroteReq) },
		GotFirstResponseByte: func() { at(&x.firstByte) },
	}
}

func (x *exchange) setBodyEnd(t time.Time) {
	x.mu.Lock()
	if x.bodyEnd.IsZero() {
		x.bodyEnd = t
	}
	x.mu.Unlock()
}

// drop forgets an exchange that turned out not to belong in the recording.
func (x *exchange) drop() {
	x.mu.Lock()
	done := x.finished
	x.finished = true
	x.mu.Unlock()
	if !done {
		x.p.pending.done()
	}
}

// fail records an exchange that got no response.
func (x *exchange) fail(err error) {
	x.finish(describeFailure(err), nil)
}

// finish queues the exchange for the writer; problem, when not empty,
// goes into response._error. The entry is built on the writer's goroutine:
// martian closes a response body inside its write to the client, before
// it flushes, so whatever is done here holds the answer back.
func (x *exchange) finish(problem string, extra func(*har.Entry)) {
	x.mu.Lock()
	if x.finished {
		x.mu.Unlock()
		return
	}
	x.finished = true
	x.mu.Unlock()
	defer x.p.pending.done()

	end := time.Now()
	size := int64(4096)
	for _, c := range []*capture{x.reqBody, x.respBody} {
		if c != nil {
			size += int64(len(c.buf))
		}
	}
	x.p.queue.push(func() *har.Entry { return x.entry(problem, extra, end) }, size)
}

// entry builds the HAR entry of a finished exchange; end is when it
// finished, for the phases that never ended.
func (x *exchange) entry(problem string, extra func(*har.Entry), end time.Time) *har.Entry {
	var reqBody []byte
	if x.reqBody != nil {
		reqBody = x.reqBody.bytes()
	}
	e := har.NewEntry(x.start, x.req, nil, x.resp, nil)
	if x.reqBody != nil {
		e.SetRequestBody(trimToText(reqBody, x.reqBody.truncated()), x.req.Header.Get("Content-Type"))
		e.Request.BodySize = x.reqBody.total
		if x.reqBody.truncated() {
			e.Request.PostData.MarkTruncated(fmt.Sprintf("capture kept the first %d of %d bytes", len(reqBody), x.reqBody.total))
		}
	}
	if x.resp != nil {
		x.setResponseBody(e)
	}
	x.setTimings(e, end)
	if problem != "" {
		e.Response.Extra.Set("_error", problem)
	}
	if extra != nil {
		extra(e)
	}
	return e
}

// setResponseBody stores the captured response body, decoded.
func (x *exchange) setResponseBody(e *har.Entry) {
	c := x.respBody
	raw := c.bytes()
	mime := x.resp.Header.Get("Content-Type")
	e.Response.BodySize = c.total
	body, size, cut := raw, c.total, c.truncated()
	if coding := contentCoding(x.resp.Header); coding != "" {
		var err error
		body, size, cut, err = decode(coding, raw, c.truncated(), x.p.maxBody)
		if err != nil {
			// Keep what arrived, as it arrived, and say why.
			body, size, cut = raw, c.total, c.truncated()
			e.Response.Content.Comment = fmt.Sprintf("capture could not undo the %s coding (%v); the body is stored as it was sent", coding, err)
		}
	}
	e.SetResponseBody(trimToText(body, cut), mime)
	ct := &e.Response.Content
	ct.Size = size
	if size >= 0 && c.total >= 0 && size > c.total {
		ct.Compression = size - c.total
	}
	if cut {
		if size >= 0 {
			ct.MarkTruncated(fmt.Sprintf("capture kept the first %d of %d bytes", len(body), size))
		} else {
			ct.MarkTruncated(fmt.Sprintf("capture kept the first %d bytes; the rest was not decoded", len(body)))
		}
	}
}

func contentCoding(h http.Header) string {
	ce := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	if ce == "" || ce == "identity" {
		return ""
	}
	return ce
}

// decode undoes a content coding on a captured body. When the capture was
// cut, what it holds is decoded as far as it goes and the decoded size is
// unknown (-1).
func decode(coding string, raw []byte, rawCut bool, limit int64) (body []byte, size int64, cut bool, err error) {
	var r io.Reader
	switch coding {
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(bytes.NewReader(raw))
	case "deflate":
		// "deflate" is meant to be zlib, but some servers send raw
		// deflate; try both as browsers do.
		r, err = zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			r, err = flate.NewReader(bytes.NewReader(raw)), nil
		}
	default:
		return nil, 0, false, fmt.Errorf("unknown coding %q", coding)
	}
	if err != nil {
		if rawCut && errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, -1, true, nil
		}
		return nil, 0, false, err
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit))
	if err != nil && !(rawCut && errors.Is(err, io.ErrUnexpectedEOF)) {
		return nil, 0, false, err
	}
	if rawCut {
		return buf.Bytes(), -1, true, nil
	}
	// Count what lies past the limit to give the real size.
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, 0, false, err
	}
	return buf.Bytes(), n + rest, rest > 0, nil
}

// trimToText drops a UTF-8 sequence that a cut split in two, so that a
// cut text body is still stored as text.
func trimToText(b []byte, cut bool) []byte {
	if !cut || utf8.Valid(b) {
		return b
	}
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.Valid(b[:len(b)-i]) {
			return b[:len(b)-i]
		}
	}
	return b
}

// roundMicro rounds milliseconds to whole microseconds, what the clock
// measured, so that sums do not print as 0.10999999999999943.
func roundMicro(v float64) float64 {
	if v < 0 {
		return v
	}
	return math.Round(v*1000) / 1000
}

func ms(from, to time.Time) float64 {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return har.NotAvailable
	}
	return float64(to.Sub(from).Microseconds()) / 1000
}

// setTimings fills in the phases that the trace saw. Each phase is -1
// when it did not happen; time is the sum of the others, as HAR asks. A
// phase still open at end counts up to end.
func (x *exchange) setTimings(e *har.Entry, end time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	t := har.Timings{
		Blocked: har.NotAvailable, DNS: har.NotAvailable, Connect: har.NotAvailable,
		SSL: har.NotAvailable, Send: har.NotAvailable, Wait: har.NotAvailable, Receive: har.NotAvailable,
	}
	if !x.reused {
		t.DNS = ms(x.dnsStart, x.dnsDone)
		connEnd := x.connDone
		if !x.tlsDone.IsZero() {
			connEnd = x.tlsDone
			t.SSL = ms(x.tlsStart, x.tlsDone)
		}
		// HAR counts ssl inside connect.
		t.Connect = ms(x.connStart, connEnd)
	}
	if !x.gotConn.IsZero() {
		blocked := ms(x.start, x.gotConn)
		for _, d := range []float64{t.DNS, t.Connect} {
			if d > 0 {
				blocked -= d
			}
		}
		t.Blocked = max(blocked, 0)
		// The transport reports the request written from one goroutine
		// and the answer's first byte from another; a server that answers
		// before the last write is reported has waited no time.
		sent := x.wroteReq
		if !x.firstByte.IsZero() && (sent.IsZero() || sent.After(x.firstByte)) {
			sent = x.firstByte
		}
		t.Send = ms(x.gotConn, sent)
		t.Wait = ms(sent, x.firstByte)
		t.Receive = ms(x.firstByte, x.bodyEnd)
		if t.Receive < 0 && !x.firstByte.IsZero() {
			// The body never ended: count up to the exchange's end.
			t.Receive = ms(x.firstByte, end)
		}
	}
	total := 0.0
	for _, d := range []float64{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		if d > 0 {
			total += d
		}
	}
	if x.gotConn.IsZero() {
		// No connection: the time is how long the attempt took.
		total = ms(x.start, end)
	}
	for _, d := range []*float64{&t.Blocked, &t.DNS, &t.Connect, &t.SSL, &t.Send, &t.Wait, &t.Receive} {
		*d = roundMicro(*d)
	}
	e.Time = roundMicro(total)
	e.Timings = t
	e.ServerIPAddress = x.serverIP
	e.Connection = x.connectionID
}

// capture keeps the first bytes of a body, up to a limit, and counts all
// of them.
type capture struct {
	limit int64
	buf   []byte
	total int64
}

func newCapture(limit, contentLength int64) *capture {
	c := &capture{limit: limit}
	if contentLength > 0 {
		c.buf = make([]byte, 0, min(contentLength, limit))
	}
	return c
}

func (c *capture) add(p []byte) {
	c.total += int64(len(p))
	if room := c.limit - int64(len(c.buf)); room > 0 {
		c.buf = append(c.buf, p[:min(int64(len(p)), room)]...)
	}
}

func (c *capture) bytes() []byte {
	if c.buf == nil {
		return []byte{}
	}
	return c.buf
}

func (c *capture) truncated() bool { return c.total > int64(len(c.buf)) }

// teeBody captures a request body while the transport sends it.
type teeBody struct {
	rc io.ReadCloser
	c  *capture
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	t.c.add(p[:n])
	return n, err
}

func (t *teeBody) Close() error { return t.rc.Close() }

// responseBody captures a response body while martian copies it to the
// client, and records the exchange when martian closes it: complete when
// the body was read to its end, marked otherwise.
type responseBody struct {
	rc      io.ReadCloser
	x       *exchange
	eof     bool
	readErr error
	stopped atomic.Bool // Shutdown closed the server's side
	once    sync.Once
}

func (b *responseBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.x.respBody.add(p[:n])
	if err == io.EOF {
		b.eof = true
		b.x.setBodyEnd(time.Now())
	} else if err != nil && b.readErr == nil {
		b.readErr = err
	}
	return n, err
}

func (b *responseBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		problem := ""
		switch {
		case b.stopped.Load():
			problem = "capture stopped before the response ended"
		case b.eof:
		case b.x.p.closing.Load():
			problem = "capture stopped before the response ended"
		case b.readErr != nil:
			problem = "the server's response broke off: " + b.readErr.Error()
		default:
			problem = "the client closed the connection before the response ended"
		}
		b.x.finish(problem, nil)
	})
	return err
}

// describeFailure words an upstream error for response._error.
func describeFailure(err error) string {
	if errors.Is(err, context.Canceled) {
		return "capture stopped before the server answered"
	}
	return err.Error()
}
