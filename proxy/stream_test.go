package proxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

func TestGzipBodyIsRecordedDecoded(t *testing.T) {
	doc := strings.Repeat(`{"id":1,"name":"compressible"},`, 200)
	var sawEncoding atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawEncoding.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, doc)
		zw.Close()
	}))
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	req, _ := http.NewRequest("GET", srv.URL+"/list", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	resp, err := r.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := gzip.NewReader(bytes.NewReader(wire))
	if err != nil {
		t.Fatalf("the client did not get the gzip body the server sent: %v", err)
	}
	got, _ := io.ReadAll(zr)
	if string(got) != doc {
		t.Fatalf("the client's body decodes to %d bytes, want %d", len(got), len(doc))
	}
	if v := sawEncoding.Load(); v != "gzip, deflate" {
		t.Errorf("the server was offered %q; want only the codings the recording can undo", v)
	}
	e := find(t, r.entries(), "GET", "/list")
	c := e.Response.Content
	if c.Text != doc || c.Size != int64(len(doc)) || e.Response.BodySize != int64(len(wire)) || c.Compression != int64(len(doc)-len(wire)) {
		t.Errorf("content size %d compression %d bodySize %d (wire %d, doc %d), text ok: %v",
			c.Size, c.Compression, e.Response.BodySize, len(wire), len(doc), c.Text == doc)
	}
	if header(e.Request.Headers, "Accept-Encoding") != "gzip, deflate, br, zstd" {
		t.Errorf("the recording should keep the request headers the client sent, got Accept-Encoding %q", header(e.Request.Headers, "Accept-Encoding"))
	}
}

// pattern is a cheap deterministic byte stream, so that large bodies can
// be checked without keeping them.
type pattern struct{ n, size int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.n >= p.size {
		return 0, io.EOF
	}
	k := int64(len(b))
	if rest := p.size - p.n; k > rest {
		k = rest
	}
	for i := range b[:k] {
		b[i] = byte('a' + (p.n+int64(i))%26)
	}
	p.n += k
	return int(k), nil
}

func patternSum(size int64) [32]byte {
	h := sha256.New()
	io.Copy(h, &pattern{size: size})
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

// heapWatch samples the live heap until stopped and returns its peak.
func heapWatch() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

func TestLargeBodiesStreamInBoundedMemory(t *testing.T) {
	const size = 100 << 20
	const maxBody = 1 << 20
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/download":
			// No Content-Length: the body goes out chunked.
			w.Header().Set("Content-Type", "text/plain")
			io.Copy(w, &pattern{size: size})
		case "/upload":
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
		}
	}))
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv), MaxBody: maxBody})
	c := r.client()

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := heapWatch()

	resp, err := c.Get(srv.URL + "/download")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil || n != size || [32]byte(h.Sum(nil)) != patternSum(size) {
		t.Fatalf("download through the proxy: %d bytes, err %v, checksum ok %v", n, err, [32]byte(h.Sum(nil)) == patternSum(size))
	}
	if resp.ContentLength != -1 || len(resp.TransferEncoding) == 0 {
		t.Errorf("the download should have come chunked, got length %d, encoding %v", resp.ContentLength, resp.TransferEncoding)
	}

	up, err := c.Post(srv.URL+"/upload", "application/octet-stream", &pattern{size: size})
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(up.Body)
	up.Body.Close()
	if want := fmt.Sprintf("%d %x", size, patternSum(size)); string(answer) != want {
		t.Fatalf("the server got %q, want %q", answer, want)
	}
	peak := stop()

	// 200 MB went through; the proxy may hold about one body limit per
	// direction plus buffers. The bound is loose for the race detector.
	if grew := int64(peak) - int64(base.HeapInuse); grew > 48<<20 {
		t.Errorf("the heap grew by %d MB while 200 MB passed through; bodies are being held in memory", grew>>20)
	}

	entries := r.entries()
	d := find(t, entries, "GET", "/download")
	dc := d.Response.Content
	if dc.Size != size || d.Response.BodySize != size || len(dc.Text) != maxBody || string(dc.Extra.Get("_truncated")) != "true" {
		t.Errorf("download entry: size %d bodySize %d text %d _truncated %s", dc.Size, d.Response.BodySize, len(dc.Text), dc.Extra.Get("_truncated"))
	}
	if !strings.Contains(dc.Comment, fmt.Sprint(size)) {
		t.Errorf("the cut body's comment %q does not give the real size", dc.Comment)
	}
	u := find(t, entries, "POST", "/upload")
	pd := u.Request.PostData
	if pd == nil || u.Request.BodySize != size || len(pd.Text) != maxBody || string(pd.Extra.Get("_truncated")) != "true" {
		t.Fatalf("upload entry: bodySize %d postData %v", u.Request.BodySize, pd != nil)
	}
	if pd.Text != strings.Repeat("abcdefghijklmnopqrstuvwxyz", maxBody/26+1)[:maxBody] {
		t.Errorf("the kept part of the upload is not its first bytes")
	}
}

