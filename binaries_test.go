// The tests of this package run the four commands as their users do: the
// real binaries, built once per test run, against a local instance started
// from the sandbox binary. lifecycle_test.go walks a recording from the
// browser to a CI suite; script_test.go runs the CLI contract scripts in
// testdata/script.
package apitrail_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/syncbuf"
)

// commands are the binaries the tests build, in the order they are built.
var commands = []string{"capture", "match", "replay", "sandbox"}

// binDir holds the built commands; buildErr says why they are not there.
var (
	binDir   string
	buildErr error
)

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "apitrail-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer os.RemoveAll(dir)
		binDir, buildErr = dir, build(dir)
		return m.Run()
	}()
	os.Exit(code)
}

// build compiles the commands into dir with the VCS stamp on (this
// machine's GOFLAGS turns it off), so --version has a revision to name.
func build(dir string) error {
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, c := range commands {
		args = append(args, "./cmd/"+c)
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=auto")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

// bin returns the path of a built command, failing the test when the
// build did.
func bin(t testing.TB, name string) string {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

// result is what one run of a command left.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs a built command in dir with env added to the environment and
// stdin as its input.
func runCmd(t testing.TB, dir string, env []string, stdin io.Reader, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin(t, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%s: %v", name, err)
	}
	return result{cmd.ProcessState.ExitCode(), out.String(), errb.String()}
}

// process is a command running in the background.
type process struct {
	cmd    *exec.Cmd
	output *syncbuf.Buffer // stdout and stderr together
	done   chan struct{}
}

// start runs a built command in the background; the test's cleanup kills
// it if it still runs.
func start(t testing.TB, dir string, env []string, name string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin(t, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &process{cmd: cmd, output: &syncbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// await waits until the process's output matches re and returns the
// first submatch.
func (p *process) await(t testing.TB, re *regexp.Regexp, limit time.Duration) string {
	t.Helper()
	deadline := time.After(limit)
	for {
		if m := re.FindStringSubmatch(p.output.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case <-p.done:
			t.Fatalf("%s ended before printing %s:\n%s", filepath.Base(p.cmd.Path), re, p.output.String())
		case <-deadline:
			t.Fatalf("%s did not print %s in %v:\n%s", filepath.Base(p.cmd.Path), re, limit, p.output.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait returns the exit code once the process ends, failing after limit.
func (p *process) wait(t testing.TB, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("%s still runs after %v:\n%s", filepath.Base(p.cmd.Path), limit, p.output.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

var sandboxURL = regexp.MustCompile(`(?m)^sandbox at (\S+)$`)

// sandbox is the local instance, run from the sandbox binary on a free
// loopback port.
type sandbox struct {
	URL    string
	CAFile string // the CA certificate of a --tls instance, else ""
}

// startSandbox runs the sandbox binary until the test ends; tls serves
// HTTPS with a CA certificate written into the test's folder.
func startSandbox(t testing.TB, tls bool) sandbox {
	t.Helper()
	args := []string{"--listen", "127.0.0.1:0"}
	var s sandbox
	if tls {
		s.CAFile = filepath.Join(t.TempDir(), "sandbox-ca.pem")
		args = append(args, "--tls", "--ca-out", s.CAFile)
	}
	p := start(t, t.TempDir(), nil, "sandbox", args...)
	s.URL = p.await(t, sandboxURL, 30*time.Second)
	return s
}

// lines splits output into its lines, without the empty last one.
func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestVersionNamesTheRevision: --version of each built command names the
// commit it was built from. The go command stamps the revision only in a
// repository's own work tree (its .git a folder, as in CI's clone), not in
// a linked git worktree; there the line must say it has none.
func TestVersionNamesTheRevision(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("skipping: not in a git work tree")
	}
	top, _ := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git"))
	stamped := err == nil && fi.IsDir()
	for _, c := range commands {
		r := runCmd(t, ".", nil, nil, c, "--version")
		want := "revision " + strings.TrimSpace(string(head))
		if !stamped {
			want = "(no VCS revision"
		}
		if r.code != 0 || !strings.HasPrefix(r.stdout, c+" ") || !strings.Contains(r.stdout, want) || r.stderr != "" {
			t.Errorf("%s --version: exit %d %q %q, want %q in it", c, r.code, r.stdout, r.stderr, want)
		}
	}
}
