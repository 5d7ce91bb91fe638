// Package leaktest holds the secret-leak corpus test: every command is run
// over the corpus in testdata/leak, which plants a distinct secret of every
// kind, against a loopback instance that echoes what it is sent, and every
// stream and every file a command writes is searched for every secret.
//
// To extend it: plant a new secret in testdata/leak/recording.har and list
// it in testdata/leak/secrets.tsv; give a new output flag an entry in
// outputFlags and a case in cases that uses it.
package leaktest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// root is the repository, from this package's folder.
const root = "../.."

// corpus is the folder the secrets are planted in.
var corpus = filepath.Join(root, "testdata", "leak")

// secret is one line of secrets.tsv.
type secret struct {
	kind, value, where string
}

func readSecrets(t *testing.T) []secret {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "secrets.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []secret
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 || len(parts[1]) < 8 {
			t.Fatalf("secrets.tsv:%d: want KIND<TAB>VALUE (8 characters or more)<TAB>WHERE", n)
		}
		out = append(out, secret{parts[0], parts[1], parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func lookup(t *testing.T, secrets []secret, kind string) string {
	t.Helper()
	for _, s := range secrets {
		if s.kind == kind {
			return s.value
		}
	}
	t.Fatalf("secrets.tsv has no %s", kind)
	return ""
}

// form is one spelling of a secret that is searched for.
type form struct{ name, text string }

// forms are the spellings of a secret searched for: raw first, then
// escaped and encoded, then every 8-character piece of it.
func forms(v string) []form {
	j, _ := json.Marshal(v)
	out := []form{
		{"raw", v},
		{"URL-escaped", url.QueryEscape(v)},
		{"path-escaped", url.PathEscape(v)},
		{"JSON-escaped", string(j[1 : len(j)-1])},
		{"HTML-escaped", html.EscapeString(v)},
		{"base64", base64.StdEncoding.EncodeToString([]byte(v))},
		{"base64url", base64.RawURLEncoding.EncodeToString([]byte(v))},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString([]byte(v))},
	}
	for i := 0; i+8 <= len(v); i++ {
		out = append(out, form{fmt.Sprintf("8-character piece at %d", i), v[i : i+8]})
	}
	return out
}

// leaks lists where text holds a secret in any form.
func leaks(secrets []secret, name string, text []byte) []string {
	var out []string
	for _, s := range secrets {
		for _, f := range forms(s.value) {
			if i := bytes.Index(text, []byte(f.text)); i >= 0 {
				lo, hi := max(0, i-40), min(len(text), i+len(f.text)+40)
				out = append(out, fmt.Sprintf("%s holds the %s secret (%s), %s %q, in …%s…", name, s.kind, s.where, f.name, f.text, text[lo:hi]))
				break // one hit a secret is enough to say
			}
		}
	}
	return out
}

// binaries builds the commands once for every test.
var binaries string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "leaktest-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/capture", "./cmd/match", "./cmd/replay")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the commands: %v\n%s", err, out)
		os.Exit(2)
	}
	binaries = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is a loopback TestOps stand-in that gives secrets back, as real
// servers do in error pages and debug endpoints: every answer echoes the
// request's headers (the live Bearer token among them), query and body,
// and sets a secret X-Auth-Token; a refused token exchange echoes the
// posted form, API token included.
func instance(t *testing.T, secrets []secret) string {
	t.Helper()
	apiToken := lookup(t, secrets, "live-api-token")
	bearer := lookup(t, secrets, "live-bearer")
	answerHeader := lookup(t, secrets, "live-answer-header")
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/api/uaa/oauth/token":
			form, _ := url.ParseQuery(string(body))
			if form.Get("token") != apiToken {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(map[string]string{"message": "bad token in " + string(body)})
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": bearer, "expires_in": 3600})
			return
		case "/api/uaa/me":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"id": 1, "username": "leak", "firstName": r.Header.Get("Authorization")})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Auth-Token", answerHeader)
		// A counter differs between two sends of a call, so --learn-noise
		// learns a rule and --save-noise writes the noise file.
		json.NewEncoder(w).Encode(map[string]any{"n": n.Add(1), "headers": r.Header, "query": r.URL.RawQuery, "body": string(body),
			"note": "you are signed in with " + r.Header.Get("Authorization")})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// outputFlags are, per command, the flags that write something, each with
