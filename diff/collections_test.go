package diff_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/diff"
)

func page(items string, total int, size int) []byte {
	return []byte(`{"content":[` + items + `],"totalElements":` + itoa(total) + `,"numberOfElements":` + itoa(strings.Count(items, `"id"`)) + `,"size":` + itoa(size) + `}`)
}

func itoa(n int) string { return strconv.Itoa(n) }
func TestCollectionsComparedByIdentity(t *testing.T) {
	a := `{"id":1,"name":"one"}`
	b := `{"id":2,"name":"two"}`
	c := `{"id":3,"name":"three"}`
	x := `{"id":9,"name":"someone else's"}`
	tests := []struct {
		name      string
		rules     string
		deleted   []string
		own       []string
		rec, got  []byte
		equal     bool
		wantPaths []string // changes reported
		wantNoise []string // substrings of ignored entries' rules
	}{
		{"an item others added is information", "", nil, nil, page(a+","+b, 2, 10), page(x+","+a+","+b, 3, 10), true, nil,
			[]string{"compare body $.content by id: added by others", "ignore body $.totalElements", "compare body $.content by id: moved"}},
		{"items in another order are the same items", "", nil, nil, page(a+","+b, 2, 10), page(b+","+a, 2, 10), true, nil,
			[]string{"compare body $.content by id: moved"}},
		{"a changed item is still a regression wherever it moved", "", nil, nil, page(a+","+b, 2, 10), page(x+","+b+`,{"id":1,"name":"uno"}`, 3, 10), false,
			[]string{"$.content[0].name"}, nil},
		{"a recorded item that is gone is a regression", "", nil, nil, page(a+","+b, 2, 10), page(a, 1, 10), false,
			[]string{"$.content[1]"}, nil},
		{"an item the flow deleted may be gone", "", []string{"2"}, nil, page(a+","+b, 2, 10), page(a, 1, 10), true, nil,
			[]string{"deleted by the flow"}},
		{"a full page loses old items to newer ones", "", nil, nil, page(a+","+b, 9, 2), page(x+","+a, 10, 2), true, nil,
			[]string{"pushed off a full page"}},
		{"a rule pairs by index again", "compare body $.content by index", nil, nil, page(a+","+b, 2, 10), page(b+","+a, 2, 10), false,
			[]string{"$.content[0].id", "$.content[0].name"}, nil},
		{"a rule pairs by another member", "compare body $.content by name", nil, nil,
			page(`{"id":1,"name":"one"}`, 1, 10), page(`{"id":7,"name":"other"},{"id":8,"name":"one"}`, 2, 10), false,
			[]string{"$.content[0].id"}, []string{"compare body $.content by name: added by others"}},
		{"a rule makes a count strict", "compare body $.totalElements", nil, nil, page(a, 1, 10), page(x+","+a, 2, 10), false,
			[]string{"$.totalElements"}, nil},
		{"without ids, arrays pair by index", "", nil, nil, []byte(`{"content":[{"n":1},{"n":2}]}`), []byte(`{"content":[{"n":0},{"n":1},{"n":2}]}`), false,
			[]string{"$.content[0].n"}, nil},
		{"an array not named like items pairs by index", "", nil, nil, []byte(`{"tags":[{"id":1},{"id":2}]}`), []byte(`{"tags":[{"id":2},{"id":1}]}`), false,
			[]string{"$.tags[0].id"}, nil},
		{"someone else's item renamed is information", "", nil, []string{"1"}, page(a+","+b, 2, 10), page(a+`,{"id":2,"name":"deux"}`, 2, 10), true, nil,
			[]string{"changed by others"}},
		{"the flow's own item renamed is a regression", "", nil, []string{"1"}, page(a+","+b, 2, 10), page(`{"id":1,"name":"uno"},`+b, 2, 10), false,
			[]string{"$.content[0].name"}, nil},
		{"someone else's item of another shape is a regression", "", nil, []string{"1"}, page(a+","+b, 2, 10), page(a+`,{"id":2,"title":"two"}`, 2, 10), false,
			[]string{"$.content[1].name", "$.content[1].title"}, nil},
		{"a bare array of items is a collection", "", nil, nil, []byte(`[` + a + `,` + b + `]`), []byte(`[` + c + `,` + a + `,` + b + `]`), true, nil,
			[]string{"added by others"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := diff.ParseRules("rules", strings.NewReader(tc.rules))
			if err != nil {
				t.Fatal(err)
			}
			d, err := diff.New(diff.Config{Rules: rules})
			if err != nil {
				t.Fatal(err)
			}
			res := d.Compare(diff.Operation{Method: "GET", Path: "/api/launch/__search", Deleted: tc.deleted, Own: tc.own},
				diff.Response{Status: 200, Body: tc.rec, ContentType: "application/json"},
				diff.Response{Status: 200, Body: tc.got, ContentType: "application/json"})
			if res.Equal != tc.equal {
				t.Errorf("equal %v, want %v\n%s", res.Equal, tc.equal, res.Report())
			}
			var paths []string
			for _, c := range res.Body {
				paths = append(paths, c.Path)
			}
			for _, p := range tc.wantPaths {
				if !strings.Contains(strings.Join(paths, " "), p) {
					t.Errorf("changes %v lack %s", paths, p)
				}
			}
			var noise []string
			for _, ig := range res.Ignored {
				noise = append(noise, ig.Rule)
			}
			for _, n := range tc.wantNoise {
				if !strings.Contains(strings.Join(noise, "\n"), n) {
					t.Errorf("ignored %q lacks %q", noise, n)
				}
			}
		})
	}
}

func TestCompareBodyRuleSyntax(t *testing.T) {
	for _, tc := range []struct{ name, line, want string }{
		{"keyed by a member", "GET /api/launch/__search: compare body $.content by id", ""},
		{"by nothing", "compare body $.content by ", "want a member name or index"},
		{"by a path", "compare body $.content by a.b", "want a member name or index"},
		{"by on an ignore rule", "ignore body $.content by id", `"by" belongs to compare rules`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := diff.ParseRules("r.noise", strings.NewReader(tc.line))
			if tc.want == "" {
				if err != nil || len(rules) != 1 || rules[0].String() != tc.line {
					t.Errorf("rules %v, err %v: want it read back as written", rules, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "r.noise:1: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want r.noise:1 and %q", err, tc.want)
			}
		})
	}
}
