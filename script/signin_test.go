package script_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apitrail/apitrail/internal/recorder"
	"github.com/apitrail/apitrail/script"
)

// signInServer answers two calls the sandbox's document describes, for
// one sign-in scheme only, and grants OAuth 2.0 client credentials.
type signInServer struct {
	accept func(*http.Request) bool
	mu     sync.Mutex
	grants int
	calls  int
}

const (
	signInToken  = "tok-9f8e7d6c5b4a"
	clientSecret = "cs-0a1b2c3d4e5f"
)

func (s *signInServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/oauth/token" {
		id, secret, _ := r.BasicAuth()
		r.ParseForm()
		if id != "scripts" || secret != clientSecret || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "launches" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		s.grants++
		fmt.Fprintf(w, `{"access_token":"granted-%d","token_type":"Bearer","expires_in":60}`, s.grants)
		return
	}
	if !s.accept(r) {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"message":"not signed in"}`)
		return
	}
	s.calls++
	switch r.URL.Path {
	case "/api/launch/7":
		fmt.Fprint(w, `{"id":7,"name":"nightly","projectId":1}`)
	default:
		w.WriteHeader(404)
		fmt.Fprint(w, `{"message":"no such thing"}`)
	}
}

// Every format signs in the way it was made for, against a server that
// takes that way only, run with its real tool: a script made with a header
// sends that header and exchanges nothing.
func TestScriptsSignInEveryWay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real tools against a local server")
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("keeper:"+signInToken))
	schemes := []struct {
		reason string
		signIn script.SignIn
		token  string
		accept func(*http.Request) bool
	}{
		{"a Bearer token as it is", script.SignIn{Scheme: "bearer"}, signInToken,
			func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+signInToken }},
		{"HTTP Basic from user:password", script.SignIn{Scheme: "basic"}, "keeper:" + signInToken,
			func(r *http.Request) bool { return r.Header.Get("Authorization") == basic }},
		{"two header templates", script.SignIn{Scheme: "header", Headers: []string{"Authorization: token {token}", "X-Api-Key: k-{token}"}}, signInToken,
			func(r *http.Request) bool {
				return r.Header.Get("Authorization") == "token "+signInToken && r.Header.Get("X-Api-Key") == "k-"+signInToken
			}},
		{"no credentials at all", script.SignIn{Scheme: "none"}, "unused",
			func(r *http.Request) bool { return r.Header.Get("Authorization") == "" }},
		{"OAuth 2.0 client credentials", script.SignIn{Scheme: "oauth2", ClientID: "scripts", Scopes: []string{"launches"}}, "unused",
			func(r *http.Request) bool { return strings.HasPrefix(r.Header.Get("Authorization"), "Bearer granted-") }},
	}
	for _, sc := range schemes {
		t.Run(sc.reason, func(t *testing.T) {
			srv := &signInServer{accept: sc.accept}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			si := sc.signIn
			if si.Scheme == "oauth2" {
				si.TokenURL = hs.URL + "/oauth/token"
			}
			// A recording made by a browser signed in some other way.
			rec := &recorder.Recorder{}
			srv.accept = func(*http.Request) bool { return true }
			res, err := (&http.Client{Transport: rec}).Get(hs.URL + "/api/launch/7")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			srv.accept = sc.accept
			results := matchEntries(t, rec.Entries())
			for _, f := range script.Formats() {
				src, err := script.Generate(f, results, script.Options{Name: "signin", Endpoint: hs.URL, SignIn: si})
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if strings.Contains(string(src), "/api/uaa/oauth/token") || strings.Contains(string(src), signInToken) || strings.Contains(string(src), clientSecret) {
					t.Errorf("%s: the script holds TestOps' exchange or a secret:\n%s", f, src)
				}
				if f == script.Bash {
					shellcheck(t, src)
				}
				srv.mu.Lock()
				calls, grants := srv.calls, srv.grants
				srv.mu.Unlock()
				stdout, stderr, err := runScriptEnv(t, f, src, hs.URL, sc.token, "CLIENT_SECRET="+clientSecret, "clientSecret="+clientSecret)
				if err != nil {
					t.Errorf("%s: %v\n%s\n%s\n%s", f, err, stdout, stderr, src)
					continue
				}
				srv.mu.Lock()
				if srv.calls != calls+1 || (si.Scheme == "oauth2") != (srv.grants > grants) {
					t.Errorf("%s: %d signed-in calls and %d grants, want 1 call and a grant only for oauth2", f, srv.calls-calls, srv.grants-grants)
				}
				srv.mu.Unlock()
			}
		})
	}
}
