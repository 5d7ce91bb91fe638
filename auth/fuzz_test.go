package auth

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzExpiry feeds the two expiry readers what servers might send; they
// must never panic, and what they accept must be a positive lifetime.
func FuzzExpiry(f *testing.F) {
	for _, s := range []string{`3600`, `"1799"`, `null`, `-5`, `"soon"`, `1e400`, `{}`, `"  42 "`} {
		f.Add(s, "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.sig")
	}
	f.Fuzz(func(t *testing.T, expiresIn, jwt string) {
		if n, ok := parseExpiresIn(json.RawMessage(expiresIn)); ok && !(n > 0) {
			t.Fatalf("accepted expires_in %q as %v", expiresIn, n)
		}
		jwtExpiry(jwt)
	})
}

// FuzzParseHeaderTemplate: any text either is refused or gives a header
// name net/http accepts and a value with no line break to smuggle a
// second header through.
func FuzzParseHeaderTemplate(f *testing.F) {
	for _, seed := range []string{"Authorization: token {token}", "X-Api-Key: {token}", "bad", ": v", "N:\r\nX: y", "a b: c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tm string) {
		name, value, err := ParseHeaderTemplate(tm)
		if err != nil {
			return
		}
		if name == "" || value == "" || strings.ContainsAny(name, " \t\r\n:") || strings.ContainsAny(value, "\r\n") {
			t.Errorf("ParseHeaderTemplate(%q) = %q, %q", tm, name, value)
		}
	})
}
