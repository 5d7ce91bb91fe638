package main

import (
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/ptytest"
)

// TestColorFollowsTheTerminal runs the real command under a pseudo-terminal
// and through a pipe: verdicts are coloured on a terminal only, NO_COLOR
// and --color never turn it off, --color always forces it, and colour
// changes nothing else (the columns stay aligned).
func TestColorFollowsTheTerminal(t *testing.T) {
	bin := ptytest.Build(t, "match")
	rec := "../../recordings/ui-flow"
	plain, code := ptytest.Pipe(t, nil, bin, rec)
	if code != 0 || ptytest.HasColor(plain) {
		t.Fatalf("through a pipe: exit %d, coloured %v\n%s", code, ptytest.HasColor(plain), plain)
	}
	green := "\x1b[0;32mmatched\x1b[0m"
	cases := []struct {
		reason string
		pty    bool
		env    []string
		args   []string
		color  bool
	}{
		{"a terminal gets colour", true, []string{"NO_COLOR=", "TERM=xterm"}, nil, true},
		{"NO_COLOR turns it off", true, []string{"NO_COLOR=1", "TERM=xterm"}, nil, false},
		{"a dumb terminal gets none", true, []string{"NO_COLOR=", "TERM=dumb"}, nil, false},
		{"--color never turns it off", true, []string{"NO_COLOR=", "TERM=xterm"}, []string{"--color", "never"}, false},
		{"--color always forces it through a pipe", false, []string{"NO_COLOR="}, []string{"--color", "always"}, true},
		{"--color always beats NO_COLOR", false, []string{"NO_COLOR=1"}, []string{"--color=always"}, true},
		{"a pipe gets none with --color auto", false, []string{"NO_COLOR="}, []string{"--color", "auto"}, false},
	}
	for _, c := range cases {
		args := append(append([]string{}, c.args...), rec)
		var out string
		if c.pty {
			out, code = ptytest.Run(t, c.env, bin, args...)
		} else {
			out, code = ptytest.Pipe(t, c.env, bin, args...)
		}
		if code != 0 {
			t.Errorf("%s: exit %d\n%s", c.reason, code, out)
			continue
		}
		if got := strings.Contains(out, green); got != c.color || ptytest.HasColor(out) != c.color {
			t.Errorf("%s: coloured %v, want %v\n%q", c.reason, got, c.color, out)
		}
		if ptytest.Plain(out) != plain {
			t.Errorf("%s: without its colour the output differs from a pipe's:\n%s\nwant\n%s", c.reason, ptytest.Plain(out), plain)
		}
	}
	out, code := ptytest.Pipe(t, nil, bin, "--color", "sometimes", rec)
	if code != 2 {
		t.Errorf("--color sometimes: exit %d, want 2\n%s", code, out)
	}
}
