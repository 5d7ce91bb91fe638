// Package jsonpath owns the project's one JSON path dialect, a subset of
// RFC 9535 described, with where it differs, in docs/jsonpath.md: Parse
// reads it for noise rules and hints, Split for scripts, and Member, Index
// and Path.String write it for every report. It also lists the leaf values
// of a JSON document with their concrete paths ($.content[3].name) and byte
// spans, and replaces a value in place, keeping the rest of the document
// byte for byte. Correlation uses that to find ids in responses and to put
// new ids into request bodies.
package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind is the JSON type of a leaf.
type Kind byte

// Leaf kinds.
const (
	String Kind = 's'
	Number Kind = 'n'
	Bool   Kind = 'b'
	Null   Kind = 'z'
)

// Leaf is one scalar in a document.
type Leaf struct {
	// Path is the concrete JSON path of the value.
	Path string
	// Key is the name of the member holding the value, or the name of the
	// member holding the array it is in; "" at the top.
	Key  string
	Kind Kind
	// Text is a string's decoded text, or a number's or literal's JSON text.
	Text string
	// Start and End delimit the value's JSON in the document.
	Start, End int
}

const maxDepth = 1000

// Leaves lists the scalars of a JSON document in document order.
func Leaves(data []byte) ([]Leaf, error) {
	w := walker{data: data}
	if err := w.value("$", "", 0); err != nil {
		return nil, err
	}
	w.ws()
	if w.pos != len(data) {
		return nil, fmt.Errorf("unexpected data after the JSON value at offset %d", w.pos)
	}
	return w.leaves, nil
}

// Set replaces the value at a concrete path with raw JSON, keeping every
// other byte of the document.
func Set(data []byte, path string, raw []byte) ([]byte, error) {
	leaves, err := Leaves(data)
	if err != nil {
		return nil, err
	}
	for _, l := range leaves {
		if l.Path == path {
			return Replace(data, l, raw), nil
		}
	}
	return nil, fmt.Errorf("no value at %s", path)
}

// Replace returns data with the value of leaf l (from Leaves(data)) put
// in place of raw JSON. To replace several leaves of one Leaves call, go
// from the last to the first, so that the earlier spans stay right.
func Replace(data []byte, l Leaf, raw []byte) []byte {
	out := make([]byte, 0, len(data)-(l.End-l.Start)+len(raw))
	out = append(out, data[:l.Start]...)
	out = append(out, raw...)
	return append(out, data[l.End:]...)
}

// Get returns the leaf at a concrete path.
func Get(data []byte, path string) (Leaf, bool) {
	leaves, err := Leaves(data)
	if err != nil {
		return Leaf{}, false
	}
	for _, l := range leaves {
		if l.Path == path {
			return l, true
		}
	}
	return Leaf{}, false
}

// Member returns the path of member name inside the object at path.
func Member(path, name string) string {
	return string(AppendMember(append(make([]byte, 0, len(path)+len(name)+5), path...), name))
}

// Index returns the path of element i of the array at path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// PlainName reports whether a member name is written with a dot ($.name)
// rather than in brackets ($['first name']): letters and underscores, then
// digits and hyphens too. Every package that prints paths uses it, so that
// a path reads the same in every report.
func PlainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

type walker struct {
	data   []byte
	pos    int
	leaves []Leaf
}

func (w *walker) ws() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

var errSyntax = errors.New("invalid JSON")

func (w *walker) value(path, key string, depth int) error {
	if depth > maxDepth {
		return errors.New("JSON nested too deeply")
	}
	w.ws()
	if w.pos >= len(w.data) {
		return errSyntax
	}
	switch c := w.data[w.pos]; {
	case c == '{':
		w.pos++
		w.ws()
		if w.pos < len(w.data) && w.data[w.pos] == '}' {
			w.pos++
			return nil
		}
		for {
			w.ws()
			start := w.pos
			if err := w.skipString(); err != nil {
				return err
			}
			var name string
			if err := json.Unmarshal(w.data[start:w.pos], &name); err != nil {
				return err
			}
			w.ws()
			if w.pos >= len(w.data) || w.data[w.pos] != ':' {
				return errSyntax
			}
			w.pos++
			if err := w.value(Member(path, name), name, depth+1); err != nil {
				return err
			}
			w.ws()
			if w.pos < len(w.data) && w.data[w.pos] == ',' {
				w.pos++
				continue
			}
			if w.pos < len(w.data) && w.data[w.pos] == '}' {
				w.pos++
				return nil
			}
			return errSyntax
		}
	case c == '[':
		w.pos++
		w.ws()
		if w.pos < len(w.data) && w.data[w.pos] == ']' {
			w.pos++
			return nil
		}
		for i := 0; ; i++ {
			if err := w.value(Index(path, i), key, depth+1); err != nil {
				return err
			}
			w.ws()
			if w.pos < len(w.data) && w.data[w.pos] == ',' {
				w.pos++
				continue
			}
			if w.pos < len(w.data) && w.data[w.pos] == ']' {
				w.pos++
				return nil
			}
			return errSyntax
		}
	case c == '"':
		start := w.pos
		if err := w.skipString(); err != nil {
			return err
		}
		var s string
		if err := json.Unmarshal(w.data[start:w.pos], &s); err != nil {
			return err
		}
		w.leaves = append(w.leaves, Leaf{Path: path, Key: key, Kind: String, Text: s, Start: start, End: w.pos})
	default:
		start := w.pos
		for w.pos < len(w.data) && !strings.ContainsRune(" \t\r\n,]}", rune(w.data[w.pos])) {
			w.pos++
		}
		text := string(w.data[start:w.pos])
		kind := Number
		switch text {
		case "true", "false":
			kind = Bool
		case "null":
			kind = Null
		default:
			if !json.Valid(w.data[start:w.pos]) {
				return fmt.Errorf("invalid JSON value %q at offset %d", text, start)
			}
		}
		w.leaves = append(w.leaves, Leaf{Path: path, Key: key, Kind: kind, Text: text, Start: start, End: w.pos})
	}
	return nil
}

func (w *walker) skipString() error {
	if w.pos >= len(w.data) || w.data[w.pos] != '"' {
		return errSyntax
	}
	for i := w.pos + 1; i < len(w.data); i++ {
		switch w.data[i] {
		case '\\':
			i++
		case '"':
			w.pos = i + 1
			return nil
		}
	}
	return errSyntax
}