// the case that covers it. flags that are not outputs are listed in
// otherFlags. A flag the --help of a command lists that is in neither
// fails the test: a new output must join the corpus.
var outputFlags = map[string]map[string]string{
	"capture": {
		"output":  "capture --from",
		"from":    "capture --from",
		"ca-dir":  "capture --ca-info",
		"ca-info": "capture --ca-info",
		"flow":    "capture --flow",
	},
	"match": {
		"emit":      "match --emit bash",
		"output":    "match --emit bash",
		"json":      "match --json",
		"save-spec": "match --save-spec",
		"coverage":  "match text",
		"against":   "match --against",
		"whoami":    "match --whoami",
		"quiet":     "match -q",
		"infer":     "match --infer",
		"html":      "match --html",
		"save-flow": "match --save-flow",
	},
	"replay": {
		"json":           "replay --json",
		"dry-run":        "replay --dry-run",
		"junit":          "replay --junit --allure-results",
		"allure-results": "replay --junit --allure-results",
		"update":         "replay --update",
		"learn-noise":    "replay --learn-noise --save-noise",
		"save-noise":     "replay --learn-noise --save-noise",
		// What the brake held back is written to the noise file by this flag.
		"allow-broad-noise": "replay --learn-noise --allow-broad-noise",
		"save-spec":         "replay text",
		"whoami":            "replay --whoami",
		"quiet":             "replay -q",
		"noise":             "replay --learn-noise --save-noise",
		"html":              "replay --html",
	},
}

// otherFlags are flags that write nothing of their own, with why.
var otherFlags = map[string]map[string]string{
	"capture": {
		"force": "lets --output replace a file", "host": "input filter", "keep-assets": "input filter",
		"max-body": "a limit", "redact": "adds rules", "listen": "proxy address",
		"upstream-ca": "input", "insecure": "TLS setting", "browser": "starts a browser that records into --output",
		"browser-path": "input", "browser-arg": "input", "headless": "browser setting", "help": "fixed text",
		"keep-secrets": "writes secrets because the user asks for them by flag, with a warning",
		"version":      "fixed text", "completion": "fixed text",
	},
	"match": {
		"spec": "input", "endpoint": "input", "host": "input", "alias": "input", "no-testops-aliases": "input",
		"against-instance": "like --against, on --endpoint", "no-checks": "fewer checks", "no-cache-busters": "how query parameters are judged", "color": "colours what other flags write", "strict": "exit status",
		"token-file": "input", "token": "input", "ca-cert": "input", "help": "fixed text",
		"force": "lets the outputs replace files", "version": "fixed text", "completion": "fixed text",
		"timeout": "a limit",
		"auth":    "sign-in scheme: what it sends is pinned for redaction", "auth-header": "input", "token-url": "input", "client-id": "input",
		"scope": "input", "client-secret-file": "input",
	},
	"replay": {
		"endpoint": "input", "unsafe": "which calls are sent", "concurrency": "scheduling", "rate": "scheduling",
		"timeout": "a limit", "retries": "a limit", "max-body": "a limit (what is cut is marked)", "spec": "input", "host": "input", "alias": "input",
		"no-testops-aliases": "input", "token-file": "input", "token": "input", "ca-cert": "input",
		"demo": "bundled data, no corpus", "color": "colours what other flags write", "help": "fixed text",
		"flow": "selection", "operation": "selection", "tag": "selection", "shard": "selection",
		"clean": "removes earlier Allure results", "force": "lets the reports replace files", "version": "fixed text", "completion": "fixed text",
		"auth": "sign-in scheme: what it sends is pinned for redaction", "auth-header": "input", "token-url": "input", "client-id": "input",
		"scope": "input", "client-secret-file": "input",
	},
}

// helpFlag finds an option line of a usage text: "  -o, --output FILE  ..."
// with its argument in capitals, not a "--flag value" in an example.
var helpFlag = regexp.MustCompile(`(?m)^\s+(?:-[a-zA-Z], )?--([a-z][a-z0-9-]*)(?: [A-Z][A-Za-z.|=]*)?(?:\s{2,}|$)`)

// flagsOf lists the long flags a command's --help documents.
func flagsOf(t *testing.T, cmd string) []string {
	t.Helper()
	out, err := exec.Command(filepath.Join(binaries, cmd), "--help").Output()
	if err != nil {
		t.Fatalf("%s --help: %v", cmd, err)
	}
	seen := map[string]bool{}
	var flags []string
	for _, m := range helpFlag.FindAllStringSubmatch(string(out), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			flags = append(flags, m[1])
		}
	}
	return flags
}

// leakCase runs one command over a fresh copy of the corpus. In args,
// {in} is that copy (a recording folder), {out} an empty folder beside
// it, {endpoint} the echoing instance.
type leakCase struct {
	name string
	cmd  string
	args []string
	// token is the API token in $TESTOPS_TOKEN, by its kind in secrets.tsv.
	token string
	// exits are the exit codes the case may end with; wantFiles are files
	// (under the case's folder) it must have written, so a case that stops
	// early cannot pass by writing nothing.
	exits     []int
	wantFiles []string
	// wantOut is text its standard output or error must hold.
	wantOut string
}

