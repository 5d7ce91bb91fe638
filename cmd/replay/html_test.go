package main

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/report/htmlreport/htmltest"
)

// TestHTMLReportInChromium replays the suite against version 2 of the
// instance with --html, then opens the page in headless Chromium and reads
// the DOM its script leaves: the totals the text report prints, each
// regression's changed members highlighted, filters from the #fragment
// hiding the calls that passed, and no request made by the page.
func TestHTMLReportInChromium(t *testing.T) {
	b := htmltest.New(t)
	suite, secrets := suiteDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	page := filepath.Join(t.TempDir(), "replay.html")
	code, human, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", in.URL(), "--unsafe", "--html", page, suite)
	if code != 1 {
		t.Fatalf("exit %d, want 1 for regressions\n%s\n%s", code, human, errOut)
	}
	if !strings.Contains(errOut, "wrote the HTML report "+page) {
		t.Errorf("replay does not say where the report is:\n%s", errOut)
	}
	raw, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append([]string{sandbox.SeedAPIToken, "eyJ"}, secrets...) {
		if strings.Contains(string(raw), s) {
			t.Errorf("the HTML report holds a secret (%.12s...)", s)
		}
	}

	// The totals of the text report: "all 2 recordings: 9 ok, 7 regression, ...".
	m := regexp.MustCompile(`all 2 recordings: (\d+) ok, (\d+) regression, (\d+) drift, (\d+) infrastructure error, (\d+) skipped`).FindStringSubmatch(human)
	if m == nil {
		t.Fatalf("no totals in the text report:\n%s", human)
	}
	want := map[string]int{}
	total := 0
	for i, name := range []string{"ok", "regression", "drift", "infra", "skipped"} {
		want[name], _ = strconv.Atoi(m[i+1])
		total += want[name]
	}
	url := "file://" + page
	dom := b.DOM(url)
	for name, n := range want {
		got := regexp.MustCompile(`<a class="count v-` + name + `"[^>]*><b>(\d+)</b>`).FindStringSubmatch(dom)
		if got == nil || got[1] != strconv.Itoa(n) {
			t.Errorf("the page's %s total is %v, the text report's %d", name, got, n)
		}
		if rows := htmltest.Tags(dom, "tr", `data-outcome="`+name+`"`); len(rows) != n {
			t.Errorf("%d rows say %s, the text report %d", len(rows), name, n)
		}
	}
	if got := htmltest.Text(htmltest.ByID(dom, "shown")); got != fmt.Sprintf("%d of %d calls shown", total, total) {
		t.Errorf("unfiltered, the page says %q", got)
	}
	// Passing calls open their details on demand: the script gives each
	// a button, which the file itself does not have.
	for _, id := range regexp.MustCompile(`<tr id="([^"]+)" data-outcome="ok"`).FindAllStringSubmatch(dom, -1) {
		if row := htmltest.ByID(dom, id[1]); !strings.Contains(row, `<button type="button" class="more">details</button>`) {
			t.Errorf("passing call %s has no details button:\n%s", id[1], row)
		}
	}
	if strings.Contains(string(raw), `class="more"`) {
		t.Error("the file itself holds details buttons, which do nothing without the script")
	}
	if form := htmltest.Tags(dom, "form", `id="filters"`); len(form) != 1 || htmltest.Hidden(form[0]) {
		t.Errorf("the script did not show the filters: %v", form)
	}

	// Each regression has its section, without JavaScript too, and the
	// launch's renamed member is highlighted: a removed row and a red
	// line for closed, an added row and a green line for isClosed.
	if n := len(htmltest.Tags(string(raw), "article", `data-outcome="regression"`)); n != want["regression"] {
		t.Errorf("%d failure sections in the file itself, want one per regression (%d)", n, want["regression"])
	}
	launch := ""
	for _, a := range htmltest.Tags(dom, "article", `data-outcome="regression"`, `data-op="GET /api/launch/{id}"`, `id="diff-call-read-only-`) {
		id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(a)[1]
		launch = htmltest.ByID(dom, id)
	}
	if launch == "" {
		t.Fatal("no failure section for the read-only flow's GET /api/launch/{id}")
	}
	for _, re := range []string{
		`<tr class="chg chg-removed"><td>\$\.closed</td>`,
		`<tr class="chg chg-added"><td>\$\.isClosed</td>`,
		`<span class="del">-\s*"closed": (true|false),</span>`,
		`<span class="ins">\+\s*"isClosed": (true|false),</span>`,
		`<span class="file">--- recorded</span>`,
	} {
		if !regexp.MustCompile(re).MatchString(launch) {
			t.Errorf("the launch's failure lacks %s:\n%s", re, launch)
		}
	}
	if !strings.Contains(launch, "the request sent") || !strings.Contains(launch, "GET "+in.URL()+"/api/launch/") {
		t.Errorf("the failure does not show the request sent:\n%s", launch)
	}

	cases := []struct {
		reason, fragment string
		shown            func(tag string) bool
	}{
		{"a filter by outcome hides the calls that passed", "#outcome=regression,drift",
			func(tag string) bool {
				return strings.Contains(tag, `data-outcome="regression"`) || strings.Contains(tag, `data-outcome="drift"`)
			}},
		{"a filter by flow and tag", "#flow=read-only&tag=launch-controller",
			func(tag string) bool {
				return (strings.Contains(tag, `id="call-read-only-`) || strings.Contains(tag, `id="diff-call-read-only-`)) && strings.Contains(tag, `data-tag="launch-controller"`)
			}},
		{"an anchor to a call filters nothing", "#call-read-only-4", func(string) bool { return true }},
	}
	for _, c := range cases {
		dom := b.DOM(url + c.fragment)
		rows := htmltest.Tags(dom, "tr", `data-outcome=`)
		n := 0
		for _, r := range rows {
			if htmltest.Hidden(r) == c.shown(r) {
				t.Errorf("%s: row %s hidden=%v", c.reason, r, htmltest.Hidden(r))
			}
			if c.shown(r) {
				n++
			}
		}
		if n == 0 || n == len(rows) && c.fragment != "#call-read-only-4" {
			t.Errorf("%s: %d of %d rows shown; the case proves nothing", c.reason, n, len(rows))
		}
		if got := htmltest.Text(htmltest.ByID(dom, "shown")); got != fmt.Sprintf("%d of %d calls shown", n, total) {
			t.Errorf("%s: the page says %q, %d rows are shown", c.reason, got, n)
		}
		for _, a := range htmltest.Tags(dom, "article", `data-outcome=`) {
			if htmltest.Hidden(a) == c.shown(a) {
				t.Errorf("%s: failure %s hidden=%v", c.reason, a, htmltest.Hidden(a))
			}
		}
	}

	checkNoNetwork(t, b, page, raw)
}

