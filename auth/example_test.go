package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/apitrail/apitrail/auth"
)

func ExampleNewToken() {
	tok := auth.NewToken("7f3c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57")
	fmt.Println(tok)
	fmt.Printf("%q %#v\n", tok, tok)
	// Output:
	// sha256:ee1a3481
	// sha256:ee1a3481 auth.Token(sha256:ee1a3481)
}

func ExampleFingerprint() {
	fmt.Println(auth.Fingerprint("7f3c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57"))
	// Output: sha256:ee1a3481
}

func ExampleExchange() {
	// A stand-in for a TestOps instance: its token endpoint trades the
	// API token for an access token that lasts an hour.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != auth.TokenPath || r.PostFormValue("grant_type") != "apitoken" || r.PostFormValue("token") != "my-api-token" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at-1","token_type":"bearer","expires_in":3600}`)
	}))
	defer srv.Close()

	at, err := auth.Exchange(context.Background(), srv.Client(), srv.URL, auth.NewToken("my-api-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("expiry from", at.ExpirySource, "in", time.Until(at.Expiry).Round(time.Hour))
	// Output: expiry from expires_in in 1h0m0s
}

func ExampleNew() {
	// A stand-in for a TestOps instance's token endpoint.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at-1","expires_in":3600}`)
	}))
	defer srv.Close()

	a, err := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("my-api-token")})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first call exchanges the API token; the second reuses the result
	// until it is about to expire.
	t1, _ := a.Token(context.Background())
	t2, _ := a.Token(context.Background())
	fmt.Println("exchanges:", a.Exchanges(), "same token:", t1.Reveal() == t2.Reveal())
	// Output: exchanges: 1 same token: true
}

func ExampleAuthenticator_Client() {
	// A stand-in for a TestOps instance: a launch that only a Bearer
	// token from its token endpoint may read.
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+auth.TokenPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at-1","expires_in":3600}`)
	})
	mux.HandleFunc("GET /api/launch/101", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-1" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":101,"name":"nightly"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	a, _ := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("my-api-token")})
	res, err := a.Client().Get(srv.URL + "/api/launch/101")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status, string(body))
	// Output: 200 OK {"id":101,"name":"nightly"}
}

func ExampleAuthenticator_Transport() {
	// A stand-in for a TestOps instance that says how a call was signed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == auth.TokenPath {
			fmt.Fprint(w, `{"access_token":"at-1","expires_in":3600}`)
			return
		}
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		fmt.Fprintf(w, `{"signedWith":%q}`, scheme)
	}))
	defer srv.Close()

	a, _ := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("my-api-token")})
	// Any client can carry the token: here one with a time-out of its own.
	client := &http.Client{Transport: a.Transport(nil), Timeout: 10 * time.Second}
	res, err := client.Get(srv.URL + "/api/project/1")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	io.Copy(os.Stdout, res.Body)
	// Output: {"signedWith":"Bearer"}
}

func ExampleAuthenticator_WhoAmI() {
	// A stand-in for a TestOps instance that knows whose token it is.
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+auth.TokenPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at-admin","expires_in":3600}`)
	})
	mux.HandleFunc("GET "+auth.MePath, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-admin" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"username":"admin","authorities":["ROLE_ADMIN"]}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	a, _ := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("my-api-token")})
	u, err := a.WhoAmI(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("%s (id %d) %v\n", u.Username, u.ID, u.Authorities)
	// Output: admin (id 1) [ROLE_ADMIN]
}

func ExampleAuthenticator_Refresh() {
	// A stand-in for a TestOps instance that hands out a new access token
	// at each exchange.
	exchanges := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exchanges++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at-%d","expires_in":3600}`, exchanges)
	}))
	defer srv.Close()

	a, _ := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("my-api-token")})
	old, _ := a.Token(context.Background())
	// Say the instance refused old: Refresh exchanges the API token again.
	fresh, _ := a.Refresh(context.Background(), old)
	// A second caller that saw old refused gets fresh, with no exchange.
	again, _ := a.Refresh(context.Background(), old)
	fmt.Println(fresh.Reveal() != old.Reveal(), again.Reveal() == fresh.Reveal(), a.Exchanges())
	// Output: true true 2
}

func ExampleError() {
	_, err := auth.Exchange(context.Background(), nil, "https://testops.example.com/api", auth.NewToken("x"))
	fmt.Println("error:", err)
	var e *auth.Error
	if errors.As(err, &e) {
		fmt.Println("hint:", e.Hint())
	}
	fmt.Println(errors.Is(err, auth.ErrUsage))
	// Output:
	// error: check the endpoint: unusable input: https://testops.example.com/api names an API path
	// hint: give the instance's address without /api, e.g. https://testops.example.com
	// true
}

func ExampleParseEndpoint() {
	u, _ := auth.ParseEndpoint("https://testops.example.com/")
	fmt.Println(u)
	// Output: https://testops.example.com
}

