package values

import (
	"testing"
	"time"
)

func TestEpochNear(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		reason string
		value  string
		want   bool
	}{
		{"milliseconds, as Date.now() gives", "1796464800000", true},
		{"seconds", "1796464790", true},
		{"microseconds", "1796464800000123", true},
		{"seconds with a fraction, as Python's time.time() prints", "1796464800.25", true},
		{"a minute and a half before", "1796464710000", true},
		{"a day before", "1796378400000", false},
		{"eleven digits are no Unix time", "17964648000", false},
		{"a word", "abc", false},
		{"a negative number", "-1796464800", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := EpochNear(tt.value, at, 2*time.Minute); got != tt.want {
			t.Errorf("%s: EpochNear(%q) = %v, want %v", tt.reason, tt.value, got, tt.want)
		}
	}
}

func TestRandomNumber(t *testing.T) {
	tests := []struct {
		reason string
		value  string
		want   bool
	}{
		{"Math.random()", "0.8234719283", true},
		{"a long counter", "1796464800000", true},
		{"hex of a random id", "9f2c4e7a1b", true},
		{"a small number says something", "42", false},
		{"a short fraction is a value", "1.5", false},
		{"a word", "latest", false},
		{"a short hex word", "beef", false},
	}
	for _, tt := range tests {
		if got := RandomNumber(tt.value); got != tt.want {
			t.Errorf("%s: RandomNumber(%q) = %v, want %v", tt.reason, tt.value, got, tt.want)
		}
	}
}

func TestFresh(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		reason, recorded, want string
	}{
		{"milliseconds stay milliseconds", "1796464800000", "1796515200000"},
		{"seconds stay seconds", "1796464800", "1796515200"},
		{"microseconds stay microseconds", "1796464800000123", "1796515200000000"},
		{"a random number becomes milliseconds", "0.8234719283", "1796515200000"},
	}
	for _, tt := range tests {
		if got := Fresh(tt.recorded, now); got != tt.want {
			t.Errorf("%s: Fresh(%q) = %q, want %q", tt.reason, tt.recorded, got, tt.want)
		}
	}
}

func TestReplaceQuery(t *testing.T) {
	names := map[string]bool{"_": true, "cb": true}
	set := func(name, old string) string { return "<" + name + ":" + old + ">" }
	tests := []struct {
		reason, raw, want string
	}{
		{"only the named parameters change, in place", "type=directory&_=1796464800000&x=%2F", "type=directory&_=%3C_%3A1796464800000%3E&x=%2F"},
		{"every occurrence of a repeated name", "cb=1&a=2&cb=3", "cb=%3Ccb%3A1%3E&a=2&cb=%3Ccb%3A3%3E"},
		{"a key without a value is left alone", "_&a=1", "_&a=1"},
		{"no query", "", ""},
	}
	for _, tt := range tests {
		if got := ReplaceQuery(tt.raw, names, set); got != tt.want {
			t.Errorf("%s: ReplaceQuery(%q) = %q, want %q", tt.reason, tt.raw, got, tt.want)
		}
	}
}
