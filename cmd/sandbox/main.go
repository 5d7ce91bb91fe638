// Command sandbox runs the local TestOps-like instance of internal/sandbox
// until interrupted, for trying capture, match and replay by hand.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/internal/sandbox"
	flag "github.com/spf13/pflag"
)

const usage = `Usage: sandbox [options]

Runs a local stand-in for an Allure TestOps instance on loopback, with seed
data, a small web UI at / and its API documents at /swagger-ui.html, until
interrupted. It prints its URL, the seeded login and the seeded API token.

Options:
  -l, --listen ADDR          listen address, loopback only (default 127.0.0.1:8080)
      --tls                  serve HTTPS; the CA certificate is written to --ca-out
      --ca-out FILE          where --tls writes its CA certificate (default sandbox-ca.pem)
      --token-validity DUR   access token lifetime, e.g. 2s or 30m (default 1h)
      --latency DUR          delay added to every /api/ answer
      --fail-rate SHARE      share of /api/ requests answered 503 (0 to 1)
      --drop-rate SHARE      share of /api/ connections closed without an answer (0 to 1)
      --v2                   version 2 mode: the changed shapes drift checks look for
      --data FILE            keep the data (projects, launches, test cases, results)
                             in FILE across restarts, as a long-lived instance does;
                             created if missing, saved after every write
      --other-users DUR      every DUR, another user (alice, bob) creates, renames or
                             deletes a launch of their own in project 1, as on a
                             shared instance; never one they did not create
  -h, --help                 show this help
      --version              print the version and the VCS revision it was built from
      --completion SHELL     print a completion script for bash, zsh or fish

Exit codes: 0 after an interrupt, 2 on a usage or start-up error.

Examples:
  sandbox
  sandbox --listen 127.0.0.1:9443 --tls --ca-out /tmp/sandbox-ca.pem
  sandbox --v2 --token-validity 2s
  sandbox --data /tmp/sandbox.json --other-users 200ms
`

const prog = "sandbox"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, nil)) }

// run starts the instance and blocks until a signal arrives or stop is
// closed (tests close it).
func run(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.StringP("listen", "l", "127.0.0.1:8080", "")
	// --addr (-a) was the first spelling; capture says --listen, so both
	// commands do now, and old scripts keep working.
	fs.StringVarP(addr, "addr", "a", "127.0.0.1:8080", "")
	fs.MarkHidden("addr")
	useTLS := fs.Bool("tls", false, "")
	caOut := fs.String("ca-out", "sandbox-ca.pem", "")
	validity := fs.Duration("token-validity", time.Hour, "")
	latency := fs.Duration("latency", 0, "")
	failRate := fs.Float64("fail-rate", 0, "")
	dropRate := fs.Float64("drop-rate", 0, "")
	v2 := fs.Bool("v2", false, "")
	dataFile := fs.String("data", "", "")
	others := fs.Duration("other-users", 0, "")
	help := fs.BoolP("help", "h", false, "")
	version := fs.Bool("version", false, "")
	completion := fs.String("completion", "", "")
	if err := fs.Parse(args); err != nil {
		return cli.PrintError(stderr, prog, cli.WithHint(err, "run 'sandbox --help' for usage"))
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return cli.ExitOK
	}
	if code, done := cli.Meta(stdout, stderr, prog, fs, *version, *completion); done {
		return code
	}
	if fs.NArg() > 0 {
		return cli.PrintError(stderr, prog, cli.WithHint(fmt.Errorf("unexpected argument %q", fs.Arg(0)), "sandbox takes options only, e.g. --listen 127.0.0.1:8080; run 'sandbox --help' for usage"))
	}
	for _, r := range []struct {
		flag string
		v    float64
	}{{"--fail-rate", *failRate}, {"--drop-rate", *dropRate}} {
		if r.v < 0 || r.v > 1 {
			return cli.PrintError(stderr, prog, fmt.Errorf("%s must be between 0 and 1, not %v", r.flag, r.v))
		}
	}
	if *others < 0 {
		return cli.PrintError(stderr, prog, fmt.Errorf("--other-users must not be negative, not %v", *others))
	}
	in, err := sandbox.Start(sandbox.Options{Addr: *addr, TLS: *useTLS, DataFile: *dataFile, Knobs: sandbox.Knobs{
		TokenValidity: *validity, Latency: *latency, FailureRate: *failRate, DropRate: *dropRate, V2: *v2, OtherUsers: *others}})
	if errors.Is(err, syscall.EADDRINUSE) {
		return cli.PrintError(stderr, prog, cli.WithHint(fmt.Errorf("cannot listen on %s: the address is in use", *addr),
			"another sandbox (or program) runs there; pick a free port with --listen 127.0.0.1:8081"))
	}
	if err != nil {
		return cli.PrintError(stderr, prog, err)
	}
	defer in.Close()
	if *useTLS {
		if err := os.WriteFile(*caOut, in.CACertPEM(), 0o644); err != nil {
			return cli.PrintError(stderr, prog, err)
		}
		fmt.Fprintf(stdout, "CA certificate: %s (pass it with --ca-cert)\n", *caOut)
	}
	fmt.Fprintf(stdout, "sandbox at %s\n", in.URL())
	if *dataFile != "" {
		fmt.Fprintf(stdout, "data kept in %s\n", *dataFile)
	}
	fmt.Fprintf(stdout, "UI: %s/   documents: %s/swagger-ui.html\n", in.URL(), in.URL())
	fmt.Fprintf(stdout, "login: %s / %s\n", sandbox.SeedUsername, sandbox.SeedPassword)
	fmt.Fprintf(stdout, "API token (a sandbox value, safe to show): %s\n", sandbox.SeedAPIToken)
	// The two lines a user pastes to replay the bundled flows here; no
	// command reads an endpoint from the environment, so it goes in -e.
	fmt.Fprintf(stdout, "  export TESTOPS_TOKEN=%s\n  go run ./cmd/replay -e %s --unsafe recordings/\n", sandbox.SeedAPIToken, in.URL())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case <-sig:
	case <-stop:
	}
	return cli.ExitOK
}
