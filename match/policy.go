package match

import (
	"path"
	"strings"
)

// Policy says which recorded calls are not ordinary API calls: logins and
// token exchanges, uploads the vendor wants made only by its own tools, and
// what a browser fetches that is not the API at all.
type Policy struct {
	// Auth are path patterns of authentication calls. A pattern is a path
	// where "*" stands for one segment and a final "**" for any rest.
	Auth []string
	// Upload are path patterns of upload endpoints, which are never
	// replayed or scripted.
	Upload []string
	// UploadNote is what to tell a user about an upload endpoint.
	UploadNote string
	// APIPrefixes are path prefixes under which everything on the
	// instance's host is API, documented or not.
	APIPrefixes []string
	// Aliases are path prefixes that the patterns also match under
	// ("/api/rs" for "/api"), as traffic of older clients uses them.
	Aliases map[string]string
	// AssetExtensions mark static assets by the path's extension.
	AssetExtensions []string
}

// TestOpsPolicy is the policy for Allure TestOps. Its upload endpoints are
// the ones the vendor documents as internal: results must reach an
// instance through its CI plugins or allurectl, not a home-made client.
func TestOpsPolicy() Policy {
	return Policy{
		Auth: []string{
			"/api/uaa/oauth/token", "/api/uaa/oauth/**", "/api/uaa/me",
			"/api/login/**", "/api/login", "/api/logout", "/login", "/logout",
		},
		Upload: []string{
			"/api/upload", "/api/upload/**",
			"/api/launch/upload", "/api/launch/*/upload", "/api/launch/*/upload/**",
			"/api/jobrun/*/upload", "/api/jobrun/*/upload/**",
		},
		UploadNote:  "upload endpoint: Allure TestOps supports uploads only through its CI plugins and allurectl (https://docs.qameta.io/allurectl/); it is not replayed or scripted",
		APIPrefixes: []string{"/api/"},
		Aliases:     map[string]string{"/api/rs/": "/api/"},
		AssetExtensions: []string{
			".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif",
			".bmp", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".wasm",
		},
	}
}

// forms returns the path and its alias forms.
func (p *Policy) forms(pth string) []string {
	out := []string{pth}
	for from, to := range p.Aliases {
		if strings.HasPrefix(pth, from) {
			out = append(out, to+strings.TrimPrefix(pth, from))
		}
	}
	return out
}

func (p *Policy) matches(patterns []string, pth string) bool {
	for _, f := range p.forms(pth) {
		for _, pat := range patterns {
			if matchPattern(pat, f) {
				return true
			}
		}
	}
	return false
}

// IsAuth reports whether a path is an authentication call.
func (p *Policy) IsAuth(pth string) bool { return p.matches(p.Auth, pth) }

// IsUpload reports whether a path is an upload endpoint.
func (p *Policy) IsUpload(pth string) bool { return p.matches(p.Upload, pth) }

// IsAPIPath reports whether a path lies under one of the API prefixes.
func (p *Policy) IsAPIPath(pth string) bool {
	for _, pre := range p.APIPrefixes {
		if strings.HasPrefix(pth, pre) {
			return true
		}
	}
	return false
}

// IsAssetPath reports whether a path names a static file by its extension.
func (p *Policy) IsAssetPath(pth string) bool {
	ext := strings.ToLower(path.Ext(pth))
	for _, e := range p.AssetExtensions {
		if ext == e {
			return true
		}
	}
	return false
}

// matchPattern matches a path against a pattern where "*" is one segment
// and a final "**" is one or more segments.
func matchPattern(pattern, pth string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(pth, "/"), "/")
	for i, p := range ps {
		if p == "**" && i == len(ps)-1 {
			return len(xs) > i
		}
		if i >= len(xs) {
			return false
		}
		if p != "*" && p != xs[i] {
			return false
		}
	}
	return len(xs) == len(ps)
}
