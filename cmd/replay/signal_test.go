package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/sandbox"
)

// TestCtrlCStillPrintsTheReport runs the real command against a slow
// instance and interrupts it: the calls that ran are reported, the rest
// are marked not run, and the exit status is 130, as shells and CI expect.
func TestCtrlCStillPrintsTheReport(t *testing.T) {
	bin := buildReplay(t)
	dir := flowDir(t)
	in := instance(t, sandbox.Knobs{Latency: 400 * time.Millisecond})
	cmd := exec.Command(bin, "--endpoint", in.URL(), "--unsafe", "--concurrency", "1", dir)
	cmd.Env = append(os.Environ(), "TESTOPS_TOKEN="+sandbox.SeedAPIToken)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a call or two went through, then interrupt.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		for _, r := range in.Requests() {
			if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/uaa/oauth/token" {
				n++
			}
		}
		if n >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"replay of ui-flow", "not-run: interrupted", "(interrupted)", "3  project-controller findAll_22: GET /api/project"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "replay: error: interrupted; the report above shows what ran") {
		t.Errorf("stderr: %s", stderr.String())
	}
}
