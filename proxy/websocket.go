package proxy

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/martian/v3"

	"github.com/apitrail/apitrail/har"
)

func isWebSocket(req *http.Request) bool {
	return headerHasToken(req.Header, "Connection", "upgrade") &&
		strings.EqualFold(strings.TrimSpace(req.Header.Get("Upgrade")), "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h[http.CanonicalHeaderKey(name)] {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// serveWebSocket takes over a connection that asks for a WebSocket: it
// makes the handshake with the server itself, relays the frames both ways
// and, for a recorded host, records the messages once the connection ends.
func (p *Proxy) serveWebSocket(ctx *martian.Context, req *http.Request) {
	conn, brw, ok := hijack(ctx)
	if !ok {
		return
	}
	defer conn.Close()
	var x *exchange
	if p.filter.RecordsHost(HostPort(req.URL)) {
		x = p.newExchange(req)
	} else {
		p.passed.Add(1)
	}
	fail := func(err error) {
		badGateway(brw, fmt.Sprintf("capture: the WebSocket handshake with %s failed: %v\n", req.URL.Host, err))
		if x != nil {
			x.fail(err)
		}
	}

	up, err := p.dialWebSocket(req, x)
	if err != nil {
		fail(err)
		return
	}
	defer up.Close()

	h := req.Header.Clone()
	for _, name := range proxyHeaders {
		h.Del(name)
	}
	if x != nil {
		// Compressed frames could not be recorded as the messages they
		// carry; without the offer, the server sends them plain.
		h.Del("Sec-WebSocket-Extensions")
	}
	bw := bufio.NewWriter(up)
	fmt.Fprintf(bw, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), req.Host)
	h.Write(bw)
	bw.WriteString("\r\n")
	if err := bw.Flush(); err != nil {
		fail(err)
		return
	}
	x.mark(func(x *exchange, now time.Time) { x.wroteReq = now })
	ubr := bufio.NewReader(up)
	resp, err := http.ReadResponse(ubr, req)
	if err != nil {
		fail(err)
		return
	}
	x.mark(func(x *exchange, now time.Time) { x.firstByte = now })
	if x != nil {
		x.resp = resp
		x.respBody = newCapture(p.maxBody, resp.ContentLength)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		// Refused: pass the answer on like any other.
		if x != nil {
			resp.Body = &responseBody{rc: resp.Body, x: x}
		}
		resp.Close = true
		resp.Write(brw)
		brw.Flush()
		resp.Body.Close()
		return
	}
	text := strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	fmt.Fprintf(brw, "HTTP/1.1 101 %s\r\n", text)
	resp.Header.Write(brw)
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil {
		if x != nil {
			x.setBodyEnd(time.Now())
			x.finish("the client closed the connection during the WebSocket handshake", nil)
		}
		return
	}
	stop := closeAll(conn, up)
	if !p.addStream(stop) {
		if x != nil {
			x.setBodyEnd(time.Now())
			x.finish("", nil)
		}
		return
	}
	defer p.removeStream(stop)
	if x == nil {
		relay(conn, brw.Reader, up, flushWriter{brw.Writer}, nil, nil)
		return
	}
	x.setBodyEnd(time.Now())
	log := &wsLog{budget: p.maxBody}
	relay(conn, brw.Reader, up, flushWriter{brw.Writer},
		&wsParser{log: log, typ: "send"}, &wsParser{log: log, typ: "receive"})
	stopped := p.closing.Load()
	x.finish("", func(e *har.Entry) {
		log.mu.Lock()
		defer log.mu.Unlock()
		e.Extra.Set("_resourceType", "websocket")
		e.SetWebSocketMessages(log.msgs)
		var notes []string
		if log.dropped > 0 || log.cut > 0 {
			e.Extra.Set("_truncated", true)
			notes = append(notes, fmt.Sprintf("capture kept %d of %d WebSocket messages (%d of them cut short)", len(log.msgs), len(log.msgs)+log.dropped, log.cut))
		}
		if stopped {
			notes = append(notes, "capture stopped while the WebSocket was open")
		}
		e.Comment = strings.Join(notes, "; ")
	})
}

// dialWebSocket connects to the server of a WebSocket request, over TLS
// when the request came through an intercepted HTTPS tunnel, and times
// the phases for the recording.
func (p *Proxy) dialWebSocket(req *http.Request, x *exchange) (net.Conn, error) {
	x.mark(func(x *exchange, now time.Time) { x.connStart = now })
	raw, err := p.dialer.DialContext(p.baseCtx, "tcp", HostPort(req.URL))
	if err != nil {
		return nil, err
	}
	x.mark(func(x *exchange, now time.Time) { x.connDone = now })
	if x != nil {
		x.mu.Lock()
		if a, ok := raw.RemoteAddr().(*net.TCPAddr); ok {
			x.serverIP = a.IP.String()
		}
		if a, ok := raw.LocalAddr().(*net.TCPAddr); ok {
			x.connectionID = strconv.Itoa(a.Port)
		}
		x.mu.Unlock()
	}
	conn := raw
	if s := strings.ToLower(req.URL.Scheme); s == "https" || s == "wss" {
		cfg := p.upTLS.Clone()
		cfg.ServerName = req.URL.Hostname()
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(raw, cfg)
		x.mark(func(x *exchange, now time.Time) { x.tlsStart = now })
		if err := tc.HandshakeContext(p.baseCtx); err != nil {
			raw.Close()
			return nil, err
		}
		x.mark(func(x *exchange, now time.Time) { x.tlsDone = now })
		conn = tc
	}
	x.mark(func(x *exchange, now time.Time) { x.gotConn = now })
	return conn, nil
}

// mark sets one of an exchange's times to now; x may be nil, for a
// WebSocket that is not recorded.
func (x *exchange) mark(set func(x *exchange, now time.Time)) {
	if x != nil {
		x.mu.Lock()
		set(x, time.Now())
		x.mu.Unlock()
	}
}

// wsLog collects the messages of one WebSocket connection, both ways, up
// to a budget of bytes; messages past it are counted, not kept.
type wsLog struct {
	mu      sync.Mutex
	msgs    []har.WebSocketMessage
	budget  int64
	dropped int
	cut     int
}

// wsMessageCost is what a message costs the budget besides its data, so
// that a flood of empty messages cannot grow the log without bound.
const wsMessageCost = 64

func (l *wsLog) add(typ string, opcode int, data []byte, cut bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.budget < wsMessageCost {
		l.dropped++
		return
	}
	l.budget -= wsMessageCost
	if int64(len(data)) > l.budget {
		data, cut = data[:l.budget], true
	}
	l.budget -= int64(len(data))
	if cut {
		l.cut++
	}
	m := har.WebSocketMessage{
		Type:   typ,
		Time:   float64(time.Now().UnixMicro()) / 1e6,
		Opcode: opcode,
	}
	if opcode == 1 && utf8.Valid(data) {
		m.Data = string(data)
	} else {
		m.Data = base64.StdEncoding.EncodeToString(data)
	}
	l.msgs = append(l.msgs, m)
}

// wsParser reads the WebSocket frames (RFC 6455) of one direction from
// the bytes written to it, in whatever pieces they come, and logs each
// data message once its last frame is in. It never fails: bytes it cannot
// make sense of stop the parsing, not the relay.
type wsParser struct {
	log *wsLog
	typ string

	hdr       []byte
	need      int   // header bytes needed; 0 before the first two are in
	remaining int64 // payload bytes still to come in this frame
	mask      [4]byte
	masked    bool
	maskPos   int
	opcode    int // of the current frame
	fin       bool

	msgOpcode int // of the message being put together; 0 when none
	msg       []byte
	msgCut    bool
	broken    bool
}

func (w *wsParser) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 && !w.broken {
		if w.remaining == 0 && (w.need == 0 || len(w.hdr) < w.need) {
			b = w.header(b)
			continue
		}
		k := int(min(int64(len(b)), w.remaining))
		w.payload(b[:k])
		b = b[k:]
		w.remaining -= int64(k)
		if w.remaining == 0 {
			w.endFrame()
		}
	}
	return n, nil
}

