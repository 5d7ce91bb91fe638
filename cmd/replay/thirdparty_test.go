package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/thirdparty"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
	"github.com/spf13/pflag"
)

// Two real servers nobody here wrote, each refusing calls without
// credentials and signing in its own way: discovery finds each one's
// document (and says where), replay signs in the way each needs and gets
// the recorded answers back, and a bash script emitted for each runs.
func TestThirdPartyServers(t *testing.T) {
	for _, tc := range []struct {
		reason string
		start  func(testing.TB) *thirdparty.Server
	}{
		{"Jupyter Notebook: a token in 'Authorization: token ...', its Swagger document at /api/spec.yaml found from the base URL", thirdparty.Jupyter},
		{"FastAPI: HTTP Basic on every path, its OpenAPI document found through the Swagger UI page /docs", thirdparty.FastAPI},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			s := tc.start(t)
			env := func(k string) string {
				if k == cli.EnvToken {
					return s.Token
				}
				return ""
			}
			// Refused without credentials.
			res, err := http.Get(s.URL + s.Paths[1])
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
				t.Fatalf("%s without credentials answered %d, want 401 or 403", s.Paths[1], res.StatusCode)
			}

			// A recording of the calls, signed as a browser session would be.
			rec := &recorder.Recorder{Base: headerTransport{"Authorization", s.Header}}
			client := &http.Client{Transport: rec}
			for _, p := range s.Paths {
				res, err := client.Get(s.URL + p)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Fatalf("recording %s: %d", p, res.StatusCode)
				}
			}
			dir := t.TempDir()
			harPath := filepath.Join(dir, "session.har")
			if err := har.WriteFile(harPath, rec.File(), har.WriterOptions{}); err != nil {
				t.Fatal(err)
			}

			// Discovery with the scheme's sign-in, from the base URL.
			var flags cli.InstanceFlags
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			flags.Register(fs)
			if err := fs.Parse(append([]string{"--endpoint", s.URL}, s.AuthFlags...)); err != nil {
				t.Fatal(err)
			}
			flags.Timeout = 10 * time.Second
			in, err := flags.Open(prog, env, nil, os.Stderr, true)
			if err != nil {
				t.Fatal(err)
			}
			d, err := discover.Discover(context.Background(), in.Client, s.URL, discover.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Via != s.URL+s.SpecVia {
				t.Errorf("the document was found via %s, want %s", d.Via, s.URL+s.SpecVia)
			}
			// Unsigned, the same discovery finds nothing and says why.
			_, err = discover.Discover(context.Background(), &http.Client{}, s.URL, discover.Options{})
			var de *discover.Error
			if err == nil || !errors.As(err, &de) || !de.SignInNeeded() {
				t.Errorf("discovery without credentials: %v, want an error saying a sign-in is needed", err)
			}

			// Replay, discovering the document itself.
			args := append(append([]string{"--endpoint", s.URL}, s.AuthFlags...), "--json", harPath)
			code, out, errOut := runReplay(t, env, args...)
			if code != 0 {
				t.Fatalf("replay: exit %d\n%s\n%s", code, out, errOut)
			}
			var summary struct {
				Kind   string         `json:"kind"`
				Counts map[string]int `json:"counts"`
			}
			sc := bufio.NewScanner(strings.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				json.Unmarshal(sc.Bytes(), &summary)
			}
			if summary.Kind != "summary" || summary.Counts["ok"] != len(s.Paths) {
				t.Errorf("replay summary %+v, want all %d calls ok\n%s", summary, len(s.Paths), out)
			}
			if strings.Contains(out+errOut, s.Token) {
				t.Error("replay's output holds the token")
			}

			// TestOps' exchange is not how this server signs in: the hint says what is.
			code, _, errOut = runReplay(t, env, "--endpoint", s.URL, harPath)
			if code != 2 || !strings.Contains(errOut, "replay: hint: ") || !strings.Contains(errOut, "--auth-header") {
				t.Errorf("replay with TestOps' exchange: exit %d\n%s", code, errOut)
			}

			// --whoami is TestOps' question; elsewhere it says it cannot ask.
			code, _, errOut = runReplay(t, env, append(append([]string{"--endpoint", s.URL}, s.AuthFlags...), "--whoami")...)
			if code != 2 || !strings.Contains(errOut, "--whoami asks TestOps' /api/uaa/me") {
				t.Errorf("--whoami: exit %d\n%s", code, errOut)
			}

			// A bash script of the recording signs in the same way.
			docs, err := spec.LoadAll(d.Sources)
			if err != nil {
				t.Fatal(err)
			}
			ix, err := spec.NewIndex(docs, spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			f, err := har.ReadFile(harPath)
			if err != nil {
				t.Fatal(err)
			}
			mt := match.New(ix, match.Options{})
			for _, e := range f.Log.Entries {
				mt.Observe(e)
			}
			var results []match.Result
			for i, e := range f.Log.Entries {
				results = append(results, mt.Entry(i+1, e))
			}
			scheme, _ := flags.Scheme()
			src, err := script.Generate(script.Bash, results, script.Options{Endpoint: s.URL, Name: "session",
				SignIn: script.SignIn{Scheme: scheme, Headers: flags.AuthHeaders}})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(src), s.Token) || strings.Contains(string(src), "/api/uaa/oauth/token") {
				t.Errorf("the script holds the token or TestOps' exchange:\n%s", src)
			}
			sh := filepath.Join(dir, "session.sh")
			os.WriteFile(sh, src, 0o755)
			cmd := exec.Command("bash", sh)
			cmd.Env = append(os.Environ(), "ENDPOINT="+s.URL, "TESTOPS_TOKEN="+s.Token)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("the script failed: %v\n%s\n%s", err, stderr.String(), src)
			}
			last := rec.Entries()[len(s.Paths)-1]
			if strings.TrimSpace(stdout.String()) != strings.TrimSpace(last.Response.Content.Text) {
				t.Errorf("the script's last answer:\n%s\nwant the recorded one:\n%s", stdout.String(), last.Response.Content.Text)
			}
			if n := strings.Count(stderr.String(), " -> 200"); n != len(s.Paths) {
				t.Errorf("%d calls answered 200, want %d:\n%s", n, len(s.Paths), stderr.String())
			}
		})
	}
}

type headerTransport struct{ name, value string }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return http.DefaultTransport.RoundTrip(r)
}
