package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"

	"github.com/google/martian/v3"
)

// modifier is the proxy's hook into martian: it sees every request before
// the round trip and every response after it.
type modifier struct{ p *Proxy }

func (m modifier) ModifyRequest(req *http.Request) error {
	p := m.p
	ctx := martian.NewContext(req)
	if ctx == nil {
		return nil
	}
	sess := ctx.Session()
	if req.Method == http.MethodConnect {
		if p.isSelf(req.URL.Host) || !p.filter.RecordsHost(req.URL.Host) {
			p.tunnel(ctx, req)
			return nil
		}
		sess.Set(sessConnectTo, req.URL.Host)
		return nil
	}
	_, tunnelled := sess.Get(sessConnectTo)
	if !tunnelled && !sess.IsSecure() && (strings.HasPrefix(req.RequestURI, "/") || p.isSelf(req.URL.Host)) {
		// Addressed to the proxy itself, not through it: answering here
		// also keeps a request from looping through the proxy forever.
		ctx.SkipRoundTrip()
		ctx.Set(ctxSelf, true)
		return nil
	}
	if isWebSocket(req) {
		p.serveWebSocket(ctx, req)
	}
	return nil
}

func (m modifier) ModifyResponse(res *http.Response) error {
	req := res.Request
	if req == nil || req.Method == http.MethodConnect {
		return nil
	}
	ctx := martian.NewContext(req)
	if ctx == nil {
		return nil
	}
	if _, ok := ctx.Get(ctxSelf); ok {
		m.p.selfPage(req, res)
		return nil
	}
	if v, ok := ctx.Get(ctxFailure); ok {
		err, _ := v.(error)
		setText(res, http.StatusBadGateway, failurePage(req, err))
		return nil
	}
	if isEventStream(res) {
		m.p.serveStream(ctx, res)
	}
	return nil
}

// isSelf reports whether hostport is one of the proxy's own addresses.
func (p *Proxy) isSelf(hostport string) bool {
	host, port := splitHostPort(hostport)
	if port == "" {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.listeners {
		a, ok := l.Addr().(*net.TCPAddr)
		if !ok || fmt.Sprint(a.Port) != port {
			continue
		}
		if ip := net.ParseIP(host); ip != nil && (ip.Equal(a.IP) || ip.IsLoopback() || a.IP.IsUnspecified() && ip.IsUnspecified()) {
			return true
		}
		if strings.EqualFold(host, "localhost") {
			return true
		}
	}
	return false
}

func setText(res *http.Response, status int, text string) {
	res.StatusCode = status
	res.Status = fmt.Sprintf("%d %s", status, http.StatusText(status))
	res.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res.Header.Del("Content-Encoding")
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(text))
	res.ContentLength = int64(len(text))
	res.TransferEncoding = nil
}

func failurePage(req *http.Request, err error) string {
	msg := "unknown error"
	if err != nil {
		msg = err.Error()
	}
	text := fmt.Sprintf("capture: the request to %s failed: %s\n", req.URL.Redacted(), msg)
	if strings.Contains(msg, "certificate") {
		text += "\nThe server's certificate was not accepted. If the server's certificate comes from a\n" +
			"private CA, tell capture to trust that CA; the request was not sent.\n"
	}
	return text
}

// selfPage answers a request addressed to the proxy: the CA certificate at
// /ca.pem, how to use the proxy anywhere else.
func (p *Proxy) selfPage(req *http.Request, res *http.Response) {
	if req.URL.Path == "/ca.pem" {
		setText(res, http.StatusOK, string(p.opts.CA.CertPEM()))
		res.Header.Set("Content-Type", "application/x-pem-file")
		res.Header.Set("Content-Disposition", `attachment; filename="apitrail-capture-ca.pem"`)
		return
	}
	text := "This is apitrail capture, a recording proxy. Set it as your browser's HTTP and HTTPS proxy\n" +
		"rather than opening it as a page. Its CA certificate is at /ca.pem.\n\n" +
		p.opts.CA.TrustInstructions("http://"+req.Host)
	setText(res, http.StatusOK, text)
}

// isEventStream reports whether a response is a stream of server-sent
// events, which must reach the client event by event.
func isEventStream(res *http.Response) bool {
	ct := strings.ToLower(res.Header.Get("Content-Type"))
	return strings.HasPrefix(strings.TrimSpace(ct), "text/event-stream")
}

