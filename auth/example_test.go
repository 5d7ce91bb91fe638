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

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/internal/sandbox"
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
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	at, err := auth.Exchange(context.Background(), nil, in.URL(), auth.NewToken(sandbox.SeedAPIToken))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("expiry from", at.ExpirySource)
	// Output: expiry from expires_in
}

func ExampleNew() {
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	a, err := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first call exchanges the API token; the second reuses the result.
	a.Token(context.Background())
	a.Token(context.Background())
	fmt.Println("exchanges:", a.Exchanges())
	// Output: exchanges: 1
}

func ExampleAuthenticator_Client() {
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	a, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	res, err := a.Client().Get(in.URL() + "/api/launch/101")
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	fmt.Println(res.Status)
	// Output: 200 OK
}

func ExampleAuthenticator_Transport() {
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	a, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	client := &http.Client{Transport: a.Transport(nil)}
	res, err := client.Get(in.URL() + "/api/project/1")
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	fmt.Println(res.StatusCode, in.Requests()[1].Auth)
	// Output: 200 bearer
}

func ExampleAuthenticator_WhoAmI() {
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	a, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	u, err := a.WhoAmI(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("%s (id %d)\n", u.Username, u.ID)
	// Output: admin (id 1)
}

func ExampleAuthenticator_Refresh() {
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	a, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	old, _ := a.Token(context.Background())
	fresh, _ := a.Refresh(context.Background(), old)
	again, _ := a.Refresh(context.Background(), old) // already replaced: no new exchange
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
	in, _ := sandbox.Start(sandbox.Options{})
	defer in.Close()
	a, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken)})
	origin, _ := url.Parse(in.URL())
	// Only requests to origin are signed; a redirect elsewhere goes bare.
	client := &http.Client{Transport: &auth.Transport{Source: a, Origin: origin}}
	res, err := client.Get(in.URL() + "/api/launch/101")
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)
	// Output: 200
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
