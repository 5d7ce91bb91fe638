package values

import (
	"testing"
	"time"
)

func TestRecognise(t *testing.T) {
	// The recording's time: epoch values are read against it.
	near := time.Date(2026, 11, 28, 10, 33, 37, 0, time.UTC)
	tests := []struct {
		reason string
		value  string
		want   Form // zero: not recognised
	}{
		// ISO 8601
		{"RFC 3339 in UTC, as Go and JavaScript's toISOString write it", "2026-11-28T10:33:37.997Z", Form{Timestamp, "ISO 8601"}},
		{"Python's isoformat with microseconds and an offset", "2026-11-28T10:33:37.123456+00:00", Form{Timestamp, "ISO 8601"}},
		{"an offset without its colon, as Java's SimpleDateFormat writes it", "2026-11-28T10:33:37.997+0100", Form{Timestamp, "ISO 8601"}},
		{"no zone at all, as a LocalDateTime serialises", "2026-11-28T10:33:37", Form{Timestamp, "ISO 8601"}},
		{"a space for the T, as SQL databases print", "2026-11-28 10:33:37.5", Form{Timestamp, "ISO 8601"}},
		{"to the minute", "2026-11-28T10:33", Form{Timestamp, "ISO 8601"}},
		{"the basic form without separators", "20261128T103337Z", Form{Timestamp, "ISO 8601"}},
		{"a timestamp from long ago is still a timestamp when written as a date", "1999-01-01T00:00:00Z", Form{Timestamp, "ISO 8601"}},
		// HTTP and e-mail dates
		{"RFC 1123, as HTTP's Date header", "Sat, 28 Nov 2026 10:33:38 GMT", Form{Timestamp, "RFC 1123"}},
		{"RFC 1123 with a numeric zone, as e-mail", "Sat, 28 Nov 2026 10:33:38 +0100", Form{Timestamp, "RFC 1123"}},
		{"RFC 1123 with a one-digit day", "Sat, 5 Dec 2026 10:33:38 GMT", Form{Timestamp, "RFC 1123"}},
		{"RFC 850, HTTP's obsolete form", "Saturday, 28-Nov-26 10:33:38 GMT", Form{Timestamp, "RFC 850"}},
		{"asctime, HTTP's other obsolete form", "Sat Nov 28 10:33:38 2026", Form{Timestamp, "asctime"}},
		// Unix times near the recording
		{"epoch milliseconds, as Date.now() and Java's Instant give", "1795862018016", Form{Timestamp, "epoch milliseconds"}},
		{"epoch seconds", "1795862018", Form{Timestamp, "epoch seconds"}},
		{"epoch seconds with a fraction, as Python's time.time()", "1795862018.25", Form{Timestamp, "epoch seconds"}},
		{"epoch microseconds", "1795862018016123", Form{Timestamp, "epoch microseconds"}},
		{"four years before the recording is within the window", "1670000000", Form{Timestamp, "epoch seconds"}},
		// ids
		{"a version 4 UUID", "3f1c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57", Form{UUID, "UUID"}},
		{"an upper-case UUID", "3F1C2A9E-5B1D-4C8E-9A6F-0D2E4B8C1A57", Form{UUID, "UUID"}},
		{"a UUID without its dashes", "3f1c2a9e5b1d4c8e9a6f0d2e4b8c1a57", Form{UUID, "UUID without dashes"}},
		{"a strong entity tag", `"33a64df551425fcc55e4d42a148795d9f25f89d4"`, Form{ETag, "entity tag"}},
		{"a weak entity tag", `W/"0815-xyz"`, Form{ETag, "entity tag"}},
		{"a MongoDB ObjectId", "507f1f77bcf86cd799439011", Form{ObjectID, "ObjectId"}},
		{"a ULID", "01ARZ3NDEKTSV4RRFFQ69G5FAV", Form{ObjectID, "ULID"}},

		// Near misses: values that must not be hidden when they change.
		{"a version string changes for a reason", "1.12.3", Form{}},
		{"a calendar version looks like a date but is a release", "2026.11.28", Form{}},
		{"a date alone is a value (a due date, a birthday), not a clock reading", "2026-11-28", Form{}},
		{"a time of day alone is a setting", "10:33:37", Form{}},
		{"a short number is a count or a small id", "42", Form{}},
		{"a year is a value", "2026", Form{}},
		{"a 10-digit id from 2009 is outside the window: an id, not a time", "1234567890", Form{}},
		{"a 13-digit id far in the future is outside the window", "9999999999999", Form{}},
		{"eleven digits are no Unix time in any unit", "17958620180", Form{}},
		{"a Unix time with leading zeros is no clock reading", "0000001795862", Form{}},
		{"a negative number", "-1795862018", Form{}},
		{"a month that does not exist", "2026-13-28T10:33:37Z", Form{}},
		{"a name holding a timestamp changes because someone chose it", "UI launch 2026-11-28T10:33:37.997Z", Form{}},
		{"a UUID with a short last group", "3f1c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a5", Form{}},
		{"a word in quotes with a space in it is a quotation, not a tag", `"hello world"`, Form{}},
		{"a word is a word", "nightly-build", Form{}},
		{"32 digits without letters are a number", "12345678901234567890123456789012", Form{}},
		{"24 hex letters without digits are a word", "abcdefabcdefabcdefabcdef", Form{}},
		{"a ULID-shaped word with I and L in it is not base32", "01ARZ3NDEKTSV4RRFFQ69G5FIL", Form{}},
		{"an RFC 1123 date with a bad day name length", "Saturday 28 Nov", Form{}},
		{"empty", "", Form{}},
	}
	for _, tt := range tests {
		got, ok := Recognise(tt.value, near)
		if ok != (tt.want != Form{}) || got != tt.want {
			t.Errorf("%s: Recognise(%q) = %v, %v; want %v", tt.reason, tt.value, got, ok, tt.want)
		}
	}
}

func TestRecogniseWithoutATime(t *testing.T) {
	// Without the recording's time no number is a time; text still is.
	if f, ok := Recognise("1795862018016", time.Time{}); ok {
		t.Errorf("epoch milliseconds with no time to compare: recognised as %v", f)
	}
	if f, ok := Recognise("2026-11-28T10:33:37Z", time.Time{}); !ok || f.Kind != Timestamp {
		t.Errorf("ISO 8601 with no time to compare: %v, %v", f, ok)
	}
}

func TestFormatKind(t *testing.T) {
	tests := []struct {
		reason, format string
		want           Kind
	}{
		{"OpenAPI's date-time", "date-time", Timestamp},
		{"a full date is set by the server as often as by a user, but the spec says it is a time", "date", Timestamp},
		{"uuid", "uuid", UUID},
		{"an int64 is a number", "int64", ""},
		{"an e-mail address is a value", "email", ""},
	}
	for _, tt := range tests {
		if got, _ := FormatKind(tt.format); got != tt.want {
			t.Errorf("%s: FormatKind(%q) = %q, want %q", tt.reason, tt.format, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		reason, value, want string
	}{
		{"RFC 3339 exactly", "2026-11-28T10:33:37.997Z", "date-time"},
		{"no zone is ISO 8601 but not RFC 3339, which a format promises", "2026-11-28T10:33:37", ""},
		{"a full date", "2026-11-28", "date"},
		{"a date that does not exist", "2026-02-30", ""},
		{"a UUID", "3f1c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57", "uuid"},
		{"a word", "nightly", ""},
	}
	for _, tt := range tests {
		if got := Format(tt.value); got != tt.want {
			t.Errorf("%s: Format(%q) = %q, want %q", tt.reason, tt.value, got, tt.want)
		}
	}
}
