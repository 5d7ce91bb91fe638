package values

import (
	"strings"
	"time"
)

// Kind is a family of values that change from one answer to the next
// without the answer being any different: two timestamps, two UUIDs or two
// entity tags that differ say only that the answers were made at other
// times or of other objects.
type Kind string

const (
	Timestamp Kind = "timestamp"
	UUID      Kind = "uuid"
	ETag      Kind = "etag"
	// ObjectID is a MongoDB ObjectId (24 hex digits) or a ULID (26
	// Crockford base32 characters): ids made from a clock and a random
	// part.
	ObjectID Kind = "object id"
)

// Form is what a value was recognised as: its kind and the written form
// within it, such as "ISO 8601" or "epoch milliseconds", for a reader.
type Form struct {
	Kind Kind
	Name string
}

func (f Form) String() string {
	if f.Name == "" || f.Name == string(f.Kind) {
		return string(f.Kind)
	}
	return string(f.Kind) + " (" + f.Name + ")"
}

// EpochWindow is how far from the recording's time a number may lie and
// still be read as a Unix time: records a long-lived instance made years
// ago are timestamps, but a 10-digit id from outside the window is not.
const EpochWindow = 5 * 365 * 24 * time.Hour

// Recognise says what kind of changing value v is by its text alone: a
// timestamp (ISO 8601 in its common forms, an HTTP or e-mail date, or a
// Unix time in seconds, milliseconds or microseconds within EpochWindow of
// near), a UUID, an entity tag, or an ObjectId or ULID. v is a JSON
// string's text or a JSON number as written. A zero near recognises no
// Unix time: without a time to compare with, a number is just a number.
//
// Near misses are deliberately not recognised: a date alone (a due date or
// a birthday is a value, not a clock reading), a version string, a short
// number, a longer text that holds a timestamp.
func Recognise(v string, near time.Time) (Form, bool) {
	if len(v) < 8 || len(v) > 100 {
		return Form{}, false
	}
	switch c := v[0]; {
	case c >= '0' && c <= '9':
		if at, ok := Epoch(v); ok && !near.IsZero() {
			if d := at.Sub(near); d <= EpochWindow && d >= -EpochWindow {
				return Form{Timestamp, epochName(v)}, true
			}
			return Form{}, false
		}
	case c == '"' || c == 'W':
		if isETag(v) {
			return Form{ETag, "entity tag"}, true
		}
	}
	switch {
	case IsUUID(v):
		return Form{UUID, "UUID"}, true
	case len(v) == 32 && hexDigits(v) && mixedHex(v):
		return Form{UUID, "UUID without dashes"}, true
	case len(v) == 24 && hexDigits(v) && mixedHex(v):
		return Form{ObjectID, "ObjectId"}, true
	case isULID(v):
		return Form{ObjectID, "ULID"}, true
	}
	if _, name, ok := ParseTime(v); ok {
		return Form{Timestamp, name}, true
	}
	return Form{}, false
}

func epochName(v string) string {
	whole, _, _ := strings.Cut(v, ".")
	switch len(whole) {
	case 10:
		return "epoch seconds"
	case 13:
		return "epoch milliseconds"
	}
	return "epoch microseconds"
}

// isoLayouts are the ISO 8601 forms servers and exporters write: RFC 3339
// with any number of fractional digits, with an offset without its colon,
// with a space for the T, without a zone (taken as UTC), to the minute,
// and the basic form without separators.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"20060102T150405Z0700",
}

// httpLayouts are the dates of HTTP (RFC 1123, the obsolete RFC 850 and
// asctime forms) and of e-mail (RFC 1123 with a numeric zone).
var httpLayouts = []struct{ layout, name string }{
	{time.RFC1123, "RFC 1123"},
	{time.RFC1123Z, "RFC 1123"},
	{"Mon, 2 Jan 2006 15:04:05 MST", "RFC 1123"},
	{"Mon, 2 Jan 2006 15:04:05 -0700", "RFC 1123"},
	{time.RFC850, "RFC 850"},
	{time.ANSIC, "asctime"},
}

// ParseTime reads a timestamp written as text: ISO 8601 in its common
// forms (see ISO8601) or an HTTP or e-mail date. name says which.
func ParseTime(v string) (time.Time, string, bool) {
	if t, ok := ISO8601(v); ok {
		return t, "ISO 8601", true
	}
	if len(v) < 20 {
		return time.Time{}, "", false
	}
	for _, l := range httpLayouts {
		if t, err := time.Parse(l.layout, v); err == nil {
			return t, l.name, true
		}
	}
	return time.Time{}, "", false
}

// ISO8601 reads a date and time of day in ISO 8601: RFC 3339 with any
// number of fractional digits, "Z", an offset with or without its colon,
// or none (taken as UTC), a space for the T, to the minute, or the basic
// form 20261205T100000Z. A date alone is not one.
func ISO8601(v string) (time.Time, bool) {
	if len(v) < 15 || v[0] < '0' || v[0] > '9' {
		return time.Time{}, false
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// IsUUID reports whether v is a UUID in its 8-4-4-4-12 hex form, of any
// version.
func IsUUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch i {
		case 8, 13, 18, 23:
			if v[i] != '-' {
				return false
			}
		default:
			if !hexDigits(v[i : i+1]) {
				return false
			}
		}
	}
	return true
}

// mixedHex reports whether a hex string holds both a digit and a letter:
// random hex nearly always does, and a run of one kind is more likely a
// number or a word.
func mixedHex(v string) bool {
	return strings.ContainsAny(v, "0123456789") && strings.ContainsAny(v, "abcdefABCDEF")
}

// isETag reports an entity tag as HTTP writes it (RFC 9110): an opaque
// string in double quotes, weak when W/ comes first. The quotes are what
// tell it from any other word.
func isETag(v string) bool {
	v = strings.TrimPrefix(v, "W/")
	if len(v) < 3 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	for i := 1; i < len(v)-1; i++ {
		if c := v[i]; c == '"' || c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

// isULID reports a ULID: 26 characters of Crockford's base32 (no I, L, O
// or U), the first at most 7, with both letters and digits.
func isULID(v string) bool {
	if len(v) != 26 || v[0] < '0' || v[0] > '7' {
		return false
	}
	letters := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U':
			letters = true
		default:
			return false
		}
	}
	return letters && strings.ContainsAny(v[1:], "0123456789")
}

// FormatKind says which kind of changing value a schema's format promises:
// OpenAPI's date-time, date and time are timestamps, uuid a UUID.
func FormatKind(format string) (Kind, bool) {
	switch format {
	case "date-time", "date", "time", "unixtime", "unix-time":
		return Timestamp, true
	case "uuid":
		return UUID, true
	}
	return "", false
}

// Format gives the JSON Schema format a string strictly keeps to, for a
// document that promises it of later values too: "uuid", "date-time" (RFC
// 3339 exactly) or "date" (a full date); "" for any other string.
func Format(v string) string {
	switch {
	case IsUUID(v):
		return "uuid"
	case len(v) == 10 && v[4] == '-' && v[7] == '-':
		if _, err := time.Parse(time.DateOnly, v); err == nil && Digits(v[:4]+v[5:7]+v[8:]) {
			return "date"
		}
	case len(v) >= 20 && v[4] == '-' && v[10] == 'T':
		if _, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return "date-time"
		}
	}
	return ""
}
