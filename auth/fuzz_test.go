package auth

import (
	"encoding/json"
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
