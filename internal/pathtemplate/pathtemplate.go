// Package pathtemplate compares OpenAPI path templates by their shape.
package pathtemplate

import "strings"

// Shape erases the parameter names of a path template: /api/launch/{id}
// and /api/launch/{launchId} name the same place, since a caller fills
// parameters by position, not by name.
func Shape(t string) string {
	if !strings.Contains(t, "{") {
		return t
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		j := strings.IndexByte(t[i+1:], '}')
		if j < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i+1])
		b.WriteByte('}')
		t = t[i+1+j+1:]
	}
}
