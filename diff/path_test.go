package diff

import (
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
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
		p, err := parsePath(tc.in)
		if err != nil {
			t.Errorf("%s: parsePath(%q): %v", tc.reason, tc.in, err)
			continue
		}
		if got := p.String(); got != tc.canonical {
			t.Errorf("%s: parsePath(%q).String() = %q, want %q", tc.reason, tc.in, got, tc.canonical)
		}
		again, err := parsePath(p.String())
		if err != nil || again.String() != p.String() {
			t.Errorf("%s: %q does not read back: %v", tc.reason, p.String(), err)
		}
	}
}

func TestParsePathErrors(t *testing.T) {
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
		_, err := parsePath(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parsePath(%q) error = %v, want it to contain %q", tc.reason, tc.in, err, tc.want)
		}
	}
}

// steps builds a concrete path from names (strings) and indexes (ints).
func steps(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch v := p.(type) {
		case int:
			out = append(out, step{index: v, isIndex: true})
		case string:
			out = append(out, step{key: v})
		}
	}
	return out
}

func TestMatcher(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		path    []step
		match   bool
		reason  string
	}{
		{"$", nil, true, "$ is the top"},
		{"$", steps("a"), false, "$ is only the top"},
		{"$.content[*].createdDate", steps("content", 3, "createdDate"), true, "wildcard index"},
		{"$.content[*].createdDate", steps("content", 3, "name"), false, "other member"},
		{"$.content[3].name", steps("content", 3, "name"), true, "exact index"},
		{"$.content[3].name", steps("content", 4, "name"), false, "other index"},
		{"$.content[3]", steps("content", "3"), false, "an index does not match a member named 3"},
		{"$['3']", steps(3), false, "a member name does not match an index"},
		{"$.*", steps("x"), true, "wildcard member"},
		{"$[*]", steps(0), true, "wildcard element"},
		{"$..createdDate", steps("createdDate"), true, "recursive descent at depth one"},
		{"$..createdDate", steps("a", 1, "b", "createdDate"), true, "recursive descent deep down"},
		{"$..createdDate", steps("a", "createdDate", "x"), false, "below the match is not the match"},
		{"$..a.b", steps("x", "a", "y", "a", "b"), true, "recursive descent retries after a false start"},
		{"$..a.b", steps("a", "c"), false, "recursive descent then a member that is not there"},
		{"$..*", steps("a", 2), true, "recursive wildcard"},
	} {
		p, err := parsePath(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		m := &matcher{pats: []pattern{p}}
		states := m.start()
		for _, st := range tc.path {
			states, _ = m.next(states, st)
		}
		if got := len(m.done(nil, states)) > 0; got != tc.match {
			t.Errorf("%s: %s matches %s = %v", tc.reason, tc.pattern, formatPath(tc.path), got)
		}
	}
}

func TestFormatPath(t *testing.T) {
	got := formatPath(steps("content", 3, "a b", "it's", "x"))
	if want := `$.content[3]['a b']['it\'s'].x`; got != want {
		t.Fatalf("formatPath = %s, want %s", got, want)
	}
	if got := generalise(steps("content", 3, "tags", 0, "id")).String(); got != "$.content[*].tags[*].id" {
		t.Fatalf("generalise = %s", got)
	}
}
