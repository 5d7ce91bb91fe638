package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/ptytest"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// TestColorOnATerminal replays the UI flow against version 2 of the
// instance under a pseudo-terminal: outcomes are coloured (regressions
// red, ok green), the diff's removed lines red and added lines green; with
// NO_COLOR, or through a pipe, nothing is.
func TestColorOnATerminal(t *testing.T) {
	bin := ptytest.Build(t, "replay")
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{V2: true})
	env := []string{"TESTOPS_TOKEN=" + sandbox.SeedAPIToken, "TERM=xterm", "NO_COLOR="}
	args := []string{"--endpoint", in.URL(), "--unsafe", "-c", "1", dir}

	out, code := ptytest.Run(t, env, bin, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, re := range []string{
		`\x1b\[0;31mregression\x1b\[0m`,
		`\x1b\[0;32mok\b[^\x1b]*\x1b\[0m`,
		`\x1b\[0;31m-\s+"closed": (true|false),\x1b\[0m`,
		`\x1b\[0;32m\+\s+"isClosed": (true|false),\x1b\[0m`,
		`\x1b\[0;36m@@ [^\x1b]* @@\x1b\[0m`,
		`\x1b\[1m--- recorded\x1b\[0m`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("on a terminal the report lacks %q:\n%q", re, out)
		}
	}
	if !strings.Contains(ptytest.Plain(out), "launch-controller findOne_23: GET /api/launch/{id}") {
		t.Errorf("the report without colour:\n%s", ptytest.Plain(out))
	}

	for _, c := range []struct {
		reason string
		run    func() (string, int)
	}{
		{"NO_COLOR", func() (string, int) {
			return ptytest.Run(t, append(env, "NO_COLOR=1"), bin, args...)
		}},
		{"a pipe", func() (string, int) { return ptytest.Pipe(t, env, bin, args...) }},
	} {
		out, code := c.run()
		if code != 1 || ptytest.HasColor(out) || !strings.Contains(out, `"isClosed"`) {
			t.Errorf("%s: exit %d, coloured %v:\n%q", c.reason, code, ptytest.HasColor(out), out)
		}
	}
}
