package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
	"github.com/apitrail/apitrail/spec"
)

// oauthServer is a token endpoint granting client credentials for one
// second, and an API that takes only a live token of its own.
type oauthServer struct {
	secret string
	mu     sync.Mutex
	grants int
	issued map[string]time.Time
	// refusedExpired counts calls that came with a token past its second.
	refusedExpired int
}

func (o *oauthServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/oauth/token" {
		id, secret, ok := r.BasicAuth()
		r.ParseForm()
		if !ok || id != "replayer" || secret != o.secret || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "items:read" {
			w.WriteHeader(401)
			// An endpoint that echoes what it was sent, as careless ones do.
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad client %s:%s"}`, id, secret)
			return
		}
		o.grants++
		tok := fmt.Sprintf("at-%d-%d", o.grants, time.Now().UnixNano())
		o.issued[tok] = time.Now().Add(time.Second)
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":1}`, tok)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, ok := o.issued[tok]
	switch {
	case !ok:
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"unknown token"}`)
		return
	case time.Now().After(exp):
		o.refusedExpired++
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"expired token"}`)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/items/")
	json.NewEncoder(w).Encode(map[string]any{"id": id, "name": "item " + id})
}

// The OAuth 2.0 client-credentials grant against a real token endpoint on
// loopback whose tokens live one second: a replay that outlives a token
// gets a new one (two grants at least), and the client secret shows in
// no output, though the endpoint echoes it when refused.
func TestOAuth2ClientCredentials(t *testing.T) {
	const secret = "cs-7be1c0de-5ecr-e7ff"
	o := &oauthServer{secret: secret, issued: map[string]time.Time{}}
	srv := httptest.NewServer(o)
	defer srv.Close()
	o.mu.Lock()
	o.issued["recorded"] = time.Now().Add(time.Hour)
	o.mu.Unlock()

	rec := &recorder.Recorder{Base: headerTransport{"Authorization", "Bearer recorded"}}
	var paths []string
	for i := 1; i <= 6; i++ {
		paths = append(paths, fmt.Sprintf("/items/%d", i))
		res, err := (&http.Client{Transport: rec}).Get(srv.URL + paths[i-1])
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	dir := t.TempDir()
	harPath := filepath.Join(dir, "items.har")
	if err := har.WriteFile(harPath, rec.File(), har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	secretFile := filepath.Join(dir, "client-secret")
	os.WriteFile(secretFile, []byte(secret+"\n"), 0o600)
	flags := []string{"--auth", "oauth2", "--token-url", srv.URL + "/oauth/token", "--client-id", "replayer", "--scope", "items:read"}

	// --rate spreads six calls over more than a token's second.
	args := append(append([]string{"--endpoint", srv.URL, "--client-secret-file", secretFile, "--rate", "3", "-c", "1"}, flags...), harPath)
	code, out, errOut := runReplay(t, env(""), args...)
	o.mu.Lock()
	grants := o.grants
	o.mu.Unlock()
	if code != 0 || !strings.Contains(out, "6 ok") {
		t.Fatalf("replay: exit %d\n%s\n%s", code, out, errOut)
	}
	if grants < 2 {
		t.Errorf("%d grants in a run longer than a token's life, want at least 2", grants)
	}
	outputs := out + errOut

	// A wrong secret: the endpoint echoes it; no output does.
	wrong := filepath.Join(dir, "wrong-secret")
	os.WriteFile(wrong, []byte(secret+"-wrong\n"), 0o600)
	code, out, errOut = runReplay(t, env(""), append(append([]string{"--endpoint", srv.URL, "--client-secret-file", wrong}, flags...), harPath)...)
	if code != 2 || !strings.Contains(errOut, "the instance rejected the token (HTTP 401)") || !strings.Contains(errOut, "--client-id") {
		t.Errorf("a wrong client secret: exit %d\n%s", code, errOut)
	}
	outputs += out + errOut

	// The secret from the environment, and a bash script that gets its own tokens.
	getenv := func(k string) string {
		if k == "APITRAIL_CLIENT_SECRET" {
			return secret
		}
		return ""
	}
	code, out, errOut = runReplay(t, getenv, append(append([]string{"--endpoint", srv.URL}, flags...), harPath)...)
	if code != 0 {
		t.Errorf("the secret from $APITRAIL_CLIENT_SECRET: exit %d\n%s\n%s", code, out, errOut)
	}
	outputs += out + errOut

	ix, err := spec.NewIndex(nil, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mt := match.New(ix, match.Options{Hosts: []string{strings.TrimPrefix(srv.URL, "http://")}})
	var results []match.Result
	for i, e := range rec.Entries() {
		mt.Observe(e)
		results = append(results, mt.Entry(i+1, e))
	}
	src, err := script.Generate(script.Bash, results, script.Options{Endpoint: srv.URL, Name: "items",
		SignIn: script.SignIn{Scheme: "oauth2", TokenURL: srv.URL + "/oauth/token", ClientID: "replayer", Scopes: []string{"items:read"}}})
	if err != nil {
		t.Fatal(err)
	}
	sh := filepath.Join(dir, "items.sh")
	os.WriteFile(sh, src, 0o755)
	o.mu.Lock()
	before := o.grants
	o.mu.Unlock()
	cmd := exec.Command("bash", sh)
	cmd.Env = append(os.Environ(), "ENDPOINT="+srv.URL, "CLIENT_SECRET="+secret)
	stdoutErr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the script: %v\n%s\n%s", err, stdoutErr, src)
	}
	o.mu.Lock()
	after := o.grants
	o.mu.Unlock()
	if after <= before || strings.Count(string(stdoutErr), " -> 200") != len(paths) {
		t.Errorf("the script got %d grants and answers:\n%s", after-before, stdoutErr)
	}
	outputs += string(src) + string(stdoutErr)

	for _, form := range []string{secret, secret[:8], secret[len(secret)-8:]} {
		if strings.Contains(outputs, form) {
			t.Errorf("the client secret (%q) is in an output", form)
		}
	}
}
