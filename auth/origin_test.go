package auth

import (
	"net/http"
	"net/url"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		name, endpoint, target string
		want                   bool
	}{
		{"the instance itself", "https://testops.example.com", "https://testops.example.com/api/launch", true},
		{"the default port written out", "https://testops.example.com", "https://testops.example.com:443/api/launch", true},
		{"host names compare without case", "https://TestOps.example.com", "https://testops.EXAMPLE.com/api", true},
		{"a path prefix does not matter", "https://example.com/testops", "https://example.com/other", true},
		{"plain http to an https instance", "https://testops.example.com", "http://testops.example.com/api/launch", false},
		{"another port", "https://testops.example.com", "https://testops.example.com:8443/api/launch", false},
		{"a subdomain", "https://example.com", "https://evil.example.com/api", false},
		{"a look-alike suffix", "https://testops.example.com", "https://testops.example.com.evil.net/api", false},
		{"another host", "http://127.0.0.1:8080", "http://localhost:8080/api", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(Config{Endpoint: tc.endpoint, APIToken: NewToken("x")})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(tc.target)
			if got := a.sameOrigin(u); got != tc.want {
				t.Errorf("sameOrigin(%s) = %v, want %v", tc.target, got, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name, key, value, want string
	}{
		{"a Bearer token keeps its scheme", "Authorization", "Bearer abc", "Bearer " + Fingerprint("abc")},
		{"each cookie value goes", "Cookie", "a=1; b=2", "a=" + Fingerprint("1") + "; b=" + Fingerprint("2")},
		{"Set-Cookie keeps its attributes", "Set-Cookie", "S=xyz; Path=/; HttpOnly", "S=" + Fingerprint("xyz") + "; Path=/; HttpOnly"},
		{"the XSRF header goes", "X-XSRF-TOKEN", "tok", Fingerprint("tok")},
		{"other headers stay", "Accept", "application/json", "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string][]string{}
			h[canon(tc.key)] = []string{tc.value}
			got := Redact(h)[canon(tc.key)][0]
			if got != tc.want {
				t.Errorf("%s: %q, want %q", tc.key, got, tc.want)
			}
			if h[canon(tc.key)][0] != tc.value {
				t.Error("Redact changed its input")
			}
		})
	}
}

func canon(k string) string { return http.CanonicalHeaderKey(k) }
