package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/proxy"
	"github.com/apitrail/apitrail/replay"
)

// A long answer is recorded and replayed cut at the same place by default.
func TestMaxBodyDefaultIsCaptures(t *testing.T) {
	if replay.DefaultMaxBody != proxy.DefaultMaxBody {
		t.Errorf("replay keeps %d bytes of an answer, capture %d: a recording's cut and the replay's would differ", replay.DefaultMaxBody, proxy.DefaultMaxBody)
	}
}

// line is the repeated text of the long answers below.
var line = []byte(`{"id":1,"name":"launch","tags":["nightly","smoke"]},` + "\n")

// stream writes n bytes of line repeated, with the byte at offset flip
// changed when flip >= 0.
func stream(w io.Writer, n, flip int64) error {
	chunk := bytes.Repeat(line, (64<<10)/len(line)+1)
	period := int64(len(line))
	for off := int64(0); off < n; {
		// Every chunk starts at a whole line.
		k := min(int64(len(chunk))/period*period, n-off)
		part := chunk[:k]
		if flip >= off && flip < off+k {
			part = bytes.Clone(part)
			part[flip-off] ^= 1
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
		off += k
	}
	return nil
}

// bigServer signs in like TestOps and answers GET /api/export with size
// bytes of the stream, changed at *flip past the start when it is set.
func bigServer(t *testing.T, size int64, flip *int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/uaa/oauth/token":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": "bearer-for-the-test", "expires_in": 3600, "token_type": "bearer"})
		case "/api/export":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", fmt.Sprint(size))
			stream(w, size, *flip)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// writeCutRecording writes a HAR of one GET /api/export whose answer was
// cut as capture cuts one: its first kept bytes, its size, the _truncated
// mark, and no digest.
func writeCutRecording(t *testing.T, path, base string, size, kept int64) {
	t.Helper()
	var start bytes.Buffer
	stream(&start, kept, -1)
	req, _ := http.NewRequest("GET", base+"/api/export", nil)
	resp := &http.Response{StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"application/json"}}}
	e := har.NewEntry(time.Now(), req, nil, resp, nil)
	e.SetResponseBody(start.Bytes(), "application/json")
	e.Response.Content.Size = size
	e.Response.Content.MarkTruncated(fmt.Sprintf("capture kept the first %d of %d bytes", kept, size))
	f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}, Entries: []*har.Entry{e}}}
	if err := har.WriteFile(path, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestTwoGigabyteAnswerReplaysInBoundedMemory runs the built replay
// against a loopback server that streams 2 GiB, and reads the process's
// peak RSS from the kernel: the answer is read to its end for its length
// and digest but only its start is kept, the report says it was cut, and
// a recording cut the same way is no regression.
func TestTwoGigabyteAnswerReplaysInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 2 GiB through loopback")
	}
	const size = 2 << 30
	bin := buildReplay(t)
	noFlip := int64(-1)
	srv := bigServer(t, size, &noFlip)
	dir := t.TempDir()
	rec := filepath.Join(dir, "export.har")
	writeCutRecording(t, rec, srv.URL, size, replay.DefaultMaxBody)

	outPath := filepath.Join(dir, "stdout")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--endpoint", srv.URL, "--spec", writeEmptySpec(t, dir), rec)
	cmd.Env = append(os.Environ(), "TESTOPS_TOKEN=api-token-for-the-test")
	cmd.Stdout, cmd.Stderr = out, &stderr
	started := time.Now()
	runErr := cmd.Run()
	took := time.Since(started)
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	report, _ := os.ReadFile(outPath)
	t.Logf("replay of a %d-byte answer: peak RSS %.1f MiB, %s", int64(size), float64(rss)/(1<<20), took.Round(time.Millisecond))
	if runErr != nil {
		t.Fatalf("replay: %v\n%s\n%s", runErr, stderr.String(), report)
	}
	if rss > 300<<20 {
		t.Errorf("peak RSS %d MiB for a 2 GiB answer; it should hold only --max-body of it", rss>>20)
	}
	text := string(report)
	if want := fmt.Sprintf("the answer is %d bytes; only the first %d were kept", int64(size), replay.DefaultMaxBody); !strings.Contains(text, want) {
		t.Errorf("the report does not say the answer was cut (%q):\n%s", want, text)
	}
	if !strings.Contains(text, "1 calls: 1 ok, 0 regression") {
		t.Errorf("a recording cut the same way must be no regression:\n%s", text)
	}
	assertLinesFit(t, text, cli.PipeLineWidth)
}

