package apitrail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/recorder"
	isandbox "github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/thirdparty"
	"github.com/apitrail/apitrail/report/reporttest"
)

// TestLifecycle walks a user's whole loop with the built binaries, against
// a local instance the sandbox binary serves over HTTPS: capture --flow
// through headless Chromium, match --save-flow on HARs exported from
// browser-like sessions, replay of the suite, the suite in three shards
// with their JUnit reports merged, --update, and an emitted bash script
// piped into bash against the instance.
func TestLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the commands and drives Chromium")
	}
	browser := thirdparty.Chromium(t)
	for _, tool := range []string{"bash", "curl", "jq", "xmllint"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: no %s in PATH (.ci/run installs it)", tool)
		}
	}
	sb := startSandbox(t, true)
	work := t.TempDir()
	suite := filepath.Join(work, "suite")
	if err := os.Mkdir(suite, 0o755); err != nil {
		t.Fatal(err)
	}
	// What every command that talks to the instance needs: the token in
	// the variable all of them read, and the instance's private CA.
	env := []string{"TESTOPS_TOKEN=" + isandbox.SeedAPIToken}
	ca := []string{"--ca-cert", sb.CAFile}

	// 1. capture --flow: Chromium runs the page's own flow (?auto=1) through
	// the proxy, straight into a recording folder.
	uiFlow := filepath.Join(suite, "ui-flow")
	p := start(t, work, nil, "capture", "--flow", uiFlow,
		"--ca-dir", filepath.Join(work, "ca"), "--upstream-ca", sb.CAFile,
		"--browser", sb.URL+"/?auto=1", "--browser-path", browser, "--headless")
	waitForCall(t, p, filepath.Join(uiFlow, flow.HARFile), "/api/launch/__search", 90*time.Second)
	p.cmd.Process.Signal(syscall.SIGTERM) // how CI ends a headless recording
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("capture --flow: exit %d\n%s", code, p.output.String())
	}
	fl, err := flow.Open(uiFlow)
	if err != nil {
		t.Fatalf("capture --flow left no recording folder: %v\n%s", err, p.output.String())
	}
	if fl.Manifest.Endpoint != sb.URL || fl.Name() != "ui-flow" {
		t.Errorf("capture's flow.json names %q (%q), want the page's instance %s", fl.Manifest.Endpoint, fl.Name(), sb.URL)
	}

	// 2. match --save-flow on HARs a browser exported: sessions of three
	// sizes, with the session's real cookies, which the folder must not keep.
	exported := exportSessions(t, sb, work)
	for _, name := range slices.Sorted(maps.Keys(exported)) {
		r := runCmd(t, work, env, nil, "match", append(ca, "--endpoint", sb.URL, "--save-flow", filepath.Join(suite, name), exported[name])...)
		if r.code != 0 || !strings.Contains(r.stderr, "made the recording folder "+filepath.Join(suite, name)) {
			t.Fatalf("match --save-flow %s: exit %d\n%s\n%s", name, r.code, r.stdout, r.stderr)
		}
		fl, err := flow.Open(filepath.Join(suite, name))
		if err != nil || !fl.HasSpec() || fl.Manifest.Endpoint != sb.URL {
			t.Fatalf("--save-flow %s: %v, spec %v, manifest %+v", name, err, err == nil && fl.HasSpec(), fl)
		}
		if _, err := os.Stat(fl.NoiseFile()); err != nil {
			t.Errorf("--save-flow %s wrote no starter noise file: %v", name, err)
		}
		kept, _ := os.ReadFile(fl.HAR())
		for _, c := range cookieValues(t, exported[name]) {
			if i := strings.Index(string(kept), c); i >= 0 {
				t.Errorf("--save-flow %s kept a session cookie's value %q: %s", name, c, kept[max(0, i-200):i+len(c)+20])
			}
		}
	}
	names := []string{"launch", "me", "projects", "ui-flow"}
	sizes := map[int]bool{}
	for _, n := range names {
		sizes[entries(t, filepath.Join(suite, n, flow.HARFile))] = true
	}
	if len(sizes) != len(names) {
		t.Fatalf("the suite's flows should differ in size: %v", sizes)
	}

	// 3. The suite, replayed whole.
	r := runCmd(t, work, env, nil, "replay", append(ca, "--endpoint", sb.URL, "--unsafe", suite)...)
	if r.code != 0 {
		t.Fatalf("replay of the suite: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range names {
		if !strings.Contains(r.stdout, n) {
			t.Errorf("the suite's report does not name %s:\n%s", n, r.stdout)
		}
	}
	plainProgress(t, "replay of the suite", r.stderr, names)

	// 4. Three shards: each replays part of the suite, none twice, all of
	// it together, and their JUnit files merge into one valid report.
	const shards = 3
	seen := map[string]int{}
	var suites []junitSuite
	for k := 1; k <= shards; k++ {
		junit := filepath.Join(work, "junit-"+strconv.Itoa(k)+".xml")
		r := runCmd(t, work, env, nil, "replay", append(ca, "--endpoint", sb.URL, "--unsafe", "--json",
			"--shard", strconv.Itoa(k)+"/"+strconv.Itoa(shards), "--junit", junit, suite)...)
		if r.code != 0 {
			t.Fatalf("shard %d/%d: exit %d\n%s\n%s", k, shards, r.code, r.stdout, r.stderr)
		}
		mine := flowsOf(t, r.stdout)
		// --json keeps the progress lines off; what is left has no status line.
		plainProgress(t, "shard "+strconv.Itoa(k), r.stderr, nil)
		if len(mine) == 0 {
			t.Errorf("shard %d/%d replayed nothing; the suite has %d flows", k, shards, len(names))
		}
		for _, n := range mine {
			if seen[n] != 0 {
				t.Errorf("%s is in shard %d and shard %d", n, seen[n], k)
			}
			seen[n] = k
		}
		suites = append(suites, readJUnit(t, junit)...)
	}
	if got := slices.Sorted(maps.Keys(seen)); !slices.Equal(got, names) {
		t.Errorf("the shards together replayed %v, want the suite %v", got, names)
	}
	mergeJUnit(t, filepath.Join(work, "junit.xml"), suites, names)

	// 5. --update writes each folder's baseline; the next run compares with it.
	r = runCmd(t, work, env, nil, "replay", append(ca, "--endpoint", sb.URL, "--unsafe", "--update", suite)...)
	if r.code != 0 {
		t.Fatalf("replay --update: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range names {
		if fl, err := flow.Open(filepath.Join(suite, n)); err != nil || !fl.HasBaseline() {
			t.Errorf("--update wrote no baseline in %s (%v)", n, err)
		}
	}
	if r := runCmd(t, work, env, nil, "replay", append(ca, "--endpoint", sb.URL, "--unsafe", suite)...); r.code != 0 {
		t.Fatalf("replay against the baselines: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// 6. match --emit bash -o - | bash: the script runs the launch flow
	// against the instance with real bash, curl and jq; the report stays
	// on standard error, out of the pipe.
	before := launchCount(t, sb)
	sh := exec.Command("bash", "-c", `set -o pipefail; "$MATCH" --emit bash -o - "$FLOW" 2>"$REPORT" | bash`)
	sh.Dir = work
	report := filepath.Join(work, "match-report.txt")
	sh.Env = append(os.Environ(), append(env, "MATCH="+bin(t, "match"), "FLOW="+filepath.Join(suite, "launch"),
		"REPORT="+report, "ENDPOINT="+sb.URL, "CURL_CA_BUNDLE="+sb.CAFile)...)
	out, err := sh.CombinedOutput()
	if err != nil {
		rep, _ := os.ReadFile(report)
		t.Fatalf("match --emit bash -o - | bash: %v\n%s\nmatch said:\n%s", err, out, rep)
	}
	if rep, _ := os.ReadFile(report); !strings.Contains(string(rep), "create_32") {
		t.Errorf("match's report did not reach standard error:\n%s", rep)
	}
	if after := launchCount(t, sb); after != before+1 {
		t.Errorf("the script created %d launches, want 1 (the flow's POST /api/launch)\n%s", after-before, out)
	}
}

// waitForCall waits until the recording capture writes holds a call to
// path; capture writes each entry once its answer has ended.
func waitForCall(t *testing.T, p *process, harPath, path string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if f, err := har.ReadFile(harPath); f != nil && (err == nil || errors.Is(err, har.ErrTruncated)) {
			for _, e := range f.Log.Entries {
				if u, err := url.Parse(e.Request.URL); err == nil && u.Path == path {
					return
				}
			}
		}
		select {
		case <-p.done:
			t.Fatalf("capture ended before the page called %s:\n%s", path, p.output.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not call %s in %v:\n%s", path, limit, p.output.String())
		}
	}
}

// exportSessions makes the HARs a user would export from the browser's
// developer tools: sessions of the instance's page, with their cookies and
// XSRF tokens, written unredacted. It returns their paths by flow name.
func exportSessions(t *testing.T, sb sandbox, dir string) map[string]string {
	t.Helper()
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t, sb.CAFile)}}
	ctx := context.Background()
	sessions := map[string]func(*recorder.Browser) error{
		// log in, create a launch, open it, list its results, search: 7 calls
		"launch": func(b *recorder.Browser) error { _, err := b.UIFlow(ctx, "exported launch"); return err },
		// log in, who am I: 2 calls
		"me": func(b *recorder.Browser) error {
			logIn(t, b)
			return b.Call(ctx, "GET", "/api/account/me", nil, nil, nil)
		},
		// log in, browse projects and test cases: 4 calls
		"projects": func(b *recorder.Browser) error {
			logIn(t, b)
			for _, p := range []string{"/api/project?page=0&size=10&sort=name,ASC", "/api/project/1", "/api/testcase?projectId=1&page=0&size=10"} {
				if err := b.Call(ctx, "GET", p, nil, nil, nil); err != nil {
					return err
				}
			}
			return nil
		},
	}
	paths := map[string]string{}
	for name, session := range sessions {
		b := recorder.NewBrowser(sb.URL, transport)
		if err := session(b); err != nil {
			t.Fatalf("session %s: %v", name, err)
		}
		paths[name] = filepath.Join(dir, name+".har")
		// A browser exports the session as it was, cookies and all.
		if err := har.WriteFile(paths[name], b.Rec.File(), har.WriterOptions{KeepSecrets: true}); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

func caPool(t *testing.T, file string) *x509.CertPool {
	pemData, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatalf("%s holds no certificate", file)
	}
	return pool
}

// cookieValues lists the session cookies an exported HAR holds.
func cookieValues(t *testing.T, path string) []string {
	f, err := har.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range f.Log.Entries {
		for _, c := range append(e.Request.Cookies, e.Response.Cookies...) {
			if len(c.Value) >= 8 {
				out = append(out, c.Value)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no cookie to look for", path)
	}
	return out
}

func entries(t *testing.T, path string) int {
	f, err := har.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(f.Log.Entries)
}

// plainProgress checks the progress replay prints outside a terminal: a
// line per flow, no status line, no control characters.
func plainProgress(t *testing.T, what, stderr string, names []string) {
	t.Helper()
	if strings.ContainsAny(stderr, "\r\x1b") {
		t.Errorf("%s: control characters in stderr outside a terminal: %q", what, stderr)
	}
	for _, n := range names {
		found := false
		for _, l := range lines(stderr) {
			if strings.Contains(l, n) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no progress line names %s:\n%s", what, n, stderr)
		}
	}
}

// flowsOf returns the names of the flows a --json report holds.
func flowsOf(t *testing.T, stdout string) []string {
	t.Helper()
	var out []string
	for _, l := range lines(stdout) {
		var rec struct {
			Kind string `json:"kind"`
			Flow string `json:"flow"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("a --json line is not JSON: %v\n%s", err, l)
		}
		if rec.Kind == "flow" {
			out = append(out, rec.Flow)
		}
	}
	return out
}

type junitCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
}

type junitSuite struct {
	XMLName xml.Name    `xml:"testsuite"`
	Name    string      `xml:"name,attr"`
	Tests   int         `xml:"tests,attr"`
	Cases   []junitCase `xml:"testcase"`
	Raw     []byte      `xml:"-"`
}

// readJUnit returns the test suites of one JUnit file, each with its XML.
func readJUnit(t *testing.T, path string) []junitSuite {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", path).CombinedOutput(); err != nil {
		t.Fatalf("xmllint %s: %v\n%s", path, err, out)
	}
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	var suites []junitSuite
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "testsuite" {
			continue
		}
		start := dec.InputOffset()
		var s junitSuite
		if err := dec.DecodeElement(&s, &se); err != nil {
			t.Fatal(err)
		}
		open := strings.LastIndex(string(data[:start]), "<testsuite")
		s.Raw = data[open:dec.InputOffset()]
		suites = append(suites, s)
	}
	if len(suites) == 0 {
		t.Fatalf("%s holds no test suite:\n%s", path, data)
	}
	return suites
}

// mergeJUnit writes the shards' suites into one report, as a CI server
// merges them, and checks it: valid to xmllint against the Jenkins JUnit
// schema CI servers read (well-formed where npm ci has not put the schema
// in tools/), one suite per flow, no test case twice.
func mergeJUnit(t *testing.T, path string, suites []junitSuite, names []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<testsuites>\n")
	var got []string
	ids := map[string]bool{}
	for _, s := range suites {
		b.Write(s.Raw)
		b.WriteString("\n")
		got = append(got, s.Name)
		if s.Tests != len(s.Cases) || len(s.Cases) == 0 {
			t.Errorf("suite %s: tests=%d with %d test cases", s.Name, s.Tests, len(s.Cases))
		}
		for _, c := range s.Cases {
			id := c.Classname + "\x00" + c.Name
			if ids[id] {
				t.Errorf("the merged report has test case %s %s twice", c.Classname, c.Name)
			}
			ids[id] = true
		}
	}
	b.WriteString("</testsuites>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--noout", path}
	if _, err := os.Stat(reporttest.SchemaPath); err == nil {
		args = append([]string{"--schema", reporttest.SchemaPath}, args...)
	} else {
		t.Logf("the Jenkins JUnit schema is not at %s (npm ci --prefix tools puts it there): the merged report is checked as XML only", reporttest.SchemaPath)
	}
	if out, err := exec.Command("xmllint", args...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint %v: %v\n%s", args, err, out)
	}
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Errorf("the merged report's suites are %v, want one per flow %v", got, names)
	}
}

// launchCount asks the instance how many launches project 1 has, signed
// in as its page is.
func launchCount(t *testing.T, sb sandbox) int {
	t.Helper()
	b := recorder.NewBrowser(sb.URL, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t, sb.CAFile)}})
	logIn(t, b)
	var page struct {
		TotalElements int `json:"totalElements"`
	}
	if err := b.Call(context.Background(), "GET", "/api/launch?projectId=1&page=0&size=1", nil, nil, &page); err != nil {
		t.Fatal(err)
	}
	return page.TotalElements
}

// logIn signs the browser-like client in with the login form, as the
// instance's page does.
func logIn(t *testing.T, b *recorder.Browser) {
	t.Helper()
	form := url.Values{"username": {isandbox.SeedUsername}, "password": {isandbox.SeedPassword}}
	if err := b.Call(context.Background(), "POST", "/api/login/system", nil, form, nil); err != nil {
		t.Fatal(err)
	}
}
