package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/thirdparty"
)

// recordPaths records GET calls through client into a HAR in a new folder
// and returns the HAR's path.
func recordPaths(t *testing.T, base string, rt http.RoundTripper, paths ...string) string {
	t.Helper()
	rec := &recorder.Recorder{Base: rt}
	client := &http.Client{Transport: rec}
	for _, p := range paths {
		res, err := client.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("recording %s: %d", p, res.StatusCode)
		}
	}
	path := filepath.Join(t.TempDir(), "session.har")
	if err := har.WriteFile(path, rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	return path
}

// A real FastAPI application under uvicorn answers with the times a
// keeper noted, under names no list of time-like names holds (admitted,
// fed, weighed, checked) and in ISO 8601, epoch seconds, epoch
// milliseconds and RFC 1123: --learn-noise learns each of them and nothing
// else. Its census makes every value up on each call: learning refuses to
// save what would hide it, and says why, until --allow-broad-noise.
func TestLearnNoiseFindsTimestampsByValue(t *testing.T) {
	s := thirdparty.FastAPI(t)
	env := func(k string) string {
		if k == cli.EnvToken {
			return s.Token
		}
		return ""
	}
	harPath := recordPaths(t, s.URL, headerTransport{"Authorization", s.Header}, "/visits/2", "/census")
	noise := strings.TrimSuffix(harPath, ".har") + ".noise"
	// Epoch seconds and RFC 1123 dates change once a second.
	time.Sleep(1100 * time.Millisecond)

	args := append(append([]string{"--endpoint", s.URL}, s.AuthFlags...), "--learn-noise", "--save-noise", harPath)
	code, out, errOut := runReplay(t, env, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the census is compared without the rules held back)\n%s\n%s", code, out, errOut)
	}
	saved, err := os.ReadFile(noise)
	if err != nil {
		t.Fatalf("nothing saved: %v\n%s", err, errOut)
	}
	for _, member := range []string{"admitted", "fed", "weighed", "checked"} {
		if !strings.Contains(string(saved), "GET /visits/{pet_id}: ignore body $."+member+"  # learned") {
			t.Errorf("the timestamp %s was not learned:\n%s", member, saved)
		}
	}
	for _, member := range []string{"$.id", "$.pet", "$.room", "$.keeper", "$.notes", "/census"} {
		if strings.Contains(string(saved), member) {
			t.Errorf("%s saved as noise:\n%s", member, saved)
		}
	}
	if !regexp.MustCompile(`replay: warning: session: 5 learned noise rule\(s\) held back, neither applied nor saved: for their answers they would hide most of it`).MatchString(errOut) ||
		!strings.Contains(errOut, "replay: hint: when the instance really answers so, --allow-broad-noise applies and saves them") {
		t.Errorf("stderr does not say what was held back and how to let it through:\n%s", errOut)
	}
	if !strings.Contains(out, "learned noise held back: ") || !strings.Contains(out, "which leaves nothing to compare") ||
		!strings.Contains(out, "noise learnt but held back, as it would hide most of an answer (not applied, not saved):") {
		t.Errorf("the report does not say what was held back and why:\n%s", out)
	}

	// The saved rules and the value hints keep a plain replay of the
	// visit clean; the census stays a regression.
	time.Sleep(1100 * time.Millisecond)
	code, out, _ = runReplay(t, env, append(append([]string{"--endpoint", s.URL}, s.AuthFlags...), "--json", harPath)...)
	if code != 1 || strings.Contains(out, `"url":"`+s.URL+`/visits/2","recordedUrl":"`+s.URL+`/visits/2","operation":{"method":"GET","path":"/visits/{pet_id}","operationId":"getVisit","tag":"visits","document":"Shelter"},"verdict":"matched","outcome":"regression"`) ||
		!strings.Contains(out, `"operationId":"getCensus"`) {
		t.Errorf("plain replay: exit %d\n%s", code, out)
	}

	// Asked to, learning lets the census's rules through.
	code, out, errOut = runReplay(t, env, append(args, "--allow-broad-noise")...)
	saved, _ = os.ReadFile(noise)
	if code != 0 || !strings.Contains(string(saved), "GET /census: ignore body $.token") || strings.Contains(errOut, "held back") {
		t.Errorf("--allow-broad-noise: exit %d\n%s\n%s\nsaved:\n%s", code, out, errOut, saved)
	}
}

// An instance whose answers differ in most members, a little in each: no
// one answer is mostly hidden, but more than 50 rules are not saved.
func TestLearnNoiseRefusesTooManyRules(t *testing.T) {
	in := instance(t, sandbox.Knobs{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/uaa/") {
			proxyTo(t, in.URL(), w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		var b strings.Builder
		b.WriteString(`{"id":1`)
		for i := range 20 {
			fmt.Fprintf(&b, `,"stable%d":"same","random%d":%d`, i, i, rand.Int64())
		}
		b.WriteString(`,"more":"same","most":"same"}`)
		w.Write([]byte(b.String()))
	}))
	defer srv.Close()
	harPath := recordPaths(t, srv.URL, nil, "/api/a/1", "/api/b/1", "/api/c/1")
	code, out, errOut := runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", srv.URL, "--learn-noise", "--save-noise", harPath)
	if !strings.Contains(errOut, "replay: warning: session: 60 noise rules learned, more than 50: an instance whose answers differ in nearly everything, where rules would only blind the replay; none is saved") {
		t.Errorf("exit %d, stderr:\n%s\n%s", code, errOut, out)
	}
	if _, err := os.Stat(strings.TrimSuffix(harPath, ".har") + ".noise"); err == nil {
		t.Error("the rules were saved")
	}
	code, _, errOut = runReplay(t, env(sandbox.SeedAPIToken), "--endpoint", srv.URL, "--learn-noise", "--save-noise", "--allow-broad-noise", harPath)
	if code != 0 || !strings.Contains(errOut, "added 60 noise rule(s)") {
		t.Errorf("--allow-broad-noise: exit %d\n%s", code, errOut)
	}
}
