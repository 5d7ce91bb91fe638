package auth

import (
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
			base, _ := url.Parse(tc.endpoint)
			u, _ := url.Parse(tc.target)
			if got := SameOrigin(u, base); got != tc.want {
				t.Errorf("sameOrigin(%s) = %v, want %v", tc.target, got, tc.want)
			}
		})
	}
}
