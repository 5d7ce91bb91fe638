package diff

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/internal/jsonpath"
)

// A JSON path names values inside a body, in the JSONPath notation that most
// API tools print: $ is the whole body, .name or ['name'] a member, [3] an
// element, [*] or .* any member or element, and ..name a member at any depth
// below. Concrete paths, as in a change list, use only names and indexes.
//
// Keploy's users wrote noise paths in another dialect (JSON Pointer) and the
// rules silently matched nothing; here a path that is not JSONPath is an
// error that says what to write instead, and a rule that matches nothing is
// reported.

type segKind uint8

const (
	segKey segKind = iota
	segIndex
	segAny
)

type segment struct {
	kind      segKind
	recursive bool // ..: this segment may match at any depth below
	key       string
	index     int
}

func (s segment) matches(st step) bool {
	switch s.kind {
	case segKey:
		return !st.isIndex && st.key == s.key
	case segIndex:
		return st.isIndex && st.index == s.index
	}
	return true
}

// pattern is a parsed JSON path.
type pattern []segment

// step is one level of a concrete path: a member name or an array index.
type step struct {
	key     string
	index   int
	isIndex bool
}

// parsePath parses a JSON path; its errors say where the path went wrong.
func parsePath(s string) (pattern, error) {
	if s == "" {
		return nil, errors.New("empty JSON path; the whole body is $")
	}
	if s[0] == '/' {
		return nil, fmt.Errorf("%q looks like a JSON Pointer; write a JSON path such as %s", s, pointerToPath(s))
	}
	if s[0] != '$' {
		hint := "$." + strings.TrimPrefix(s, ".")
		if strings.HasPrefix(s, "[") {
			hint = "$" + s
		}
		return nil, fmt.Errorf("JSON path %q must start with $ (did you mean %s?)", s, hint)
	}
	var p pattern
	i := 1
	bad := func(format string, args ...any) error {
		return fmt.Errorf("JSON path %q, at offset %d: %s", s, i, fmt.Sprintf(format, args...))
	}
	for i < len(s) {
		var seg segment
		switch {
		case strings.HasPrefix(s[i:], ".."):
			seg.recursive = true
			i += 2
			if i < len(s) && s[i] == '[' {
				break // ..[n], ..['name'], ..[*]: read below
			}
			fallthrough
		case s[i] == '.':
			if !seg.recursive {
				i++
			}
			j := i
			for j < len(s) && !strings.ContainsRune(".[]'\" \t*", rune(s[j])) && s[j] >= 0x20 {
				j++
			}
			switch {
			case j == i && j < len(s) && s[j] == '*':
				seg.kind = segAny
				j++
			case j == i:
				return nil, bad("want a name or * after the dot")
			default:
				seg.kind, seg.key = segKey, s[i:j]
			}
			i = j
			p = append(p, seg)
			continue
		case s[i] != '[':
			return nil, bad("want . or [, not %q", s[i])
		}
		// A bracket: [n], [*], ['name'] or ["name"].
		i++
		switch {
		case strings.HasPrefix(s[i:], "*]"):
			seg.kind = segAny
			i += 2
		case i < len(s) && (s[i] == '\'' || s[i] == '"'):
			name, n, err := unquoteName(s[i:])
			if err != nil {
				return nil, bad("%v", err)
			}
			i += n
			if i >= len(s) || s[i] != ']' {
				return nil, bad("want ] after the quoted name")
			}
			i++
			seg.kind, seg.key = segKey, name
		default:
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i || j >= len(s) || s[j] != ']' {
				if i < len(s) && s[i] == '-' {
					return nil, bad("negative indexes are not supported")
				}
				return nil, bad("want [n], [*] or ['name']")
			}
			if j-i > 1 && s[i] == '0' {
				return nil, bad("index %s has a leading zero", s[i:j])
			}
			n, err := strconv.Atoi(s[i:j])
			if err != nil || n > 1<<31-1 {
				return nil, bad("index %s is too large", s[i:j])
			}
			seg.kind, seg.index = segIndex, n
			i = j + 1
		}
		p = append(p, seg)
	}
	return p, nil
}

// unquoteName reads a quoted member name at the start of s, returning the
// name and how many bytes it took. Inside, a backslash escapes the next byte.
func unquoteName(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case q:
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return "", 0, errors.New("unterminated quoted name")
			}
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated quoted name")
}

// pointerToPath turns a JSON Pointer into the JSON path a user most likely
// meant, for error messages only.
func pointerToPath(ptr string) string {
	var p pattern
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if n, err := strconv.Atoi(tok); err == nil && n >= 0 && strconv.Itoa(n) == tok {
			p = append(p, segment{kind: segIndex, index: n})
			continue
		}
		p = append(p, segment{kind: segKey, key: tok})
	}
	return p.String()
}

// String writes the path in one canonical spelling that parsePath reads back
// to the same pattern: dots for plain names, brackets for the rest.
func (p pattern) String() string {
	b := []byte{'$'}
	for _, s := range p {
		if s.recursive {
			b = append(b, '.', '.')
		}
		switch s.kind {
		case segAny:
			if s.recursive {
				b = append(b, '*')
			} else {
				b = append(b, "[*]"...)
			}
		case segIndex:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
		case segKey:
			b = appendKey(b, s.key, !s.recursive)
		}
	}
	return string(b)
}

// appendKey writes a member name step; dot says whether a plain name needs
// its leading dot (after .. it has one already).
func appendKey(b []byte, key string, dot bool) []byte {
	if jsonpath.PlainName(key) {
		if dot {
			b = append(b, '.')
		}
		return append(b, key...)
	}
	b = append(b, "['"...)
	for i := 0; i < len(key); i++ {
		if key[i] == '\'' || key[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, key[i])
	}
	return append(b, "']"...)
}

// formatPath renders a concrete path such as $.content[3].name.
func formatPath(steps []step) string {
	b := make([]byte, 1, 32)
	b[0] = '$'
	for _, s := range steps {
		if s.isIndex {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
			continue
		}
		b = appendKey(b, s.key, true)
	}
	return string(b)
}

// generalise turns a concrete path into a pattern with every index a [*].
func generalise(steps []step) pattern {
	p := make(pattern, len(steps))
	for i, s := range steps {
		if s.isIndex {
			p[i] = segment{kind: segAny}
		} else {
			p[i] = segment{kind: segKey, key: s.key}
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
		if seg.recursive {
			m.add(mark, s)
		}
		if seg.matches(st) {
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
