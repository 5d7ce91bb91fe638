package jsonpath

import (
	"encoding/json"
	"testing"
)

// FuzzLeaves checks that any input gives leaves or an error, that every
// leaf's span holds its value, and that setting a leaf to itself changes
// nothing.
func FuzzLeaves(f *testing.F) {
	for _, s := range []string{`{"id": 7, "a": [1, "x", {"b": null}]}`, `[]`, `"s"`, `{"a.b": {"c": [true, false]}}`, `{"\u00e9": "\"q\""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		leaves, err := Leaves(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
		seen := map[string]int{}
		for _, l := range leaves {
			seen[l.Path]++
		}
		for _, l := range leaves {
			if seen[l.Path] > 1 {
				continue // a repeated member name: Set addresses the first
			}
			span := data[l.Start:l.End]
			if !json.Valid(span) {
				t.Fatalf("leaf %s span %q is not a JSON value", l.Path, span)
			}
			got, err := Set(data, l.Path, span)
			if err != nil || string(got) != string(data) {
				t.Fatalf("setting %s to itself: %v", l.Path, err)
			}
		}
	})
}

// FuzzParse checks that Parse never panics and that a parsed path's
// canonical spelling reads back to the same spelling.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"$", "$.content[3].name", `$['a b']["c"]`, "$..*", "$..[0]", `$['it\'s']`, "/a/0", "$.données"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(p.String())
		if err != nil || again.String() != p.String() {
			t.Fatalf("%q: canonical %q reads back as %v, %v", s, p.String(), again, err)
		}
	})
}
