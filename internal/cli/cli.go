// Package cli holds what the commands share: how errors and hints are
// printed, whether output is a terminal, and a status line for long runs.
package cli

import (
	"errors"
	"fmt"
	"github.com/apitrail/apitrail/auth"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/apitrail/apitrail/har"
)

// Exit codes shared by every command, as their usage texts list them.
const (
	ExitOK    = 0 // all is well
	ExitDiff  = 1 // a difference, drift or regression was found
	ExitError = 2 // a usage or runtime error
	ExitInfra = 3 // the instance could not be reached, or only infrastructure errors
	// ExitInterrupted is what shells and CI expect of a command Ctrl-C
	// stopped: 128 plus SIGINT's number.
	ExitInterrupted = 130
)

// Hinted is an error that carries advice for the user.
type Hinted interface {
	error
	Hint() string
}

type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Hint() string  { return h.hint }
func (h *hinted) Unwrap() error { return h.err }

// WithHint attaches advice to an error.
func WithHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: fmt.Sprintf(format, args...)}
}

// PrintError writes "prog: error: msg" and, when the error has one,
// "prog: hint: ..." — each on one line — and returns ExitError. URLs in
// both go through the redaction rules (har.RedactText): an error quotes
// what it failed on, and that may be a URL with a password or a token.
func PrintError(w io.Writer, prog string, err error) int {
	msg := err.Error()
	var listed interface{ Lines() []string }
	var lines []string
	if errors.As(err, &listed) {
		// A list (the places discovery tried) is read one item a line.
		msg, _, _ = strings.Cut(msg, "\n")
		lines = listed.Lines()
	}
	// Libraries do not open their errors with their package's name, so the
	// message is printed as it is: "sandbox: error: sandbox: ..." cannot happen.
	msg = har.RedactText(strings.ReplaceAll(msg, "\n", " "))
	fmt.Fprintf(w, "%s: error: %s\n", prog, msg)
	for _, l := range lines {
		fmt.Fprintf(w, "%s:   %s\n", prog, har.RedactText(strings.ReplaceAll(l, "\n", " ")))
	}
	var h Hinted
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(w, "%s: hint: %s\n", prog, har.RedactText(h.Hint()))
	} else if hint := signInHint(err); hint != "" {
		fmt.Fprintf(w, "%s: hint: %s\n", prog, hint)
	}
	return ExitError
}

// RedactError returns err with its message and hint cleaned by red
// (ReportText), which knows secret values the default rules cannot: the
// API token, the Bearer tokens, a recording's cookies. A nil red or err is
// returned as it is.
func RedactError(err error, red *har.Redactor) error {
	if err == nil || red == nil {
		return err
	}
	out := &hinted{err: redactedError{err, red.ReportText(err.Error())}}
	var h Hinted
	if errors.As(err, &h) {
		out.hint = red.ReportText(h.Hint())
	}
	return out
}

// redactedError shows a cleaned message and keeps the original in its
// chain, so that errors.Is and errors.As still see what went wrong.
type redactedError struct {
	err error
	msg string
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// signInHint is the advice for a sign-in failure that carries none of its
// own: what to do in this toolkit's flags, which auth does not know.
func signInHint(err error) string {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		return ""
	}
	switch {
	case errors.Is(err, auth.ErrWrongEndpoint) && ae.Op == "token exchange":
		return "no TestOps token exchange answers here: if this is TestOps, give the address you open it at in a browser, without /api; " +
			"if the instance signs in another way, choose it with --auth bearer|basic|oauth2|none or --auth-header 'NAME: VALUE' (e.g. 'Authorization: token {token}')"
	case errors.Is(err, auth.ErrWrongEndpoint):
		return "check the endpoint (or --token-url): it is the instance's base URL"
	case errors.Is(err, auth.ErrTokenRejected) && strings.HasPrefix(ae.Op, "OAuth"):
		return "the client id, secret or scopes were refused: check --client-id, --scope and --client-secret-file (or $" + EnvClientSecret + ")"
	case errors.Is(err, auth.ErrTokenRejected):
		return "the token is wrong, expired or revoked: pass a valid one with $" + EnvToken + " or --token-file (a TestOps API token is made under your profile, API tokens); if the instance is not TestOps, choose its sign-in with --auth or --auth-header"
	case errors.Is(err, auth.ErrUnreachable):
		return "check the endpoint's host and port, your network and proxy settings, and that the instance is up"
	case errors.Is(err, auth.ErrTLS):
		return "if the instance uses a private or corporate CA, pass its certificate with --ca-cert FILE"
	case errors.Is(err, auth.ErrServer):
		return "the instance is up but failing; try again later or ask its administrators"
	}
	return ""
}

// Warn writes "prog: warning: msg", with URLs redacted as PrintError does.
func Warn(w io.Writer, prog, format string, args ...any) {
	fmt.Fprintf(w, "%s: warning: %s\n", prog, har.RedactText(fmt.Sprintf(format, args...)))
}

// IsTerminal reports whether w is a terminal (a character device), so that
// status lines are shown to people and kept out of pipes and files.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Status is a one-line status display for a terminal; it writes nothing
// when its writer is not a terminal.
type Status struct {
	mu      sync.Mutex
	w       io.Writer
	on      bool
	width   int
	last    time.Time
	visible bool
}

// NewStatus returns a status line on w, active only when w is a terminal.
// It stays narrower than the terminal: a line that wraps cannot be
// cleared with a carriage return.
func NewStatus(w io.Writer) *Status {
	width := 120
	if tw := TerminalWidth(w); tw > 1 {
		width = min(width, tw-1)
	}
	return &Status{w: w, on: IsTerminal(w), width: width}
}

// Set replaces the status text, at most ten times a second.
func (s *Status) Set(format string, args ...any) {
	if s == nil || !s.on {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.last) < 100*time.Millisecond {
		return
	}
	s.last = time.Now()
	line := fmt.Sprintf(format, args...)
	width := s.width
	if width <= 0 {
		width = 120
	}
	if len(line) > width {
		cut := max(width-3, 0)
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut-- // not inside a character
		}
		line = line[:cut] + "..."
	}
	fmt.Fprintf(s.w, "\r\033[K%s", line)
	s.visible = true
}

// Clear removes the status line so that other output starts clean.
func (s *Status) Clear() {
	if s == nil || !s.on {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.visible {
		fmt.Fprint(s.w, "\r\033[K")
		s.visible = false
	}
}
