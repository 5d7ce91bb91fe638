package sandbox

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTokenExchange(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in)
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantMsg    string
	}{
		{"the seeded API token is exchanged", url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {SeedAPIToken}}, 200, ""},
		{"an unknown API token is refused", url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {"not-a-token"}}, 401, "Invalid API token"},
		{"an empty API token is refused", url.Values{"grant_type": {"apitoken"}, "token": {""}}, 401, "Invalid API token"},
		{"the password grant works with the seeded login", url.Values{"grant_type": {"password"}, "username": {SeedUsername}, "password": {SeedPassword}}, 200, ""},
		{"a wrong password is refused", url.Values{"grant_type": {"password"}, "username": {SeedUsername}, "password": {"nope"}}, 401, "Bad credentials"},
		{"a missing grant type is a bad request", url.Values{"token": {SeedAPIToken}}, 400, "Missing grant type"},
		{"an unknown grant type is a bad request", url.Values{"grant_type": {"client_credentials"}}, 400, "Unsupported grant type: client_credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", "/api/uaa/oauth/token", tc.form, "Accept", "application/json")
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
			}
			m := r.json(t)
			if tc.wantStatus != 200 {
				if m["status"] != float64(tc.wantStatus) || m["message"] != tc.wantMsg {
					t.Errorf("error body %s, want status %d and message %q", r.body, tc.wantStatus, tc.wantMsg)
				}
				return
			}
			if m["token_type"] != "bearer" || m["scope"] != "openid" || m["expires_in"] != float64(3600) {
				t.Errorf("token reply %s lacks token_type bearer, scope openid or expires_in 3600", r.body)
			}
			if parts := strings.Split(m["access_token"].(string), "."); len(parts) != 3 {
				t.Errorf("access_token is not a JWT: %v", m["access_token"])
			}
		})
	}
}

func TestTokenExchangeAcceptsMultipart(t *testing.T) {
	in := start(t, Options{})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("grant_type", "apitoken")
	mw.WriteField("scope", "openid")
	mw.WriteField("token", SeedAPIToken)
	mw.Close()
	res, err := http.Post(in.URL()+"/api/uaa/oauth/token", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("multipart exchange: status %d", res.StatusCode)
	}
}

