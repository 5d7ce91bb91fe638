package sandbox

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/thirdparty"
)

// runHeadless loads url in headless Chromium and returns the DOM once the
// page's scripts have settled. The virtual time budget lets the page's
// fetch calls finish before Chromium dumps the DOM.
func runHeadless(t *testing.T, bin, url string, extra ...string) string {
	t.Helper()
	return thirdparty.RunChromium(t, bin, append(append([]string{"--virtual-time-budget=20000"}, extra...), "--dump-dom", url)...)
}

func TestUIInHeadlessChromium(t *testing.T) {
	bin := thirdparty.Chromium(t)
	for _, tc := range []struct {
		name  string
		opts  Options
		flags []string
	}{
		{"over http", Options{}, nil},
		{"over https", Options{TLS: true}, []string{"--ignore-certificate-errors"}},
		{"in version 2 mode", Options{Knobs: Knobs{V2: true}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, tc.opts)
			dom := runHeadless(t, bin, in.URL()+"/?auto=1", tc.flags...)
			if !strings.Contains(dom, `data-state="done"`) || !strings.Contains(dom, "<title>done</title>") {
				state := regexp.MustCompile(`data-state="[^"]*"`).FindString(dom)
				t.Fatalf("the page did not finish its flow (%s); request log:\n%s", state, logText(in))
			}
			checkUIRequests(t, in)
		})
	}
}

// checkUIRequests reads what the instance received: the page, the login,
// then session calls, with the XSRF header on the one that changes state.
func checkUIRequests(t *testing.T, in *Instance) {
	t.Helper()
	want := []struct {
		method, path, auth string
		xsrf               bool
	}{
		{"GET", "/", AuthNone, false},
		{"POST", "/api/login/system", AuthNone, true},
		{"GET", "/api/uaa/me", AuthSession, false},
		{"GET", "/api/project", AuthSession, false},
		{"POST", "/api/launch", AuthSession, true},
		{"GET", "/api/launch/104", AuthSession, false},
		{"GET", "/api/testresult", AuthSession, false},
		{"GET", "/api/launch/__search", AuthSession, false},
	}
	var got []Request
	for _, r := range in.Requests() {
		if r.Path != "/favicon.ico" {
			got = append(got, r)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("the instance received %d requests, want %d:\n%s", len(got), len(want), logText(in))
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.method || g.Path != w.path || g.Auth != w.auth || g.XSRF != w.xsrf || g.Status/100 != 2 {
			t.Errorf("request %d: %s %s auth=%s xsrf=%v status=%d, want %s %s auth=%s xsrf=%v 2xx",
				i, g.Method, g.Path, g.Auth, g.XSRF, g.Status, w.method, w.path, w.auth, w.xsrf)
		}
		if w.auth == AuthSession && g.User != SeedUsername {
			t.Errorf("request %d authenticated as %q", i, g.User)
		}
	}
	if q := got[7].Query; !strings.Contains(q, "rql=name") || !strings.Contains(q, "projectId=1") {
		t.Errorf("search query %q", q)
	}
	a := newAPI(t, in).login()
	if l := a.must(200, "GET", "/api/launch/104", nil).json(t); !strings.HasPrefix(l["name"].(string), "UI launch ") {
		t.Errorf("launch 104 is %v, not the UI's", l["name"])
	}
}

func logText(in *Instance) string {
	var b strings.Builder
	for _, r := range in.Requests() {
		fmt.Fprintf(&b, "  %s %s?%s auth=%s xsrf=%v user=%s status=%d %s\n", r.Method, r.Path, r.Query, r.Auth, r.XSRF, r.User, r.Status, r.Fault)
	}
	return b.String()
}
