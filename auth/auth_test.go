package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/internal/sandbox"
)

var seed = auth.NewToken(sandbox.SeedAPIToken)

func startSandbox(t *testing.T, opts sandbox.Options) *sandbox.Instance {
	t.Helper()
	in, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func newAuth(t *testing.T, cfg auth.Config) *auth.Authenticator {
	t.Helper()
	if cfg.APIToken.IsZero() {
		cfg.APIToken = seed
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func countRequests(in *sandbox.Instance, method, path string) int {
	n := 0
	for _, r := range in.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// TestExchangeSendsTheVendorsForm checks the exact request on a server
// that records it, since the sandbox would accept variations.
func TestExchangeSendsTheVendorsForm(t *testing.T) {
	var got *http.Request
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got, form = r, r.PostForm
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"opaque","expires_in":60}`)
	}))
	defer srv.Close()
	if _, err := auth.Exchange(context.Background(), srv.Client(), srv.URL+"/", seed); err != nil {
		t.Fatal(err)
	}
	want := url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {sandbox.SeedAPIToken}}
	if got.Method != "POST" || got.URL.Path != "/api/uaa/oauth/token" || form.Encode() != want.Encode() {
		t.Errorf("sent %s %s %v, want POST /api/uaa/oauth/token %v", got.Method, got.URL.Path, form, want)
	}
	if got.Header.Get("Accept") != "application/json" || got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("headers %v", got.Header)
	}
	if got.Header.Get("Authorization") != "" {
		t.Error("the exchange sent an Authorization header")
	}
}

func TestExchangeExpiry(t *testing.T) {
	opaque := func(body string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, body)
		}))
	}
	tests := []struct {
		name       string
		endpoint   func(t *testing.T) (string, *http.Client)
		wantSource string
		wantLife   time.Duration
	}{
		{"expires_in as a number", func(t *testing.T) (string, *http.Client) {
			in := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{TokenValidity: 90 * time.Second}})
			return in.URL(), nil
		}, "expires_in", 90 * time.Second},
		{"expires_in as a string", func(t *testing.T) (string, *http.Client) {
			in := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{TokenValidity: 90 * time.Second, ExpiresIn: sandbox.ExpiresInString}})
			return in.URL(), nil
		}, "expires_in", 90 * time.Second},
		{"no expires_in: the JWT's exp claim", func(t *testing.T) (string, *http.Client) {
			in := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{TokenValidity: 90 * time.Second, ExpiresIn: sandbox.ExpiresInOmitted}})
			return in.URL(), nil
		}, "exp claim", 90 * time.Second},
		{"neither: the safe default", func(t *testing.T) (string, *http.Client) {
			srv := opaque(`{"access_token":"not-a-jwt","token_type":"bearer"}`)
			t.Cleanup(srv.Close)
			return srv.URL, srv.Client()
		}, "default", auth.DefaultLifetime},
		{"a nonsense expires_in falls back too", func(t *testing.T) (string, *http.Client) {
			srv := opaque(`{"access_token":"not-a-jwt","expires_in":"soon"}`)
			t.Cleanup(srv.Close)
			return srv.URL, srv.Client()
		}, "default", auth.DefaultLifetime},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, client := tc.endpoint(t)
			before := time.Now()
			at, err := auth.Exchange(context.Background(), client, endpoint, seed)
			took := time.Since(before)
			if err != nil {
				t.Fatal(err)
			}
			if at.ExpirySource != tc.wantSource {
				t.Errorf("expiry source %q, want %q", at.ExpirySource, tc.wantSource)
			}
			// exp is whole seconds, so allow a second of rounding either way,
			// plus however long the exchange itself took: the instance starts
			// the clock when it answers, not when the test began.
			if life := at.Expiry.Sub(before); life < tc.wantLife-time.Second || life > tc.wantLife+time.Second+took {
				t.Errorf("lifetime %v, want about %v", life, tc.wantLife)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tlsInstance := startSandbox(t, sandbox.Options{TLS: true})
	plain := startSandbox(t, sandbox.Options{})
	failing := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{FailureRate: 1}})
	htmlPortal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>Welcome to the intranet</body></html>")
	}))
	defer htmlPortal.Close()
	notImplemented := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotImplemented)
		io.WriteString(w, "<html><body>Unsupported method ('POST')</body></html>")
	}))
	defer notImplemented.Close()
	errorPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<html><body>Traceback</body></html>")
	}))
	defer errorPage.Close()
	closed := closedPort(t)

	tests := []struct {
		name       string
		endpoint   string
		token      auth.Token
		want       error
		hintHas    string
		messageHas string
	}{
		{"a wrong API token", plain.URL(), auth.NewToken("wrong-token"), auth.ErrTokenRejected, "", "Invalid API token"},
		{"an HTML page where TestOps should be", htmlPortal.URL, seed, auth.ErrWrongEndpoint, "", "text/html, not JSON"},
		{"a 404 at the token URL", plain.URL() + "/not-testops", seed, auth.ErrWrongEndpoint, "", "HTTP 404"},
		{"an endpoint ending in /api", plain.URL() + "/api", seed, auth.ErrUsage, "without /api", "names an API path"},
		{"no scheme", "testops.example.com", seed, auth.ErrUsage, "https://testops.example.com", "is not an http:// or https:// address"},
		{"nothing listening", "http://" + closed, seed, auth.ErrUnreachable, "", "connection refused"},
		{"an unknown CA", tlsInstance.URL(), seed, auth.ErrTLS, "", "certificate"},
		{"https to a plain HTTP port", strings.Replace(plain.URL(), "http:", "https:", 1), seed, auth.ErrTLS, "plain HTTP", ""},
		{"a failing instance", failing.URL(), seed, auth.ErrServer, "", "HTTP 503"},
		{"a web server with no POST handler answers 501", notImplemented.URL, seed, auth.ErrWrongEndpoint, "", "(HTTP 501): the server has no such exchange"},
		{"a 500 page in HTML is another application's", errorPage.URL, seed, auth.ErrWrongEndpoint, "", "HTTP 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.Exchange(context.Background(), nil, tc.endpoint, tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			msg, hint := err.Error(), hintOf(err)
			if !errors.Is(err, auth.ErrSignIn) {
				t.Errorf("error %v does not wrap ErrSignIn", err)
			}
			if (tc.hintHas == "") != (hint == "") || !strings.Contains(hint, tc.hintHas) {
				t.Errorf("hint %q lacks %q", hint, tc.hintHas)
			}
			if !strings.Contains(msg, tc.messageHas) || strings.Contains(msg, "\n") || msg != strings.TrimSpace(msg) {
				t.Errorf("error %q: want one line containing %q", msg, tc.messageHas)
			}
		})
	}
}

// An instance restarting answers 503 or refuses connections for a moment;
// a rejected token stays rejected however often it is sent.
func TestExchangeIsRetriedOnlyWhenTryingAgainMayHelp(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	var failed int
	var mu sync.Mutex
	proxy := httputil.NewSingleHostReverseProxy(mustURL(t, in.URL()))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fail := failed < 2
		failed++
		mu.Unlock()
		if fail {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	a := newAuth(t, auth.Config{Endpoint: srv.URL, Backoff: 10 * time.Millisecond})
	if _, err := a.Token(context.Background()); err != nil {
		t.Fatalf("two 503s then a token: %v", err)
	}
	if a.Exchanges() != 3 {
		t.Errorf("%d exchanges, want 3", a.Exchanges())
	}

	failing := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{FailureRate: 1}})
	for _, tc := range []struct {
		name, endpoint string
		token          auth.Token
		exchanges      int64
		infra          bool
	}{
		{"nothing listening", "http://" + closedPort(t), seed, 3, true},
		{"a failing instance", failing.URL(), seed, 3, true},
		{"a wrong API token", in.URL(), auth.NewToken("wrong-token"), 1, false},
	} {
		a := newAuth(t, auth.Config{Endpoint: tc.endpoint, APIToken: tc.token, Retries: 2, Backoff: 10 * time.Millisecond})
		_, err := a.Token(context.Background())
		if err == nil || a.Exchanges() != tc.exchanges || auth.IsInfrastructure(err) != tc.infra {
			t.Errorf("%s: %d exchanges, want %d; error %v, infrastructure %v", tc.name, a.Exchanges(), tc.exchanges, err, auth.IsInfrastructure(err))
		}
		if tc.infra && !strings.Contains(err.Error(), "(after 3 attempts)") {
			t.Errorf("%s: the error must say it was tried 3 times: %v", tc.name, err)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestCaching(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	first, err := a.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := a.Client()
	for range 5 {
		res, err := c.Get(in.URL() + "/api/project")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	second, _ := a.Token(context.Background())
	if first.Reveal() != second.Reveal() || a.Exchanges() != 1 || countRequests(in, "POST", "/api/uaa/oauth/token") != 1 {
		t.Errorf("six calls made %d exchanges (server saw %d), want 1", a.Exchanges(), countRequests(in, "POST", "/api/uaa/oauth/token"))
	}
}

func TestRefreshBeforeExpiry(t *testing.T) {
	in := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{TokenValidity: 2 * time.Second}})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	first, err := a.AccessToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The default margin for a 2s token is 0.4s: at 1.7s it is due.
	time.Sleep(time.Until(first.Expiry.Add(-300 * time.Millisecond)))
	second, err := a.AccessToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if second.Token.Reveal() == first.Token.Reveal() || a.Exchanges() != 2 {
		t.Fatalf("no refresh shortly before expiry (exchanges %d)", a.Exchanges())
	}
	// It was refreshed before, not after, expiry: the old token still works.
	// On a machine so loaded that the refresh itself outlasted the old
	// token, there is nothing left to show.
	req, _ := http.NewRequest("GET", in.URL()+"/api/uaa/me", nil)
	req.Header.Set("Authorization", "Bearer "+first.Token.Reveal())
	sent := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 && sent.Before(first.Expiry.Add(-100*time.Millisecond)) {
		t.Errorf("the replaced token was already dead (%d): the refresh came too late", res.StatusCode)
	}
	// A long run keeps working across several lifetimes without a 401.
	c := a.Client()
	deadline := time.Now().Add(4500 * time.Millisecond)
	for time.Now().Before(deadline) {
		res, err := c.Get(in.URL() + "/api/project")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		time.Sleep(100 * time.Millisecond)
	}
	for _, r := range in.Requests() {
		if r.Status == 401 {
			t.Errorf("a call met a 401 during a long run: %s %s", r.Method, r.Path)
		}
	}
}

func TestRefreshOn401(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	c := a.Client()
	res, err := c.Get(in.URL() + "/api/project")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	in.RevokeAccessTokens() // the cached token is now refused, long before it expires
	in.ResetRequests()
	res, err = c.Post(in.URL()+"/api/launch", "application/json", strings.NewReader(`{"name":"after a 401","projectId":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"name":"after a 401"`) {
		t.Fatalf("retried POST answered %d %s", res.StatusCode, body)
	}
	var seen []string
	for _, r := range in.Requests() {
		seen = append(seen, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	want := "POST /api/launch 401, POST /api/uaa/oauth/token 200, POST /api/launch 200"
	if got := strings.Join(seen, ", "); got != want {
		t.Errorf("the instance saw %s, want %s", got, want)
	}
	if a.Exchanges() != 2 {
		t.Errorf("%d exchanges, want 2", a.Exchanges())
	}
}

func TestSecond401IsAnError(t *testing.T) {
	// An instance that issues tokens but refuses every one of them.
	var exchanges int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == auth.TokenPath {
			mu.Lock()
			exchanges++
			n := exchanges
			mu.Unlock()
			fmt.Fprintf(w, `{"access_token":"token-%d","expires_in":3600}`, n)
			return
		}
		w.WriteHeader(401)
		io.WriteString(w, `{"status":401,"message":"Invalid access token"}`)
	}))
	defer srv.Close()
	a := newAuth(t, auth.Config{Endpoint: srv.URL, Client: srv.Client()})
	_, err := a.Client().Get(srv.URL + "/api/project")
	if !errors.Is(err, auth.ErrTokenRejected) {
		t.Fatalf("error %v, want ErrTokenRejected", err)
	}
	if !strings.Contains(err.Error(), "a freshly obtained token was refused too") {
		t.Errorf("error %v", err)
	}
	if a.Exchanges() != 2 {
		t.Errorf("%d exchanges, want 2: one, then one more after the first 401", a.Exchanges())
	}

	// On the sandbox: a revoked API token cannot get the new access token.
	in := startSandbox(t, sandbox.Options{})
	tok, _ := in.APITokenFor(sandbox.SeedUsername, "to revoke")
	b := newAuth(t, auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(tok)})
	if _, err := b.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.RevokeAPIToken(tok)
	in.RevokeAccessTokens()
	_, err = b.WhoAmI(context.Background())
	if !errors.Is(err, auth.ErrTokenRejected) || !strings.Contains(err.Error(), "Invalid API token") {
		t.Errorf("after revocation: %v", err)
	}
}

func TestUnreplayableBodyIsNotRetried(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	c := a.Client()
	a.Token(context.Background())
	in.RevokeAccessTokens()
	// An io.Reader net/http cannot rewind: no GetBody.
	body := io.MultiReader(strings.NewReader(`{"name":"once","projectId":1}`))
	req, _ := http.NewRequest("POST", in.URL()+"/api/launch", body)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("status %d, want the 401 handed back", res.StatusCode)
	}
	res, err = c.Get(in.URL() + "/api/project")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || a.Exchanges() != 2 {
		t.Errorf("the next call got %d after %d exchanges; want 200 after 2", res.StatusCode, a.Exchanges())
	}
}

func TestConcurrentCallersShareOneExchange(t *testing.T) {
	// Latency keeps the exchange open while all 50 callers arrive.
	in := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{Latency: 200 * time.Millisecond}})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	const callers = 50
	var wg sync.WaitGroup
	tokens := make([]string, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok, err := a.Token(context.Background())
			tokens[i], errs[i] = tok.Reveal(), err
		}()
	}
	close(start)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || tokens[i] != tokens[0] || tokens[i] == "" {
			t.Fatalf("caller %d: %v (same token: %v)", i, errs[i], tokens[i] == tokens[0])
		}
	}
	if a.Exchanges() != 1 || countRequests(in, "POST", "/api/uaa/oauth/token") != 1 {
		t.Errorf("%d callers made %d exchanges (server saw %d), want 1", callers, a.Exchanges(), countRequests(in, "POST", "/api/uaa/oauth/token"))
	}
}

func TestCallerGivingUpDoesNotFailOthers(t *testing.T) {
	in := startSandbox(t, sandbox.Options{Knobs: sandbox.Knobs{Latency: 300 * time.Millisecond}})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() { _, err := a.Token(context.Background()); done <- err }()
	if _, err := a.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("impatient caller got %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("patient caller got %v", err)
	}
	if a.Exchanges() != 1 {
		t.Errorf("%d exchanges", a.Exchanges())
	}
}

func TestBearerGoesOnlyToTheInstance(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	var mu sync.Mutex
	var otherSaw []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		otherSaw = append(otherSaw, r.URL.Path+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer other.Close()
	// A front for the instance, as a reverse proxy would be, with one path
	// that redirects off-site.
	target, _ := url.Parse(in.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/elsewhere" {
			http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	a := newAuth(t, auth.Config{Endpoint: front.URL})
	c := a.Client()
	get := func(u string) {
		res, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	get(front.URL + "/api/project")
	get(other.URL + "/direct")
	get(front.URL + "/api/elsewhere")
	frontURL, _ := url.Parse(front.URL)
	get("http://localhost:" + frontURL.Port() + "/api/project") // same port, another host name

	mu.Lock()
	defer mu.Unlock()
	if want := "/direct auth=,/landed auth="; strings.Join(otherSaw, ",") != want {
		t.Errorf("the other host saw %v; want no Authorization on either request", otherSaw)
	}
	var kinds []string
	for _, r := range in.Requests() {
		kinds = append(kinds, r.Path+" "+r.Auth)
	}
	if want := "/api/uaa/oauth/token none,/api/project bearer,/api/project none"; strings.Join(kinds, ",") != want {
		t.Errorf("the instance saw %v, want %s", kinds, want)
	}
}

func TestWhoAmI(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	a := newAuth(t, auth.Config{Endpoint: in.URL()})
	u, err := a.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != 1 || u.Username != sandbox.SeedUsername || u.Email == "" || !strings.Contains(string(u.Raw), `"userRef"`) {
		t.Errorf("whoami %+v raw %s", u, u.Raw)
	}
	if got := in.Requests(); got[len(got)-1].Path != auth.MePath || got[len(got)-1].Auth != sandbox.AuthBearer {
		t.Errorf("whoami went to %+v", got[len(got)-1])
	}
	wrong := newAuth(t, auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken("nope")})
	if _, err := wrong.WhoAmI(context.Background()); !errors.Is(err, auth.ErrTokenRejected) {
		t.Errorf("whoami with a wrong token: %v", err)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a trailing slash goes", "https://testops.example.com/", "https://testops.example.com"},
		{"a path prefix stays", "https://example.com/testops/", "https://example.com/testops"},
		{"a port stays", "http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"a query goes", "https://testops.example.com/?x=1", "https://testops.example.com"},
		{"no scheme", "testops.example.com", ""},
		{"ftp", "ftp://testops.example.com", ""},
		{"credentials in the URL", "https://user:secret@testops.example.com", ""},
		{"an API path", "https://testops.example.com/api/", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := auth.ParseEndpoint(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted %q", tc.in)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil || u.String() != tc.want {
				t.Errorf("got %v, %v; want %s", u, err, tc.want)
			}
		})
	}
}

// hintOf is the advice an *auth.Error carries itself: only what is
// particular to the failure, never a command's flags.
func hintOf(err error) string {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.Hint()
	}
	return ""
}
