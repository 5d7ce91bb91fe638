package match

import (
	"strings"
	"testing"
)

// splitMatch is matchSegments as it was, over the path split at its
// slashes: the reference the in-place walk is held to.
func splitMatch(ps []string, x string) bool {
	xs := strings.Split(x, "/")
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

// swaggerSegment is the Swagger UI check as it was: a segment of the path
// that starts with "swagger-ui".
func swaggerSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, "swagger-ui") {
			return true
		}
	}
	return false
}

func TestMatchSegmentsInPlace(t *testing.T) {
	for _, c := range []struct {
		reason, pattern, path string
		want                  bool
	}{
		{"exact", "/api/upload", "/api/upload", true},
		{"one segment more", "/api/upload", "/api/upload/x", false},
		{"one segment less", "/api/launch/*/upload", "/api/launch/1", false},
		{"star is one segment", "/api/launch/*/upload", "/api/launch/7/upload", true},
		{"double star needs a segment", "/api/upload/**", "/api/upload", false},
		{"double star takes several", "/api/upload/**", "/api/upload/a/b/c", true},
		{"the root against a pattern", "/api", "/", false},
		{"the root against the root", "/", "/", true},
		{"double star alone", "/**", "/", true},
		{"empty segment", "/api/*/x", "/api//x", true},
	} {
		ps := patternSegments(c.pattern)
		x := strings.Trim(c.path, "/")
		if got := matchSegments(ps, x); got != c.want {
			t.Errorf("%s: %q against %q = %v, want %v", c.reason, c.path, c.pattern, got, c.want)
		}
		if ref := splitMatch(ps, x); ref != c.want {
			t.Errorf("%s: the split reference says %v", c.reason, ref)
		}
	}
}

// FuzzSpecStartPrefilter: the cheap look before the expression never
// turns away a text the expression takes.
func FuzzSpecStartPrefilter(f *testing.F) {
	for _, s := range []string{`{"openapi":"3.0.1"}`, "swagger: '2.0'", "# c\nopenapi: 3.1.0", ` { 'swagger' : "2.0"`, "\f\t{\n\"openapi\": \"3\"", `{"id":1}`, "", "{", `"openapi"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if specStart.MatchString(s) && !mayStartSpec(s) {
			t.Fatalf("%q: the expression takes it, the prefilter turns it away", s)
		}
	})
}

// FuzzMatchSegmentsInPlace: reading the path's segments in place answers
// as splitting it did, and so does the Swagger UI check.
func FuzzMatchSegmentsInPlace(f *testing.F) {
	for _, s := range [][2]string{{"/api/upload/**", "/api/upload/x"}, {"/a/*/b", "/a//b"}, {"/**", "/"}, {"/x", ""}, {"/swagger-ui/**", "/a/swagger-uiswagger-ui/b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		ps := strings.Split(strings.Trim(strings.ToLower(pattern), "/"), "/")
		x := strings.Trim(path, "/")
		if got, want := matchSegments(ps, x), splitMatch(ps, x); got != want {
			t.Fatalf("%q against %q: %v in place, %v split", path, pattern, got, want)
		}
		if got, want := swaggerUISegment(path), swaggerSegment(path); got != want {
			t.Fatalf("%q: Swagger UI %v in place, %v split", path, got, want)
		}
	})
}
