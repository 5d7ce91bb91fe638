package main

// Benchmarks of the proxy as users run it: the capture binary recording to
// a HAR file, beside a direct connection, martian's proxy with nothing
// added, and mitmproxy's mitmdump recording to a HAR with its har_dump
// addon, all against the same HTTPS backend and driven by the same load
// generator. The capture section of
// docs/benchmarks.md has the figures and the commands.

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/syncbuf"
)

// harDumpAddon is mitmproxy's own HAR exporter for versions before 10.1,
// shipped with Debian's mitmproxy package.
const harDumpAddon = "/usr/share/doc/mitmproxy/examples/contrib/har_dump.py"

// benchBackend answers /item with a small JSON document, as an API call
// would, and /big?size=N with N bytes.
func benchBackend(b *testing.B) *httptest.Server {
	doc := []byte(`{"id":104,"name":"UI launch","projectId":1,"closed":false,"tags":[],"pad":"` + strings.Repeat("x", 900) + `"}`)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			n, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", fmt.Sprint(n))
			io.Copy(w, &zeros{n: n})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	srv.StartTLS()
	b.Cleanup(srv.Close)
	return srv
}

type zeros struct{ n int64 }

var zeroBlock = make([]byte, 256<<10)

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := copy(p, zeroBlock[:min(int64(len(zeroBlock)), z.n)])
	z.n -= int64(k)
	return k, nil
}

// path is how the load generator reaches the backend: directly, or
// through a proxy whose CA it trusts.
type path struct {
	name  string
	proxy string // host:port, or "" for direct
	roots *x509.CertPool
	stop  func()
}

