package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// MaxSpecBytes is the largest document Load accepts, and spec/discover fetches.
// The biggest public specs (GitHub's, Kubernetes') are near 10 MB, so this
// leaves room while keeping a hostile server from filling memory.
const MaxSpecBytes = 64 << 20

// MaxNesting is the deepest nesting of objects and arrays a document may have.
// Real specs stay under 50 levels; the limit keeps kin-openapi's recursive
// resolver and the schema validators far from stack exhaustion.
const MaxNesting = 512

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeTree turns a JSON or YAML document into plain Go values (maps with
// string keys, slices, strings, json.Number, bools and nil), the form the
// repair pass works on. It reports which syntax it read.
func decodeTree(data []byte) (tree any, format string, err error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, "", placeError{msg: "the file is empty"}
	}
	if trimmed[0] == '<' {
		return nil, "", placeError{place: lineCol(data, len(data)-len(trimmed)), msg: "this is HTML or XML, not a JSON or YAML document (a login page or an error page?)"}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		tree, jsonErr := decodeJSON(data)
		if jsonErr == nil {
			return tree, "json", nil
		}
		var pe placeError
		if errors.As(jsonErr, &pe) && pe.fatal {
			return nil, "", jsonErr
		}
		// A YAML flow mapping starts with "{" too and is not JSON.
		if tree, yamlErr := decodeYAML(data); yamlErr == nil {
			return tree, "yaml", nil
		}
		return nil, "", jsonErr
	}
	tree, err = decodeYAML(data)
	return tree, "yaml", err
}

// placeError is a decoding failure with the place it happened, which Load
// turns into an *Error naming the file.
type placeError struct {
	place string
	msg   string
	fatal bool // no other syntax should be tried
}

func (e placeError) Error() string {
	if e.place == "" {
		return e.msg
	}
	return e.place + ": " + e.msg
}

func decodeJSON(data []byte) (any, error) {
	if off, ok := tooDeep(data); ok {
		return nil, placeError{place: lineCol(data, off), msg: fmt.Sprintf("nesting deeper than %d levels", MaxNesting), fatal: true}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(data, err)
	}
	off := int(dec.InputOffset())
	if rest := bytes.TrimLeft(data[off:], " \t\r\n"); len(rest) > 0 {
		return nil, placeError{place: lineCol(data, len(data)-len(rest)), msg: "unexpected data after the JSON document"}
	}
	return v, nil
}

func jsonError(data []byte, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return placeError{place: lineCol(data, len(data)), msg: "not valid JSON: the document ends too early"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return placeError{place: lineCol(data, int(se.Offset)), msg: "not valid JSON: " + se.Error()}
	}
	return placeError{msg: "not valid JSON: " + err.Error()}
}

// tooDeep scans JSON text for nesting beyond MaxNesting without decoding it,
// so a file of 50 MB of "[" fails at once with the offending offset.
func tooDeep(data []byte) (int, bool) {
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxNesting {
				return i, true
			}
		case '}', ']':
			depth--
		}
	}
	return 0, false
}

// jsonHead scans JSON text once, without decoding it, for what Load's fast
// path needs: the root object's "openapi" string and whether it has a
// "swagger" key, and whether nesting stays within MaxNesting.
func jsonHead(data []byte) (openapi string, swagger, ok bool) {
	depth := 0
	expectKey := false // at depth 1, the next string is a key
	key := ""
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '"':
			end := i + 1
			for end < len(data) && data[end] != '"' {
				if data[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(data) {
				return "", false, false
			}
			if depth == 1 {
				text := string(data[i+1 : end])
				switch {
				case expectKey:
					key, expectKey = text, false
					if key == "swagger" {
						swagger = true
					}
				case key == "openapi":
					openapi = text
				}
			}
			i = end
		case '{', '[':
			depth++
			if depth > MaxNesting {
				return "", false, false
			}
			expectKey = depth == 1 && c == '{'
		case '}', ']':
			depth--
		case ',':
			if depth == 1 {
				expectKey, key = true, ""
			}
		}
	}
	return openapi, swagger, depth == 0
}

// lineCol renders a byte offset as "line L, column C" (both from 1).
func lineCol(data []byte, off int) string {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

func decodeYAML(data []byte) (any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, placeError{msg: "not valid YAML or JSON: " + oneLine(err.Error())}
	}
	if root.Kind == 0 {
		return nil, placeError{msg: "the file is empty"}
	}
	// Aliases let a few bytes of YAML expand into huge trees; the budget
	// allows what the text itself could spell out plus a generous margin.
	c := yamlConverter{budget: len(data) + 1_000_000}
	return c.convert(&root, 0)
}

type yamlConverter struct {
	budget int
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) (any, error) {
	if depth > MaxNesting {
		return nil, placeError{place: fmt.Sprintf("line %d, column %d", n.Line, n.Column), msg: fmt.Sprintf("nesting deeper than %d levels", MaxNesting)}
	}
	c.budget--
	if c.budget < 0 {
		return nil, placeError{place: fmt.Sprintf("line %d, column %d", n.Line, n.Column), msg: "YAML aliases expand to too large a document"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		return c.convert(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
				if err := c.merge(out, v, depth); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, placeError{place: fmt.Sprintf("line %d, column %d", k.Line, k.Column), msg: "a mapping key is not a plain value"}
			}
			val, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

// merge applies a YAML "<<" merge key: keys already present win.
func (c *yamlConverter) merge(out map[string]any, v *yaml.Node, depth int) error {
	src, err := c.convert(v, depth+1)
	if err != nil {
		return err
	}
	var maps []any
	switch s := src.(type) {
	case map[string]any:
		maps = []any{s}
	case []any:
		maps = s
	}
	for _, m := range maps {
		mm, ok := m.(map[string]any)
		if !ok {
			continue
		}
		for k, val := range mm {
			if _, exists := out[k]; !exists {
				out[k] = val
			}
		}
	}
	return nil
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		var u uint64
		if n.Decode(&u) == nil {
			return json.Number(strconv.FormatUint(u, 10))
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	// Strings, timestamps (kept as written: OpenAPI wants them as text)
	// and anything JSON cannot hold.
	return n.Value
}

// oneLine folds a multi-line message (kin-openapi appends schema dumps) into
// its first line, so errors and warnings print one per line.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimRight(s[:i], " :")
	}
	s = strings.TrimSpace(s)
	const max = 400
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