var cases = []leakCase{
	{name: "capture --from", cmd: "capture", args: []string{"--from", "{in}/recording.har", "-o", "{out}/clean.har"}, exits: []int{0}, wantFiles: []string{"out/clean.har"}},
	{name: "capture --flow", cmd: "capture", args: []string{"--from", "{in}/recording.har", "--flow", "{out}/flow"}, exits: []int{0}, wantFiles: []string{"out/flow"}},
	{name: "capture --ca-info", cmd: "capture", args: []string{"--ca-info", "--ca-dir", "{out}/ca"}, exits: []int{0}, wantOut: "ca"},
	{name: "match text", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--coverage", "{in}/recording.har"}, exits: []int{0}, wantOut: "findItems"},
	{name: "match -q", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "-q", "{in}/recording.har"}, exits: []int{0}, wantOut: "calls"},
	// -q without checks counts the calls without learning their secrets
	// (match.Options.Counting): nothing of a call may reach its output.
	{name: "match -q --no-checks", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "-q", "--no-checks", "--coverage", "{in}/recording.har"}, exits: []int{0}, wantOut: "coverage"},
	// With an instance, an error quoting a value the recording held
	// before (refused.har's second entry quotes the first's session
	// cookie) is redacted with what the earlier calls taught: -q must
	// learn them then, rather than count without looking.
	{name: "match -q --no-checks -e, a refused entry", cmd: "match", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "-q", "--no-checks", "{in}/refused.har"}, token: "live-api-token", exits: []int{2}, wantOut: "expected a string"},
	{name: "match -e, a refused entry", cmd: "match", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "{in}/refused.har"}, token: "live-api-token", exits: []int{2}, wantOut: "expected a string"},
	{name: "match --json", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--json", "{in}/recording.har"}, exits: []int{0}, wantOut: `"kind":"summary"`},
	{name: "match --against", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--against", "{in}/openapi.json", "--json", "{in}/recording.har"}, exits: []int{0}, wantOut: `"kind":"change"`},
	{name: "match --save-spec", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--save-spec", "{out}/spec", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/spec"}},
	{name: "match --emit bash", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--emit", "bash", "-o", "{out}/flow.sh", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/flow.sh"}},
	{name: "match --emit http", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--emit", "http", "-o", "{out}/flow.http", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/flow.http"}},
	{name: "match --emit go", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--emit", "go", "-o", "{out}/flow.go", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/flow.go"}},
	{name: "match --emit postman", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--emit", "postman", "{in}/recording.har"}, exits: []int{0}, wantOut: "collection.json"},
	{name: "match --infer", cmd: "match", args: []string{"--infer", "{out}/inferred.yaml", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/inferred.yaml"}},
	{name: "match --infer --json", cmd: "match", args: []string{"--json", "--infer", "{out}/inferred.json", "{in}/recording.har"}, exits: []int{0}, wantOut: `"kind":"inferred"`, wantFiles: []string{"out/inferred.json"}},
	{name: "match --infer -", cmd: "match", args: []string{"-q", "--infer", "-", "{in}/recording.har"}, exits: []int{0}, wantOut: "openapi"},
	{name: "match --html", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--html", "{out}/match.html", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/match.html"}},
	{name: "match --save-flow", cmd: "match", args: []string{"--spec", "{in}/openapi.json", "--save-flow", "{out}/saved", "{in}/recording.har"}, exits: []int{0}, wantFiles: []string{"out/saved"}},
	{name: "match --whoami", cmd: "match", args: []string{"-e", "{endpoint}", "--whoami"}, token: "live-api-token", exits: []int{0}, wantOut: "signed in as leak"},
	{name: "match refused token", cmd: "match", args: []string{"-e", "{endpoint}", "--whoami"}, token: "live-refused-api-token", exits: []int{2}, wantOut: "error"},
	{name: "replay text", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--save-spec", "{out}/spec", "--unsafe", "{in}"}, token: "live-api-token", exits: []int{1}, wantOut: "regression", wantFiles: []string{"out/spec"}},
	{name: "replay -q", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "-q", "--unsafe", "{in}"}, token: "live-api-token", exits: []int{1}, wantOut: "regression"},
	{name: "replay --json", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--json", "--unsafe", "{in}"}, token: "live-api-token", exits: []int{1}, wantOut: `"kind":"summary"`},
	{name: "replay --dry-run", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--dry-run", "--unsafe", "{in}"}, exits: []int{0}, wantOut: "nothing is sent"},
	{name: "replay --junit --allure-results", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--unsafe", "--junit", "{out}/junit.xml", "--allure-results", "{out}/allure", "{in}"}, token: "live-api-token", exits: []int{1}, wantFiles: []string{"out/junit.xml", "out/allure"}},
	{name: "replay --html", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--unsafe", "--color", "always", "--html", "{out}/replay.html", "{in}"}, token: "live-api-token", exits: []int{1}, wantFiles: []string{"out/replay.html"}},
	{name: "replay --update", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--unsafe", "--update", "{in}"}, token: "live-api-token", exits: []int{1}, wantFiles: []string{"in/baseline.har"}},
	{name: "replay --learn-noise --save-noise", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--learn-noise", "--save-noise", "--noise", "{in}/recording.noise", "{in}"}, token: "live-api-token", exits: []int{1}, wantOut: "added"},
	{name: "replay --learn-noise --allow-broad-noise", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "--learn-noise", "--save-noise", "--allow-broad-noise", "--noise", "{in}/recording.noise", "{in}"}, token: "live-api-token", exits: []int{1}, wantOut: "added"},
	{name: "replay --whoami", cmd: "replay", args: []string{"-e", "{endpoint}", "--whoami"}, token: "live-api-token", exits: []int{0}, wantOut: "signed in as leak"},
	{name: "replay refused token", cmd: "replay", args: []string{"-e", "{endpoint}", "--spec", "{in}/openapi.json", "{in}"}, token: "live-refused-api-token", exits: []int{2}, wantOut: "error"},
}

// TestEveryOutputFlagIsCovered holds the flag lists to each command's
// --help: an output flag without a case, or a flag in no list, fails.
func TestEveryOutputFlagIsCovered(t *testing.T) {
	used := map[string]map[string]bool{}
	for _, c := range cases {
		if used[c.cmd] == nil {
			used[c.cmd] = map[string]bool{}
		}
		used[c.cmd][c.name] = true
		for _, a := range c.args {
			if f, ok := strings.CutPrefix(a, "--"); ok {
				used[c.cmd]["--"+f] = true
			}
		}
	}
	for _, cmd := range []string{"capture", "match", "replay"} {
		for _, f := range flagsOf(t, cmd) {
			covered, isOutput := outputFlags[cmd][f]
			_, other := otherFlags[cmd][f]
			switch {
			case !isOutput && !other:
				t.Errorf("%s --%s is in neither outputFlags nor otherFlags of the leak test: if it writes anything, add a case that uses it to cases and list it in outputFlags, else say why in otherFlags", cmd, f)
			case isOutput && !used[cmd][covered]:
				t.Errorf("%s --%s: outputFlags names the case %q, and there is no such %s case", cmd, f, covered, cmd)
			case isOutput && !used[cmd]["--"+f] && !(f == "output" || f == "quiet"):
				t.Errorf("%s --%s: no case passes it, so its output is not searched", cmd, f)
			}
		}
	}
}

// TestNoSecretLeaves runs every case and searches all it wrote.
func TestNoSecretLeaves(t *testing.T) {
	secrets := readSecrets(t)
	endpoint := instance(t, secrets)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
			inputs := copyCorpus(t, in)
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.NewReplacer("{in}", in, "{out}", out, "{endpoint}", endpoint).Replace(a)
			}
			cmd := exec.Command(filepath.Join(binaries, c.cmd), args...)
			cmd.Dir = dir
			cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "APITRAIL_CAROOT=" + filepath.Join(dir, "caroot")}
			if c.token != "" {
				cmd.Env = append(cmd.Env, "TESTOPS_TOKEN="+lookup(t, secrets, c.token))
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range c.exits {
				found = found || e == code
			}
			if !found {
				t.Errorf("exit %d, want one of %v\nstdout:\n%s\nstderr:\n%s", code, c.exits, stdout.String(), stderr.String())
			}
			if c.wantOut != "" && !strings.Contains(stdout.String()+stderr.String(), c.wantOut) {
				t.Errorf("the output does not say %q\nstdout:\n%s\nstderr:\n%s", c.wantOut, stdout.String(), stderr.String())
			}
			for _, f := range c.wantFiles {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("it wrote no %s: %v\nstderr:\n%s", f, err, stderr.String())
				}
			}
			var found2 []string
			found2 = append(found2, leaks(secrets, "stdout", stdout.Bytes())...)
			found2 = append(found2, leaks(secrets, "stderr", stderr.Bytes())...)
			written := 0
			err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				if orig, ok := inputs[rel]; ok && bytes.Equal(orig, data) {
					return nil // an input the command left alone
				}
				written++
				found2 = append(found2, leaks(secrets, rel, data)...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range found2 {
				t.Error(l)
			}
			t.Logf("searched stdout (%d bytes), stderr (%d bytes) and %d written file(s); stderr:\n%s", stdout.Len(), stderr.Len(), written, stderr.String())
		})
	}
}

// copyCorpus copies testdata/leak to dir and returns each file's content by
// its path relative to dir's parent, so that unchanged inputs can be told
// from what a command wrote.
func copyCorpus(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	inputs := map[string][]byte{}
	entries, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpus, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Join(filepath.Base(dir), e.Name())] = data
	}
	return inputs
}
