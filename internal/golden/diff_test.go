package golden

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffIsWhatDiffUPrints holds Diff to GNU diff -u's own output, hunk
// ranges, context and the no-newline mark included, on changes where the
// shortest diff is unique.
func TestDiffIsWhatDiffUPrints(t *testing.T) {
	bin, err := exec.LookPath("diff")
	if err != nil {
		t.Skip("no diff on PATH (Debian: diffutils)")
	}
	numbered := func(from, to int, change map[int]string) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			if c, ok := change[i]; ok {
				b.WriteString(c)
				continue
			}
			b.WriteString("line " + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "\n")
		}
		return b.String()
	}
	cases := []struct{ reason, old, new string }{
		{"one line changed in the middle of a long file shows three lines either side", numbered(1, 30, nil), numbered(1, 30, map[int]string{15: "changed\n"})},
		{"a line added at the top", numbered(1, 10, nil), "new first\n" + numbered(1, 10, nil)},
		{"a line removed at the end", numbered(1, 10, nil), numbered(1, 9, nil)},
		{"two changes six lines apart share one hunk", numbered(1, 30, nil), numbered(1, 30, map[int]string{10: "A\n", 17: "B\n"})},
		{"two changes seven lines apart make two hunks", numbered(1, 30, nil), numbered(1, 30, map[int]string{10: "A\n", 18: "B\n"})},
		{"the last newline taken away", "a\nb\nc\n", "a\nb\nc"},
		{"the last newline added", "a\nb\nc", "a\nb\nc\n"},
		{"an empty file filled", "", "a\nb\n"},
		{"a file emptied", "a\nb\n", ""},
		{"a block replaced by a longer one", numbered(1, 12, nil), numbered(1, 5, nil) + "x\ny\nz\nw\n" + numbered(9, 12, nil)},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			os.WriteFile(a, []byte(c.old), 0o644)
			os.WriteFile(b, []byte(c.new), 0o644)
			want, _ := exec.Command(bin, "-u", "--label", "old", "--label", "new", a, b).Output()
			if got := Diff("old", []byte(c.old), "new", []byte(c.new)); got != string(want) {
				t.Errorf("Diff:\n%s\ndiff -u:\n%s", got, want)
			}
		})
	}
}

// TestDiffAppliesWithPatch gives patch(1) the diff of random pairs of files
// and checks that it turns the old file into the new one, and that the
// diff is as short as GNU diff --minimal's.
func TestDiffAppliesWithPatch(t *testing.T) {
	patchBin, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("no patch on PATH (Debian: patch; .ci/run installs it)")
	}
	diffBin, err := exec.LookPath("diff")
	if err != nil {
		t.Skip("no diff on PATH (Debian: diffutils)")
	}
	r := rand.New(rand.NewPCG(19, 1))
	random := func() []byte {
		var b bytes.Buffer
		for range r.IntN(40) {
			// Few distinct lines, so that files share many of them.
			b.WriteString(string(rune('a' + r.IntN(5))))
			b.WriteByte('\n')
		}
		if r.IntN(4) == 0 && b.Len() > 0 {
			b.Truncate(b.Len() - 1)
		}
		return b.Bytes()
	}
	dir := t.TempDir()
	oldPath, newPath := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	changed := func(d string) int {
		n := 0
		for _, l := range strings.Split(d, "\n") {
			if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
				n++
			}
		}
		return n
	}
	for i := range 150 {
		old, new := random(), random()
		d := Diff("old", old, "new", new)
		if (d == "") != bytes.Equal(old, new) {
			t.Fatalf("pair %d: empty diff %v for files equal %v", i, d == "", bytes.Equal(old, new))
		}
		if d == "" {
			continue
		}
		os.WriteFile(oldPath, old, 0o644)
		os.WriteFile(newPath, new, 0o644)
		gnu, _ := exec.Command(diffBin, "--minimal", "-u", oldPath, newPath).Output()
		if changed(d) != changed(string(gnu)) {
			t.Errorf("pair %d: %d changed lines, diff --minimal has %d:\n%s\n%s", i, changed(d), changed(string(gnu)), d, gnu)
		}
		cmd := exec.Command(patchBin, "--quiet", "--force", oldPath)
		cmd.Stdin = strings.NewReader(d)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pair %d: patch: %v\n%s\ndiff:\n%s", i, err, out, d)
		}
		if got, _ := os.ReadFile(oldPath); !bytes.Equal(got, new) {
			t.Fatalf("pair %d: patched %q, want %q; diff:\n%s", i, got, new, d)
		}
	}
}

// TestDiffOfLargeFilesFallsBack checks that two large files that differ
// throughout still get a correct diff, without a table the size of both.
func TestDiffOfLargeFilesFallsBack(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		a.WriteString("old " + string(rune('a'+i%26)) + "\n")
		b.WriteString("new " + string(rune('a'+i%26)) + "\n")
	}
	d := Diff("a", []byte("same\n"+a.String()), "b", []byte("same\n"+b.String()))
	if !strings.HasPrefix(d, "--- a\n+++ b\n@@ -1,3001 +1,3001 @@\n same\n-old a\n") || strings.Count(d, "\n-old ") != 3000 || strings.Count(d, "\n+new ") != 3000 {
		t.Errorf("diff of two large files starts %q", d[:min(len(d), 200)])
	}
}
