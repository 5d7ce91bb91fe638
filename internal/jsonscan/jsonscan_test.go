package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		reason, in, want string
		end              int
	}{
		{"no escapes", `"abc" rest`, "abc", 5},
		{"simple escapes", `"a\"b\\c\/d\n\t"`, "a\"b\\c/d\n\t", 16},
		{"a \\u escape", `"\u00e9t\u00E9"`, "été", 15},
		{"a surrogate pair", `"\ud83d\ude00"`, "😀", 14},
		{"a lone surrogate becomes U+FFFD, as encoding/json does", `"\ud83dx"`, "\ufffdx", 9},
	} {
		got, end, err := String(tc.in, 0)
		if err != nil || got != tc.want || end != tc.end {
			t.Errorf("%s: String(%q) = %q, %d, %v; want %q, %d", tc.reason, tc.in, got, end, err, tc.want, tc.end)
		}
	}
}

func TestErrorsSayWhere(t *testing.T) {
	for _, tc := range []struct {
		reason, in, want string
		read             func(string, int) (string, int, error)
	}{
		{"an unterminated string", `"abc`, "invalid JSON at byte 4: unterminated string", String},
		{"a raw newline in a string", "\"a\nb\"", `invalid JSON at byte 2: control character '\n' in a string`, String},
		{"an unknown escape", `"a\qb"`, `invalid JSON at byte 2: bad escape \q`, String},
		{"a short \\u escape", `"\u12"`, `invalid JSON at byte 1: bad \u escape`, String},
		{"a sign alone", `-`, "invalid JSON at byte 1: want a digit in a number", Number},
		{"a dot with no digits", `1.e5`, "invalid JSON at byte 2: want a digit after the decimal point", Number},
		{"an empty exponent", `1e+`, "invalid JSON at byte 3: want a digit in an exponent", Number},
	} {
		_, _, err := tc.read(tc.in, 0)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %q: error %v, want %q", tc.reason, tc.in, err, tc.want)
		}
	}
}

func TestNumberStopsAtTheLiteral(t *testing.T) {
	for _, tc := range []struct{ reason, in, want string }{
		{"an integer", "123,", "123"},
		{"a leading zero ends the integer part", "0123", "0"},
		{"fraction and exponent", "-1.50E-3]", "-1.50E-3"},
	} {
		got, end, err := Number(tc.in, 0)
		if err != nil || got != tc.want || end != len(tc.want) {
			t.Errorf("%s: Number(%q) = %q, %d, %v", tc.reason, tc.in, got, end, err)
		}
	}
}

// FuzzTokens holds String and Number to encoding/json: a token they accept
// is valid JSON that decodes to the same text, and one encoding/json
// accepts on its own they accept whole.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `-1.5e3`, `0`, `01`, `"\x01"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		read, wantKind := Number, "number"
		if s[0] == '"' {
			read, wantKind = String, "string"
		}
		got, end, err := read(s, 0)
		whole := json.Valid([]byte(s)) && strings.TrimSpace(s) == s
		if err != nil {
			if whole {
				t.Fatalf("%q is a valid JSON %s, but: %v", s, wantKind, err)
			}
			return
		}
		tok := s[:end]
		if !json.Valid([]byte(tok)) {
			t.Fatalf("accepted %q, which is not valid JSON", tok)
		}
		if whole && end != len(s) {
			t.Fatalf("%q: stopped at %d of %d", s, end, len(s))
		}
		if wantKind == "string" && utf8.ValidString(tok) {
			var want string
			if err := json.Unmarshal([]byte(tok), &want); err != nil || got != want {
				t.Fatalf("%q decodes to %q, encoding/json says %q (%v)", tok, got, want, err)
			}
		}
	})
}
