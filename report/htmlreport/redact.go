package htmlreport

import (
	"regexp"
	"strings"

	"github.com/apitrail/apitrail/har"
)

// cleaner passes every string bound for the page through the har
// package's redaction. Diffs and changes come from the answers as they
// were compared, so a member such as "access_token" in an answer is
// redacted here by its name, as redaction does in a body.
type cleaner struct{ r *har.Redactor }

func (c cleaner) url(s string) string  { return c.r.URL(s) }
func (c cleaner) text(s string) string { return c.r.Text(s) }

func (c cleaner) texts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = c.text(s)
	}
	return out
}

// member matches a pretty-printed JSON member on a diff line: its lead,
// name and value.
var member = regexp.MustCompile(`^([-+ ]?\s*)"((?:[^"\\]|\\.)*)": (.*?)(,?)$`)

// diffLine redacts one line of a unified diff of JSON.
func (c cleaner) diffLine(l string) string {
	if m := member.FindStringSubmatch(l); m != nil && c.r.SecretName(m[2]) && m[3] != "null" && !har.IsPlaceholder(strings.Trim(m[3], `"`)) {
		return m[1] + `"` + m[2] + `": "` + c.r.Placeholder(strings.Trim(m[3], `"`)) + `"` + m[4]
	}
	return c.text(l)
}

// value redacts a changed value by the name of the member at path.
func (c cleaner) value(path, v string) string {
	if v == "" {
		return v
	}
	name := path
	if i := strings.LastIndexAny(name, ".["); i >= 0 {
		name = strings.Trim(name[i+1:], `]'"`)
	}
	if c.r.SecretName(name) && v != "null" && !har.IsPlaceholder(strings.Trim(v, `"`)) {
		return `"` + c.r.Placeholder(strings.Trim(v, `"`)) + `"`
	}
	return c.text(v)
}

// header redacts a header's value by its name.
func (c cleaner) header(name, v string) string { return c.text(c.r.Header(name, v)) }
