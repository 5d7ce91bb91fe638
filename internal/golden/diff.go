package golden

import (
	"bytes"
	"fmt"
	"strings"
)

// context is how many unchanged lines a hunk shows around a change, as
// diff -u does.
const context = 3

// maxCells bounds the table of the longest common subsequence. Beyond it
// (two files of some two thousand lines that differ throughout) the
// changed middle is shown as removed and then added: still a correct
// diff, only not the shortest one.
const maxCells = 4 << 20

// edit is one line of a diff: kept (' '), removed ('-') or added ('+').
type edit struct {
	op   byte
	line string // with its newline, if it has one
}

// Diff returns a unified diff of old and new, line by line, in the format
// of diff -u (hunk ranges and "\ No newline at end of file" included), or
// "" when they are the same bytes.
func Diff(oldName string, old []byte, newName string, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	edits := lineEdits(splitLines(old), splitLines(new))
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(edits) {
		writeHunk(&b, edits, h)
	}
	return b.String()
}

// splitLines cuts s after each newline; a last line without one is kept.
func splitLines(s []byte) []string {
	var out []string
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		out = append(out, string(s[:i]))
		s = s[i:]
	}
	return out
}

// lineEdits turns a into b through a longest common subsequence of their
// lines, removals before additions within a change.
func lineEdits(a, b []string) []edit {
	var out []edit
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		out = append(out, edit{' ', a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if (len(am)+1)*(len(bm)+1) > maxCells {
		for _, l := range am {
			out = append(out, edit{'-', l})
		}
		for _, l := range bm {
			out = append(out, edit{'+', l})
		}
	} else {
		out = append(out, lcsEdits(am, bm)...)
	}
	for _, l := range a[len(a)-suf:] {
		out = append(out, edit{' ', l})
	}
	return out
}

func lcsEdits(a, b []string) []edit {
	w := len(b) + 1
	// lcs[i*w+j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var out []edit
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, edit{' ', a[i]})
			i++
			j++
		case j == len(b) || i < len(a) && lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, edit{'-', a[i]})
			i++
		default:
			out = append(out, edit{'+', b[j]})
			j++
		}
	}
	return out
}

// hunk is a stretch of edits, [start, end), shown together.
type hunk struct{ start, end int }

// hunks groups the changes with their context; changes whose contexts
// touch or overlap share a hunk.
func hunks(edits []edit) []hunk {
	var out []hunk
	for i, e := range edits {
		if e.op == ' ' {
			continue
		}
		start, end := max(i-context, 0), min(i+1+context, len(edits))
		if n := len(out); n > 0 && start <= out[n-1].end {
			out[n-1].end = end
			continue
		}
		out = append(out, hunk{start, end})
	}
	return out
}

func writeHunk(b *strings.Builder, edits []edit, h hunk) {
	// Line numbers where the hunk starts in each file, counted from 1.
	oldLine, newLine := 1, 1
	for _, e := range edits[:h.start] {
		if e.op != '+' {
			oldLine++
		}
		if e.op != '-' {
			newLine++
		}
	}
	oldCount, newCount := 0, 0
	for _, e := range edits[h.start:h.end] {
		if e.op != '+' {
			oldCount++
		}
		if e.op != '-' {
			newCount++
		}
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(oldLine, oldCount), hunkRange(newLine, newCount))
	for _, e := range edits[h.start:h.end] {
		b.WriteByte(e.op)
		b.WriteString(e.line)
		if !strings.HasSuffix(e.line, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange writes a hunk's range as diff -u does: the count left out
// when it is 1, and an empty range named by the line before it.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