// TestCutAnswersKeepTheirDigestInTheBaseline: --update stores a cut
// answer with its length and SHA-256, so the next replay sees a change
// past the cut, which the start and the length alone cannot show.
func TestCutAnswersKeepTheirDigestInTheBaseline(t *testing.T) {
	const size, kept = 1 << 20, 64 << 10
	flip := int64(-1)
	srv := bigServer(t, size, &flip)
	dir := t.TempDir()
	rec := filepath.Join(dir, "export.har")
	writeCutRecording(t, rec, srv.URL, size, kept)
	spec := writeEmptySpec(t, dir)
	args := []string{"--endpoint", srv.URL, "--spec", spec, "--max-body", "64KiB"}

	code, out, errOut := runReplay(t, env("api-token"), append(args, "--update", rec)...)
	if code != 0 || !strings.Contains(out, "only the first 65536 were kept") {
		t.Fatalf("first replay: exit %d\n%s\n%s", code, out, errOut)
	}
	b, err := har.ReadFile(filepath.Join(dir, "export.baseline.har"))
	if err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	stream(&whole, size, -1)
	sum := sha256.Sum256(whole.Bytes())
	c := b.Log.Entries[0].Response.Content
	if !c.Truncated() || c.Size != size || c.SHA256() != fmt.Sprintf("%x", sum) || len(c.Text) != kept {
		t.Errorf("baseline content: truncated %v, size %d, sha256 %q, %d bytes kept", c.Truncated(), c.Size, c.SHA256(), len(c.Text))
	}

	code, out, _ = runReplay(t, env("api-token"), append(args, rec)...)
	if code != 0 {
		t.Errorf("the same answer against its baseline: exit %d\n%s", code, out)
	}
	flip = size - 10 // past the cut, same length
	code, out, _ = runReplay(t, env("api-token"), append(args, rec)...)
	if code != 1 || !strings.Contains(out, "regression") || !strings.Contains(out, "sha256") {
		t.Errorf("a change past the cut: exit %d, want 1 with the digests\n%s", code, out)
	}
}

// TestHumanOutputLinesAreCut: a long one-line answer that changed makes a
// long diff line; the text report cuts it with a count, --json does not.
func TestHumanOutputLinesAreCut(t *testing.T) {
	long := strings.Repeat("z", 50000)
	args := longLineReplay(t, long)
	code, out, errOut := runReplay(t, env("api-token"), args...)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	assertLinesFit(t, out, cli.PipeLineWidth)
	if !strings.Contains(out, " more characters)") {
		t.Errorf("no line says it was cut:\n%.2000s", out)
	}
	code, out, _ = runReplay(t, env("api-token"), append([]string{"--json"}, args...)...)
	if code != 1 || !strings.Contains(out, long+"now") {
		t.Errorf("--json must carry the whole diff (exit %d, %d bytes)", code, len(out))
	}
}

// longLineReplay starts an instance whose one answer is a line of text
// that changed at its end, writes a recording of it, and returns replay's
// arguments.
func longLineReplay(t *testing.T, long string) []string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/uaa/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": "bearer-for-the-test", "expires_in": 3600})
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, long+"now")
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	req, _ := http.NewRequest("GET", srv.URL+"/api/notes", nil)
	e := har.NewEntry(time.Now(), req, nil, &http.Response{StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"text/plain"}}}, nil)
	e.SetResponseBody([]byte(long+"then"), "text/plain")
	rec := filepath.Join(dir, "notes.har")
	if err := har.WriteFile(rec, &har.File{Log: har.Log{Version: "1.2", Entries: []*har.Entry{e}}}, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	return []string{"--endpoint", srv.URL, "--spec", writeEmptySpec(t, dir), rec}
}

// TestTerminalLinesAreCutAtItsWidth runs replay on a real terminal (a
// pseudo-terminal of util-linux's script, set to 72 columns): no line of
// the report is wider than the terminal.
func TestTerminalLinesAreCutAtItsWidth(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) is not installed")
	}
	bin := buildReplay(t)
	args := longLineReplay(t, strings.Repeat("z", 5000))
	quoted := []string{"stty", "cols", "72;", "TESTOPS_TOKEN=api-token", bin}
	for _, a := range args {
		quoted = append(quoted, "'"+a+"'")
	}
	out, err := exec.Command("script", "-qec", strings.Join(quoted, " "), "/dev/null").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		t.Fatalf("%v\n%s", err, out)
	}
	// Each update of the status line on stderr is a line of its own.
	text := strings.ReplaceAll(strings.ReplaceAll(string(out), "\r\x1b[K", "\n"), "\r", "")
	if !strings.Contains(text, " more characters)") || !strings.Contains(text, "1 regression") {
		t.Fatalf("the report on a terminal:\n%s", text)
	}
	assertLinesFit(t, text, 72)
}

func assertLinesFit(t *testing.T, text string, width int) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<30)
	for sc.Scan() {
		if n := utf8.RuneCountInString(sc.Text()); n > width {
			t.Errorf("a line of %d characters, more than %d: %.120s…", n, width, sc.Text())
		}
	}
}

// writeEmptySpec writes an OpenAPI document with no operations, so that
// replay neither looks for one at the endpoint nor checks answers.
func writeEmptySpec(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(path, []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
