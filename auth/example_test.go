package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

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

func ExampleLoadAPIToken() {
	env := map[string]string{auth.EnvTokenAlt: "7f3c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57"}
	loaded, err := auth.LoadAPIToken(auth.TokenInput{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Origin, loaded.Token)

	loaded, _ = auth.LoadAPIToken(auth.TokenInput{Value: "7f3c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57"})
	fmt.Println(loaded.Origin, "warns:", loaded.Warnings[0])
	// Output:
	// $ALLURE_TOKEN sha256:ee1a3481
	// --token warns: a token given with --token shows in the process list and the shell history; prefer $TESTOPS_TOKEN or --token-file
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
		fmt.Println("hint:", auth.Hint(err))
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

func ExampleHint() {
	_, err := auth.Exchange(context.Background(), nil, "https://testops.example.com/api", auth.NewToken("x"))
	fmt.Println("error:", err)
	fmt.Println("hint:", auth.Hint(err))
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

func ExampleClientWithCA() {
	in, _ := sandbox.Start(sandbox.Options{TLS: true})
	defer in.Close()
	dir, _ := os.MkdirTemp("", "ca")
	defer os.RemoveAll(dir)
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, in.CACertPEM(), 0o644)

	client, err := auth.ClientWithCA(caFile)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken), Client: client})
	u, err := a.WhoAmI(context.Background())
	fmt.Println(u.Username, err)
	// Output: admin <nil>
}

func ExampleRedact() {
	h := http.Header{"Authorization": {"Bearer eyJhbGciOi.payload.sig"}, "Cookie": {"ALLURE_TESTOPS_SESSION=abc; XSRF-TOKEN=def"}}
	r := auth.Redact(h)
	fmt.Println(strings.HasPrefix(r.Get("Authorization"), "Bearer sha256:"), strings.Contains(r.Get("Cookie"), "abc"))
	// Output: true false
}
