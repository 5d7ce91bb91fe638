package match_test

import (
	"strings"
	"testing"

	"github.com/apitrail/apitrail/match"
)

// FuzzCanonicalPath: whatever a recording spells, the path upload and
// login checks look at has no dot, empty or matrix-parameter segment left
// to hide an endpoint behind, and an upload stays an upload whatever
// segment is climbed out of or matrix parameter added.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range []string{"/api/upload", "/api/./upload", "/api/x/../upload", "/api/upload;x=1", "/api/%75pload",
		"/api/x/%2e%2e/upload", `/api\upload`, "/api//upload", "/api/uaa/upload", "%2F", "/..;/", "/%zz/%"} {
		f.Add(s)
	}
	p := match.TestOpsPolicy()
	f.Fuzz(func(t *testing.T, s string) {
		c := match.CanonicalPath(s)
		if !strings.HasPrefix(c, "/") || strings.Contains(c, "//") || strings.Contains(c, ";") || strings.Contains(c, `\`) {
			t.Fatalf("CanonicalPath(%q) = %q", s, c)
		}
		for _, seg := range strings.Split(c[1:], "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("CanonicalPath(%q) = %q keeps a dot segment", s, c)
			}
		}
		if c != strings.ToLower(c) {
			t.Fatalf("CanonicalPath(%q) = %q is not lower-cased", s, c)
		}
		// Any plain segment climbed out of again, and any matrix
		// parameter, leave an upload an upload.
		if s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\%;") {
			for _, spelt := range []string{"/api/" + s + "/../upload", "/api/upload;" + s, "/api/./" + s + ";x/../upload"} {
				if !p.IsUpload(spelt) {
					t.Fatalf("%q is not an upload (read as %q)", spelt, match.CanonicalPath(spelt))
				}
			}
		}
	})
}
