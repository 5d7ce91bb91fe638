package jsonpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Selector says what one segment of a path picks.
type Selector uint8

// Selectors, named as in RFC 9535.
const (
	// NameSelector picks the member named Segment.Name.
	NameSelector Selector = iota
	// IndexSelector picks element Segment.Index.
	IndexSelector
	// Wildcard picks every member or element.
	Wildcard
)

// Segment is one step of a path: a selector, applied to the children of
// the nodes so far or, in a descendant segment (..), to all their
// descendants.
type Segment struct {
	Selector   Selector
	Descendant bool
	Name       string
	Index      int
}

// Path is a parsed JSON path; the empty Path is $, the whole document.
type Path []Segment

// Parse reads a JSON path in the dialect that docs/jsonpath.md describes;
// its errors say where the path went wrong and, for a JSON Pointer or a
// missing $, what to write instead.
func Parse(s string) (Path, error) {
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
	var p Path
	i := 1
	bad := func(format string, args ...any) error {
		return fmt.Errorf("JSON path %q, at offset %d: %s", s, i, fmt.Sprintf(format, args...))
	}
	for i < len(s) {
		var seg Segment
		switch {
		case strings.HasPrefix(s[i:], ".."):
			seg.Descendant = true
			i += 2
			if i < len(s) && s[i] == '[' {
				break // ..[n], ..['name'], ..[*]: read below
			}
			fallthrough
		case s[i] == '.':
			if !seg.Descendant {
				i++
			}
			j := i
			for j < len(s) && !strings.ContainsRune(".[]'\" \t*", rune(s[j])) && s[j] >= 0x20 {
				j++
			}
			switch {
			case j == i && j < len(s) && s[j] == '*':
				seg.Selector = Wildcard
				j++
			case j == i:
				return nil, bad("want a name or * after the dot")
			default:
				seg.Selector, seg.Name = NameSelector, s[i:j]
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
			seg.Selector = Wildcard
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
			seg.Selector, seg.Name = NameSelector, name
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
			seg.Selector, seg.Index = IndexSelector, n
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
	var p Path
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if n, err := strconv.Atoi(tok); err == nil && n >= 0 && strconv.Itoa(n) == tok {
			p = append(p, Segment{Selector: IndexSelector, Index: n})
			continue
		}
		p = append(p, Segment{Selector: NameSelector, Name: tok})
	}
	return p.String()
}

// String writes the path in one canonical spelling that Parse reads back
// to the same path: dots for plain names, brackets for the rest.
func (p Path) String() string {
	b := []byte{'$'}
	for _, s := range p {
		if s.Descendant {
			b = append(b, '.', '.')
		}
		switch s.Selector {
		case Wildcard:
			if s.Descendant {
				b = append(b, '*')
			} else {
				b = append(b, "[*]"...)
			}
		case IndexSelector:
			b = AppendIndex(b, s.Index)
		case NameSelector:
			b = appendName(b, s.Name, !s.Descendant)
		}
	}
	return string(b)
}

// AppendMember appends the step to member name to a path being built, in
// the spelling Member uses.
func AppendMember(b []byte, name string) []byte { return appendName(b, name, true) }

// AppendIndex appends the step to element i to a path being built.
func AppendIndex(b []byte, i int) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, ']')
}

// appendName writes a member name step; dot says whether a plain name needs
// its leading dot (after .. it has one already).
func appendName(b []byte, name string, dot bool) []byte {
	if PlainName(name) {
		if dot {
			b = append(b, '.')
		}
		return append(b, name...)
	}
	b = append(b, "['"...)
	for i := 0; i < len(name); i++ {
		if name[i] == '\'' || name[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, name[i])
	}
	return append(b, "']"...)
}

// Split parses a concrete path such as $.content[0].id or $['odd name'],
// as Member and Index write them, into member names (strings) and indexes
// (ints), for code that walks a document by them. Wildcards and
// descendant segments name no one value and are refused.
func Split(s string) ([]any, error) {
	p, err := Parse(s)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(p))
	for _, seg := range p {
		switch {
		case seg.Descendant || seg.Selector == Wildcard:
			return nil, fmt.Errorf("JSON path %q names more than one value; want member names and indexes only", s)
		case seg.Selector == IndexSelector:
			out = append(out, seg.Index)
		default:
			out = append(out, seg.Name)
		}
	}
	return out, nil
}
