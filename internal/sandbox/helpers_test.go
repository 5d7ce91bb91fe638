package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, opts Options) *Instance {
	t.Helper()
	in, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// api is a test client for one instance: a Bearer token or a cookie jar.
type api struct {
	t      *testing.T
	in     *Instance
	hc     *http.Client
	bearer string
}

func newAPI(t *testing.T, in *Instance) *api {
	hc := in.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &api{t: t, in: in, hc: hc}
}

func (a *api) withJar() *api {
	jar, _ := cookiejar.New(nil)
	a.hc.Jar = jar
	return a
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// do sends body as JSON (any value), as a form (url.Values) or not at all
// (nil); hdr is a list of header name, value pairs.
func (a *api) do(method, path string, body any, hdr ...string) reply {
	a.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, a.in.URL()+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := a.hc.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: b, header: res.Header}
}

func (a *api) must(status int, method, path string, body any, hdr ...string) reply {
	a.t.Helper()
	r := a.do(method, path, body, hdr...)
	if r.status != status {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	return r
}

// exchange gets an access token for apiToken and returns the token reply.
func (a *api) exchange(apiToken string) map[string]any {
	a.t.Helper()
	r := a.must(200, "POST", "/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {apiToken}})
	return r.json(a.t)
}

func (a *api) login() *api {
	a.t.Helper()
	a.bearer = a.exchange(SeedAPIToken)["access_token"].(string)
	return a
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func urlForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
