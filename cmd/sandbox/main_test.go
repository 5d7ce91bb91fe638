package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/syncbuf"
)

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"help is not an error", []string{"--help"}, 0, ""},
		{"an unknown flag", []string{"--nope"}, 2, "sandbox: error: unknown flag: --nope"},
		{"a stray argument", []string{"extra"}, 2, `sandbox: error: unexpected argument "extra"`},
		{"a rate above 1", []string{"--fail-rate", "2"}, 2, "sandbox: error: --fail-rate must be between 0 and 1, not 2"},
		{"a public address", []string{"--listen", "0.0.0.0:0"}, 2, "is not loopback"},
		{"the old spelling --addr still works", []string{"--addr", "0.0.0.0:0"}, 2, "is not loopback"},
		{"a busy port gets a hint", []string{"--listen", busyPort(t)}, 2, "sandbox: hint: another sandbox (or program) runs there; pick a free port with --listen"},
		{"other users going back in time", []string{"--other-users", "-1s"}, 2, "sandbox: error: --other-users must not be negative, not -1s"},
		{"a data file that is not JSON", []string{"--addr", "127.0.0.1:0", "--data", "testdata-not-json"}, 2, "sandbox: error: data file testdata-not-json: line 1, column 2"},
	}
	t.Chdir(t.TempDir())
	if err := os.WriteFile("testdata-not-json", []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tc.args, &out, &errb, nil); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, errb.String())
			}
			if !strings.Contains(errb.String(), tc.wantErr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.wantErr)
			}
			if tc.code == 0 && !strings.Contains(out.String(), "Usage: sandbox") {
				t.Errorf("help printed %q", out.String())
			}
		})
	}
}

func TestRunServesUntilStopped(t *testing.T) {
	out := &syncbuf.Buffer{}
	var errb bytes.Buffer
	stop := make(chan struct{})
	done := make(chan int)
	go func() { done <- run([]string{"--listen", "127.0.0.1:0"}, out, &errb, stop) }()
	re := regexp.MustCompile(`sandbox at (http://127\.0\.0\.1:\d+)`)
	var base string
	// The replay command is the last line printed before serving.
	for deadline := time.Now().Add(10 * time.Second); (base == "" || !strings.Contains(out.String(), "recordings/\n")) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no URL printed: %q %q", out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "replay -e "+base+" ") || strings.Contains(out.String(), "TESTOPS_ENDPOINT") {
		t.Errorf("the printed replay command does not name this instance, or names a variable no command reads:\n%s", out.String())
	}
	res, err := http.Get(base + "/api/management/health/readiness")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("readiness %d", res.StatusCode)
	}
	close(stop)
	if code := <-done; code != 0 {
		t.Errorf("exit %d after stop", code)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Error("the instance still answers after run returned")
	}
}

// busyPort returns a loopback address something listens on until the test ends.
func busyPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}
