package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/auth"
)

func TestLoadToken(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode) // past the umask
		return p
	}
	good := write("token", "  abc-123\n", 0o600)
	shared := write("shared", "abc-123\n", 0o644)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name       string
		in         TokenInput
		wantToken  string
		wantOrigin string
		wantWarn   string
		wantErr    error
	}{
		{"a file, trimmed", TokenInput{File: good}, "abc-123", "--token-file " + good, "", nil},
		{"a file others can read works, with a warning", TokenInput{File: shared}, "abc-123", "--token-file " + shared, "readable by others (mode 0644); restrict it with chmod 600", nil},
		{"standard input", TokenInput{File: "-", Stdin: strings.NewReader("from-stdin\n")}, "from-stdin", "standard input", "", nil},
		{"APITRAIL_TOKEN", TokenInput{Getenv: env(map[string]string{"APITRAIL_TOKEN": "p1"})}, "p1", "$APITRAIL_TOKEN", "", nil},
		{"APITRAIL_TOKEN comes before TESTOPS_TOKEN", TokenInput{Getenv: env(map[string]string{"APITRAIL_TOKEN": "p1", "TESTOPS_TOKEN": "t1"})}, "p1", "$APITRAIL_TOKEN", "both set and differ", nil},
		{"TESTOPS_TOKEN", TokenInput{Getenv: env(map[string]string{"TESTOPS_TOKEN": "t1"})}, "t1", "$TESTOPS_TOKEN", "", nil},
		{"ALLURE_TOKEN", TokenInput{Getenv: env(map[string]string{"ALLURE_TOKEN": "a1"})}, "a1", "$ALLURE_TOKEN", "", nil},
		{"both TestOps variables, differing", TokenInput{Getenv: env(map[string]string{"TESTOPS_TOKEN": "t1", "ALLURE_TOKEN": "a1"})}, "t1", "$TESTOPS_TOKEN", "both set and differ", nil},
		{"the same value twice is no news", TokenInput{Getenv: env(map[string]string{"TESTOPS_TOKEN": "t1", "ALLURE_TOKEN": "t1"})}, "t1", "$TESTOPS_TOKEN", "", nil},
		{"the command line, last, with a warning", TokenInput{Value: "v1", Getenv: env(nil)}, "v1", "--token", "process list", nil},
		{"the environment comes before --token, which is then unused", TokenInput{Value: "v1", Getenv: env(map[string]string{"TESTOPS_TOKEN": "t1"})}, "t1", "$TESTOPS_TOKEN", "--token is not used", nil},
		{"a file beats the environment", TokenInput{File: good, Getenv: env(map[string]string{"APITRAIL_TOKEN": "p1"})}, "abc-123", "--token-file " + good, "", nil},
		{"nothing anywhere", TokenInput{Getenv: env(nil)}, "", "", "", auth.ErrNoToken},
		{"an empty file", TokenInput{File: write("empty", "\n\n", 0o600)}, "", "", "", auth.ErrNoToken},
		{"a file of several lines", TokenInput{File: write("env", "TOKEN=1\nOTHER=2\n", 0o600)}, "", "", "", auth.ErrUsage},
		{"a missing file", TokenInput{File: filepath.Join(dir, "nope")}, "", "", "", auth.ErrUsage},
		{"standard input with nothing to read", TokenInput{File: "-"}, "", "", "", auth.ErrNoToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := LoadToken(tc.in)
			if tc.wantErr != nil {
				var h Hinted
				if !errors.Is(err, tc.wantErr) || !errors.As(err, &h) || h.Hint() == "" {
					t.Fatalf("error %v, want %v with a hint", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "TOKEN=1") || strings.Contains(err.Error(), "\n") {
					t.Errorf("the error shows the file's content or is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Token.Reveal() != tc.wantToken || l.Origin != tc.wantOrigin {
				t.Errorf("got %q from %q, want %q from %q", l.Token.Reveal(), l.Origin, tc.wantToken, tc.wantOrigin)
			}
			if w := strings.Join(l.Warnings, " "); (tc.wantWarn == "") != (w == "") || !strings.Contains(w, tc.wantWarn) {
				t.Errorf("warnings %q, want one containing %q", w, tc.wantWarn)
			}
		})
	}
}

func TestSchemeFlags(t *testing.T) {
	tests := []struct {
		reason string
		f      InstanceFlags
		want   string // the scheme, or the error's start
	}{
		{"TestOps is the default", InstanceFlags{}, AuthTestOps},
		{"a named scheme", InstanceFlags{Auth: "Bearer"}, AuthBearer},
		{"a header template alone", InstanceFlags{AuthHeaders: []string{"Authorization: token {token}"}}, AuthHeader},
		{"a header template with --auth none", InstanceFlags{Auth: "none", AuthHeaders: []string{"X-Api-Key: {token}"}}, AuthHeader},
		{"a header template with another scheme is two schemes", InstanceFlags{Auth: "basic", AuthHeaders: []string{"X-Api-Key: {token}"}}, "--auth-header and --auth basic are two sign-in schemes"},
		{"a header without a colon", InstanceFlags{AuthHeaders: []string{"token {token}"}}, "--auth-header \"token {token}\" is not NAME: VALUE"},
		{"an unknown scheme", InstanceFlags{Auth: "kerberos"}, "--auth \"kerberos\" is not a sign-in scheme"},
		{"OAuth flags without --auth oauth2", InstanceFlags{ClientID: "x"}, "--token-url, --client-id"},
		{"oauth2 without its token URL", InstanceFlags{Auth: "oauth2", ClientID: "x"}, "--auth oauth2 needs --token-url URL and --client-id ID"},
		{"oauth2 complete", InstanceFlags{Auth: "oauth2", ClientID: "x", TokenURL: "http://127.0.0.1/token"}, AuthOAuth2},
	}
	for _, tc := range tests {
		got, err := tc.f.Scheme()
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.reason, got, tc.want)
		}
	}
}

// The client secret is read from a file or the environment, never a flag,
// and a token-file readable by others is warned about on the command's
// standard error.
func TestOpenWarnsAndReadsSecrets(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "tok")
	os.WriteFile(tok, []byte("user:pw\n"), 0o640)
	os.Chmod(tok, 0o640)
	var stderr bytes.Buffer
	f := InstanceFlags{Endpoint: "http://127.0.0.1:1", Auth: "basic", TokenFile: tok}
	in, err := f.Open("replay", nil, nil, &stderr, true)
	if err != nil {
		t.Fatal(err)
	}
	if in.Source == nil || in.Scheme != AuthBasic {
		t.Fatalf("scheme %q, source %v", in.Scheme, in.Source)
	}
	if !strings.HasPrefix(stderr.String(), "replay: warning: "+tok+" is readable by others (mode 0640)") {
		t.Errorf("stderr %q", stderr.String())
	}
	f = InstanceFlags{Endpoint: "http://127.0.0.1:1", Auth: "oauth2", TokenURL: "http://127.0.0.1:1/token", ClientID: "c"}
	_, err = f.Open("replay", func(string) string { return "" }, nil, &stderr, true)
	var h Hinted
	if err == nil || !strings.HasPrefix(err.Error(), "no client secret for") || !errors.As(err, &h) || !strings.Contains(h.Hint(), EnvClientSecret) {
		t.Errorf("oauth2 without a secret: %v", err)
	}
	in, err = f.Open("replay", func(k string) string { return map[string]string{EnvClientSecret: "s"}[k] }, nil, &stderr, true)
	if err != nil || in.TokenOrigin != "$"+EnvClientSecret {
		t.Errorf("oauth2 with the secret in the environment: %v %+v", err, in)
	}
}
