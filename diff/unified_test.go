package diff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// applyUnified applies a diff made by unifiedDiff to a, as patch would,
// checking every context and removed line against a.
func applyUnified(a, diff string) (string, error) {
	if diff == "" {
		return a, nil
	}
	lines := splitLines(diff)
	if len(lines) < 2 || lines[0] != "--- recorded\n" || lines[1] != "+++ replayed\n" {
		return "", fmt.Errorf("no unified header")
	}
	src := splitLines(a)
	var out strings.Builder
	next := 0 // next line of src to copy
	for i := 2; i < len(lines); {
		var sa, ca, sb, cb int
		h := lines[i]
		if _, err := fmt.Sscanf(strings.NewReplacer(",", " ").Replace(hunkHeaderNorm(h)), "@@ -%d %d +%d %d @@", &sa, &ca, &sb, &cb); err != nil {
			return "", fmt.Errorf("bad hunk header %q: %v", h, err)
		}
		start := sa - 1
		if ca == 0 {
			start = sa
		}
		if start < next {
			return "", fmt.Errorf("hunk %q goes backwards", h)
		}
		for ; next < start; next++ {
			out.WriteString(src[next])
		}
		i++
		seenA, seenB := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			i++
			noNL := i < len(lines) && lines[i] == "\\ No newline at end of file\n"
			body := l[1:]
			if noNL {
				body = strings.TrimSuffix(body, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(src) || src[next] != body {
					return "", fmt.Errorf("line %d of a is %q, the diff says %q", next+1, at(src, next), body)
				}
				next++
				seenA++
				if l[0] == ' ' {
					out.WriteString(body)
					seenB++
				}
			case '+':
				out.WriteString(body)
				seenB++
			default:
				return "", fmt.Errorf("bad diff line %q", l)
			}
		}
		if seenA != ca || seenB != cb {
			return "", fmt.Errorf("hunk %q counts %d,%d lines but holds %d,%d", h, ca, cb, seenA, seenB)
		}
	}
	for ; next < len(src); next++ {
		out.WriteString(src[next])
	}
	return out.String(), nil
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end>"
}

// hunkHeaderNorm spells out the counts a hunk header leaves implicit.
func hunkHeaderNorm(h string) string {
	f := strings.Fields(h)
	if len(f) < 4 {
		return h
	}
	for i := 1; i <= 2; i++ {
		if !strings.Contains(f[i], ",") {
			f[i] += ",1"
		}
	}
	return strings.Join(f[:4], " ")
}

var unifiedCases = []struct{ name, a, b string }{
	{"one changed line", "a\nb\nc\n", "a\nB\nc\n"},
	{"from nothing", "", "x\ny\n"},
	{"to nothing", "x\ny\n", ""},
	{"a final newline added", "a\nb", "a\nb\n"},
	{"a final newline removed", "a\nb\n", "a\nb"},
	{"both without final newline", "a\nb", "a\nc"},
	{"changes far apart", numbered(40, 2, 35), numbered(40, 2, 3, 35)},
	{"changes close together", numbered(20, 5, 9), numbered(20, 6)},
	{"insert at the top", "b\nc\n", "a\nb\nc\n"},
	{"append at the end", "a\n", "a\nb\n"},
	{"repeated lines", strings.Repeat("x\n", 50), strings.Repeat("x\n", 20) + "y\n" + strings.Repeat("x\n", 31)},
	{"carriage returns", "a\r\nb\r\n", "a\nb\n"},
}

// numbered returns n lines, with the given line numbers changed.
func numbered(n int, changed ...int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		s := "line " + strconv.Itoa(i)
		for _, c := range changed {
			if c == i {
				s += " changed"
			}
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

func TestUnifiedDiffApplies(t *testing.T) {
	for _, tc := range unifiedCases {
		for _, context := range []int{0, 1, 3} {
			d, _, _ := unifiedDiff(tc.a, tc.b, context, time.Second)
			got, err := applyUnified(tc.a, d)
			if err != nil || got != tc.b {
				t.Errorf("%s, context %d: applying the diff gives %q, %v; want %q\n%s", tc.name, context, got, err, tc.b, d)
			}
		}
	}
	if d, _, _ := unifiedDiff("same\n", "same\n", 3, time.Second); d != "" {
		t.Errorf("equal texts give a diff: %q", d)
	}
}

// TestUnifiedDiffWithGNUPatch hands the diffs to the real patch program, the
// tool a user would apply them with.
func TestUnifiedDiffWithGNUPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("skipping: patch is not installed (apt-get install patch)")
	}
	dir := t.TempDir()
	for i, tc := range unifiedCases {
		d, _, _ := unifiedDiff(tc.a, tc.b, 3, time.Second)
		orig := filepath.Join(dir, fmt.Sprintf("a%d", i))
		out := filepath.Join(dir, fmt.Sprintf("b%d", i))
		os.WriteFile(orig, []byte(tc.a), 0o644)
		cmd := exec.Command(patch, "--quiet", "--force", "-o", out, orig)
		cmd.Stdin = strings.NewReader(d)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: patch fails: %v\n%s\n%s", tc.name, err, msg, d)
			continue
		}
		if got, _ := os.ReadFile(out); string(got) != tc.b {
			t.Errorf("%s: patch gives %q, want %q\n%s", tc.name, got, tc.b, d)
		}
	}
}

func TestUnifiedDiffShape(t *testing.T) {
	d, _, _ := unifiedDiff("", "x\n", 3, time.Second)
	if d != "--- recorded\n+++ replayed\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("diff from nothing: %q", d)
	}
	d, _, _ = unifiedDiff(numbered(40, 2, 35), numbered(40, 2, 3, 35), 3, time.Second)
	if got := strings.Count(d, "\n@@ "); got != 1 || !strings.Contains(d, "@@ -1,6 +1,6 @@\n") {
		t.Errorf("one change near the top wants one hunk of 6 lines:\n%s", d)
	}
	d, _, _ = unifiedDiff(numbered(40), numbered(40, 3, 30), 3, time.Second)
	if got := strings.Count(d, "@@ -"); got != 2 {
		t.Errorf("changes 27 lines apart want two hunks, got %d:\n%s", got, d)
	}
}

func TestUnifiedDiffTooLong(t *testing.T) {
	// Past go-diff's line budget the diff is still right, just not minimal.
	n := maxDiffLines/2 + 10
	a := strings.Repeat("a\n", n)
	b := "x\n" + strings.Repeat("b\n", n-2) + "x\n"
	d, _, tooLong := unifiedDiff(a, b, 3, time.Second)
	if !tooLong {
		t.Fatal("not marked too long")
	}
	if got, err := applyUnified(a, d); err != nil || got != b {
		t.Fatalf("the long diff does not apply: %v", err)
	}
}
