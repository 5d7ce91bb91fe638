package script_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
)

// shellcheck runs shellcheck on a bash script and fails on any finding.
func shellcheck(t *testing.T, src []byte) {
	t.Helper()
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (Debian: apt-get install shellcheck)")
	}
	cmd := exec.Command(sc, "--shell=bash", "--severity=style", "-")
	cmd.Stdin = bytes.NewReader(src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// TestBashPassesShellcheck checks every bash script the tests generate,
// the one with secret parameters and URL-escaped values included.
func TestBashPassesShellcheck(t *testing.T) {
	for name, results := range map[string]func() []byte{
		"ui-flow": func() []byte { return mustGenerate(t, script.Bash, uiFlowResults(t)) },
		"secrets": func() []byte { return mustGenerate(t, script.Bash, matchEntries(t, secretEntries(t))) },
	} {
		t.Run(name, func(t *testing.T) { shellcheck(t, results()) })
	}
}

// TestGoProgramsVet builds and vets the Go program of the recording with
// secret parameters (the UI flow's is built and run elsewhere).
func TestGoProgramsVet(t *testing.T) {
	src := mustGenerate(t, script.Go, matchEntries(t, secretEntries(t)))
	dir := t.TempDir()
	file := filepath.Join(dir, "secrets.go")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	goCmd := goTool(t)
	for _, args := range [][]string{{"vet", file}, {"build", "-o", filepath.Join(dir, "secrets"), file}} {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", args[0], err, out)
		}
	}
	// Without the secret it needs, the program says which and exits 2
	// before it calls anything.
	cmd := exec.Command(filepath.Join(dir, "secrets"))
	cmd.Env = append(os.Environ(), "ENDPOINT=http://127.0.0.1:1", "TESTOPS_TOKEN=x", "PASSWORD=", "TOKEN=")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "set PASSWORD") {
		t.Errorf("without PASSWORD: %v\n%s", err, out)
	}
}

// pmEvent is a collection's or an item's script, as a test reads it.
type pmEvent struct {
	Listen string `json:"listen"`
	Script struct {
		Exec []string `json:"exec"`
	} `json:"script"`
}

