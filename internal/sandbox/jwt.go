package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// claims are the fields the instance puts in an access token. Spring's
// OAuth2 server uses user_name and authorities; exp and iat are the
// registered JWT claims clients read to know when to refresh.
type claims struct {
	Subject     string   `json:"sub"`
	UserName    string   `json:"user_name"`
	UserID      int64    `json:"user_id"`
	Authorities []string `json:"authorities"`
	Scope       []string `json:"scope"`
	IssuedAt    int64    `json:"iat"`
	Expires     int64    `json:"exp"`
	ID          string   `json:"jti"`
}

var (
	errMalformed = errors.New("malformed access token")
	errSignature = errors.New("invalid access token signature")
	errExpired   = errors.New("access token expired")
)

var b64 = base64.RawURLEncoding

// jwtHeader is fixed: the instance signs only with HS256, and verify
// refuses anything else, so an "alg":"none" token cannot slip through.
var jwtHeader = b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func signJWT(key []byte, c claims) string {
	payload, _ := json.Marshal(c) // claims holds only strings and numbers
	unsigned := jwtHeader + "." + b64.EncodeToString(payload)
	return unsigned + "." + b64.EncodeToString(mac(key, unsigned))
}

func mac(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// verifyJWT checks the signature before it looks at the claims, so nothing
// an attacker wrote is trusted before it is known to be ours.
func verifyJWT(key []byte, token string, now time.Time) (claims, error) {
	var c claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errMalformed
	}
	head, err := b64.DecodeString(parts[0])
	if err != nil {
		return c, errMalformed
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(head, &h) != nil {
		return c, errMalformed
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, errMalformed
	}
	if h.Alg != "HS256" || !hmac.Equal(sig, mac(key, parts[0]+"."+parts[1])) {
		return c, errSignature
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, errMalformed
	}
	if now.Unix() >= c.Expires {
		return c, errExpired
	}
	return c, nil
}
