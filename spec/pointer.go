package spec

import (
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/internal/jsonpath"
)

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// pointer builds an RFC 6901 JSON pointer from unescaped tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}

// splitPointer returns the unescaped tokens of a JSON pointer ("" is the root).
func splitPointer(p string) ([]string, bool) {
	if p == "" {
		return nil, true
	}
	if p[0] != '/' {
		return nil, false
	}
	parts := strings.Split(p[1:], "/")
	for i, t := range parts {
		parts[i] = pointerUnescaper.Replace(t)
	}
	return parts, true
}

// lookupPointer finds the value a JSON pointer names inside a decoded tree.
func lookupPointer(root any, p string) (any, bool) {
	tokens, ok := splitPointer(p)
	if !ok {
		return nil, false
	}
	cur := root
	for _, t := range tokens {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[t]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(v) || (len(t) > 1 && t[0] == '0') {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// fragmentPointer turns the fragment of a $ref ("/components/schemas/A%20B")
// into a JSON pointer; fragments are URI-encoded on top of pointer escaping.
func fragmentPointer(frag string) string { return unescapeSegment(frag) }

// jsonPath renders pointer tokens of a value inside a body as "$.a[0].b",
// spelt as package diff spells paths, so that a report names a place one
// way. A pointer does not say whether a token of digits indexes an array or
// names a member; it is read as an index, which it nearly always is.
func jsonPath(tokens []string) string {
	p := "$"
	for _, t := range tokens {
		if t != "" && isDigits(t) {
			p += "[" + t + "]"
			continue
		}
		p = jsonpath.Member(p, t)
	}
	return p
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