// header takes bytes of a frame header and returns the rest.
func (w *wsParser) header(b []byte) []byte {
	for len(b) > 0 {
		w.hdr = append(w.hdr, b[0])
		b = b[1:]
		if len(w.hdr) == 2 {
			w.need = 2
			switch w.hdr[1] & 0x7f {
			case 126:
				w.need += 2
			case 127:
				w.need += 8
			}
			if w.hdr[1]&0x80 != 0 {
				w.need += 4
			}
		}
		if len(w.hdr) >= 2 && len(w.hdr) == w.need {
			w.startFrame()
			return b
		}
	}
	return b
}

func (w *wsParser) startFrame() {
	h := w.hdr
	w.fin = h[0]&0x80 != 0
	w.opcode = int(h[0] & 0x0f)
	w.masked = h[1]&0x80 != 0
	pos := 2
	switch n := int64(h[1] & 0x7f); n {
	case 126:
		w.remaining = int64(binary.BigEndian.Uint16(h[2:4]))
		pos = 4
	case 127:
		l := binary.BigEndian.Uint64(h[2:10])
		if l > 1<<62 {
			w.broken = true
			return
		}
		w.remaining = int64(l)
		pos = 10
	default:
		w.remaining = n
	}
	if w.masked {
		copy(w.mask[:], h[pos:pos+4])
	}
	w.maskPos = 0
	w.hdr = w.hdr[:0]
	w.need = 0
	switch {
	case w.opcode == 1 || w.opcode == 2:
		if w.msgOpcode != 0 {
			// A new message before the last one ended: log what came.
			w.flush()
		}
		w.msgOpcode = w.opcode
	case w.opcode == 0 && w.msgOpcode == 0, w.opcode >= 3 && w.opcode <= 7, w.opcode >= 0xb:
		w.broken = true
		return
	}
	if w.remaining == 0 {
		w.endFrame()
	}
}

func (w *wsParser) payload(b []byte) {
	if w.opcode >= 8 {
		return // control frames are not logged
	}
	room := w.log.room() - int64(len(w.msg))
	if room <= 0 {
		w.msgCut = true
		return
	}
	if int64(len(b)) > room {
		b = b[:room]
		w.msgCut = true
	}
	start := len(w.msg)
	w.msg = append(w.msg, b...)
	if w.masked {
		for i := start; i < len(w.msg); i++ {
			w.msg[i] ^= w.mask[w.maskPos&3]
			w.maskPos++
		}
	}
}

func (w *wsParser) endFrame() {
	if w.opcode < 8 && w.fin {
		w.flush()
	}
}

func (w *wsParser) flush() {
	w.log.add(w.typ, w.msgOpcode, w.msg, w.msgCut)
	w.msgOpcode, w.msg, w.msgCut = 0, nil, false
}

func (l *wsLog) room() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.budget
}