// hijack takes a connection over from martian for a stream, which may
// stay quiet for long.
func hijack(ctx *martian.Context) (net.Conn, *bufio.ReadWriter, bool) {
	conn, brw, err := ctx.Session().Hijack()
	if err != nil {
		return nil, nil, false
	}
	noIdle(conn)
	return conn, brw, true
}

// badGateway answers a taken-over connection with a 502 and a message.
func badGateway(brw *bufio.ReadWriter, msg string) {
	fmt.Fprintf(brw, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(msg), msg)
	brw.Flush()
}

// closers closes several things at once, for Shutdown. It is used by
// pointer, as a key of Proxy.streams.
type closers struct{ cs []io.Closer }

func closeAll(cs ...io.Closer) *closers { return &closers{cs} }

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func (c *closers) Close() error {
	for _, x := range c.cs {
		x.Close()
	}
	return nil
}

// serveStream copies a server-sent event stream to the client, flushing
// each piece as it comes; martian's own copy would hold it in a buffer.
// It takes the connection over and closes it afterwards, since martian
// cannot go on with a connection it gave away.
func (p *Proxy) serveStream(ctx *martian.Context, res *http.Response) {
	conn, brw, ok := hijack(ctx)
	if !ok {
		return
	}
	defer conn.Close()
	defer res.Body.Close()
	stop := closeAll(conn)
	if rb, ok := res.Body.(*responseBody); ok {
		// Closing the server's side ends a read that waits for the next
		// event; the read may then look like the stream's normal end.
		stop.cs = append(stop.cs, closerFunc(func() error {
			rb.stopped.Store(true)
			return rb.rc.Close()
		}))
	}
	if !p.addStream(stop) {
		return
	}
	defer p.removeStream(stop)

	h := res.Header.Clone()
	removeHopHeaders(h)
	h.Del("Content-Length")
	h.Set("Connection", "close")
	chunked := res.Request.ProtoAtLeast(1, 1)
	if chunked {
		h.Set("Transfer-Encoding", "chunked")
	}
	text := strings.TrimSpace(strings.TrimPrefix(res.Status, fmt.Sprint(res.StatusCode)))
	if text == "" {
		text = http.StatusText(res.StatusCode)
	}
	fmt.Fprintf(brw, "HTTP/1.1 %03d %s\r\n", res.StatusCode, text)
	h.Write(brw)
	brw.WriteString("\r\n")
	if brw.Flush() != nil {
		return
	}
	var w io.Writer = brw
	var cw io.WriteCloser
	if chunked {
		cw = httputil.NewChunkedWriter(brw)
		w = cw
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if brw.Flush() != nil {
				return
			}
		}
		if err == io.EOF {
			if cw != nil {
				cw.Close()
				brw.WriteString("\r\n")
				brw.Flush()
			}
			return
		}
		if err != nil {
			return
		}
	}
}

// tunnel connects a CONNECT request to its target without decrypting
// anything: for hosts that are not recorded.
func (p *Proxy) tunnel(ctx *martian.Context, req *http.Request) {
	conn, brw, ok := hijack(ctx)
	if !ok {
		return
	}
	defer conn.Close()
	p.passed.Add(1)
	up, err := p.dialer.DialContext(p.baseCtx, "tcp", req.URL.Host)
	if err != nil {
		badGateway(brw, fmt.Sprintf("capture: cannot reach %s: %v\n", req.URL.Host, err))
		return
	}
	defer up.Close()
	stop := closeAll(conn, up)
	if !p.addStream(stop) {
		return
	}
	defer p.removeStream(stop)
	brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
	if brw.Flush() != nil {
		return
	}
	relay(conn, brw.Reader, up, conn, nil, nil)
}

// relay copies both ways between a client (read through cr, written to
// cw) and a server until either side ends, then closes both. toServer and
// toClient, when not nil, see a copy of each direction's bytes.
func relay(client io.Closer, cr io.Reader, server io.ReadWriteCloser, cw io.Writer, toServer, toClient io.Writer) {
	if toServer != nil {
		cr = io.TeeReader(cr, toServer)
	}
	var sr io.Reader = server
	if toClient != nil {
		sr = io.TeeReader(server, toClient)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			client.Close()
			server.Close()
		})
	}
	done := make(chan struct{})
	go func() {
		io.Copy(server, cr)
		stop()
		close(done)
	}()
	io.Copy(cw, sr)
	stop()
	<-done
}

// flushWriter writes through a bufio.Writer and flushes every write, so
// each WebSocket frame reaches the client when it arrives.
type flushWriter struct{ w *bufio.Writer }

func (f flushWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err != nil {
		return n, err
	}
	return n, f.w.Flush()
}
