//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package cli

import "io"

// TerminalWidth is unknown here; lines are cut at PipeLineWidth.
func TerminalWidth(io.Writer) int { return 0 }