func (p path) client(srv *httptest.Server) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: p.roots},
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
	}
	if p.proxy != "" {
		tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: p.proxy})
	} else {
		tr.TLSClientConfig.RootCAs = x509.NewCertPool()
		tr.TLSClientConfig.RootCAs.AddCert(srv.Certificate())
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

func freePort(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitListening(b *testing.B, addr string, done <-chan struct{}, log func() string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			b.Fatalf("the proxy exited before listening:\n%s", log())
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("nothing listens on %s after 30s:\n%s", addr, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// launch runs a proxy program listening on addr and returns how to reach
// it, trusting the CA certificate it writes to caFile.
func launch(b *testing.B, name, addr, caFile, bin string, args ...string) (path, *exec.Cmd) {
	cmd := exec.Command(bin, args...)
	var log syncbuf.Buffer
	cmd.Stderr, cmd.Stdout = &log, &log
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	waitListening(b, addr, done, log.String)
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		b.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	return path{name: name, proxy: addr, roots: roots, stop: stop}, cmd
}

// startCapture runs the capture binary recording to a HAR.
func startCapture(b *testing.B, srv *httptest.Server) (path, *exec.Cmd) {
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	addr := freePort(b)
	return launch(b, "capture", addr, filepath.Join(dir, "ca", "rootCA.pem"), bin,
		"--ca-dir", filepath.Join(dir, "ca"), "--upstream-ca", writeCertPEM(b, srv), "--listen", addr,
		"-o", filepath.Join(dir, "capture.har"))
}

// startBareMartian runs martian's MITM proxy with nothing of capture's
// added (testdata/bareproxy): the floor that the library sets.
func startBareMartian(b *testing.B, srv *httptest.Server) (path, *exec.Cmd) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "bareproxy")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/bareproxy").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freePort(b)
	caFile := filepath.Join(dir, "ca.pem")
	return launch(b, "martian", addr, caFile, bin,
		"-listen", addr, "-ca-out", caFile, "-upstream-ca", writeCertPEM(b, srv))
}

// startMitmdump runs mitmproxy's mitmdump with its HAR addon.
func startMitmdump(b *testing.B, srv *httptest.Server) (path, *exec.Cmd) {
	bin, err := exec.LookPath("mitmdump")
	if err != nil {
		b.Skip("skipping: mitmdump is not installed (apt-get install mitmproxy)")
	}
	if _, err := os.Stat(harDumpAddon); err != nil {
		b.Skipf("skipping: mitmproxy's HAR addon is not at %s", harDumpAddon)
	}
	dir := b.TempDir()
	addr := freePort(b)
	host, port, _ := net.SplitHostPort(addr)
	return launch(b, "mitmdump", addr, filepath.Join(dir, "conf", "mitmproxy-ca-cert.pem"), bin,
		"-q", "--listen-host", host, "--listen-port", port,
		"--set", "confdir="+filepath.Join(dir, "conf"),
		"--set", "ssl_verify_upstream_trusted_ca="+writeCertPEM(b, srv),
		"-s", harDumpAddon, "--set", "hardump="+filepath.Join(dir, "mitmdump.har"))
}

// BenchmarkProxy sends small HTTPS API calls over keep-alive connections,
// one connection per worker, and reports requests per second and the p50
// and p99 latency seen by the client.
//
//	go test ./cmd/capture -run '^$' -bench Proxy -benchtime 5s
func BenchmarkProxy(b *testing.B) {
	srv := benchBackend(b)
	capturePath, _ := startCapture(b, srv)
	defer capturePath.stop()
	barePath, _ := startBareMartian(b, srv)
	defer barePath.stop()
	paths := []path{{name: "direct"}, barePath, capturePath}
	if mp := tryMitmdump(b, srv); mp != nil {
		defer mp.stop()
		paths = append(paths, *mp)
	}
	for _, workers := range []int{1, 16} {
		for _, p := range paths {
			clients := make([]*http.Client, workers)
			for i := range clients {
				clients[i] = p.client(srv)
				// Connect and warm up outside the timing.
				for range 20 {
					if err := fetch(clients[i], srv.URL+"/item"); err != nil {
						b.Fatalf("%s: %v", p.name, err)
					}
				}
			}
			b.Run(fmt.Sprintf("c=%d/%s", workers, p.name), func(b *testing.B) {
				load(b, clients, srv.URL+"/item")
			})
		}
	}
}

// tryMitmdump starts mitmdump, or returns nil when it is not installed.
func tryMitmdump(b *testing.B, srv *httptest.Server) (p *path) {
	if _, err := exec.LookPath("mitmdump"); err != nil {
		b.Log("mitmdump is not installed (apt-get install mitmproxy): comparing with direct only")
		return nil
	}
	mp, _ := startMitmdump(b, srv)
	return &mp
}

func fetch(c *http.Client, u string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

func load(b *testing.B, clients []*http.Client, u string) {
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := fetch(c, u); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkRecord2GB streams 2 GiB of response bodies (16 of 128 MiB)
// through the capture binary, which records them to a HAR keeping the
// default 4 MiB of each, and samples the process's resident memory as the
// bytes go by. For contrast, mitmdump with its HAR addon gets a quarter of
// that in 32 MiB bodies (it holds each whole response before passing it
// on, and every body it records until it exits).
//
//	go test ./cmd/capture -run '^$' -bench Record2GB -benchtime 1x
func BenchmarkRecord2GB(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("skipping: reads /proc")
	}
	srv := benchBackend(b)
	b.Run("capture", func(b *testing.B) {
		p, cmd := startCapture(b, srv)
		defer p.stop()
		recordBodies(b, srv, p, cmd, 128<<20, 2<<30)
	})
	b.Run("mitmdump-512MiB", func(b *testing.B) {
		if _, err := exec.LookPath("mitmdump"); err != nil {
			b.Skip("skipping: mitmdump is not installed (apt-get install mitmproxy)")
		}
		p, cmd := startMitmdump(b, srv)
		defer p.stop()
		recordBodies(b, srv, p, cmd, 32<<20, 512<<20)
	})
}

func recordBodies(b *testing.B, srv *httptest.Server, p path, cmd *exec.Cmd, body, total int64) {
	c := p.client(srv)
	c.Timeout = 10 * time.Minute
	var moved atomic.Int64
	type sample struct{ moved, rss int64 }
	var samples []sample
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			samples = append(samples, sample{moved.Load(), rssKB(cmd.Process.Pid, "VmRSS")})
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	for moved.Load() < total*int64(b.N) {
		resp, err := c.Get(fmt.Sprintf("%s/big?size=%d", srv.URL, body))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(countWriter{&moved}, resp.Body)
		resp.Body.Close()
		if err != nil || n != body {
			b.Fatalf("read %d of %d bytes: %v", n, body, err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	peak := rssKB(cmd.Process.Pid, "VmHWM")
	close(stopSampling)
	<-sampled
	at := func(frac float64) int64 {
		want := int64(frac * float64(total) * float64(b.N))
		for _, s := range samples {
			if s.moved >= want {
				return s.rss
			}
		}
		return samples[len(samples)-1].rss
	}
	b.ReportMetric(float64(moved.Load())/elapsed.Seconds()/(1<<20), "MiB/s")
	b.ReportMetric(float64(at(0.1))/1024, "RSS-MiB@10%")
	b.ReportMetric(float64(at(0.5))/1024, "RSS-MiB@50%")
	b.ReportMetric(float64(at(1))/1024, "RSS-MiB@100%")
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
}

type countWriter struct{ n *atomic.Int64 }

func (w countWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// rssKB reads a memory figure of a process from /proc, in KiB.
func rssKB(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