// TestPostmanCollectionShape reads the collection as Postman would: the
// v2.1 schema, a collection-level pre-request that fetches the token with
// pm.sendRequest, Bearer auth every request inherits, variables with the
// recorded context as defaults and test scripts that keep the launch id.
func TestPostmanCollectionShape(t *testing.T) {
	src := mustGenerate(t, script.Postman, uiFlowResults(t))
	var col struct {
		Info struct {
			Name   string `json:"name"`
			Schema string `json:"schema"`
		} `json:"info"`
		Auth struct {
			Type   string `json:"type"`
			Bearer []struct {
				Key, Value string
			} `json:"bearer"`
		} `json:"auth"`
		Event    []pmEvent `json:"event"`
		Variable []struct {
			Key, Value string
		} `json:"variable"`
		Item []struct {
			Name    string `json:"name"`
			Request struct {
				Method string `json:"method"`
				URL    string `json:"url"`
				Header []struct {
					Key, Value string
				} `json:"header"`
			} `json:"request"`
			Event []pmEvent `json:"event"`
		} `json:"item"`
	}
	if err := json.Unmarshal(src, &col); err != nil {
		t.Fatal(err)
	}
	if col.Info.Schema != "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" {
		t.Errorf("schema %q", col.Info.Schema)
	}
	if col.Auth.Type != "bearer" || len(col.Auth.Bearer) != 1 || col.Auth.Bearer[0].Value != "{{jwtToken}}" {
		t.Errorf("auth %+v", col.Auth)
	}
	if len(col.Event) != 1 || col.Event[0].Listen != "prerequest" || !strings.Contains(strings.Join(col.Event[0].Script.Exec, "\n"), "pm.sendRequest") {
		t.Errorf("no collection-level pre-request that fetches the token: %+v", col.Event)
	}
	vars := map[string]string{}
	for _, v := range col.Variable {
		vars[v.Key] = v.Value
	}
	if vars["projectId"] != "1" || vars["userToken"] != "" || !strings.HasPrefix(vars["endpoint"], "http://127.0.0.1:") {
		t.Errorf("variables %v", vars)
	}
	var names []string
	for _, it := range col.Item {
		names = append(names, it.Name)
		if !strings.HasPrefix(it.Request.URL, "{{endpoint}}/api/") {
			t.Errorf("%s: url %s", it.Name, it.Request.URL)
		}
		for _, h := range it.Request.Header {
			if strings.EqualFold(h.Key, "Authorization") || strings.EqualFold(h.Key, "Cookie") {
				t.Errorf("%s sends its own %s", it.Name, h.Key)
			}
		}
		if len(it.Event) == 0 || it.Event[0].Listen != "test" {
			t.Errorf("%s has no test script", it.Name)
		}
		// Only the create makes a value before it is sent: the launch's
		// name, chosen by the flow with the time in it.
		if pre := len(it.Event) == 2 && it.Event[1].Listen == "prerequest"; pre != (it.Name == "launch-controller create_32: POST /api/launch") || len(it.Event) > 2 {
			t.Errorf("%s: events %+v", it.Name, it.Event)
		}
	}
	want := []string{
		"project-controller findAll_22: GET /api/project",
		"launch-controller create_32: POST /api/launch",
		"launch-controller findOne_23: GET /api/launch/{id}",
		"test-result-controller findAll_5: GET /api/testresult",
		"launch-search-controller search_2: GET /api/launch/__search",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("items:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if test := strings.Join(col.Item[1].Event[0].Script.Exec, "\n"); !strings.Contains(test, `pm.collectionVariables.set("launchId"`) {
		t.Errorf("the create's test script keeps no launchId:\n%s", test)
	}
	if col.Item[2].Request.URL != "{{endpoint}}/api/launch/{{launchId}}" {
		t.Errorf("the read uses %s", col.Item[2].Request.URL)
	}
}

func mustGenerate(t *testing.T, f script.Format, results []match.Result) []byte {
	t.Helper()
	out, err := script.Generate(f, results, script.Options{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGoProgramImportsWhatItUses vets the Go program of a call whose body
// and URL mention "json." and "url." as text: a sign-in without an
// exchange imports encoding/json and net/url only for code that uses them,
// which a search of the text for "json." would get wrong.
func TestGoProgramImportsWhatItUses(t *testing.T) {
	entry := func(url, body string) *har.Entry {
		e := &har.Entry{StartedDateTime: "2026-01-01T00:00:00Z",
			Request:  har.Request{Method: "POST", URL: url, Headers: []har.NameValue{{Name: "Content-Type", Value: "application/json"}}},
			Response: har.Response{Status: 200}}
		e.SetRequestBody([]byte(body), "application/json")
		e.SetResponseBody([]byte(`{"ok":true}`), "application/json")
		return e
	}
	text := entry("https://testops.test/api/launch?file=url.txt", `{"name":"report.json.gz","link":"https://x.test/url.txt"}`)
	cases := []struct {
		reason  string
		signIn  script.SignIn
		entries []*har.Entry
	}{
		{"a Bearer token: nothing reads JSON or escapes a URL", script.SignIn{Scheme: "bearer"}, []*har.Entry{text}},
		{"no credentials: the same, with nothing sent", script.SignIn{Scheme: "none"}, []*har.Entry{text}},
		{"TestOps' exchange reads JSON and builds a form", script.SignIn{}, []*har.Entry{text}},
	}
	goCmd := goTool(t)
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			src, err := script.Generate(script.Go, matchEntries(t, c.entries), script.Options{Name: "imports", SignIn: c.signIn})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "imports.go")
			if err := os.WriteFile(file, src, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(goCmd, "vet", file)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go vet: %v\n%s\n%s", err, out, src)
			}
		})
	}
}
