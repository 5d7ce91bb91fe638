// Package ansi colours the commands' human output for a terminal: verdicts
// and outcomes by how serious they are, and unified diffs red and green,
// as git and grep do. Whether to colour at all is the command's decision
// (a terminal, NO_COLOR, --color); the zero Palette paints nothing.
package ansi

import "strings"

// Palette paints text when On.
type Palette struct{ On bool }

// Every code is "ESC[0;NNm", seven bytes, so that a column of painted
// words stays aligned in a tabwriter table: each cell grows by the same
// width, the header's (painted in the default colour) included.
const (
	red     = "\x1b[0;31m"
	green   = "\x1b[0;32m"
	yellow  = "\x1b[0;33m"
	magenta = "\x1b[0;35m"
	cyan    = "\x1b[0;36m"
	plain   = "\x1b[0;39m"
	grey    = "\x1b[0;90m"
	reset   = "\x1b[0m"
)

func (p Palette) paint(code, s string) string {
	if !p.On {
		return s
	}
	return code + s + reset
}

// Word paints text in the colour of a verdict or outcome word: green for
// what passed, red for regressions and undocumented calls, yellow for
// drift, magenta for infrastructure errors, grey for what was left alone.
// A word it does not know (a verdict added later) gets the default
// colour, which keeps the column aligned.
func (p Palette) Word(word, text string) string {
	return p.paint(wordCode(word), text)
}

// Header paints a table header cell in the default colour, so that it
// lines up with a column of painted cells below it.
func (p Palette) Header(text string) string { return p.paint(plain, text) }

func wordCode(word string) string {
	switch word {
	case "ok", "matched", "passed":
		return green
	case "regression", "undocumented", "failed", "breaking":
		return red
	case "drift":
		return yellow
	case "infra", "broken", "interrupted":
		return magenta
	case "skipped", "not-run", "not-api", "auth":
		return grey
	case "upload":
		return cyan
	}
	return plain
}

// DiffLine paints one line of a unified diff: removals red, additions
// green, hunk headers cyan. The "--- recorded" and "+++ replayed" file
// lines are bold, as git shows them.
func (p Palette) DiffLine(line string) string {
	if !p.On {
		return line
	}
	switch {
	case strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "+++ "):
		return "\x1b[1m" + line + reset
	case strings.HasPrefix(line, "@@"):
		return p.paint(cyan, line)
	case strings.HasPrefix(line, "-"):
		return p.paint(red, line)
	case strings.HasPrefix(line, "+"):
		return p.paint(green, line)
	}
	return line
}
