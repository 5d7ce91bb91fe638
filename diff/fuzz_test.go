package diff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzParseRules checks that the rules parser never panics, that whatever
// it accepts it writes back in a form it reads to the same rules, and that
// every error names the file and a line.
func FuzzParseRules(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/rules/*.noise")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
		// Single lines give the mutator a shorter start.
		for _, line := range strings.Split(string(data), "\n") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		rules, err := ParseRules("f.noise", strings.NewReader(src))
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.noise:") {
					t.Fatalf("error line without a position: %q", line)
				}
			}
			return
		}
		if _, err := New(Config{Rules: rules}); err != nil {
			t.Fatalf("parsed rules rejected by New: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteRules(&buf, rules); err != nil {
			t.Fatal(err)
		}
		again, err := ParseRules("again", bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("written rules do not parse: %v\n%s", err, buf.String())
		}
		if len(again) != len(rules) {
			t.Fatalf("%d rules became %d", len(rules), len(again))
		}
		for i := range rules {
			a, b := rules[i], again[i]
			a.Pos, b.Pos = Pos{}, Pos{}
			if a.Comment != b.Comment && oneLine(a.Comment) != b.Comment {
				t.Fatalf("comment %q came back as %q", a.Comment, b.Comment)
			}
			a.Comment, b.Comment = "", ""
			if a != b {
				t.Fatalf("rule %+v came back as %+v", a, b)
			}
		}
	})
}

// noisyConfig exercises every kind of pattern and the name hints.
var noisyConfig = Config{
	NameHints: true,
	Rules: []Rule{
		{Action: IgnoreAction, Target: BodyTarget, Expr: "$..id"},
		{Action: IgnoreAction, Target: BodyTarget, Expr: "$[*].a[0]"},
		{Action: IgnoreAction, Target: BodyTarget, Expr: "$..*.x"},
	},
	MaxChanges: 50,
}

// FuzzCompareJSON checks the parser against encoding/json and the
// comparison's promises: a body equals itself however it is indented,
// equality does not depend on the order of the arguments, and the diff is
// empty exactly when the bodies are equal.
func FuzzCompareJSON(f *testing.F) {
	for _, s := range [][2]string{
		{`{"a":1,"b":[1,2,3]}`, `{"b":[1,2],"a":1.0}`},
		{`{"content":[{"id":9007199254740993,"createdDate":1}]}`, `{"content":[{"id":9007199254740992,"createdDate":2}]}`},
		{`[{"a":[1,{"x":2}]}]`, `[{"a":[3,{"x":4}]},null]`},
		{`"\u00e9\ud83d\ude00"`, `"é😀"`},
		{`{"a":{"b":{"c":[[],{}]}}}`, `{"a":{"b":{"c":[{},[]]}}}`},
		{`[1e2, -0, 0.50]`, `[100, 0, 0.5]`},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	plain, _ := New(Config{DiffTimeout: time.Second})
	noisy, _ := New(noisyConfig)
	keyed, _ := New(Config{DiffTimeout: time.Second})
	plain.byIndex, noisy.byIndex = true, true
	f.Fuzz(func(t *testing.T, a, b []byte) {
		checkAgainstStd(t, a)
		checkAgainstStd(t, b)
		for _, d := range []*Differ{plain, noisy, keyed} {
			ab := d.Compare(Operation{}, jsonResp(string(a)), jsonResp(string(b)))
			ba := d.Compare(Operation{}, jsonResp(string(b)), jsonResp(string(a)))
			// Pairing items by identity is one-sided: an item only in the
			// replayed answer is information, one only in the recorded is not.
			if d.byIndex && ab.Equal != ba.Equal {
				t.Fatalf("Equal(a, b) = %v but Equal(b, a) = %v", ab.Equal, ba.Equal)
			}
			for _, r := range []*Result{ab, ba} {
				if (r.Diff == "") != r.Equal {
					t.Fatalf("Equal = %v but diff is %q", r.Equal, r.Diff)
				}
				if r.Equal != (len(r.Body) == 0 && r.BodyOmitted == 0) {
					t.Fatalf("Equal = %v with body changes %v", r.Equal, r.Body)
				}
			}
			if !json.Valid(a) {
				continue
			}
			var indented bytes.Buffer
			json.Indent(&indented, a, "", "\t")
			if r := d.Compare(Operation{}, jsonResp(string(a)), jsonResp(indented.String())); !r.Equal {
				t.Fatalf("a body differs from itself indented:\n%s", r.Report())
			}
			if json.Valid(b) {
				va, _ := decodeStd(a)
				vb, _ := decodeStd(b)
				if reflect.DeepEqual(va, vb) && !ab.Equal {
					t.Fatalf("encoding/json sees equal values, the differ does not:\n%s", ab.Report())
				}
			}
		}
	})
}

// FuzzUnifiedDiff checks that every diff applies: patching a with it gives b.
func FuzzUnifiedDiff(f *testing.F) {
	for _, tc := range unifiedCases {
		f.Add(tc.a, tc.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		d, _, _ := unifiedDiff(a, b, 2, time.Second)
		if (d == "") != (a == b) {
			t.Fatalf("diff %q for a == b: %v", d, a == b)
		}
		got, err := applyUnified(a, d)
		if err != nil || got != b {
			t.Fatalf("the diff does not apply: %v; got %q, want %q\n%s", err, got, b, d)
		}
	})
}
