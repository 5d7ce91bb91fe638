// Package values recognises what a recorded value is by its text alone
// (a timestamp in any common form, a Unix time near a given time, a UUID,
// an entity tag, a random number) and makes fresh ones. It is the one place
// that answers "is this query value a cache-buster the browser made up for
// this call" (matching, scripts, replay) and "is this a value that differs
// on every answer" (replay's diff hints, --learn-noise, the starter noise
// of a recording folder, formats in inferred documents).
package values

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Epoch reads a Unix time written in seconds (10 digits), milliseconds (13)
// or microseconds (16), optionally with a fraction, as JavaScript's
// Date.now() and Python's time.time() print it. Other text is not one.
func Epoch(v string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(v, ".")
	if !Digits(whole) || (frac != "" && !Digits(frac)) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	switch len(whole) {
	case 10:
		return time.Unix(n, 0), true
	case 13:
		return time.UnixMilli(n), true
	case 16:
		return time.UnixMicro(n), true
	}
	return time.Time{}, false
}

// EpochNear reports whether v is a Unix time within tolerance of t: a
// value made from the clock when the call was sent.
func EpochNear(v string, t time.Time, tolerance time.Duration) bool {
	at, ok := Epoch(v)
	if !ok || t.IsZero() {
		return false
	}
	d := at.Sub(t)
	return d <= tolerance && d >= -tolerance
}

// RandomNumber reports whether v looks made up to differ on every call:
// a number of several digits, possibly a fraction (Math.random() gives
// "0.8234..."), or a long run of hex digits.
func RandomNumber(v string) bool {
	whole, frac, hasDot := strings.Cut(v, ".")
	switch {
	case hasDot:
		return Digits(whole) && Digits(frac) && len(frac) >= 4
	case Digits(v):
		return len(v) >= 4
	}
	return len(v) >= 8 && hexDigits(v)
}

// Digits reports whether s is one or more ASCII digits.
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func hexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Fresh makes a new value to stand for a recorded cache-buster: the time
// now in the unit the recorded value used (seconds, milliseconds or
// microseconds), or milliseconds when it was a random number, which no
// server tells apart from a counter.
func Fresh(recorded string, now time.Time) string {
	whole, _, _ := strings.Cut(recorded, ".")
	if _, ok := Epoch(recorded); ok {
		switch len(whole) {
		case 10:
			return strconv.FormatInt(now.Unix(), 10)
		case 16:
			return strconv.FormatInt(now.UnixMicro(), 10)
		}
	}
	return strconv.FormatInt(now.UnixMilli(), 10)
}

// ReplaceQuery rewrites the values of the named parameters in a raw query
// string, keeping every other byte (order, escaping, repeated keys) as it
// was: a server may care about order, and a reader comparing the recorded
// and the sent URL should see only what changed.
func ReplaceQuery(raw string, names map[string]bool, value func(name, old string) string) string {
	if raw == "" || len(names) == 0 {
		return raw
	}
	pairs := strings.Split(raw, "&")
	for i, pr := range pairs {
		k, v, ok := strings.Cut(pr, "=")
		name, err := url.QueryUnescape(k)
		if !ok || err != nil || !names[name] {
			continue
		}
		old, err := url.QueryUnescape(v)
		if err != nil {
			old = v
		}
		pairs[i] = k + "=" + url.QueryEscape(value(name, old))
	}
	return strings.Join(pairs, "&")
}
