package sandbox

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseRQL feeds the query parser arbitrary text: it must answer with
// a query or an error, never panic, and a query must evaluate on any record.
func FuzzParseRQL(f *testing.F) {
	for _, s := range []string{`true`, `name ~= "nightly"`, `not (closed = true) and tag in ["a", "b"]`,
		`id = 101 or id = 104`, `createdDate >= 1700000000000`, `name = "x`, `(`, `tag in [`, `a = -`, `name ~= "\"q\""`} {
		f.Add(s)
	}
	rec := launchRecord(&launch{ID: 1, Name: "n", Tags: []tag{{1, "t"}}})
	f.Fuzz(func(t *testing.T, src string) {
		q, err := parseRQL(src, launchFields)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid query at position ") {
				t.Fatalf("error %q is not in the query error form", err)
			}
			return
		}
		q(rec)
	})
}

// FuzzVerifyJWT checks that nothing but a token this key signed passes.
func FuzzVerifyJWT(f *testing.F) {
	key := []byte("fuzz-key")
	good := signJWT(key, claims{UserName: "admin", Expires: time.Now().Add(time.Hour).Unix()})
	f.Add(good)
	f.Add("a.b.c")
	f.Add(strings.Replace(good, "HS256", "none", 1))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := verifyJWT(key, tok, time.Now())
		if err == nil && tok != good && signJWT(key, c) != tok {
			// A different encoding of the same claims is fine only if it
			// carries our signature over exactly those bytes.
			parts := strings.Split(tok, ".")
			if len(parts) != 3 || b64.EncodeToString(mac(key, parts[0]+"."+parts[1])) != parts[2] {
				t.Fatalf("accepted a token without our signature: %q", tok)
			}
		}
	})
}
