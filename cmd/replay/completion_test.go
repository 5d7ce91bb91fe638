package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompletionInRealShells loads replay's completion script into real
// bash, zsh and fish and completes "replay --sh": each offers --shard and
// no flag that does not start so.
func TestCompletionInRealShells(t *testing.T) {
	for _, c := range []struct {
		shell string
		run   func(script string) *exec.Cmd
	}{
		{"bash", func(s string) *exec.Cmd {
			return exec.Command("bash", "--norc", "-c", `source "$1"; COMP_WORDS=(replay --sh); COMP_CWORD=1; _apitrail_replay; printf '%s\n' "${COMPREPLY[@]}"`, "bash", s)
		}},
		{"zsh", func(s string) *exec.Cmd {
			// Outside a completion widget compadd cannot run; this one
			// prints what the function offers, and PREFIX is the word
			// being completed, as zsh sets it.
			return exec.Command("zsh", "-f", "-c", `source "$1"; compadd() { local a; for a in "$@"; do [[ $a == -- ]] || print -r -- $a; done }; PREFIX=--sh; _apitrail_replay`, "zsh", s)
		}},
		{"fish", func(s string) *exec.Cmd {
			return exec.Command("fish", "--no-config", "-c", `source $argv[1]; complete -C "replay --sh"`, s)
		}},
	} {
		t.Run(c.shell, func(t *testing.T) {
			if _, err := exec.LookPath(c.shell); err != nil {
				t.Skipf("%s is not installed (.ci/run installs it)", c.shell)
			}
			code, script, errOut := runReplay(t, env(""), "--completion", c.shell)
			if code != 0 {
				t.Fatalf("exit %d %s", code, errOut)
			}
			path := filepath.Join(t.TempDir(), "replay."+c.shell)
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := c.run(path)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			var offered []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				offered = append(offered, strings.Fields(l + " ")[0])
			}
			if !slices.Contains(offered, "--shard") {
				t.Errorf("completing replay --sh offered %q, not --shard", offered)
			}
			for _, o := range offered {
				if !strings.HasPrefix(o, "--sh") {
					t.Errorf("%q offered for --sh", o)
				}
			}
		})
	}
	if code, _, errOut := runReplay(t, env(""), "--completion", "tcsh"); code != 2 || !strings.HasPrefix(errOut, `replay: error: --completion "tcsh": no such shell`+"\nreplay: hint: give one of bash, zsh, fish") {
		t.Errorf("an unknown shell: exit %d %q", code, errOut)
	}
}