func TestServerSentEventsStream(t *testing.T) {
	next := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		io.WriteString(w, "event: tick\ndata: one\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-next:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "data: two\n\n")
	}))
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	resp, err := r.client().Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	lines := make(chan string)
	go func() {
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- l
		}
	}()
	want := func(s string) {
		t.Helper()
		select {
		case l := <-lines:
			if l != s {
				t.Fatalf("read %q, want %q", l, s)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("waited 10s for %q: the proxy holds the stream back", s)
		}
	}
	// The first event must arrive while the server still holds the
	// stream open.
	want("event: tick\n")
	want("data: one\n")
	want("\n")
	close(next)
	want("data: two\n")
	want("\n")
	if _, ok := <-lines; ok {
		t.Fatal("the stream went on after the server ended it")
	}
	r.waitRecorded(1)
	e := find(t, r.entries(), "GET", "/events")
	if e.Response.Content.Text != "event: tick\ndata: one\n\ndata: two\n\n" || e.NetworkError() != "" {
		t.Errorf("recorded stream %q, error %q", e.Response.Content.Text, e.NetworkError())
	}
}

func TestShutdownRecordsStreamInFlight(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/done" {
			io.WriteString(w, "finished")
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	c := r.client()
	get(t, c, srv.URL+"/done")
	resp, err := c.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if l, _ := bufio.NewReader(resp.Body).ReadString('\n'); l != "data: first\n" {
		t.Fatalf("first line %q", l)
	}
	start := time.Now()
	entries := r.entries()
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("Shutdown took %v with a stream open; streams should end at once", d)
	}
	if len(entries) != 2 {
		t.Fatalf("recorded %d entries, want the finished one and the stream", len(entries))
	}
	if e := find(t, entries, "GET", "/done"); e.NetworkError() != "" || e.Response.Content.Text != "finished" {
		t.Errorf("completed entry: %q %q", e.NetworkError(), e.Response.Content.Text)
	}
	e := find(t, entries, "GET", "/events")
	if !strings.Contains(e.NetworkError(), "capture stopped") || e.Response.Content.Text != "data: first\n\n" || e.Response.Status != 200 {
		t.Errorf("stream entry: status %d error %q text %q", e.Response.Status, e.NetworkError(), e.Response.Content.Text)
	}
}

func TestUpstreamWithBadCertificateIsRefused(t *testing.T) {
	var reached atomic.Bool
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Store(true)
		io.WriteString(w, "should not be seen")
	}))
	defer srv.Close()
	// The proxy is not told about the server's private CA.
	r := startProxy(t, Options{})
	resp, body := get(t, r.client(), srv.URL+"/api/secret")
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "certificate") {
		t.Errorf("client got %d %q, want 502 naming the certificate", resp.StatusCode, body)
	}
	if reached.Load() {
		t.Error("the request reached a server whose certificate was not verified")
	}
	e := find(t, r.entries(), "GET", "/api/secret")
	if e.Response.Status != 0 || !strings.Contains(e.NetworkError(), "certificate") {
		t.Errorf("entry status %d error %q, want a failed request naming the certificate", e.Response.Status, e.NetworkError())
	}
	// Whoever runs the proxy hears of it too, naming the server.
	select {
	case err := <-r.errs:
		if !errors.Is(err, ErrUpstreamCertificate) || !strings.Contains(err.Error(), srv.Listener.Addr().String()) {
			t.Errorf("OnError got %v, want ErrUpstreamCertificate naming %s", err, srv.Listener.Addr())
		}
	default:
		t.Error("OnError did not hear of the refused certificate")
	}

	// Told to skip verification, the same server is reached.
	r2 := startProxy(t, Options{InsecureSkipVerify: true})
	resp, body = get(t, r2.client(), srv.URL+"/api/secret")
	if resp.StatusCode != 200 || string(body) != "should not be seen" {
		t.Errorf("with InsecureSkipVerify: %d %q", resp.StatusCode, body)
	}
}

