package diff

import (
	"github.com/apitrail/apitrail/internal/jsonpath"
)

// Noise rules name values inside a body with JSON paths, parsed by
// internal/jsonpath in the one dialect the project uses (docs/jsonpath.md).
// Keploy's users wrote noise paths in another dialect (JSON Pointer) and the
// rules silently matched nothing; here a path that is not JSONPath is an
// error that says what to write instead, and a rule that matches nothing is
// reported.

// pattern is a parsed noise-rule path.
type pattern = jsonpath.Path

// matches reports whether a segment's selector picks step st.
func matches(s jsonpath.Segment, st step) bool {
	switch s.Selector {
	case jsonpath.NameSelector:
		return !st.isIndex && st.key == s.Name
	case jsonpath.IndexSelector:
		return st.isIndex && st.index == s.Index
	}
	return true
}

// step is one level of a concrete path: a member name or an array index.
type step struct {
	key     string
	index   int
	isIndex bool
}

// formatPath renders a concrete path such as $.content[3].name.
func formatPath(steps []step) string {
	b := make([]byte, 1, 32)
	b[0] = '$'
	for _, s := range steps {
		if s.isIndex {
			b = jsonpath.AppendIndex(b, s.index)
			continue
		}
		b = jsonpath.AppendMember(b, s.key)
	}
	return string(b)
}

// generalise turns a concrete path into a pattern with every index a [*].
func generalise(steps []step) pattern {
	p := make(pattern, len(steps))
	for i, s := range steps {
		if s.isIndex {
			p[i] = jsonpath.Segment{Selector: jsonpath.Wildcard}
		} else {
			p[i] = jsonpath.Segment{Selector: jsonpath.NameSelector, Name: s.key}
		}
	}
	return p
}

// The matcher runs all patterns at once as a small automaton while the
// comparison walks down the two trees: a state is a pattern and how many of
// its segments have matched the steps so far. The states of all levels live
// in one slice, so walking a 10 MB body allocates nothing for them.

type mstate struct{ pat, pos int32 }

type matcher struct {
	pats   []pattern
	states []mstate
}

// start returns the states at the top of a body.
func (m *matcher) start() []mstate {
	m.states = m.states[:0]
	for i := range m.pats {
		m.states = append(m.states, mstate{int32(i), 0})
	}
	return m.states
}

// next appends the states after taking step st from cur; the result is only
// valid until the caller truncates m.states back to mark.
func (m *matcher) next(cur []mstate, st step) (next []mstate, mark int) {
	mark = len(m.states)
	for _, s := range cur {
		segs := m.pats[s.pat]
		if int(s.pos) == len(segs) {
			continue
		}
		seg := segs[s.pos]
		if seg.Descendant {
			m.add(mark, s)
		}
		if matches(seg, st) {
			m.add(mark, mstate{s.pat, s.pos + 1})
		}
	}
	return m.states[mark:], mark
}

func (m *matcher) add(mark int, s mstate) {
	for _, t := range m.states[mark:] {
		if t == s {
			return
		}
	}
	m.states = append(m.states, s)
}

// done appends to dst the patterns that match the node the states are at.
func (m *matcher) done(dst []int, states []mstate) []int {
	for _, s := range states {
		if int(s.pos) == len(m.pats[s.pat]) {
			dst = append(dst, int(s.pat))
		}
	}
	return dst
}
