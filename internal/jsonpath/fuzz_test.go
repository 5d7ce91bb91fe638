package jsonpath

import (
	"encoding/json"
	"testing"
)

// FuzzLeaves checks that any input gives leaves or an error, that every
// leaf's span holds its value, that setting a leaf to itself changes
// nothing, and that Scalars gives the same leaves without paths.
func FuzzLeaves(f *testing.F) {
	for _, s := range []string{`{"id": 7, "a": [1, "x", {"b": null}]}`, `[]`, `"s"`, `{"a.b": {"c": [true, false]}}`, `{"\u00e9": "\"q\""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		leaves, err := Leaves(data)
		var scalars []Leaf
		serr := Scalars(string(data), func(l Leaf) { scalars = append(scalars, l) })
		if (err == nil) != (serr == nil) {
			t.Fatalf("Leaves says %v, Scalars %v", err, serr)
		}
		if err != nil {
			return
		}
		if len(scalars) != len(leaves) {
			t.Fatalf("Scalars gave %d leaves, Leaves %d", len(scalars), len(leaves))
		}
		for i, l := range leaves {
			if l.Path = ""; scalars[i] != l {
				t.Fatalf("scalar %d is %+v, leaf %+v", i, scalars[i], l)
			}
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
