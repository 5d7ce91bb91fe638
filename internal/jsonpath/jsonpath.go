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
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/internal/jsonscan"
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
	w := walker{src: string(data)}
	if err := w.document(); err != nil {
		return nil, err
	}
	return w.leaves, nil
}

// Scalars calls fn with each scalar of a JSON document in document order,
// as Leaves lists them but with no Path: for callers that read only keys
// and values, making every leaf's path was most of the listing's work. On
// invalid JSON it stops and returns the error, after fn has seen the
// scalars before the fault.
func Scalars(data string, fn func(Leaf)) error {
	w := walker{src: data, emit: fn}
	return w.document()
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

// walker lists leaves with jsonscan reading the tokens, the same tokenizer
// diff's tree uses; it reads the structure itself, keeping paths and spans.
type walker struct {
	src    string
	pos    int
	leaves []Leaf
	// emit, when set, takes each leaf in place of leaves, and no path is
	// made (see Scalars).
	emit func(Leaf)
}

func (w *walker) leaf(l Leaf) {
	if w.emit != nil {
		w.emit(l)
		return
	}
	w.leaves = append(w.leaves, l)
}

// document walks the whole of src, which must hold one value and nothing
// after it but space. Leaves and Scalars both walk through here, so that
// they take the same documents and fail with the same errors.
func (w *walker) document() error {
	root := "$"
	if w.emit != nil {
		root = "" // no paths, as in member and index
	}
	if err := w.value(root, "", 0); err != nil {
		return err
	}
	w.ws()
	if w.pos != len(w.src) {
		return jsonscan.Errorf(w.pos, "unexpected %q after the top-level value", w.src[w.pos])
	}
	return nil
}

// member and index are the paths of a member and an element, or none
// when the walker makes no paths.
func (w *walker) member(path, name string) string {
	if w.emit != nil {
		return ""
	}
	return Member(path, name)
}

func (w *walker) index(path string, i int) string {
	if w.emit != nil {
		return ""
	}
	return Index(path, i)
}

func (w *walker) ws() { w.pos = jsonscan.Space(w.src, w.pos) }

func (w *walker) value(path, key string, depth int) error {
	if depth > maxDepth {
		return errors.New("JSON nested too deeply")
	}
	w.ws()
	if w.pos >= len(w.src) {
		return jsonscan.Errorf(w.pos, "unexpected end of input")
	}
	start := w.pos
	switch c := w.src[w.pos]; {
	case c == '{':
		w.pos++
		w.ws()
		if w.pos < len(w.src) && w.src[w.pos] == '}' {
			w.pos++
			return nil
		}
		for {
			w.ws()
			if w.pos >= len(w.src) || w.src[w.pos] != '"' {
				return jsonscan.Errorf(w.pos, "want a member name")
			}
			name, end, err := jsonscan.String(w.src, w.pos)
			if err != nil {
				return err
			}
			w.pos = jsonscan.Space(w.src, end)
			if w.pos >= len(w.src) || w.src[w.pos] != ':' {
				return jsonscan.Errorf(w.pos, "want ':' after a member name")
			}
			w.pos++
			if err := w.value(w.member(path, name), name, depth+1); err != nil {
				return err
			}
			w.ws()
			if w.pos < len(w.src) && w.src[w.pos] == ',' {
				w.pos++
				continue
			}
			if w.pos < len(w.src) && w.src[w.pos] == '}' {
				w.pos++
				return nil
			}
			return jsonscan.Errorf(w.pos, "want ',' or '}' in an object")
		}
	case c == '[':
		w.pos++
		w.ws()
		if w.pos < len(w.src) && w.src[w.pos] == ']' {
			w.pos++
			return nil
		}
		for i := 0; ; i++ {
			if err := w.value(w.index(path, i), key, depth+1); err != nil {
				return err
			}
			w.ws()
			if w.pos < len(w.src) && w.src[w.pos] == ',' {
				w.pos++
				continue
			}
			if w.pos < len(w.src) && w.src[w.pos] == ']' {
				w.pos++
				return nil
			}
			return jsonscan.Errorf(w.pos, "want ',' or ']' in an array")
		}
	case c == '"':
		s, end, err := jsonscan.String(w.src, w.pos)
		if err != nil {
			return err
		}
		w.pos = end
		w.leaf(Leaf{Path: path, Key: key, Kind: String, Text: s, Start: start, End: end})
	case c == '-' || c >= '0' && c <= '9':
		lit, end, err := jsonscan.Number(w.src, w.pos)
		if err != nil {
			return err
		}
		w.pos = end
		w.leaf(Leaf{Path: path, Key: key, Kind: Number, Text: lit, Start: start, End: end})
	default:
		kind := Bool
		var lit string
		switch rest := w.src[w.pos:]; {
		case strings.HasPrefix(rest, "true"):
			lit = "true"
		case strings.HasPrefix(rest, "false"):
			lit = "false"
		case strings.HasPrefix(rest, "null"):
			lit, kind = "null", Null
		default:
			return jsonscan.Errorf(w.pos, "unexpected %q", c)
		}
		w.pos += len(lit)
		w.leaf(Leaf{Path: path, Key: key, Kind: kind, Text: lit, Start: start, End: w.pos})
	}
	return nil
}
