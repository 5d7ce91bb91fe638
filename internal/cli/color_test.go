package cli

import (
	"bytes"
	"io"
	"os"
	"testing"
)

func TestUseColor(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	// /dev/null is a character device, as a terminal is, without being
	// one; IsTerminal goes by the device kind, so it stands in for one.
	tty, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	cases := []struct {
		reason string
		mode   string
		out    io.Writer
		getenv func(string) string
		want   bool
		bad    bool
	}{
		{"auto colours a terminal", "auto", tty, env(), true, false},
		{"the default is auto", "", tty, env(), true, false},
		{"auto leaves a buffer plain", "auto", &bytes.Buffer{}, env(), false, false},
		{"NO_COLOR turns auto off", "auto", tty, env("NO_COLOR", "1"), false, false},
		{"an empty NO_COLOR is not set", "auto", tty, env("NO_COLOR", ""), true, false},
		{"a dumb terminal gets none", "auto", tty, env("TERM", "dumb"), false, false},
		{"always forces it", "always", &bytes.Buffer{}, env("NO_COLOR", "1"), true, false},
		{"never turns it off", "never", tty, env(), false, false},
		{"an unknown mode is an error", "sometimes", tty, env(), false, true},
	}
	for _, c := range cases {
		got, err := UseColor(c.mode, c.out, c.getenv)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("%s: %v, %v; want %v (error %v)", c.reason, got, err, c.want, c.bad)
		}
	}
}
