// Package jsonscan reads the tokens of JSON text (white space, strings and
// numbers) for the two walkers that need more than encoding/json gives:
// diff's flat tree, which must read a 10 MB body without two million
// allocations, and jsonpath's leaf lister, which must know each value's
// byte span. Both read structure ({, [, :, ",") themselves and call these
// for the tokens, so that the JSON grammar is written once. The HAR reader
// (har/json.go) keeps its own streaming scanner: it reads from an
// io.Reader in chunks and is measured on its own. spec's compiled schema
// check (spec/fastcheck.go) keeps its own too: it walks a body's bytes
// while checking them and asks of a string only whether it is plain and
// valid UTF-8, without decoding it.
//
// Each function takes the text and a position and returns what it read
// and the position after it; nothing is allocated for strings without
// escapes, which are sliced out of the text.
package jsonscan

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Error is invalid JSON at a byte offset.
type Error struct {
	Off int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("invalid JSON at byte %d: %s", e.Off, e.Msg) }

// Errorf returns an Error at offset off.
func Errorf(off int, format string, args ...any) error {
	return &Error{Off: off, Msg: fmt.Sprintf(format, args...)}
}

// Space returns the position of the first byte at or after pos that is
// not JSON white space.
func Space(src string, pos int) int {
	for pos < len(src) {
		switch src[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
		default:
			return pos
		}
	}
	return pos
}

// Number checks the JSON number grammar at pos and returns the literal as
// written (callers compare numbers by value, never through float64) and
// the position after it. On error, the position is where it went wrong.
func Number(s string, pos int) (string, int, error) {
	start := pos
	i := pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return "", i, Errorf(i, "want a digit in a number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return "", i, Errorf(i, "want a digit after the decimal point")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return "", i, Errorf(i, "want a digit in an exponent")
		}
	}
	return s[start:i], i, nil
}

// String reads the quoted string whose opening quote is at pos and returns
// its decoded text and the position after the closing quote. Strings
// without escapes, the usual case, are sliced out of s without copying.
// Bytes that are not UTF-8 are kept as they are; a lone surrogate escape
// becomes U+FFFD, as in encoding/json. On error, the position is where it
// went wrong.
func String(s string, pos int) (string, int, error) {
	start := pos + 1
	for i := start; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[start:i], i + 1, nil
		case c == '\\':
			return escaped(s, start, i)
		case c < 0x20:
			return "", i, Errorf(i, "control character %q in a string", c)
		}
	}
	return "", len(s), Errorf(len(s), "unterminated string")
}

// escaped finishes a string that starts at start and has its first escape
// at i.
func escaped(s string, start, i int) (string, int, error) {
	var b strings.Builder
	b.WriteString(s[start:i])
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c < 0x20:
			return "", i, Errorf(i, "control character %q in a string", c)
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return "", i, Errorf(i, "bad \\u escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A lone surrogate becomes U+FFFD, as in encoding/json.
				if r2, ok := hex4(s, i+2); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b.WriteRune(d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			return "", i, Errorf(i, "bad escape \\%c", e)
		}
		i += 2
	}
	return "", len(s), Errorf(len(s), "unterminated string")
}

func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[at : at+4]) {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
