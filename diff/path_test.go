package diff

import (
	"testing"

	"github.com/apitrail/apitrail/internal/jsonpath"
)

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
		p, err := jsonpath.Parse(tc.pattern)
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
