// Package replaybench measures replay end to end, as a user runs it: it
// writes a recording of N calls whose recorded answers are the local
// instance's own, starts that instance (cmd/sandbox) as a process of its
// own on loopback, and times replay binaries against it, each run in a
// fresh process, alternating the binaries so that both sides see the same
// machine load.
package replaybench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/benchproc"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// BenchCalls is the size of the recording each iteration of cmd/replay's
// BenchmarkReplay replays.
const BenchCalls = 2000

// RecordedOrigin is where the generated recording says its calls went: a
// host that is not the endpoint, as in a recording made on a real instance
// and replayed on a test one.
const RecordedOrigin = "https://testops.example.test"

// paths are the safe calls the recording cycles through: lists, searches
// and single items of the seeded data, as the web UI reads them.
var paths = []string{
	"/api/account/me",
	"/api/project?page=0&size=10&sort=name,ASC",
	"/api/project/1",
	"/api/launch?projectId=1&page=0&size=10&sort=created_date,DESC",
	"/api/launch/101",
	"/api/launch/102",
	"/api/launch/102/statistic",
	"/api/testcase?projectId=1&page=0&size=10",
	"/api/testcase/1001",
	"/api/testresult?launchId=101&page=0&size=10",
	"/api/launch/__search?projectId=1&rql=name%20~%3D%20%22Nightly%22&page=0&size=10&sort=created_date,DESC",
}

// browserHeaders are what a browser sends with each API call; replay sends
// some again and leaves the cookies and the XSRF token behind.
var browserHeaders = []har.NameValue{
	{Name: "Accept", Value: "application/json, text/plain, */*"},
	{Name: "Accept-Language", Value: "en-US,en;q=0.9"},
	{Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
	{Name: "Referer", Value: RecordedOrigin + "/project/1/launches"},
	{Name: "X-Requested-With", Value: "XMLHttpRequest"},
	{Name: "X-XSRF-TOKEN", Value: "5d3f0b6e-1c2a-4f7e-9b8d-3a6c0e2f1b4d"},
	{Name: "Cookie", Value: "XSRF-TOKEN=5d3f0b6e-1c2a-4f7e-9b8d-3a6c0e2f1b4d; ALLURE_TESTOPS_SESSION=NmQ1ZjJiYTAtZjRhMS00"},
}

// WriteRecording writes a HAR of n GET calls to w, cycling through the
// instance's read calls, each with the answer the instance at base gives
// now (fetched once per distinct call), so that a replay there finds every
// answer as recorded.
func WriteRecording(ctx context.Context, w io.Writer, base string, n int) error {
	token, err := bearer(ctx, base)
	if err != nil {
		return err
	}
	answers := make([]*har.Response, len(paths))
	for i, p := range paths {
		if answers[i], err = fetch(ctx, base+p, token); err != nil {
			return err
		}
	}
	// The recording holds no secret of its own beyond what a redactor
	// keeps, as capture would have written it.
	hw, err := har.NewWriter(w, har.WriterOptions{Creator: har.Creator{Name: "replaybench", Version: "1"}})
	if err != nil {
		return err
	}
	start := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	for i := range n {
		k := i % len(paths)
		e := &har.Entry{
			StartedDateTime: start.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano),
			Time:            3,
			Request: har.Request{Method: http.MethodGet, URL: RecordedOrigin + paths[k], HTTPVersion: "HTTP/1.1",
				Headers: browserHeaders, HeadersSize: -1, BodySize: 0},
			Response: *answers[k],
		}
		if err := hw.Write(e); err != nil {
			return err
		}
	}
	return hw.Close()
}

// bearer exchanges the seeded API token for an access token, as replay does.
func bearer(ctx context.Context, base string) (string, error) {
	form := url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {sandbox.SeedAPIToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/uaa/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("the instance at %s gave no access token (%d, %v)", base, resp.StatusCode, err)
	}
	return tok.AccessToken, nil
}

func fetch(ctx context.Context, u, token string) (*har.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json, text/plain, */*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %d: %s", u, resp.StatusCode, body)
	}
	out := &har.Response{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode), HTTPVersion: "HTTP/1.1",
		RedirectURL: "", HeadersSize: -1, BodySize: int64(len(body))}
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range resp.Header[k] {
			out.Headers = append(out.Headers, har.NameValue{Name: k, Value: v})
		}
	}
	e := har.Entry{Response: *out}
	e.SetResponseBody(body, resp.Header.Get("Content-Type"))
	return &e.Response, nil
}

// Sandbox is the local instance running as a process of its own.
type Sandbox struct {
	URL string
	cmd *exec.Cmd
}

// StartSandbox runs the sandbox binary on a free loopback port and waits
// until it says where it listens.
func StartSandbox(bin string) (*Sandbox, error) {
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "sandbox at "); ok {
			go io.Copy(io.Discard, out) // the rest of its banner
			return &Sandbox{URL: u, cmd: cmd}, nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, errors.New("the sandbox ended without saying where it listens")
}

// Close stops the instance.
func (s *Sandbox) Close() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// ReplayArgs are the arguments of one measured run: the recording at -c
// concurrency against the instance, printing only the summary, with the
// spec discovered on the instance as a user's run does.
func ReplayArgs(endpoint, recording string, concurrency int) []string {
	return []string{"-e", endpoint, "-c", fmt.Sprint(concurrency), "-q", recording}
}

// Env is the environment a replay run needs: the seeded API token.
func Env() []string {
	return append(os.Environ(), "TESTOPS_TOKEN="+sandbox.SeedAPIToken)
}

// TimeReplay runs one replay binary once, in a fresh process, and times
// it. A run that does not exit 0 (a call that was not replayed as
// recorded) is an error: a faster binary that gets other answers proves
// nothing.
func TimeReplay(ctx context.Context, bin string, args []string) (benchproc.Usage, string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = Env()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	u, err := benchproc.Run(cmd)
	if err != nil {
		return benchproc.Usage{}, out.String(), fmt.Errorf("%s: %v: %s", filepath.Base(bin), err, out.String())
	}
	return u, out.String(), nil
}
