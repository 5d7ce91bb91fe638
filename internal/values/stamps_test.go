package values

import (
	"strconv"
	"testing"
	"time"
)

func TestStampsInFreshInTheSameForm(t *testing.T) {
	now := time.Date(2026, 12, 6, 3, 4, 5, 678901234, time.UTC)
	tests := []struct {
		reason string
		text   string
		found  []string // the stamps' texts, in order
		fresh  string   // the text with every stamp written at now
	}{
		{"the UI's launch name: ISO 8601 with milliseconds and Z", "UI launch 2026-11-28T10:33:37.997Z",
			[]string{"2026-11-28T10:33:37.997Z"}, "UI launch 2026-12-06T03:04:05.678Z"},
		{"seconds, a space for the T, no zone", "run 2026-11-28 10:33:37 nightly",
			[]string{"2026-11-28 10:33:37"}, "run 2026-12-06 03:04:05 nightly"},
		{"minutes only", "at 2026-11-28T10:33", []string{"2026-11-28T10:33"}, "at 2026-12-06T03:04"},
		{"an offset keeps its offset", "2026-11-28T10:33:37+01:00 build",
			[]string{"2026-11-28T10:33:37+01:00"}, "2026-12-06T04:04:05+01:00 build"},
		{"an offset without colon, microseconds", "x 2026-11-28T10:33:37.123456-0500",
			[]string{"2026-11-28T10:33:37.123456-0500"}, "x 2026-12-05T22:04:05.678901-0500"},
		{"a date alone", "Release 2026-11-28", []string{"2026-11-28"}, "Release 2026-12-06"},
		{"epoch milliseconds, as Date.now()", "nightly-1795862018016", []string{"1795862018016"}, "nightly-" + strconv.FormatInt(now.UnixMilli(), 10)},
		{"epoch seconds", "job 1795862018 done", []string{"1795862018"}, "job " + strconv.FormatInt(now.Unix(), 10) + " done"},
		{"two stamps", "from 2026-11-28 to 2026-11-29", []string{"2026-11-28", "2026-11-29"}, "from 2026-12-06 to 2026-12-06"},
		{"eleven digits are no Unix time", "order 17958620180", nil, "order 17958620180"},
		{"digits inside a longer token are not one", "v1795862018016b", nil, "v1795862018016b"},
		{"a date that is not one", "2026-13-45", nil, "2026-13-45"},
		{"a version number is no date", "release 1.2026-11-28", nil, "release 1.2026-11-28"},
		{"no digits", "UI launch", nil, "UI launch"},
	}
	for _, tt := range tests {
		st := StampsIn(tt.text)
		var got []string
		for _, s := range st {
			got = append(got, tt.text[s.Start:s.End])
		}
		if len(got) != len(tt.found) {
			t.Errorf("%s: StampsIn(%q) = %q, want %q", tt.reason, tt.text, got, tt.found)
			continue
		}
		for i := range got {
			if got[i] != tt.found[i] {
				t.Errorf("%s: stamp %d is %q, want %q", tt.reason, i, got[i], tt.found[i])
			}
		}
		if f := Restamp(tt.text, st, now); f != tt.fresh {
			t.Errorf("%s: Restamp = %q, want %q", tt.reason, f, tt.fresh)
		}
	}
}

func TestStampNear(t *testing.T) {
	st := StampsIn("UI launch 2026-11-28T10:33:37.997Z")[0]
	at := time.Date(2026, 11, 28, 10, 33, 38, 0, time.UTC)
	if !st.Near(at, time.Minute) {
		t.Errorf("a stamp a second before the call is near it")
	}
	if st.Near(at.Add(48*time.Hour), 36*time.Hour) {
		t.Errorf("a stamp two days before the call is not near it")
	}
}
