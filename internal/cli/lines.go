package cli

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// PipeLineWidth is where human-readable output is cut when it goes to a
// file or a pipe, which has no width of its own: wide enough for any URL a
// report prints, narrow enough that one huge answer cannot make a log
// unreadable (a 2 GB answer once printed a 268 MB line).
const PipeLineWidth = 1000

// LineCutter is a writer for human-readable output that cuts every line
// longer than Width characters, ending it with "… (N more characters)" so
// that nothing is silently lost. It holds at most one line's first Width
// characters. Machine output (JSON lines, scripts) must not go through it.
type LineCutter struct {
	w     io.Writer
	width int
	line  []byte // the current line's bytes, up to width characters
	chars int64  // characters in the current line so far
	err   error
}

// NewLineCutter cuts lines at the width of w when it is a terminal, and
// at PipeLineWidth otherwise.
func NewLineCutter(w io.Writer) *LineCutter {
	width := PipeLineWidth
	if IsTerminal(w) {
		if tw := TerminalWidth(w); tw > 0 {
			width = tw
		}
	}
	return &LineCutter{w: w, width: width}
}

// NewLineCutterWidth cuts lines at width characters.
func NewLineCutterWidth(w io.Writer, width int) *LineCutter {
	return &LineCutter{w: w, width: width}
}

// Write never fails short: an error of the underlying writer is reported
// by this and every later call.
func (c *LineCutter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n := len(p)
	for len(p) > 0 {
		i := 0
		for ; i < len(p) && p[i] != '\n'; i++ {
			if utf8.RuneStart(p[i]) {
				c.chars++
			}
			// A character that starts within the width is kept whole.
			if c.chars <= int64(c.width) {
				c.line = append(c.line, p[i])
			}
		}
		if i == len(p) {
			break
		}
		c.endLine("\n")
		p = p[i+1:]
	}
	if c.err != nil {
		return 0, c.err
	}
	return n, nil
}

// Flush writes a last line that has no newline.
func (c *LineCutter) Flush() error {
	if c.err == nil && c.chars > 0 {
		c.endLine("")
	}
	return c.err
}

func (c *LineCutter) endLine(nl string) {
	line := c.line
	if c.chars > int64(c.width) {
		// The count is of the characters left out, so the suffix's own
		// length decides how many are kept: settle it in two rounds.
		keep := int64(c.width)
		var suffix string
		for range 2 {
			suffix = fmt.Sprintf("… (%d more characters)", c.chars-keep)
			keep = max(int64(c.width-utf8.RuneCountInString(suffix)), 0)
		}
		suffix = fmt.Sprintf("… (%d more characters)", c.chars-keep)
		line = append(cutChars(line, keep), suffix...)
	}
	_, c.err = fmt.Fprintf(c.w, "%s%s", line, nl)
	c.line, c.chars = c.line[:0], 0
}

// cutChars is the first n characters of b.
func cutChars(b []byte, n int64) []byte {
	for i := range b {
		if utf8.RuneStart(b[i]) {
			if n == 0 {
				return b[:i:i]
			}
			n--
		}
	}
	return b
}
