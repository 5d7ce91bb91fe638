package diff

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxDiffLines bounds the lines handed to go-diff at once. Its line mode
// stands for each distinct line with one rune, and there are only about
// 1.1 million of those.
const maxDiffLines = 1_000_000

// run is a stretch of lines that are equal (' '), removed ('-') or added ('+').
type run struct {
	op    byte
	lines []string
}

// splitLines splits text after each newline; a last line without one stays
// as it is.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// unified returns a unified diff of two texts, noting on the result when
// go-diff ran out of time or the texts were too long for it.
func (s *session) unified(a, b string) string {
	out, timedOut, tooLong := unifiedDiff(a, b, s.d.cfg.Context, s.d.cfg.DiffTimeout)
	if timedOut {
		s.note("the line diff hit its %v time limit; it is correct but may be longer than needed", s.d.cfg.DiffTimeout)
	}
	if tooLong {
		s.note("more than %d differing lines: the diff shows them all as removed and added", maxDiffLines)
	}
	return out
}

// unifiedDiff compares two texts line by line: common leading and trailing
// lines are set aside first, go-diff (line mode, with its time limit) aligns
// the rest, and the result is written as hunks with context lines around
// each change. It is empty exactly when a == b.
func unifiedDiff(a, b string, context int, timeout time.Duration) (out string, timedOut, tooLong bool) {
	if a == b {
		return "", false, false
	}
	la, lb := splitLines(a), splitLines(b)
	pre := 0
	for pre < len(la) && pre < len(lb) && la[pre] == lb[pre] {
		pre++
	}
	suf := 0
	for suf < len(la)-pre && suf < len(lb)-pre && la[len(la)-1-suf] == lb[len(lb)-1-suf] {
		suf++
	}
	ma, mb := la[pre:len(la)-suf], lb[pre:len(lb)-suf]
	runs := []run{{' ', la[:pre]}}
	if len(ma)+len(mb) > maxDiffLines {
		tooLong = true
		runs = append(runs, run{'-', ma}, run{'+', mb})
	} else {
		dmp := diffmatchpatch.New()
		dmp.DiffTimeout = timeout
		ca, cb, lineArray := dmp.DiffLinesToChars(strings.Join(ma, ""), strings.Join(mb, ""))
		start := time.Now()
		diffs := dmp.DiffMain(ca, cb, false)
		timedOut = timeout > 0 && time.Since(start) >= timeout
		for _, d := range dmp.DiffCharsToLines(diffs, lineArray) {
			op := byte(' ')
			switch d.Type {
			case diffmatchpatch.DiffDelete:
				op = '-'
			case diffmatchpatch.DiffInsert:
				op = '+'
			}
			runs = append(runs, run{op, splitLines(d.Text)})
		}
	}
	runs = append(runs, run{' ', la[len(la)-suf:]})
	return writeHunks(mergeRuns(runs), context), timedOut, tooLong
}

// mergeRuns drops empty runs and joins neighbours of the same kind.
func mergeRuns(runs []run) []run {
	var out []run
	for _, r := range runs {
		switch {
		case len(r.lines) == 0:
		case len(out) > 0 && out[len(out)-1].op == r.op:
			last := &out[len(out)-1]
			// Clip: the lines may share an array with the next run's.
			last.lines = append(slices.Clip(last.lines), r.lines...)
		default:
			out = append(out, r)
		}
	}
	return out
}

// writeHunks renders runs as a unified diff: equal runs longer than twice
// the context are cut, leaving context lines on each side of a change.
func writeHunks(runs []run, context int) string {
	var b strings.Builder
	b.WriteString("--- recorded\n+++ replayed\n")
	var (
		hunk           []string // lines with their op byte in front
		startA, startB int      // 0-based first line of the hunk on each side
		countA, countB int
		open           bool
		ai, bi         int // lines consumed on each side
	)
	add := func(op byte, lines []string) {
		for _, l := range lines {
			hunk = append(hunk, string(op)+l)
		}
		if op != '+' {
			countA += len(lines)
		}
		if op != '-' {
			countB += len(lines)
		}
	}
	flush := func() {
		b.WriteString("@@ -" + hunkRange(startA, countA) + " +" + hunkRange(startB, countB) + " @@\n")
		for _, l := range hunk {
			b.WriteString(l)
			if !strings.HasSuffix(l, "\n") {
				b.WriteString("\n\\ No newline at end of file\n")
			}
		}
		hunk, open = hunk[:0], false
	}
	for i, r := range runs {
		n := len(r.lines)
		if r.op == ' ' {
			if open {
				if n <= 2*context && i < len(runs)-1 {
					add(' ', r.lines) // too short to split: it joins two changes
					ai, bi = ai+n, bi+n
					continue
				}
				add(' ', r.lines[:min(n, context)])
				flush()
			}
			ai, bi = ai+n, bi+n
			continue
		}
		if !open {
			var lead []string
			if i > 0 && runs[i-1].op == ' ' {
				prev := runs[i-1].lines
				lead = prev[len(prev)-min(len(prev), context):]
			}
			open = true
			startA, startB = ai-len(lead), bi-len(lead)
			countA, countB = 0, 0
			add(' ', lead)
		}
		add(r.op, r.lines)
		if r.op == '-' {
			ai += n
		} else {
			bi += n
		}
	}
	if open {
		flush()
	}
	return b.String()
}

// hunkRange writes one side of an @@ line: "start,count", or "start" for a
// single line, or the line before and 0 for none, as GNU diff does.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return strconv.Itoa(start) + ",0"
	case 1:
		return strconv.Itoa(start + 1)
	}
	return strconv.Itoa(start+1) + "," + strconv.Itoa(count)
}
