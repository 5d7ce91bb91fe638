package cli

import (
	"fmt"
	"io"
)

// ColorModes are the values --color takes, as git, ls and grep take them.
var ColorModes = []string{"auto", "always", "never"}

// UseColor decides whether output to w is coloured: always, never, or
// (auto) when w is a terminal and neither NO_COLOR (https://no-color.org:
// set and not empty) nor TERM=dumb says otherwise. An unknown mode is a
// usage error naming the flag.
func UseColor(mode string, w io.Writer, getenv func(string) string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
			return false, nil
		}
		return IsTerminal(w), nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", mode)
}
