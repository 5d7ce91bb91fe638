package script_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/match"
)

var rerecord = flag.Bool("rerecord", false, "record testdata/ui-flow.har anew from a sandbox instance (then run with -update)")

// matchEntries gives the verdicts the match command gives: the instance's
// hosts learnt in a first pass, then one result per entry.
func matchEntries(t *testing.T, entries []*har.Entry) []match.Result {
	t.Helper()
	m := match.New(sandboxtest.Index(t, false), match.Options{})
	for _, e := range entries {
		m.Observe(e)
	}
	out := make([]match.Result, len(entries))
	for i, e := range entries {
		out[i] = m.Entry(i+1, e)
	}
	return out
}

func readRecording(t *testing.T, path string) []match.Result {
	t.Helper()
	f, err := har.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return matchEntries(t, f.Log.Entries)
}

// browser makes calls to an instance as the sandbox's page does in a
// browser: the session and XSRF cookies kept and sent, the XSRF cookie
// echoed in X-XSRF-TOKEN on calls that change state, and the headers a
// browser adds. Every exchange is written through a redacting har.Writer,
// so the recording is as clean as a captured one.
type browser struct {
	t       *testing.T
	base    string
	cookies map[string]string
	w       *har.Writer
	client  *http.Client
}

func newBrowser(t *testing.T, base, harPath string) *browser {
	w, err := har.Create(harPath, har.WriterOptions{Creator: har.Creator{Name: "apitrail script tests", Version: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, cookies: map[string]string{}, w: w,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) close() {
	if err := b.w.Close(); err != nil {
		b.t.Fatal(err)
	}
}

// do sends one request; kind is "page", "asset", "json" or "form".
func (b *browser) do(method, path, kind string, body []byte) (int, []byte) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body == nil {
		req.Body = nil
	}
	h := req.Header
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36")
	h.Set("Accept-Language", "en-US,en;q=0.9")
	h.Set("Sec-Ch-Ua", `"Chromium";v="131", "Not_A Brand";v="24"`)
	h.Set("Sec-Ch-Ua-Mobile", "?0")
	h.Set("Sec-Ch-Ua-Platform", `"Linux"`)
	h.Set("Priority", "u=1, i")
	switch kind {
	case "page":
		h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		h.Set("Sec-Fetch-Dest", "document")
		h.Set("Sec-Fetch-Mode", "navigate")
		h.Set("Upgrade-Insecure-Requests", "1")
	case "asset":
		h.Set("Accept", "image/avif,image/webp,image/apng,image/*,*/*;q=0.8")
		h.Set("Sec-Fetch-Dest", "image")
		h.Set("Referer", b.base+"/")
	default:
		h.Set("Accept", "application/json")
		h.Set("Sec-Fetch-Dest", "empty")
		h.Set("Sec-Fetch-Mode", "cors")
		h.Set("Sec-Fetch-Site", "same-origin")
		h.Set("Referer", b.base+"/")
	}
	switch kind {
	case "json":
		if body != nil {
			h.Set("Content-Type", "application/json")
		}
	case "form":
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		h.Set("Origin", b.base)
		if x := b.cookies[sandbox.XSRFCookie]; x != "" {
			h.Set(sandbox.XSRFHeader, x)
		}
	}
	if len(b.cookies) > 0 {
		var parts []string
		for _, n := range []string{sandbox.SessionCookie, sandbox.XSRFCookie} {
			if v, ok := b.cookies[n]; ok {
				parts = append(parts, n+"="+v)
			}
		}
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	start := time.Now()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		b.cookies[c.Name] = c.Value
	}
	e := har.NewEntry(start, req, body, resp, respBody)
	if err := b.w.Write(e); err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, respBody
}

// recordUIFlow drives the sandbox page's whole flow (log in, list projects,
// create a launch, open it, search) into a HAR at harPath, with the noise a
// real UI makes: the page and an asset, the login and the session check,
// and the project list fetched twice. It returns the id of the launch the
// flow created.
func recordUIFlow(t *testing.T, base, harPath string) string {
	t.Helper()
	b := newBrowser(t, base, harPath)
	defer b.close()
	b.do("GET", "/", "page", nil)
	b.do("GET", "/favicon.ico", "asset", nil)
	form := url.Values{"username": {sandbox.SeedUsername}, "password": {sandbox.SeedPassword}}
	if st, body := b.do("POST", "/api/login/system", "form", []byte(form.Encode())); st != 200 {
		t.Fatalf("login: %d %s", st, body)
	}
	b.do("GET", "/api/uaa/me", "json", nil)
	var page struct {
		Content []struct {
			ID int64 `json:"id"`
		} `json:"content"`
	}
	_, body := b.do("GET", "/api/project?page=0&size=10&sort=name,ASC", "json", nil)
	if err := json.Unmarshal(body, &page); err != nil || len(page.Content) == 0 {
		t.Fatalf("projects: %v %s", err, body)
	}
	b.do("GET", "/api/project?page=0&size=10&sort=name,ASC", "json", nil) // the UI asks twice
	projectID := page.Content[0].ID
	name := "UI launch " + time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	// The page's own field order: name, projectId, autoclose, tags.
	create, _ := json.Marshal(struct {
		Name      string `json:"name"`
		ProjectID int64  `json:"projectId"`
		Autoclose bool   `json:"autoclose"`
		Tags      []any  `json:"tags"`
	}{name, projectID, false, []any{}})
	st, body := b.do("POST", "/api/launch", "json", create)
	var launch struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(body, &launch); st != 200 || err != nil {
		t.Fatalf("create launch: %d %s", st, body)
	}
	id := fmt.Sprint(launch.ID)
	b.do("GET", "/api/launch/"+id, "json", nil)
	b.do("GET", "/api/testresult?launchId="+id+"&page=0&size=10", "json", nil)
	rql := `name ~= "` + name + `"`
	b.do("GET", fmt.Sprintf("/api/launch/__search?projectId=%d&rql=%s&page=0&size=10&sort=created_date,DESC", projectID, url.QueryEscape(rql)), "json", nil)
	return id
}

// startInstance starts a fresh sandbox instance for one test.
func startInstance(t *testing.T, opts sandbox.Options) *sandbox.Instance {
	t.Helper()
	in, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// accessToken exchanges an API token at base, as the vendor documents.
func accessToken(t *testing.T, base, apiToken string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {apiToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token exchange at %s: %d, %v", base, resp.StatusCode, err)
	}
	return tok.AccessToken
}

// apiCall calls an instance with a fresh Bearer token, for setting up and
// inspecting state around a script's run.
func apiCall(t *testing.T, in *sandbox.Instance, method, path string, body any) []byte {
	t.Helper()
	token := accessToken(t, in.URL(), sandbox.SeedAPIToken)
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, in.URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return data
}

// launchIDs lists the ids of every launch of project 1 on an instance.
func launchIDs(t *testing.T, in *sandbox.Instance) map[string]bool {
	t.Helper()
	var page struct {
		Content []struct {
			ID int64 `json:"id"`
		} `json:"content"`
	}
	if err := json.Unmarshal(apiCall(t, in, "GET", "/api/launch?projectId=1&page=0&size=1000", nil), &page); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range page.Content {
		out[fmt.Sprint(l.ID)] = true
	}
	return out
}

// tool finds a test tool: an npm one in tools/node_modules/.bin (npm ci
// --prefix tools puts it there), another on PATH. It skips the test when
// the tool is absent.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := filepath.Abs(filepath.Join("..", "tools", "node_modules", ".bin", name)); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed: run 'npm ci --prefix tools' (npm tools) or install it (Debian: apt-get install %s)", name, name)
	}
	return p
}

// goTool is the go command of the toolchain running the tests.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Skip("no go command to build the generated program")
	}
	return p
}
