package cli

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"0", 0, ""},
		{"4096", 4096, ""},
		{"4MiB", 4 << 20, ""},
		{"4mb", 4 << 20, ""},
		{"512 KB", 512 << 10, ""},
		{"1.5GiB", 3 << 29, ""},
		{"2g", 2 << 30, ""},
		{"100b", 100, ""},
		{"", 0, "not a size"},
		{"MB", 0, "not a size"},
		{"lots", 0, "not a size"},
		{"1e9", 0, "not a size"},
		{"0x10", 0, "not a size"},
		{"-1MB", 0, "negative"},
		{"2048GB", 0, "more than 1TiB"},
		{"NaN", 0, "not a size"},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseSize(%q) = %d, %v; want an error containing %q", tt.in, got, err, tt.err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"4MiB", "512 KB", "1.5GiB", "0", "-1", "1e3", "Inf", "9999999999999GB", " 7 k "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			return
		}
		if n < 0 || n > 1<<40 {
			t.Fatalf("parseSize(%q) = %d, outside 0..1TiB", s, n)
		}
		// What formatSize writes reads back the same.
		if back, err := parseSize(formatSize(n)); err != nil || back != n {
			t.Fatalf("formatSize(%d) = %q reads back as %d, %v", n, formatSize(n), back, err)
		}
	})
}