func TestClientDisconnectsMidBody(t *testing.T) {
	handlerDone := make(chan error, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/small" {
			io.WriteString(w, "still works")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 16<<10; i++ { // up to 1 GB, far more than the client reads
			if _, err := w.Write(chunk); err != nil {
				handlerDone <- err
				return
			}
		}
		handlerDone <- nil
	}))
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	c := r.client()
	resp, err := c.Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // the client goes away with most of the body unread
	c.CloseIdleConnections()

	select {
	case err := <-handlerDone:
		if err == nil {
			t.Fatal("the server sent its whole gigabyte: the proxy kept reading after the client left")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server is still sending 20s after the client left")
	}
	if _, body := get(t, c, srv.URL+"/small"); string(body) != "still works" {
		t.Fatalf("after the disconnect the proxy answered %q", body)
	}
	entries := r.entries()
	e := find(t, entries, "GET", "/big")
	if !strings.Contains(e.NetworkError(), "client closed") || e.Response.Status != 200 || e.Response.BodySize < 1<<20 {
		t.Errorf("entry: status %d error %q bodySize %d", e.Response.Status, e.NetworkError(), e.Response.BodySize)
	}
	if find(t, entries, "GET", "/small").NetworkError() != "" {
		t.Error("the later request is marked as failed")
	}
}

