package har

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON scanner. encoding/json cannot keep unknown
// members, nulls and oddly typed values of a struct without decoding every
// object twice, and a HAR body nested three objects deep would then be
// scanned six times or more. The scanner here reads each byte of a string
// once, jumping over plain runs with bytes.IndexByte.

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 10000

// syntaxErr is a parse error at a byte offset inside the data being parsed.
type syntaxErr struct {
	off int
	msg string
}

func (e *syntaxErr) Error() string { return e.msg }

type scanner struct {
	data []byte
	pos  int
	// esc holds the last string decoded with escapes; its room is used
	// again for the next, since every caller copies what it keeps.
	esc []byte
}

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxErr{off: s.pos, msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.unexpected(fmt.Sprintf("%q", c))
	}
	s.pos++
	return nil
}

func (s *scanner) unexpected(want string) error {
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of data, expected %s", want)
	}
	return s.errorf("unexpected %s, expected %s", describeByte(s.data[s.pos]), want)
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// str parses a JSON string at the current position. The result aliases the
// scanned data or the scanner's room for escaped strings, which the next
// call reuses, so callers copy what they keep.
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.unexpected("a string")
	}
	start := s.pos + 1
	rest := s.data[start:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		s.pos = len(s.data)
		return nil, s.errorf("unexpected end of data inside a string")
	}
	if bytes.IndexByte(rest[:q], '\\') < 0 {
		raw := rest[:q]
		if !utf8.Valid(raw) {
			s.pos = start + invalidUTF8At(raw)
			return nil, s.errorf("invalid UTF-8 in a string")
		}
		s.pos = start + q + 1
		return raw, nil
	}
	return s.strEscaped(start)
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// strEscaped decodes a string with escapes. JSON bodies stored as HAR text
// have an escape every few bytes, so this is a tight loop over bytes that
// copies plain runs in one go.
func (s *scanner) strEscaped(start int) ([]byte, error) {
	d := s.data
	out := s.esc[:0]
	i, run := start, start
	for i < len(d) {
		c := d[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				s.pos = i
				return nil, s.errorf("invalid UTF-8 in a string")
			}
			i += size
			continue
		}
		if c != '"' && c != '\\' {
			i++
			continue
		}
		out = append(out, d[run:i]...)
		if c == '"' {
			s.pos = i + 1
			s.esc = out
			return out, nil
		}
		i++
		if i >= len(d) {
			break
		}
		switch c := d[i]; c {
		case '"', '\\', '/':
			out = append(out, c)
			i++
		case 'b':
			out = append(out, '\b')
			i++
		case 'f':
			out = append(out, '\f')
			i++
		case 'n':
			out = append(out, '\n')
			i++
		case 'r':
			out = append(out, '\r')
			i++
		case 't':
			out = append(out, '\t')
			i++
		case 'u':
			r, ok := hex4(d, i+1)
			if !ok {
				s.pos = i - 1
				return nil, s.errorf("invalid \\u escape in a string")
			}
			i += 5
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					r2, ok2 = hex4(d, i+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			s.pos = i - 1
			return nil, s.errorf("invalid escape \\%c in a string", c)
		}
		run = i
	}
	s.pos = len(d)
	return nil, s.errorf("unexpected end of data inside a string")
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number scans a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	s.ws()
	d := s.data
	start := s.pos
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i - j
	}
	if digits() == 0 {
		s.pos = i
		return nil, s.unexpected("a number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			s.pos = i
			return nil, s.unexpected("a digit")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			s.pos = i
			return nil, s.unexpected("a digit")
		}
	}
	s.pos = i
	return d[start:i], nil
}

func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		return s.unexpected(strconv.Quote(word))
	}
	s.pos += len(word)
	return nil
}

// skip scans one value of any kind, checking that it is well formed, and
// returns its raw bytes.
func (s *scanner) skip(depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, s.errorf("nesting deeper than %d levels", maxDepth)
	}
	c := s.peek()
	start := s.pos
	switch {
	case c == '"':
		if _, err := s.str(); err != nil {
			return nil, err
		}
	case c == '{':
		s.pos++
		if s.peek() == '}' {
			s.pos++
			break
		}
		for {
			if _, err := s.str(); err != nil {
				return nil, err
			}
			if err := s.expect(':'); err != nil {
				return nil, err
			}
			if _, err := s.skip(depth + 1); err != nil {
				return nil, err
			}
			if s.peek() == ',' {
				s.pos++
				continue
			}
			if err := s.expect('}'); err != nil {
				return nil, err
			}
			break
		}
	case c == '[':
		s.pos++
		if s.peek() == ']' {
			s.pos++
			break
		}
		for {
			if _, err := s.skip(depth + 1); err != nil {
				return nil, err
			}
			if s.peek() == ',' {
				s.pos++
				continue
			}
			if err := s.expect(']'); err != nil {
				return nil, err
			}
			break
		}
	case c == 't':
		if err := s.literal("true"); err != nil {
			return nil, err
		}
	case c == 'f':
		if err := s.literal("false"); err != nil {
			return nil, err
		}
	case c == 'n':
		if err := s.literal("null"); err != nil {
			return nil, err
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if _, err := s.number(); err != nil {
			return nil, err
		}
	default:
		return nil, s.unexpected("a value")
	}
	return s.data[start:s.pos], nil
}

// appendString appends s as a JSON string. It escapes what JSON requires and
// the HTML-sensitive characters that encoding/json escapes too, so that a
// HAR can be pasted into a page without closing a script tag.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigit[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigit = "0123456789abcdef"

// appendFloat formats f the way encoding/json does, so values round-trip.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
