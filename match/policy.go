package match

import (
	"net/url"
	"path"
	"sort"
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
		// The same aliases the spec lookup knows (spec.TestOpsAliases):
		// the instance serves /api/uaa/upload as /api/upload.
		Aliases: map[string]string{"/api/rs/": "/api/", "/api/uaa/": "/api/"},
		AssetExtensions: []string{
			".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif",
			".bmp", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".wasm",
		},
	}
}

// alias is one of Policy.Aliases, lower-cased.
type alias struct{ from, to string }

// aliases lists Policy.Aliases lower-cased and in a fixed order. A Matcher
// makes the list once; walking the map and lower-casing it again for
// every call cost more than the rest of the policy.
func (p *Policy) aliases() []alias {
	out := make([]alias, 0, len(p.Aliases))
	for from, to := range p.Aliases {
		out = append(out, alias{strings.ToLower(from), strings.ToLower(to)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].from != out[j].from {
			return out[i].from < out[j].from
		}
		return out[i].to < out[j].to
	})
	return out
}

// forms returns the path as the server will read it (see CanonicalPath)
// and every form the aliases give it, aliases of aliases included.
func (p *Policy) forms(pth string) []string { return appendForms(nil, p.aliases(), pth) }

// appendForms appends the forms to dst, which a caller may give room on
// its stack: the forms are asked for every call of a recording.
func appendForms(dst []string, aliases []alias, pth string) []string {
	first := len(dst)
	out := append(dst, CanonicalPath(pth))
	// Each round rewrites a prefix into a shorter or equal one in practice;
	// the bound only guards against aliases that feed each other.
	for i := first; i < len(out) && len(out)-first < 16; i++ {
		for _, a := range aliases {
			f := out[i]
			if !strings.HasPrefix(f, a.from) {
				continue
			}
			if g := a.to + f[len(a.from):]; !contains(out[first:], g) {
				out = append(out, g)
			}
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (p *Policy) matches(patterns []string, pth string) bool {
	return matchesAny(splitAll(patterns), p.forms(pth))
}

// splitAll splits each pattern at its slashes, lower-cased.
func splitAll(patterns []string) [][]string {
	out := make([][]string, len(patterns))
	for i, pat := range patterns {
		out[i] = patternSegments(pat)
	}
	return out
}

// matchesAny reports whether one of the patterns, split by splitAll,
// matches one of a path's forms.
func matchesAny(patterns [][]string, forms []string) bool {
	for _, f := range forms {
		f = strings.Trim(f, "/")
		for _, ps := range patterns {
			if matchSegments(ps, f) {
				return true
			}
		}
	}
	return false
}

// patternSegments is a pattern split at its slashes, lower-cased. A
// Matcher splits its policy's patterns once (splitAll in New).
func patternSegments(pat string) []string {
	return strings.Split(strings.Trim(strings.ToLower(pat), "/"), "/")
}

// CanonicalPath is a request path as a server resolves it before routing,
// which is what decides whether a call is an upload or a login, whatever
// the recording spelt: percent-escapes decoded (repeatedly, as a proxy in
// front may decode once more), backslashes read as slashes, matrix
// parameters (";x=1", and Tomcat's "..;") dropped from each segment, empty
// and "." segments dropped, ".." segments applied, letters lower-cased. It
// leans towards the widest reading: a spelling one server refuses and
// another accepts is read as the one that accepts it, since a safety check
// must not be sidestepped by a server's leniency.
func CanonicalPath(pth string) string {
	if canonical(pth) {
		return pth
	}
	return canonicalize(pth)
}

func canonicalize(pth string) string {
	for i := 0; i < 3; i++ {
		d := decodePercent(pth)
		if d == pth {
			break
		}
		pth = d
	}
	pth = strings.ReplaceAll(pth, `\`, "/")
	var out []string
	for _, seg := range strings.Split(pth, "/") {
		if i := strings.IndexByte(seg, ';'); i >= 0 {
			seg = seg[:i]
		}
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	return strings.ToLower("/" + strings.Join(out, "/"))
}

// canonical reports whether a path is already as CanonicalPath gives it:
// nearly every call of a recording is, and it is asked for every call.
// It may say no to a path that is (a segment starting with a dot); then
// the long way gives the same answer.
func canonical(pth string) bool {
	if pth == "/" {
		return true
	}
	if len(pth) < 2 || pth[0] != '/' || pth[len(pth)-1] == '/' {
		return false
	}
	for i := 1; i < len(pth); i++ {
		switch c := pth[i]; {
		case c == '%', c == '\\', c == ';', 'A' <= c && c <= 'Z', c >= 0x80:
			return false
		case c == '/' && pth[i-1] == '/', c == '.' && pth[i-1] == '/':
			return false
		}
	}
	return true
}

// decodePercent decodes the valid percent-escapes of s and keeps the
// rest as written, where url.PathUnescape would give up on the whole.
func decodePercent(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			d, _ := url.PathUnescape(s[i : i+3])
			b.WriteString(d)
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
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

// matchSegments matches a path, trimmed of its outer slashes, against a
// pattern split at its slashes, where "*" is one segment and a final "**"
// is one or more. The path's segments are read in place: splitting it was
// an allocation per call and pattern.
func matchSegments(ps []string, x string) bool {
	// more says whether x has a segment left; an empty path is one empty
	// segment, as strings.Split has it.
	more := true
	for i, p := range ps {
		if p == "**" && i == len(ps)-1 {
			return more
		}
		if !more {
			return false
		}
		seg, rest, found := strings.Cut(x, "/")
		x, more = rest, found
		if p != "*" && p != seg {
			return false
		}
	}
	return !more
}