// wsConn is a minimal WebSocket client that goes through the proxy, so
// that the test drives the frames itself.
type wsConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialWS(t *testing.T, proxyAddr string, srv *httptest.Server, path string, roots *x509.CertPool, extensions string) *wsConn {
	t.Helper()
	host := strings.TrimPrefix(srv.URL, "https://")
	raw, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(raw, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	br := bufio.NewReader(raw)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	tc := tls.Client(raw, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(tc, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://%s\r\n", path, host, host)
	if extensions != "" {
		fmt.Fprintf(tc, "Sec-WebSocket-Extensions: %s\r\n", extensions)
	}
	io.WriteString(tc, "\r\n")
	br = bufio.NewReader(tc)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-Websocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake answer %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-Websocket-Accept"))
	}
	return &wsConn{c: tc, br: br}
}

func (w *wsConn) send(t *testing.T, opcode byte, fin bool, payload []byte) {
	t.Helper()
	var b []byte
	first := opcode
	if fin {
		first |= 0x80
	}
	b = append(b, first)
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n < 1<<16:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	mask := [4]byte{byte(rand.Uint32()), 1, 2, 3}
	b = append(b, mask[:]...)
	for i, c := range payload {
		b = append(b, c^mask[i%4])
	}
	if _, err := w.c.Write(b); err != nil {
		t.Fatal(err)
	}
}

func (w *wsConn) read(t *testing.T) (byte, []byte) {
	t.Helper()
	w.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(w.br, h[:]); err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		io.ReadFull(w.br, l[:])
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		io.ReadFull(w.br, l[:])
		n = int(binary.BigEndian.Uint64(l[:]))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(w.br, p); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0f, p
}

func TestWebSocket(t *testing.T) {
	var offered atomic.Value
	offered.Store("")
	ws := websocket.Server{
		Handshake: func(cfg *websocket.Config, r *http.Request) error {
			offered.Store(r.Header.Get("Sec-Websocket-Extensions"))
			return nil
		},
		Handler: func(c *websocket.Conn) {
			// Echo text as text and binary as binary, prefixed.
			type frame struct {
				typ  byte
				data []byte
			}
			codec := websocket.Codec{
				Marshal: func(v any) ([]byte, byte, error) {
					f := v.(frame)
					return f.data, f.typ, nil
				},
				Unmarshal: func(data []byte, typ byte, v any) error {
					*v.(*frame) = frame{typ, data}
					return nil
				},
			}
			for {
				var f frame
				if err := codec.Receive(c, &f); err != nil {
					return
				}
				if f.typ == websocket.BinaryFrame {
					codec.Send(c, frame{websocket.BinaryFrame, append([]byte{0xff}, f.data...)})
				} else {
					codec.Send(c, frame{websocket.TextFrame, append([]byte("echo: "), f.data...)})
				}
			}
		},
	}
	srv := httptest.NewTLSServer(ws)
	defer srv.Close()
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	roots := x509.NewCertPool()
	roots.AddCert(r.p.opts.CA.Cert)
	w := dialWS(t, r.addr, srv, "/socket?room=1", roots, "permessage-deflate; client_max_window_bits")

	w.send(t, 1, true, []byte(`{"hello":"world"}`))
	if op, p := w.read(t); op != 1 || string(p) != `echo: {"hello":"world"}` {
		t.Fatalf("got opcode %d %q", op, p)
	}
	// A message in two frames, the second large enough for a 64-bit
	// length. The server echoes frame by frame (x/net/websocket does not
	// put fragments together); the recording keeps the message whole.
	big := strings.Repeat("z", 70000)
	w.send(t, 1, false, []byte("part one, "))
	w.send(t, 0, true, []byte(big))
	if op, p := w.read(t); op != 1 || string(p) != "echo: part one, " {
		t.Fatalf("first fragment came back as opcode %d, %.40q", op, p)
	}
	if op, p := w.read(t); op != 1 || string(p) != "echo: "+big {
		t.Fatalf("second fragment came back as opcode %d, %d bytes", op, len(p))
	}
	w.send(t, 2, true, []byte{0, 1, 2, 3})
	if op, p := w.read(t); op != 2 || !bytes.Equal(p, []byte{0xff, 0, 1, 2, 3}) {
		t.Fatalf("binary: opcode %d %v", op, p)
	}
	w.send(t, 8, true, []byte{0x03, 0xe8})
	w.c.Close()
	if offered.Load() != "" {
		t.Errorf("the server was offered %q; compression would hide the recorded messages", offered.Load())
	}

	select {
	case <-r.p.pending.wait():
	case <-time.After(10 * time.Second):
		t.Fatal("the WebSocket exchange was not recorded 10s after the client closed")
	}
	e := find(t, r.entries(), "GET", "/socket?room=1")
	if e.Response.Status != 101 {
		t.Errorf("status %d", e.Response.Status)
	}
	msgs, err := e.WebSocketMessages()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ    string
		opcode int
		data   string
	}{
		{"send", 1, `{"hello":"world"}`},
		{"receive", 1, `echo: {"hello":"world"}`},
		{"send", 1, "part one, " + big},
		{"receive", 1, "echo: part one, "},
		{"receive", 1, "echo: " + big},
		{"send", 2, "AAECAw=="},
		{"receive", 2, "/wABAgM="},
	}
	if len(msgs) != len(want) {
		t.Fatalf("recorded %d messages, want %d: %+v", len(msgs), len(want), msgs)
	}
	// Each direction keeps its order; how the two interleave depends on
	// timing.
	for _, dir := range []string{"send", "receive"} {
		var got, exp []string
		for _, m := range msgs {
			if m.Type == dir {
				if m.Time < float64(time.Now().Add(-time.Minute).Unix()) {
					t.Errorf("message time %v is not a Unix time of now", m.Time)
				}
				got = append(got, fmt.Sprintf("%d %s", m.Opcode, m.Data))
			}
		}
		for _, w := range want {
			if w.typ == dir {
				exp = append(exp, fmt.Sprintf("%d %s", w.opcode, w.data))
			}
		}
		if strings.Join(got, "\n") != strings.Join(exp, "\n") {
			t.Errorf("%s messages:\n%.200q\nwant\n%.200q", dir, got, exp)
		}
	}
	if e.Comment != "" {
		t.Errorf("comment %q on a WebSocket that ended by itself", e.Comment)
	}
	if rt, _ := e.Extra.String("_resourceType"); rt != "websocket" {
		t.Errorf("_resourceType %q", rt)
	}
}

func TestSelfPageAndNoLoop(t *testing.T) {
	r := startProxy(t, Options{})
	// Opened as a page, the proxy answers itself.
	resp, err := http.Get("http://" + r.addr + "/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, r.p.opts.CA.CertPEM()) {
		t.Errorf("/ca.pem answered %q", body)
	}
	// Asked to proxy to itself, it answers instead of looping.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+r.addr+"/loop", nil)
	resp, err = r.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "recording proxy") {
		t.Errorf("a request through the proxy to itself got %q", body)
	}
	if n := len(r.entries()); n != 0 {
		t.Errorf("recorded %d entries of requests to the proxy itself", n)
	}
}

var _ = errors.New