func ExampleHeaders() {
	// An instance that wants "Authorization: token ..." (Jupyter, Gitea)
	// and a gateway's API key header.
	src, err := auth.Headers([]string{"Authorization: token {token}", "x-api-key: {token}"}, auth.NewToken("s3cr3t"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, r.Header.Get("Authorization"), "|", r.Header.Get("X-Api-Key"))
	}))
	defer srv.Close()
	origin, _ := url.Parse(srv.URL)
	res, err := auth.Client(srv.Client(), origin, src).Get(srv.URL + "/api/contents")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	io.Copy(os.Stdout, res.Body)
	// Output: token s3cr3t | s3cr3t
}

func ExampleBasic() {
	src, _ := auth.Basic(auth.NewToken("alice:wonderland"))
	c, _ := src.Credential(context.Background())
	fmt.Println(c.Header().Get("Authorization"))
	fmt.Println(c) // names the headers only
	// Output:
	// Basic YWxpY2U6d29uZGVybGFuZA==
	// auth.Credential{Authorization}
}

func ExampleTransport() {
	// A stand-in for a TestOps instance that answers how a call was signed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == auth.TokenPath {
			fmt.Fprint(w, `{"access_token":"at-1","expires_in":3600}`)
			return
		}
		fmt.Fprintf(w, `{"authorization":%q}`, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	// And a server elsewhere, which must not see the token.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"authorization":%q}`, r.Header.Get("Authorization"))
	}))
	defer other.Close()

	a, _ := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("my-api-token")})
	origin, _ := url.Parse(srv.URL)
	// Only requests to origin are signed; a request elsewhere goes bare.
	client := &http.Client{Transport: &auth.Transport{Source: a, Origin: origin}}
	for _, u := range []string{srv.URL + "/api/launch/101", other.URL + "/elsewhere"} {
		res, err := client.Get(u)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(string(body))
	}
	// Output:
	// {"authorization":"Bearer at-1"}
	// {"authorization":""}
}

func ExampleNewClientCredentials() {
	grants := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if r.URL.Path != "/oauth/token" || id != "apitrail" || secret != "client-secret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		grants++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600}`, grants)
	}))
	defer srv.Close()
	src, _ := auth.NewClientCredentials(auth.ClientCredentialsConfig{
		TokenURL: srv.URL + "/oauth/token", ClientID: "apitrail", ClientSecret: auth.NewToken("client-secret"), Scopes: []string{"read"},
	})
	c1, _ := src.Credential(context.Background())
	c2, _ := src.Credential(context.Background()) // cached until it expires
	fmt.Println(c1.Header().Get("Authorization"), c2.Header().Get("Authorization"), src.Grants())
	// Output: Bearer at-1 Bearer at-1 1
}

func ExampleBearer() {
	// A fixed token, such as a personal access token: never renewed.
	c, _ := auth.Bearer(auth.NewToken("ghp_example")).Credential(context.Background())
	// Secrets are what output must never show: the token, alone and as sent.
	fmt.Printf("%q\n", c.Secrets())
	// Output: ["ghp_example" "Bearer ghp_example"]
}

func ExampleCheck() {
	// A token endpoint that refuses every API token: Check says so before
	// a run makes its first call.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_grant","error_description":"the token is revoked"}`)
	}))
	defer srv.Close()

	a, _ := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("revoked-token")})
	err := auth.Check(context.Background(), a)
	fmt.Println(errors.Is(err, auth.ErrTokenRejected), auth.IsInfrastructure(err))
	// Output: true false
}

func ExampleIsInfrastructure() {
	// An instance that is down for maintenance: trying later may work.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	_, err := auth.Exchange(context.Background(), srv.Client(), srv.URL, auth.NewToken("my-api-token"))
	fmt.Println(auth.IsInfrastructure(err))
	// Output: true
}

func ExampleSameOrigin() {
	a, _ := url.Parse("https://testops.example.com/api/launch")
	b, _ := url.Parse("https://TestOps.example.com:443/login")
	c, _ := url.Parse("http://testops.example.com/api/launch")
	fmt.Println(auth.SameOrigin(a, b), auth.SameOrigin(a, c))
	// Output: true false
}

func ExampleParseHeaderTemplate() {
	name, value, err := auth.ParseHeaderTemplate("x-api-key: {token}")
	fmt.Printf("%s %q %v\n", name, value, err)
	_, _, err = auth.ParseHeaderTemplate("no colon here")
	fmt.Println(err)
	// Output:
	// X-Api-Key "{token}" <nil>
	// read a sign-in header: unusable input: "no colon here" is not NAME: VALUE
}

func ExampleParseBaseURL() {
	u, _ := auth.ParseBaseURL("https://gitea.example.com/sub/path/?tab=1#top")
	fmt.Println(u)
	_, err := auth.ParseBaseURL("https://alice:secret@gitea.example.com")
	fmt.Println(err)
	// Output:
	// https://gitea.example.com/sub/path
	// check the endpoint: unusable input: https://alice:xxxxx@gitea.example.com holds a user name or password
}
