//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/syncbuf"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/thirdparty"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

// TestJupyterNotebookRecordedByCapture records Debian's classic Jupyter
// Notebook server (thirdparty.Jupyter): a real single-page app with a real
// Swagger 2.0 document of its own, whose UI adds jQuery cache-busters,
// opens a kernel WebSocket, revalidates pages with 304 and lists the root
// folder at a path its spec leaves out. It drives headless Chromium through
// capture over Jupyter Notebook's UI as a person would (the file list,
// a notebook in a sub-folder whose first cell is run, the file list
// again, the API's spec document), then checks that match gives every
// recorded call the verdict a person who knows the app would give it.
func TestJupyterNotebookRecordedByCapture(t *testing.T) {
	browserPath := thirdparty.Chromium(t)
	nb := thirdparty.Jupyter(t)
	host := strings.TrimPrefix(nb.URL, "http://")
	dir := t.TempDir()

	out := filepath.Join(dir, "jupyter.har")
	p := startProcess(t, nil, "--ca-dir", filepath.Join(dir, "ca"), "--listen", "127.0.0.1:0", "--host", host, "-o", out)
	b := startDevTools(t, browserPath, p.addr, filepath.Join(dir, "profile"))

	base := nb.URL
	b.navigate(base + "/tree?token=" + nb.Token)
	b.until("the file list", `document.querySelectorAll('#notebook_list .list_item a.item_link').length >= 1`)
	b.navigate(base + "/notebooks/work%20dir/sub/probe.ipynb")
	b.until("the kernel", `typeof Jupyter !== 'undefined' && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()`)
	b.eval(`Jupyter.notebook.execute_cell_range(0, 1)`)
	b.until("the cell's output", `Jupyter.notebook.get_cell(0).output_area.outputs.length > 0`)
	b.navigate(base + "/tree")
	b.until("the file list again", `document.querySelectorAll('#notebook_list .list_item a.item_link').length >= 1`)
	b.reload() // revalidates the page: 304
	b.until("the file list once more", `document.querySelectorAll('#notebook_list .list_item a.item_link').length >= 1`)
	b.navigate(base + "/api/spec.yaml")
	b.close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(60 * time.Second); code != 0 {
		t.Fatalf("capture exited %d:\n%s", code, p.stderr.String())
	}

	f, err := har.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	entries := f.Log.Entries
	for i, e := range entries {
		t.Logf("#%d %s %s -> %d", i+1, e.Request.Method, match.PathOf(e.Request.URL), e.Response.Status)
	}

	// The recording must hold every case, or a thin flow would pass.
	has := map[string]bool{}
	for _, e := range entries {
		u, _ := url.Parse(e.Request.URL)
		q := u.Query()
		switch {
		case q.Get("_") != "":
			has["a cache-buster"] = true
		}
		switch {
		case strings.HasSuffix(u.Path, "/channels") && e.Response.Status == 101:
			if msgs, _ := e.WebSocketMessages(); len(msgs) > 0 {
				has["a WebSocket with frames"] = true
			}
		case e.Response.Status == 304 && !strings.HasPrefix(u.Path, "/api/"):
			has["a page answered 304"] = true
		case e.Response.Status == 304:
			has["an API call answered 304"] = true
		case u.Path == "/api/spec.yaml":
			has["a spec fetch"] = true
		case u.Path == "/api/contents/work dir/sub/probe.ipynb":
			has["a path parameter spanning segments"] = true
		case u.Path == "/api/contents":
			has["a root listing"] = true
		}
	}
	for _, want := range []string{"a cache-buster", "a WebSocket with frames", "a page answered 304", "an API call answered 304", "a spec fetch", "a path parameter spanning segments", "a root listing"} {
		if !has[want] {
			t.Errorf("the recording lacks %s", want)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// The browser's own headers, as it sent them: Chromium offers brotli
	// and zstd, which the proxy asked the server not to use.
	for _, e := range entries {
		if ae := header(e.Request.Headers, "Accept-Encoding"); ae != "" && !strings.Contains(ae, "br") {
			t.Errorf("#%s: recorded Accept-Encoding %q is not what Chromium sent", e.Request.URL, ae)
			break
		}
	}

	// match, with the spec the server serves, as a user would run it.
	fetched, err := discover.Fetch(context.Background(), http.DefaultClient, base+"/api/spec.yaml?token="+nb.Token, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spec.Load(fetched)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := match.New(ix, match.Options{})
	for _, e := range entries {
		m.Observe(e)
	}
	results := make([]match.Result, len(entries))
	for i, e := range entries {
		results[i] = m.Entry(i+1, e)
	}
	var table bytes.Buffer
	match.WriteTable(&table, results)
	t.Logf("match:\n%s", table.String())

	for _, r := range results {
		checkJupyterVerdict(t, r)
	}

	// Neither the WebSocket nor the spec fetch is scripted.
	src, err := script.Generate(script.Bash, results, script.Options{Name: "jupyter"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		u, _ := url.Parse(r.URL)
		if (r.Verdict == match.WebSocket || u.Path == "/api/spec.yaml") && strings.Contains(string(src), fmt.Sprintf("# #%d ", r.Seq)) {
			t.Errorf("#%d %s %s is in the script", r.Seq, r.Method, u.Path)
		}
	}
	if !strings.Contains(string(src), "is a WebSocket") && !strings.Contains(string(src), "are WebSockets") {
		t.Errorf("the script does not say it left the WebSocket out")
	}
}

// checkJupyterVerdict holds one call to what a person who knows Jupyter
// Notebook would write beside it.
func checkJupyterVerdict(t *testing.T, r match.Result) {
	t.Helper()
	u, _ := url.Parse(r.URL)
	p := u.Path
	op := ""
	if r.Operation != nil {
		op = r.Operation.Method + " " + r.Operation.Path
	}
	fail := func(format string, args ...any) {
		t.Errorf("#%d %s %s (%d): verdict %s %q, operation %q: %s", r.Seq, r.Method, match.PathOf(r.URL), r.Status, r.Verdict, r.Reason, op, fmt.Sprintf(format, args...))
	}
	for _, q := range r.Query {
		if q.Name == "_" && !q.CacheBuster {
			fail("jQuery's _ is a cache-buster")
		}
	}
	for _, pr := range r.Problems {
		if pr.Where == "query._" {
			fail("the cache-buster is reported as drift: %s", pr)
		}
	}
	switch {
	case p == "/api/spec.yaml":
		if r.Verdict != match.NotAPI || !strings.Contains(r.Reason, "documentation") {
			fail("the spec document is the API's documentation, not a call")
		}
	case strings.HasPrefix(p, "/api/kernels/") && strings.HasSuffix(p, "/channels"):
		if r.Verdict != match.WebSocket || r.WebSocket == nil || r.WebSocket.Sent == 0 || r.WebSocket.Received == 0 {
			fail("the kernel's channels are a WebSocket, with frames both ways")
		}
	case p == "/api/contents":
		if r.Verdict != match.Undocumented || len(r.Closest) == 0 || r.Closest[0].Operation.Path != "/api/contents/{path}" {
			fail("the root listing is in no spec, one segment short of /api/contents/{path}: closest %v", r.Closest)
		}
	case strings.HasPrefix(p, "/api/contents/") && strings.Count(p, "/") > 3:
		want := "GET /api/contents/{path}"
		if strings.HasSuffix(p, "/checkpoints") {
			want += "/checkpoints"
		}
		spans := false
		for _, pr := range r.Problems {
			spans = spans || pr.Kind == spec.SpanningParam
		}
		if r.Verdict != match.Drift || op != want || !spans {
			fail("a file in a sub-folder is %s with the path spanning segments", want)
		}
	case strings.HasPrefix(p, "/api/"):
		if r.Verdict != match.Matched && r.Verdict != match.Drift || r.Operation == nil {
			fail("a documented API call names its operation")
		}
		for _, pr := range r.Problems {
			if pr.Kind == spec.UndocumentedQuery {
				fail("the UI sends no undocumented query parameter but the cache-buster: %s", pr)
			}
		}
		if r.Status == 304 && !strings.Contains(strings.Join(r.Notes, " "), "304") {
			fail("a 304 API answer is noted")
		}
	case p == "/tree" || strings.HasPrefix(p, "/notebooks/"):
		if r.Verdict != match.NotAPI || r.Reason != "page load" {
			fail("a page is a page load, answered 200 or 304")
		}
	default:
		if r.Verdict == match.Undocumented {
			fail("only the root listing is undocumented in this flow")
		}
	}
}

// devTools is a headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe): messages are JSON, each ended by a NUL.
type devTools struct {
	t       *testing.T
	cmd     *exec.Cmd
	w       io.Writer
	msgs    chan map[string]any
	id      int
	session string
	loaded  int           // Page.loadEventFired events seen
	done    chan struct{} // closed when Chromium has exited
}

func startDevTools(t *testing.T, browserPath, proxyAddr, profile string) *devTools {
	t.Helper()
	toChrome, ourEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, chromeEnd, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-extensions", "--disable-default-apps", "--disable-quic",
		"--user-data-dir=" + profile, "--proxy-server=http://" + proxyAddr, "--proxy-bypass-list=<-loopback>",
		"--remote-debugging-pipe", "about:blank"}
	cmd := exec.Command(browserPath, args...)
	cmd.ExtraFiles = []*os.File{toChrome, chromeEnd} // fd 3 it reads, fd 4 it writes
	var log syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	chromeEnd.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		ourEnd.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	b := &devTools{t: t, cmd: cmd, w: ourEnd, msgs: make(chan map[string]any, 1024), done: done}
	go func() {
		r := bufio.NewReader(fromChrome)
		for {
			raw, err := r.ReadBytes(0)
			if err != nil {
				close(b.msgs)
				return
			}
			var m map[string]any
			if json.Unmarshal(raw[:len(raw)-1], &m) == nil {
				b.msgs <- m
			}
		}
	}()
	targets := b.call("", "Target.getTargets", nil)
	for _, ti := range targets["targetInfos"].([]any) {
		info := ti.(map[string]any)
		if info["type"] == "page" {
			att := b.call("", "Target.attachToTarget", map[string]any{"targetId": info["targetId"], "flatten": true})
			b.session = att["sessionId"].(string)
			break
		}
	}
	if b.session == "" {
		t.Fatalf("Chromium opened no page:\n%s", log.String())
	}
	b.call(b.session, "Page.enable", nil)
	b.call(b.session, "Runtime.enable", nil)
	return b
}

// call sends one command and waits for its answer, counting page loads
// among the events on the way.
func (b *devTools) call(session, method string, params any) map[string]any {
	b.t.Helper()
	b.id++
	msg := map[string]any{"id": b.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, _ := json.Marshal(msg)
	if _, err := b.w.Write(append(raw, 0)); err != nil {
		b.t.Fatalf("DevTools %s: %v", method, err)
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case m, ok := <-b.msgs:
			if !ok {
				b.t.Fatalf("Chromium closed the DevTools pipe during %s", method)
			}
			if m["method"] == "Page.loadEventFired" {
				b.loaded++
			}
			if id, _ := m["id"].(float64); int(id) == b.id {
				if e, ok := m["error"]; ok {
					b.t.Fatalf("DevTools %s: %v", method, e)
				}
				res, _ := m["result"].(map[string]any)
				return res
			}
		case <-timeout:
			b.t.Fatalf("DevTools %s: no answer in 60s", method)
		}
	}
}

// navigate loads a URL in the page and waits for its load event.
func (b *devTools) navigate(u string) {
	b.t.Helper()
	before := b.loaded
	res := b.call(b.session, "Page.navigate", map[string]any{"url": u})
	if e, _ := res["errorText"].(string); e != "" {
		b.t.Fatalf("navigating to %s: %s", u, e)
	}
	b.waitFor("the load of "+u, func() bool { return b.loaded > before }, nil)
}

// reload reloads the page as the browser's reload button does, which
// revalidates what it has cached.
func (b *devTools) reload() {
	b.t.Helper()
	before := b.loaded
	b.call(b.session, "Page.reload", nil)
	b.waitFor("the reload", func() bool { return b.loaded > before }, nil)
}

// eval runs JavaScript in the page and returns its value.
func (b *devTools) eval(expr string) any {
	b.t.Helper()
	res := b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	r, _ := res["result"].(map[string]any)
	return r["value"]
}

// until waits for a JavaScript condition to hold in the page.
func (b *devTools) until(what, expr string) {
	b.t.Helper()
	b.waitFor(what, func() bool { return b.eval("!!("+expr+")") == true }, func() string {
		return fmt.Sprint(b.eval(`location.href + ' (' + document.title + '): ' + document.body.innerText.slice(0, 300)`))
	})
}

// waitFor waits for cond; on a time-out, page says what the page shows.
func (b *devTools) waitFor(what string, cond func() bool, page func() string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			shows := ""
			if page != nil {
				shows = "; the page shows " + page()
			}
			b.t.Fatalf("waited 30s for %s%s", what, shows)
		}
		// Drain events (load events among them) while waiting.
		select {
		case m, ok := <-b.msgs:
			if ok && m["method"] == "Page.loadEventFired" {
				b.loaded++
			}
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// close ends the browser, which closes the page's last connections.
func (b *devTools) close() {
	b.t.Helper()
	raw, _ := json.Marshal(map[string]any{"id": b.id + 1, "method": "Browser.close"})
	b.w.Write(append(raw, 0))
	select {
	case <-b.done:
	case <-time.After(20 * time.Second):
		b.t.Log("Chromium did not close in 20s; it is killed")
	}
}