// checkNoNetwork holds a report to its promise of making no request: its
// CSP allows nothing to load and names the hashes of exactly its inline
// style and script, and Chromium, sent through a proxy that counts every
// request, loopback included, makes none while showing it. A page that
// does load an image through the same proxy shows the count works.
func checkNoNetwork(t *testing.T, b *htmltest.Browser, page string, raw []byte) {
	t.Helper()
	src := string(raw)
	meta := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(src)
	if meta == nil {
		t.Fatal("no Content-Security-Policy meta tag")
	}
	csp := html.UnescapeString(meta[1])
	if !strings.HasPrefix(csp, "default-src 'none';") {
		t.Errorf("CSP %q does not start with default-src 'none'", csp)
	}
	for _, el := range []struct{ name, re string }{{"style-src", `(?s)<style>(.*?)</style>`}, {"script-src", `(?s)<script>(.*?)</script>`}} {
		body := regexp.MustCompile(el.re).FindStringSubmatch(src)
		if body == nil {
			t.Fatalf("no inline %s element", el.name)
		}
		sum := sha256.Sum256([]byte(body[1]))
		if h := el.name + " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("CSP %q lacks %s, the hash of the inline element", csp, h)
		}
	}

	addr, count, seen := htmltest.CountingProxy(t)
	b.Proxy = addr
	defer func() { b.Proxy = "" }()
	control := filepath.Join(t.TempDir(), "control.html")
	os.WriteFile(control, []byte(`<!DOCTYPE html><img src="http://assets.example.test/logo.png">`), 0o644)
	b.DOM("file://" + control)
	if count() == 0 {
		t.Fatal("the control page's image did not reach the counting proxy; the check below would prove nothing")
	}
	before := count()
	b.DOM("file://" + page + "#outcome=regression")
	if n := count() - before; n != 0 {
		t.Errorf("the report made %d request(s): %v", n, seen())
	}
}
