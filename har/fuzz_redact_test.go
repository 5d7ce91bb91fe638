package har_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
)

var (
	userinfoRedacted = regexp.MustCompile(`^https://REDACTED-[0-9a-f]{16}@`)
	tokenRedacted    = regexp.MustCompile(`[?&]token=REDACTED-[0-9a-f]{16}(&|#|$)`)
)

// FuzzRedactURL checks that whatever a URL's parts hold, its user info
// and a secret query parameter never come out, and that any string gives
// a result without a panic and without a URL password that parses back.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []struct{ user, pass, host, path, value string }{
		{"bob", "hunter2", "testops.test", "api/launch", "tok-123"},
		{"", "", "127.0.0.1:8080", "", "a%2Bb%3D"},
		{"a%40b", "p%3Ass", "[::1]:443", "x;y=1/z", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"},
		{"user", "pa:ss", "h", "a b/ü", `"quoted"`},
		{"REDACTED-0123456789abcdef", "x", "h", "p", "REDACTED-0123456789abcdef"},
	} {
		f.Add(s.user, s.pass, s.host, s.path, s.value)
	}
	f.Fuzz(func(t *testing.T, user, pass, host, path, value string) {
		r := har.NewRedactor(har.DefaultRules())
		for _, raw := range []string{user, pass, host, path, value} {
			out := r.URL(raw)
			if u, err := url.Parse(out); err == nil && u.User != nil {
				if _, has := u.User.Password(); has {
					t.Fatalf("URL(%q) = %q keeps a password", raw, out)
				}
			}
		}
		if host == "" || value == "" || strings.ContainsAny(user+pass+host, "/?#@") || strings.ContainsAny(path, "?#") || strings.ContainsAny(value, "&#") {
			return
		}
		raw := "https://" + user + ":" + pass + "@" + host + "/" + path + "?token=" + value + "&x=1"
		out := r.URL(raw)
		if !userinfoRedacted.MatchString(out) {
			t.Fatalf("URL(%q) = %q: the user info is not one placeholder", raw, out)
		}
		if !tokenRedacted.MatchString(out) {
			t.Fatalf("URL(%q) = %q: the token is not a placeholder", raw, out)
		}
	})
}
