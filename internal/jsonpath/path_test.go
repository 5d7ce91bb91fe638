package jsonpath

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, canonical, reason string }{
		{"$", "$", "the whole body"},
		{"$.content[3].name", "$.content[3].name", "names and an index"},
		{"$['content'][*]['name']", "$.content[*].name", "brackets turn into dots where they can"},
		{`$["a b"].c`, "$['a b'].c", "double quotes, and a name that needs brackets"},
		{`$['it\'s']`, `$['it\'s']`, "an escaped quote"},
		{"$.*.x", "$[*].x", "a wildcard member"},
		{"$..createdDate", "$..createdDate", "recursive descent"},
		{"$..['created date']", "$..['created date']", "recursive descent with brackets"},
		{"$..[0]", "$..[0]", "recursive descent to an index"},
		{"$..[*]", "$..*", "recursive wildcard"},
		{"$.x-trace.id_2", "$.x-trace.id_2", "dashes and digits inside plain names"},
		{"$.123", "$['123']", "a name made of digits is a member, not an index"},
		{"$.données", "$['données']", "non-ASCII names"},
	} {
		p, err := Parse(tc.in)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", tc.reason, tc.in, err)
			continue
		}
		if got := p.String(); got != tc.canonical {
			t.Errorf("%s: Parse(%q).String() = %q, want %q", tc.reason, tc.in, got, tc.canonical)
		}
		again, err := Parse(p.String())
		if err != nil || again.String() != p.String() {
			t.Errorf("%s: %q does not read back: %v", tc.reason, p.String(), err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want, reason string }{
		{"", "empty JSON path", "nothing"},
		{"/content/0/name", "looks like a JSON Pointer; write a JSON path such as $.content[0].name", "Keploy's users wrote JSON Pointers and matched nothing"},
		{"content[*].name", "must start with $ (did you mean $.content[*].name?)", "a missing $"},
		{".name", "did you mean $.name?", "a missing $ before a dot"},
		{"$.", "want a name or * after the dot", "a dangling dot"},
		{"$[-1]", "negative indexes are not supported", "negative index"},
		{"$[01]", "leading zero", "leading zero"},
		{"$[99999999999]", "too large", "huge index"},
		{"$['abc]", "unterminated quoted name", "unterminated quote"},
		{"$['a'", "want ] after the quoted name", "missing bracket"},
		{"$[a]", "want [n], [*] or ['name']", "unquoted bracket name"},
		{"$.a b", "at offset 3: want . or [, not ' '", "a space"},
		{"$...a", "want a name or * after the dot", "three dots"},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Parse(%q) error = %v, want it to contain %q", tc.reason, tc.in, err, tc.want)
		}
	}
}

func TestSplitReadsWhatMemberAndIndexWrite(t *testing.T) {
	for _, tc := range []struct {
		reason string
		parts  []any
	}{
		{"the top", nil},
		{"names and indexes", []any{"content", 3, "name"}},
		{"a name that needs brackets", []any{"a b", 0}},
		{"quotes and backslashes in a name", []any{`it's`, `back\slash`}},
		{"a name of digits stays a name", []any{"123", 123}},
		{"a name with dots and brackets", []any{"x.y[0]", "]"}},
	} {
		path := "$"
		for _, p := range tc.parts {
			switch v := p.(type) {
			case string:
				path = Member(path, v)
			case int:
				path = Index(path, v)
			}
		}
		got, err := Split(path)
		if err != nil {
			t.Errorf("%s: Split(%q): %v", tc.reason, path, err)
			continue
		}
		if len(got) != len(tc.parts) {
			t.Errorf("%s: Split(%q) = %#v, want %#v", tc.reason, path, got, tc.parts)
			continue
		}
		for i := range got {
			if got[i] != tc.parts[i] {
				t.Errorf("%s: Split(%q) = %#v, want %#v", tc.reason, path, got, tc.parts)
				break
			}
		}
	}
}

func TestSplitRefusesWhatNamesManyValues(t *testing.T) {
	for _, tc := range []struct{ in, want, reason string }{
		{"$.content[*].id", "names more than one value", "a wildcard"},
		{"$..id", "names more than one value", "a descendant segment"},
		{"content.id", "must start with $", "not a JSON path, with the noise rules' own error"},
		{"$['a", "unterminated quoted name", "a cut quoted name"},
	} {
		if _, err := Split(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Split(%q) error = %v, want it to contain %q", tc.reason, tc.in, err, tc.want)
		}
	}
}
