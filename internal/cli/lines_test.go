package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineCutter(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		why   string
		width int
		in    string
		want  string
	}{
		{"short lines pass as they are", 40, "a\nbb\n\nccc", "a\nbb\n\nccc"},
		{"a line of exactly the width is whole", 10, "0123456789\n", "0123456789\n"},
		{"a long line is cut with a count of what is left out, to the width", 40, long + "\nnext\n",
			strings.Repeat("x", 16) + "… (4984 more characters)\nnext\n"},
		{"characters count, not bytes, and none is split", 30, strings.Repeat("é", 100) + "\n",
			strings.Repeat("é", 8) + "… (92 more characters)\n"},
		{"a last line without a newline is cut too", 30, long, "xxxxxx… (4994 more characters)"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		c := NewLineCutterWidth(&out, tt.width)
		// Written in small pieces, as fmt and tabwriter do.
		for in := tt.in; in != ""; {
			n := min(7, len(in))
			if k, err := c.Write([]byte(in[:n])); k != n || err != nil {
				t.Fatalf("%s: Write = %d, %v", tt.why, k, err)
			}
			in = in[n:]
		}
		c.Flush()
		if out.String() != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.why, out.String(), tt.want)
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if utf8.RuneCountInString(line) > tt.width {
				t.Errorf("%s: line of %d characters, width %d", tt.why, utf8.RuneCountInString(line), tt.width)
			}
		}
	}
}

// A huge line costs no more memory than its first width characters.
func TestLineCutterHoldsOneWidth(t *testing.T) {
	var out bytes.Buffer
	c := NewLineCutterWidth(&out, PipeLineWidth)
	chunk := bytes.Repeat([]byte("y"), 1<<20)
	for range 64 {
		c.Write(chunk)
	}
	c.Write([]byte("\n"))
	if cap(c.line) > 4*PipeLineWidth {
		t.Errorf("the cutter holds %d bytes for a line cut at %d", cap(c.line), PipeLineWidth)
	}
	want := fmt.Sprintf("(%d more characters)\n", 64<<20-(PipeLineWidth-utf8.RuneCountInString("… (67107838 more characters)")))
	if !strings.HasSuffix(out.String(), want) || utf8.RuneCountInString(out.String()) != PipeLineWidth+1 {
		t.Errorf("got %d characters ending %q, want %d ending %q", utf8.RuneCountInString(out.String()), out.String()[len(out.String())-40:], PipeLineWidth+1, want)
	}
}
