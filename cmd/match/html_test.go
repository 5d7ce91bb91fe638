package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/report/htmlreport/htmltest"
)

// TestHTMLReportInChromium writes match --html for a recording with every
// verdict, opens it in headless Chromium and holds the DOM to the totals
// --json gives for the same run: the verdict counts, a coverage bar per
// tag with the operations not called, the drift grouped by operation, the
// undocumented call, and a verdict filter from the #fragment.
func TestHTMLReportInChromium(t *testing.T) {
	b := htmltest.New(t)
	specPath, harPath := fixture(t)
	page := filepath.Join(t.TempDir(), "match.html")
	code, out, errOut := runMatch(t, "--json", "--html", page, "--spec", specPath, harPath)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var sum struct {
		Kind     string         `json:"kind"`
		Verdicts map[string]int `json:"verdicts"`
		Coverage struct {
			Operations, Exercised int
			Tags                  []struct {
				Tag                   string
				Operations, Exercised int
				Missing               []string
			}
		} `json:"coverage"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Kind != "summary" {
		t.Fatalf("no summary line in --json output (%v):\n%s", err, out)
	}
	dom := b.DOM("file://" + page)

	for v, n := range sum.Verdicts {
		got := regexp.MustCompile(`<a class="count v-` + v + `"[^>]*><b>(\d+)</b>`).FindStringSubmatch(dom)
		if got == nil || got[1] != fmt.Sprint(n) {
			t.Errorf("the page counts %v %s, --json %d", got, v, n)
		}
		if rows := htmltest.Tags(dom, "tr", `data-outcome="`+v+`"`); len(rows) != n {
			t.Errorf("%d rows say %s, --json %d", len(rows), v, n)
		}
	}

	cov := htmltest.ByID(dom, "coverage")
	if !strings.Contains(cov, fmt.Sprintf(`<meter min="0" max="%d" value="%d">`, sum.Coverage.Operations, sum.Coverage.Exercised)) {
		t.Errorf("no total coverage bar of %d of %d:\n%s", sum.Coverage.Exercised, sum.Coverage.Operations, cov)
	}
	if len(sum.Coverage.Tags) < 2 {
		t.Fatalf("the spec has %d tags; the bars prove little", len(sum.Coverage.Tags))
	}
	rowRE := regexp.MustCompile(`(?s)<tr data-cover="([^"]+)">(.*?)</tr>`)
	rows := rowRE.FindAllStringSubmatch(cov, -1)
	if len(rows) != len(sum.Coverage.Tags) {
		t.Errorf("%d coverage rows, %d tags", len(rows), len(sum.Coverage.Tags))
	}
	byTag := map[string]string{}
	for _, r := range rows {
		byTag[r[1]] = r[2]
	}
	for _, tc := range sum.Coverage.Tags {
		row, ok := byTag[tc.Tag]
		if !ok {
			t.Errorf("no coverage bar for tag %s", tc.Tag)
			continue
		}
		if !strings.Contains(row, fmt.Sprintf(`<meter min="0" max="%d" value="%d">`, tc.Operations, tc.Exercised)) ||
			!strings.Contains(htmltest.Text(row), fmt.Sprintf("%d of %d", tc.Exercised, tc.Operations)) {
			t.Errorf("tag %s: its bar does not say %d of %d:\n%s", tc.Tag, tc.Exercised, tc.Operations, row)
		}
		for _, m := range tc.Missing {
			if !strings.Contains(htmltest.Text(row), m) {
				t.Errorf("tag %s: %s is not listed as not called", tc.Tag, m)
			}
		}
	}

	// The drifting call (an undocumented ?debug=1) is grouped under its
	// operation, and the call to /api/nowhere is listed as undocumented.
	if d := htmltest.Text(htmltest.ByID(dom, "drift")); !strings.Contains(d, "GET /api/launch/{id}") || !strings.Contains(d, "debug") || !strings.Contains(d, "#3") {
		t.Errorf("the drift section lacks #3's undocumented debug parameter: %s", d)
	}
	if u := htmltest.Text(htmltest.ByID(dom, "undocumented")); !strings.Contains(u, "GET /api/nowhere") || !strings.Contains(u, "in no spec") {
		t.Errorf("the undocumented section: %s", u)
	}

	filtered := b.DOM("file://" + page + "#outcome=drift,undocumented")
	n := 0
	for _, r := range htmltest.Tags(filtered, "tr", `data-outcome=`) {
		want := strings.Contains(r, `data-outcome="drift"`) || strings.Contains(r, `data-outcome="undocumented"`)
		if htmltest.Hidden(r) == want {
			t.Errorf("filtered by verdict, row %s hidden=%v", r, htmltest.Hidden(r))
		}
		if want {
			n++
		}
	}
	if n != sum.Verdicts["drift"]+sum.Verdicts["undocumented"] || n == 0 {
		t.Errorf("%d rows shown, want the %d drifting and undocumented", n, sum.Verdicts["drift"]+sum.Verdicts["undocumented"])
	}
}

// TestHTMLReportPutsBreakingChangesFirst checks match --against --html: the
// call a removed operation breaks comes first on the page, before the
// coverage.
func TestHTMLReportPutsBreakingChangesFirst(t *testing.T) {
	b := htmltest.New(t)
	dir := t.TempDir()
	var docs []string
	for _, v2 := range []bool{false, true} {
		data, err := sandbox.Document(sandbox.AllServices, v2)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("v2-%v.json", v2))
		os.WriteFile(p, data, 0o600)
		docs = append(docs, p)
	}
	mk := func(u, body string) *har.Entry {
		e := &har.Entry{Request: har.Request{Method: "GET", URL: u}, Response: har.Response{Status: 200}}
		e.SetResponseBody([]byte(body), "application/json")
		return e
	}
	rec := filepath.Join(dir, "r.har")
	har.WriteFile(rec, &har.File{Log: har.Log{Version: "1.2", Entries: []*har.Entry{
		mk("http://testops.test/api/launch/104", `{"id":104,"name":"n","projectId":1,"closed":false}`),
		mk("http://testops.test/api/launch/104/statistic", `[{"status":"passed","count":1}]`),
	}}}, har.WriterOptions{})
	page := filepath.Join(dir, "match.html")
	if code, out, errOut := runMatch(t, "--spec", docs[0], "--against", docs[1], "--html", page, rec); code != 1 {
		t.Fatalf("exit %d, want 1 for a breaking change\n%s%s", code, out, errOut)
	}
	dom := b.DOM("file://" + page)
	against, coverage := strings.Index(dom, `id="against"`), strings.Index(dom, `id="coverage"`)
	if against < 0 || against > coverage {
		t.Fatalf("the against section is missing or after the coverage (%d, %d)", against, coverage)
	}
	sec := htmltest.ByID(dom, "against")
	breaking := regexp.MustCompile(`(?s)<ul class="against breaking">(.*?)</ul>`).FindStringSubmatch(sec)
	if breaking == nil || !strings.Contains(htmltest.Text(breaking[1]), "#2 GET /api/launch/104/statistic") || !strings.Contains(breaking[1], "no longer resolves") {
		t.Errorf("the breaking list lacks #2:\n%s", sec)
	}
	if !strings.Contains(htmltest.Text(sec), "1 break") {
		t.Errorf("the against section does not count the break: %s", htmltest.Text(sec))
	}
}
