package apitrail_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/apitrail/apitrail/internal/golden"
	isandbox "github.com/apitrail/apitrail/internal/sandbox"
)

// TestScripts runs the CLI contract of the four commands, one script per
// command in testdata/script: each mistake a user makes, the exit code and
// the exact error and hint lines the command answers with. The scripts run
// the built binaries, with these commands besides testscript's own:
//
//	exits CODE PROG ARGS...   run PROG and check its exit code (exec only
//	                          tells zero from non-zero)
//	busyport VAR              hold a loopback port for the rest of the script
//	                          and set VAR to its address
//	instance VAR KIND         start a server until the script ends and set VAR
//	                          to its URL (VAR_HOST to its host:port): sandbox (the sandbox binary),
//	                          sandbox-tls (the same over HTTPS, CA in
//	                          $WORK/sandbox-ca.pem), or not-testops (a web
//	                          server that is not TestOps and answers 501 to a
//	                          POST, as Python's http.server does)
func TestScripts(t *testing.T) {
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("testdata", "script"),
		UpdateScripts: golden.Updating(), // -update rewrites the expected lines
		Setup: func(env *testscript.Env) error {
			if buildErr != nil {
				return buildErr
			}
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("REPO", repo)
			env.Setenv("APITRAIL_CAROOT", filepath.Join(env.WorkDir, "ca"))
			env.Setenv("TESTOPS_TOKEN", isandbox.SeedAPIToken)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":    cmdExits,
			"busyport": cmdBusyPort,
			"instance": cmdInstance,
		},
	})
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

func cmdBusyPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: busyport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { l.Close() })
	ts.Setenv(args[0], l.Addr().String())
}

func cmdInstance(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: instance VAR sandbox|sandbox-tls|not-testops")
	}
	var cmd *exec.Cmd
	switch args[1] {
	case "sandbox", "sandbox-tls":
		sbArgs := []string{"--listen", "127.0.0.1:0"}
		if args[1] == "sandbox-tls" {
			sbArgs = append(sbArgs, "--tls", "--ca-out", ts.MkAbs("sandbox-ca.pem"))
		}
		cmd = exec.Command(filepath.Join(binDir, "sandbox"), sbArgs...)
	case "not-testops":
		// Python's http.server answers a POST this way, but closes the
		// connection before reading the request's body, so the answer
		// reaches the client only now and then; this one reads it first.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(http.StatusNotImplemented)
			fmt.Fprintf(w, "<html><body><h1>Error response</h1><p>Error code: 501</p><p>Message: Unsupported method ('%s').</p></body></html>\n", r.Method)
		}))
		ts.Defer(srv.Close)
		setURL(ts, args[0], srv.URL)
		return
	default:
		ts.Fatalf("instance: no kind %q", args[1])
	}
	cmd.Dir = ts.MkAbs(".")
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	cmd.Stderr = nil
	ts.Check(cmd.Start())
	ts.Defer(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// The sandbox prints its URL once it listens.
	sc := bufio.NewScanner(out)
	url := ""
	for url == "" && sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "sandbox at "); ok {
			url = u
		}
	}
	if url == "" {
		ts.Fatalf("the sandbox printed no URL")
	}
	go io.Copy(io.Discard, out)
	setURL(ts, args[0], url)
}

// setURL sets VAR to url and VAR_HOST to its host and port, from which a
// script writes the URL with another scheme.
func setURL(ts *testscript.TestScript, name, url string) {
	ts.Setenv(name, url)
	_, host, _ := strings.Cut(url, "://")
	ts.Setenv(name+"_HOST", host)
}
