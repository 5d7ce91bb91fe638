package cli

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPrintErrorIsOneLinePlusHint(t *testing.T) {
	for _, c := range []struct {
		reason string
		err    error
		want   string
	}{
		{"a plain error", errors.New("no spec"), "replay: error: no spec\n"},
		{"a hint on its own line", WithHint(errors.New("no spec"), "give --spec %s", "FILE"), "replay: error: no spec\nreplay: hint: give --spec FILE\n"},
		{"a multi-line error is folded", errors.New("a\nb"), "replay: error: a b\n"},
		{"a wrapped hint is found", fmtErr(WithHint(errors.New("inner"), "do this")), "replay: error: outer: inner\nreplay: hint: do this\n"},
		{"the message is printed as it is, even opening with the command's name (a flow folder named replay)", errors.New("replay: not a flow folder"), "replay: error: replay: not a flow folder\n"},
	} {
		var buf bytes.Buffer
		if code := PrintError(&buf, "replay", c.err); code != ExitError || buf.String() != c.want {
			t.Errorf("%s: %d %q, want %q", c.reason, code, buf.String(), c.want)
		}
	}
}

func fmtErr(err error) error { return &wrapped{err} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "outer: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func TestStatusOnlyOnATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := NewStatus(w)
	s.Set("replaying %d", 1)
	s.Clear()
	w.Close()
	var got bytes.Buffer
	got.ReadFrom(r)
	if got.Len() != 0 {
		t.Errorf("a pipe got status output %q", got.String())
	}

	var buf bytes.Buffer
	on := &Status{w: &buf, on: true}
	on.Set("replaying %s: %d/%d", "ui-flow", 1, 5)
	on.Set("dropped: within 100ms of the last") // rate-limited
	time.Sleep(110 * time.Millisecond)
	on.Set("%s", strings.Repeat("x", 200))
	on.Clear()
	out := buf.String()
	if !strings.HasPrefix(out, "\r\033[Kreplaying ui-flow: 1/5") || strings.Contains(out, "dropped") || !strings.HasSuffix(out, "...\r\033[K") {
		t.Errorf("terminal output %q", out)
	}
	var nilStatus *Status
	nilStatus.Set("no panic")
	nilStatus.Clear()
}

// A long status line is cut between characters, never inside one: a flow
// or a URL may hold letters beyond ASCII.
func TestStatusCutsBetweenCharacters(t *testing.T) {
	var buf bytes.Buffer
	s := &Status{w: &buf, on: true}
	s.Set("%s", strings.Repeat("x", 116)+strings.Repeat("é", 10))
	if out := buf.String(); !utf8.ValidString(out) || !strings.HasSuffix(out, "x...") {
		t.Errorf("status line %q", out)
	}
}

func TestPlainRemote(t *testing.T) {
	cases := []struct {
		reason string
		url    string
		warn   bool
	}{
		{"https anywhere", "https://testops.example.com", false},
		{"loopback by address", "http://127.0.0.1:8080", false},
		{"anywhere in 127/8", "http://127.9.9.9", false},
		{"IPv6 loopback", "http://[::1]:8080", false},
		{"localhost", "http://localhost:8080", false},
		{"localhost in capitals with a final dot", "http://LocalHost.:8080", false},
		{"a name under .localhost (RFC 6761)", "http://testops.localhost", false},
		{"a name, whatever it resolves to", "http://testops.example.com", true},
		{"a private address is still the network", "http://10.0.0.5:8080", true},
		{"a name that only starts like localhost", "http://localhost.example.com", true},
		{"the unspecified address", "http://0.0.0.0:8080", true},
	}
	for _, c := range cases {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := PlainRemote(u); got != c.warn {
			t.Errorf("%s: PlainRemote(%s) = %v, want %v", c.reason, c.url, got, c.warn)
		}
	}
}
