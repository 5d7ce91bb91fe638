package jsonpath

import (
	"strings"
	"testing"
)

func TestLeaves(t *testing.T) {
	doc := `{"id": 7, "content": [{"name": "a b", "x.y": true}], "e": {}, "n": null, "s": "q\"uote"}`
	leaves, err := Leaves([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range leaves {
		got = append(got, l.Path+"="+l.Text+"("+string(l.Kind)+","+l.Key+")")
		if doc[l.Start:l.End] == "" {
			t.Errorf("%s: empty span", l.Path)
		}
	}
	want := `$.id=7(n,id) $.content[0].name=a b(s,name) $.content[0]['x.y']=true(b,x.y) $.n=null(z,n) $.s=q"uote(s,s)`
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestScalarsAreLeavesWithoutPaths(t *testing.T) {
	for _, c := range []struct{ reason, doc string }{
		{"members, an array and every kind of scalar", `{"id": 7, "content": [{"name": "a b", "x.y": true}], "e": {}, "n": null, "s": "q\"uote"}`},
		{"an array at the top, its elements named by the member holding it", `[1, {"launchId": "104"}, [2.5e3]]`},
		{"a scalar alone", `"s"`},
	} {
		leaves, err := Leaves([]byte(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		var got []Leaf
		if err := Scalars(c.doc, func(l Leaf) { got = append(got, l) }); err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		if len(got) != len(leaves) {
			t.Fatalf("%s: %d scalars, %d leaves", c.reason, len(got), len(leaves))
		}
		for i, l := range leaves {
			if l.Path == "" {
				t.Fatalf("%s: leaf %d has no path", c.reason, i)
			}
			if l.Path = ""; got[i] != l {
				t.Errorf("%s: scalar %d is %+v, want %+v", c.reason, i, got[i], l)
			}
		}
	}
	for _, doc := range []string{`{"a":}`, `[1,`, `{"a":1} x`} {
		if err := Scalars(doc, func(Leaf) {}); err == nil {
			t.Errorf("%q: no error", doc)
		}
	}
}

func TestSetKeepsTheRest(t *testing.T) {
	for _, c := range []struct {
		reason, doc, path, raw, want string
	}{
		{"a number in a pretty document", "{\n  \"id\": 7,\n  \"b\": [1, 2]\n}", "$.id", "456", "{\n  \"id\": 456,\n  \"b\": [1, 2]\n}"},
		{"an array element", `[1, 2, 3]`, "$[1]", `"x"`, `[1, "x", 3]`},
		{"a quoted member name", `{"a.b": "old"}`, "$['a.b']", `"new"`, `{"a.b": "new"}`},
	} {
		got, err := Set([]byte(c.doc), c.path, []byte(c.raw))
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %q, %v", c.reason, got, err)
		}
	}
	if _, err := Set([]byte(`{"a":1}`), "$.b", []byte("2")); err == nil {
		t.Error("setting a path that is not there must fail")
	}
}

func TestInvalidJSON(t *testing.T) {
	for _, doc := range []string{`{"a":}`, `[1,`, `{"a" 1}`, `tru`, `{"a":1} x`, strings.Repeat("[", 2000)} {
		if _, err := Leaves([]byte(doc)); err == nil {
			t.Errorf("%q: no error", doc)
		}
	}
}