func TestExpiresInStyles(t *testing.T) {
	tests := []struct {
		name  string
		style ExpiresIn
		want  any
	}{
		{"a number, as most instances send", ExpiresInNumber, float64(2)},
		{"a string, as some proxies rewrite it", ExpiresInString, "2"},
		{"absent, so clients must read the JWT", ExpiresInOmitted, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, Options{Knobs: Knobs{TokenValidity: 2 * time.Second, ExpiresIn: tc.style}})
			m := newAPI(t, in).exchange(SeedAPIToken)
			got, ok := m["expires_in"]
			if tc.want == nil {
				if ok {
					t.Fatalf("expires_in = %v, want it absent", got)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("expires_in = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestAccessTokenValidity(t *testing.T) {
	in := start(t, Options{Knobs: Knobs{TokenValidity: 2 * time.Second}})
	// issued is taken before the exchange, so the server's clock can only
	// have started the token later than this.
	issued := time.Now()
	a := newAPI(t, in).login()
	loggedIn := time.Since(issued)
	a.must(200, "GET", "/api/uaa/me", nil)

	// The token must live at least as long as expires_in said. The half
	// second of slack is for a loaded machine: the request is sent after the
	// sleep, not at its end.
	time.Sleep(time.Until(issued.Add(1500 * time.Millisecond)))
	a.must(200, "GET", "/api/uaa/me", nil)

	// And it must die within a second after that (exp is whole seconds).
	var r reply
	waitUntil(t, 2*time.Second, func() bool {
		r = a.do("GET", "/api/uaa/me", nil)
		return r.status == 401
	})
	if m := r.json(t); m["message"] != "Access token expired" || m["status"] != float64(401) {
		t.Fatalf("expired token answer %s", r.body)
	}
	// exp is rounded up, so a 2s token may live 3s from when the server
	// issued it, which was at most loggedIn after issued; the rest is polling.
	if age := time.Since(issued); age > 3*time.Second+loggedIn+500*time.Millisecond {
		t.Errorf("a 2s token lived %v", age)
	}
}

func TestBadAccessTokens(t *testing.T) {
	in := start(t, Options{})
	other := start(t, Options{})
	good := newAPI(t, in).exchange(SeedAPIToken)["access_token"].(string)
	foreign := newAPI(t, other).exchange(SeedAPIToken)["access_token"].(string)
	parts := strings.Split(good, ".")
	noneAlg := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.Replace(payload, []byte(`"admin"`), []byte(`"root1"`), 1)) + "." + parts[2]

	tests := []struct {
		name, token, wantMsg string
	}{
		{"garbage is malformed", "not-a-jwt", "Malformed access token"},
		{"a bad base64 header is malformed", "%%%." + parts[1] + "." + parts[2], "Malformed access token"},
		{"alg none is refused", noneAlg, "Invalid access token"},
		{"a changed payload breaks the signature", forged, "Invalid access token"},
		{"another instance's token is refused", foreign, "Invalid access token"},
		{"the API token itself is no access token", SeedAPIToken, "Malformed access token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, in)
			a.bearer = tc.token
			r := a.must(401, "GET", "/api/project", nil)
			if m := r.json(t); m["message"] != tc.wantMsg {
				t.Errorf("message %q, want %q", m["message"], tc.wantMsg)
			}
		})
	}
	a := newAPI(t, in)
	a.bearer = good
	a.must(200, "GET", "/api/project", nil)
	in.RevokeAccessTokens()
	a.must(401, "GET", "/api/project", nil)
}

func TestAPITokens(t *testing.T) {
	in := start(t, Options{APIToken: "my-known-token"})
	a := newAPI(t, in)
	a.must(401, "POST", "/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "token": {SeedAPIToken}})
	a.bearer = a.exchange("my-known-token")["access_token"].(string)

	made, err := in.APITokenFor(SeedUsername, "ci")
	if err != nil {
		t.Fatal(err)
	}
	a.exchange(made)
	if _, err := in.APITokenFor("nobody", "x"); err == nil {
		t.Error("APITokenFor an unknown user succeeded")
	}

	created := a.must(200, "POST", "/api/token", map[string]string{"name": "from the API"}).json(t)
	val := created["token"].(string)
	a.exchange(val)
	list := a.must(200, "GET", "/api/token", nil)
	if strings.Contains(string(list.body), val) || !strings.Contains(string(list.body), "from the API") {
		t.Errorf("token list must name tokens without their values: %s", list.body)
	}
	a.must(204, "DELETE", "/api/token/"+formatID(created["id"]), nil)
	a.must(401, "POST", "/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "token": {val}})

	in.RevokeAPIToken(made)
	a.must(401, "POST", "/api/uaa/oauth/token", url.Values{"grant_type": {"apitoken"}, "token": {made}})
}

func TestSessionAndXSRF(t *testing.T) {
	in := start(t, Options{})
	browser := newAPI(t, in).withJar()

	page := browser.must(200, "GET", "/", nil)
	if !strings.Contains(string(page.body), "<title>") {
		t.Fatal("the UI page did not load")
	}
	xsrf := func() string {
		u, _ := url.Parse(in.URL())
		for _, c := range browser.hc.Jar.Cookies(u) {
			if c.Name == XSRFCookie {
				return c.Value
			}
		}
		return ""
	}
	first := xsrf()
	if first == "" {
		t.Fatal("GET / set no XSRF-TOKEN cookie")
	}
	creds := url.Values{"username": {SeedUsername}, "password": {SeedPassword}}
	browser.must(403, "POST", "/api/login/system", creds, XSRFHeader, "wrong")
	browser.must(401, "POST", "/api/login/system", url.Values{"username": {SeedUsername}, "password": {"x"}}, XSRFHeader, first)
	r := browser.must(200, "POST", "/api/login/system", creds, XSRFHeader, first)
	var session *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == SessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly {
		t.Fatalf("login set no HttpOnly %s cookie: %v", SessionCookie, r.header["Set-Cookie"])
	}
	if xsrf() == first {
		t.Error("login kept the old CSRF token; Spring issues a new one")
	}

	tests := []struct {
		name   string
		method string
		header []string
		want   int
	}{
		{"a GET needs no XSRF header", "GET", nil, 200},
		{"a POST without the header is refused", "POST", nil, 403},
		{"a POST with a wrong header is refused", "POST", []string{XSRFHeader, "nope"}, 403},
		{"a POST repeating the cookie passes", "POST", []string{XSRFHeader, "<cookie>"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := append([]string(nil), tc.header...)
			if len(hdr) == 2 && hdr[1] == "<cookie>" {
				hdr[1] = xsrf()
			}
			var body any
			path := "/api/launch?projectId=1"
			if tc.method == "POST" {
				body, path = map[string]any{"name": "from a session", "projectId": 1}, "/api/launch"
			}
			r := browser.do(tc.method, path, body, hdr...)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
		})
	}

	bearerOnly := newAPI(t, in).login()
	bearerOnly.must(200, "POST", "/api/launch", map[string]any{"name": "from a token", "projectId": 1})

	browser.must(204, "POST", "/api/logout", nil, XSRFHeader, xsrf())
	browser.must(401, "GET", "/api/uaa/me", nil)

	var kinds []string
	for _, q := range in.Requests() {
		kinds = append(kinds, q.Method+" "+q.Path+" "+q.Auth)
	}
	got := strings.Join(kinds, "\n")
	for _, want := range []string{"GET / none", "POST /api/login/system none", "GET /api/launch session", "POST /api/launch bearer"} {
		if !strings.Contains(got, want) {
			t.Errorf("request log lacks %q:\n%s", want, got)
		}
	}
}

func formatID(v any) string { return strconv.FormatInt(int64(v.(float64)), 10) }
