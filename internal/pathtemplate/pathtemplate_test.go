package pathtemplate

import "testing"

func TestShape(t *testing.T) {
	for _, c := range []struct{ reason, in, want string }{
		{"no parameters", "/api/launch", "/api/launch"},
		{"names erased", "/api/launch/{launchId}/close", "/api/launch/{}/close"},
		{"several", "/a/{x}/b/{y}", "/a/{}/b/{}"},
		{"inside a segment", "/files/{name}.json", "/files/{}.json"},
		{"an unclosed brace stays", "/a/{x", "/a/{x"},
	} {
		if got := Shape(c.in); got != c.want {
			t.Errorf("%s: Shape(%q) = %q, want %q", c.reason, c.in, got, c.want)
		}
	}
}
