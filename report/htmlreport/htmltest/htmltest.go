// Package htmltest opens HTML reports in a real headless Chromium for
// tests: it dumps the DOM after the page's script ran, takes screenshots,
// and counts every request the page makes through a loopback proxy.
package htmltest

import (
	"bufio"
	"html"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/thirdparty"
)

// Browser is headless Chromium with a fresh profile.
type Browser struct {
	Bin string
	// Proxy, when set, is the proxy every request of the page goes
	// through, loopback included.
	Proxy string
	t     testing.TB
}

// New returns a Browser, or skips the test when there is no Chromium.
func New(t testing.TB) *Browser { return &Browser{Bin: thirdparty.Chromium(t), t: t} }

func (b *Browser) run(extra ...string) string {
	b.t.Helper()
	args := []string{"--virtual-time-budget=5000"}
	if b.Proxy != "" {
		// <-loopback> takes loopback out of Chromium's implicit bypass
		// list, so that not even a request to 127.0.0.1 escapes the count.
		args = append(args, "--proxy-server=http://"+b.Proxy, "--proxy-bypass-list=<-loopback>")
	}
	return thirdparty.RunChromium(b.t, b.Bin, append(args, extra...)...)
}

// DOM loads url (file:// with an optional #fragment) and returns the DOM
// once the page's script has run.
func (b *Browser) DOM(url string) string {
	b.t.Helper()
	return b.run("--dump-dom", url)
}

// Screenshot saves a PNG of url, width by height pixels, to path.
func (b *Browser) Screenshot(url, path string, width, height int) {
	b.t.Helper()
	b.run("--hide-scrollbars", "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), "--screenshot="+path, url)
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		b.t.Fatalf("chromium wrote no screenshot %s: %v", path, err)
	}
}

// browserHosts are the services Chromium itself calls whatever the page
// (its component updater and sign-in, even with the flags that turn
// background networking off); a report has no business with them either,
// but their requests are the browser's, not the page's.
var browserHosts = map[string]bool{
	"update.googleapis.com": true, "accounts.google.com": true, "clients2.google.com": true,
	"redirector.gvt1.com": true, "edgedl.me.gvt1.com": true,
	// The optimization guide fetches hints on its own schedule, so it shows
	// up on a loaded machine only now and then.
	"optimizationguide-pa.googleapis.com": true,
}

// CountingProxy listens on loopback as an HTTP proxy that answers every
// request (a plain one or a CONNECT) with an error after counting it: a
// page that makes no request leaves the count at zero. Requests to
// Chromium's own background services are not counted.
func CountingProxy(t testing.TB) (addr string, count func() int64, seen func() []string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	lines := make(chan string, 1000)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				rd := bufio.NewReader(c)
				line, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				line = strings.TrimSpace(line)
				if !browserHosts[requestHost(line)] {
					n.Add(1)
					select {
					case lines <- line:
					default:
					}
				}
				for {
					h, err := rd.ReadString('\n')
					if err != nil || strings.TrimSpace(h) == "" {
						break
					}
				}
				io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	seen = func() []string {
		var out []string
		for {
			select {
			case s := <-lines:
				out = append(out, s)
			default:
				return out
			}
		}
	}
	return l.Addr().String(), n.Load, seen
}

// requestHost is the host a proxy request line names: "CONNECT host:443
// HTTP/1.1" or "GET http://host/path HTTP/1.1".
func requestHost(line string) string {
	f := strings.Fields(line)
	if len(f) < 2 {
		return ""
	}
	target := f[1]
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if h, _, err := net.SplitHostPort(target); err == nil {
		return h
	}
	return target
}

// Tags returns the opening tags in dom whose name is tag and that carry
// every attribute fragment given (such as `data-outcome="ok"`).
func Tags(dom, tag string, attrs ...string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<`+tag+`\b[^>]*>`).FindAllString(dom, -1) {
		ok := true
		for _, a := range attrs {
			ok = ok && strings.Contains(m, a)
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// Hidden reports whether an opening tag carries the hidden attribute.
func Hidden(tag string) bool {
	return regexp.MustCompile(`\shidden(=""|\s|>|$)`).MatchString(tag)
}

// ByID returns the element with the given id, from its opening tag to the
// matching closing tag of the same name.
func ByID(dom, id string) string {
	re := regexp.MustCompile(`<([a-z0-9]+)\b[^>]*\sid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	loc := re.FindStringSubmatchIndex(dom)
	if loc == nil {
		return ""
	}
	name := dom[loc[2]:loc[3]]
	depth, i := 0, loc[0]
	open, closing := regexp.MustCompile(`<`+name+`\b`), "</"+name+">"
	for i < len(dom) {
		o := open.FindStringIndex(dom[i:])
		c := strings.Index(dom[i:], closing)
		if c < 0 {
			return dom[loc[0]:]
		}
		if o != nil && o[0] < c {
			depth++
			i += o[1]
			continue
		}
		depth--
		i += c + len(closing)
		if depth == 0 {
			return dom[loc[0]:i]
		}
	}
	return dom[loc[0]:]
}

// Text is the text of an HTML fragment: tags dropped, entities decoded,
// spaces collapsed.
func Text(s string) string {
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}
