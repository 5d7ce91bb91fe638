package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// TestTokenNeverLeaks gathers every string this package can put in front
// of a user, a log or a report, in success and in failure, and greps them
// all for the API token and the access token.
func TestTokenNeverLeaks(t *testing.T) {
	in := startSandbox(t, sandbox.Options{})
	tlsIn := startSandbox(t, sandbox.Options{TLS: true})
	secretAPI := sandbox.SeedAPIToken
	var out bytes.Buffer
	emit := func(format string, a ...any) { fmt.Fprintf(&out, format+"\n", a...) }
	emitErr := func(err error) {
		if err == nil {
			t.Helper()
			t.Fatal("expected an error")
		}
		emit("error: %v\nhint: %s\n%+v %#v %s %q", err, hintOf(err), err, err, err, err)
	}

	loaded := struct{ Token auth.Token }{auth.NewToken(secretAPI)}
	cfg := auth.Config{Endpoint: in.URL(), APIToken: loaded.Token}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	at, err := a.AccessToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	secretAccess := at.Token.Reveal()
	user, err := a.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// Every fmt verb on every value that holds a token.
	for _, v := range []any{loaded.Token, at.Token, at, &at, loaded, &loaded, cfg, &cfg, a, user} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			emit(verb, v)
		}
		emit("%v", []any{v})
		emit("%v", map[string]any{"k": v})
	}
	emit("%s", fmt.Sprint(loaded.Token, at.Token), fmt.Sprintln(at))
	for _, v := range []any{loaded, at, loaded.Token} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		emit("%s", b)
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("tokens", "api", loaded.Token, "access", at.Token, "at", at, "loaded", loaded)
	}
	cred, err := a.Credential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	static, _ := auth.Headers([]string{"X-Api-Key: {token}"}, loaded.Token)
	for _, v := range []any{cred, &cred, static, auth.Bearer(at.Token)} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			emit(verb, v)
		}
	}

	// Failures, including servers that echo what they were sent.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == auth.TokenPath {
			if r.PostForm.Get("token") != secretAPI {
				w.WriteHeader(401)
				fmt.Fprintf(w, `{"status":401,"message":"unknown token %s"}`, r.PostForm.Get("token"))
				return
			}
			fmt.Fprintf(w, `{"access_token":%q}`, secretAccess)
			return
		}
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"status":401,"message":"refused %s"}`, r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	_, err = auth.Exchange(context.Background(), nil, echo.URL, auth.NewToken(secretAPI+"x"))
	emitErr(err)
	echoed := auth.NewToken(secretAPI)
	b, _ := auth.New(auth.Config{Endpoint: echo.URL, APIToken: echoed})
	_, err = b.WhoAmI(context.Background())
	emitErr(err)
	_, err = b.Client().Get(echo.URL + "/api/project?x=1")
	emitErr(err)
	for _, endpoint := range []string{"http://" + closedPort(t), tlsIn.URL(), in.URL() + "/nope", "https://user:" + secretAPI + "@example.com"} {
		_, err = auth.Exchange(context.Background(), nil, endpoint, loaded.Token)
		emitErr(err)
	}
	wrong, _ := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(secretAPI + "-wrong")})
	_, err = wrong.WhoAmI(context.Background())
	emitErr(err)
	emit("%+v", in.Requests())

	text := out.String()
	for name, secret := range map[string]string{"API token": secretAPI, "access token": secretAccess} {
		if i := strings.Index(text, secret); i >= 0 {
			t.Errorf("the %s leaked: ...%s...", name, text[max(0, i-120):i])
		}
	}
	// The output is not empty of meaning: it names the tokens by fingerprint.
	if !strings.Contains(text, auth.Fingerprint(secretAPI)) || !strings.Contains(text, auth.Fingerprint(secretAccess)) {
		t.Error("the fingerprints are missing from the output")
	}
	if testing.Verbose() {
		io.WriteString(os.Stderr, text[:min(len(text), 4000)])
	}
}
