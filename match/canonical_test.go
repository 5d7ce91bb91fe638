package match

import "testing"

func TestCanonicalShortCut(t *testing.T) {
	for _, c := range []struct {
		reason, path string
		short        bool
	}{
		{"the common case", "/api/launch/104/progress", true},
		{"the root", "/", true},
		{"empty", "", false},
		{"relative", "api/launch", false},
		{"trailing slash", "/api/launch/", false},
		{"escape", "/api/%75pload", false},
		{"backslash", `/api\upload`, false},
		{"matrix parameter", "/api/upload;x=1", false},
		{"upper case", "/API/upload", false},
		{"empty segment", "/api//upload", false},
		{"dot segment", "/api/./upload", false},
		{"dot-dot segment", "/api/x/../upload", false},
		{"non-ASCII", "/api/ü", false},
	} {
		if got := canonical(c.path); got != c.short {
			t.Errorf("%s: canonical(%q) = %v", c.reason, c.path, got)
		}
		if got, want := CanonicalPath(c.path), canonicalize(c.path); got != want {
			t.Errorf("%s: CanonicalPath(%q) = %q, the long way %q", c.reason, c.path, got, want)
		}
	}
}

// FuzzCanonicalShortCut: the short cut says yes only to paths the long way
// leaves as they are.
func FuzzCanonicalShortCut(f *testing.F) {
	for _, s := range []string{"/api/launch/1", "/", "/a/.b", "/a/b;c", "/A", "//", "/a/%2e%2e/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if canonical(s) && canonicalize(s) != s {
			t.Fatalf("canonical(%q) but the long way gives %q", s, canonicalize(s))
		}
	})
}
