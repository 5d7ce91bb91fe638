package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
)

// Token holds a secret: a personal API token or an access token. It
// prints as its fingerprint whatever the verb, marshals to JSON and text
// as the fingerprint, and logs as the fingerprint; Reveal is the only way
// to the value.
//
// The value sits behind a pointer so that even fmt's reflection over a
// struct holding a Token in an unexported field prints an address, not
// the secret.
type Token struct {
	s *secret
}

type secret struct{ v string }

// NewToken wraps a secret value.
func NewToken(v string) Token {
	if v == "" {
		return Token{}
	}
	return Token{s: &secret{v}}
}

// Reveal returns the secret, for the one place that must send it.
func (t Token) Reveal() string {
	if t.s == nil {
		return ""
	}
	return t.s.v
}

// IsZero reports whether the token is empty.
func (t Token) IsZero() bool { return t.s == nil }

// Fingerprint is a short, stable name for the token: "sha256:" and the
// first 8 hex digits of its SHA-256, or "(none)" for an empty token. Two
// people can compare fingerprints to see they hold the same token without
// showing it.
func (t Token) Fingerprint() string {
	if t.s == nil {
		return "(none)"
	}
	return Fingerprint(t.s.v)
}

// Fingerprint names a secret value the way Token.Fingerprint does.
func Fingerprint(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// String returns the fingerprint.
func (t Token) String() string { return t.Fingerprint() }

// GoString returns the fingerprint, so %#v shows no secret either.
func (t Token) GoString() string { return "auth.Token(" + t.Fingerprint() + ")" }

// Format prints the fingerprint for every verb, %x and %q included.
func (t Token) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, t.GoString())
		return
	}
	fmt.Fprint(f, t.Fingerprint())
}

// MarshalText writes the fingerprint, which JSON and other encoders use.
func (t Token) MarshalText() ([]byte, error) { return []byte(t.Fingerprint()), nil }

// LogValue makes slog record the fingerprint.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.Fingerprint()) }
