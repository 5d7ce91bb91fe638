package diff

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// toAny converts a parsed tree to the values encoding/json produces with
// UseNumber, so the two parsers can be checked against each other.
func (t *jtree) toAny(n *jnode) any {
	switch n.kind {
	case jNull:
		return nil
	case jFalse:
		return false
	case jTrue:
		return true
	case jNumber:
		return json.Number(n.str)
	case jString:
		return n.str
	case jArray:
		out := []any{}
		for _, k := range t.kids(n) {
			out = append(out, t.toAny(&k))
		}
		return out
	}
	out := map[string]any{}
	for _, k := range t.kids(n) {
		out[k.key] = t.toAny(&k)
	}
	return out
}

func decodeStd(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &json.SyntaxError{}
	}
	return v, nil
}

// checkAgainstStd fails t when parseJSON and encoding/json disagree on
// whether data is JSON or on what it holds. Input with invalid UTF-8 is
// left out of the value check: encoding/json replaces such bytes with
// U+FFFD while the differ keeps them, so a changed byte is still a change.
func checkAgainstStd(t *testing.T, data []byte) {
	t.Helper()
	tree, err := parseJSON(data)
	if valid := json.Valid(data); (err == nil) != valid {
		t.Fatalf("parseJSON(%q) error = %v, but json.Valid = %v", data, err, valid)
	}
	if err != nil || !utf8.Valid(data) {
		return
	}
	want, err := decodeStd(data)
	if err != nil {
		t.Fatalf("encoding/json rejects %q: %v", data, err)
	}
	if got := tree.toAny(&tree.root); !reflect.DeepEqual(got, want) {
		t.Fatalf("parseJSON(%q) = %#v, encoding/json gives %#v", data, got, want)
	}
}

func TestParseJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"scalars at the top", ` 12.5e-3 `},
		{"big ids keep every digit", `{"id":9007199254740993}`},
		{"members are sorted, duplicates keep the last", `{"b":1,"a":2,"b":3}`},
		{"escapes decode", `"tab\t quote\" slash\/ \u00e9 \ud83d\ude00"`},
		{"a lone surrogate becomes U+FFFD", `"\ud800x \udc00 \ud800\u0041"`},
		{"nesting", `{"a":[{"b":[[],{}]},null,true,false]}`},
		{"empty containers", `[{},[],""]`},
		{"trailing garbage is an error", `{} {}`},
		{"a trailing comma is an error", `[1,]`},
		{"leading zeros are an error", `012`},
		{"a bare minus is an error", `-`},
		{"unquoted names are an error", `{a:1}`},
		{"control characters in strings are an error", "\"a\nb\""},
		{"a bad escape is an error", `"\x"`},
		{"an unterminated string is an error", `"abc`},
		{"nothing is an error", `   `},
		{"a truncated literal is an error", `tru`},
		{"a fraction needs digits", `1.`},
		{"an exponent needs digits", `1e+`},
	} {
		t.Run(tc.name, func(t *testing.T) { checkAgainstStd(t, []byte(tc.in)) })
	}
}

func TestParseJSONDepthLimit(t *testing.T) {
	// Deep nesting must fail cleanly rather than exhaust the stack.
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, err := parseJSON([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("parseJSON of %d levels: err = %v, want a nesting error", maxDepth+1, err)
	}
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := parseJSON([]byte(ok)); err != nil {
		t.Fatalf("parseJSON of %d levels: %v", maxDepth, err)
	}
}

func TestParseJSONErrorOffset(t *testing.T) {
	_, err := parseJSON([]byte(`{"a": 1, "b": }`))
	if err == nil || err.Error() != `invalid JSON at byte 14: unexpected '}'` {
		t.Fatalf("err = %v", err)
	}
}

func TestNumbersEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b   string
		equal  bool
		reason string
	}{
		{"1", "1", true, "same literal"},
		{"1", "1.0", true, "a zero fraction changes nothing"},
		{"100", "1e2", true, "an exponent is the same value"},
		{"0.01", "1E-2", true, "negative exponents and a capital E"},
		{"-0", "0", true, "negative zero is zero"},
		{"0.000", "0e10", true, "every spelling of zero"},
		{"10.5", "105e-1", true, "moving the point"},
		{"9007199254740993", "9007199254740992", false, "ids above 2^53 differ though float64 rounds them alike"},
		{"1", "-1", false, "sign"},
		{"1.5", "1.50001", false, "a small fraction"},
		{"1e999999999999", "1e999999999999", true, "identical huge literals"},
		{"1e99999999999999999999", "10e99999999999999999998", false, "exponents past int64 compare as written"},
	} {
		if got := numbersEqual(tc.a, tc.b); got != tc.equal {
			t.Errorf("%s: numbersEqual(%s, %s) = %v", tc.reason, tc.a, tc.b, got)
		}
		if got := numbersEqual(tc.b, tc.a); got != tc.equal {
			t.Errorf("%s: numbersEqual(%s, %s) = %v (not symmetric)", tc.reason, tc.b, tc.a, got)
		}
	}
}

func TestAppendNumber(t *testing.T) {
	for _, tc := range []struct{ in, want, reason string }{
		{"9007199254740993", "9007199254740993", "integers are kept as written"},
		{"-0", "0", "negative zero"},
		{"2.0", "2", "a zero fraction goes"},
		{"1.50", "1.5", "trailing zeros go"},
		{"1e3", "1000", "small exponents are written out"},
		{"-1.25e-3", "-0.00125", "negative values below one"},
		{"1.5e60", "1.5e60", "far from one stays scientific"},
		{"3e-30", "3e-30", "tiny values stay scientific"},
		{"1e99999999999999999999", "1e99999999999999999999", "unparsable exponents are kept"},
	} {
		if got := string(appendNumber(nil, tc.in)); got != tc.want {
			t.Errorf("%s: appendNumber(%s) = %s, want %s", tc.reason, tc.in, got, tc.want)
		}
		if !numbersEqual(tc.in, tc.want) {
			t.Errorf("%s: %s printed as %s, which is not the same value", tc.reason, tc.in, tc.want)
		}
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"plain", "quote\" back\\ slash", "ctl\x01\x1f", "nl\n cr\r tab\t", "é 😀", "bad \xff byte", "<&>"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got := string(appendString(nil, s)); got != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendString(%q) = %s, encoding/json writes %s", s, got, want.String())
		}
	}
}

func TestDisplayTruncates(t *testing.T) {
	tree, err := parseJSON([]byte(`{"name":"` + strings.Repeat("é", 100) + `","n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	got := tree.display(&tree.root, 20)
	if !strings.HasSuffix(got, "…") || !utf8.ValidString(got) || len(got) > 20+len("…") {
		t.Fatalf("display = %q: want at most 20 bytes of valid UTF-8 and a …", got)
	}
	small, _ := parseJSON([]byte(`{"b": [1, 2.50], "a": null}`))
	if got := small.display(&small.root, 80); got != `{"a":null,"b":[1,2.5]}` {
		t.Fatalf("display = %s", got)
	}
}
