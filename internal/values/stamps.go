package values

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A Stamp is a point in time written inside a longer text, as a flow types
// one into a name ("UI launch 2026-11-28T10:33:37.997Z", "nightly
// 1795862018016"): where it is, what it says, and the form it is written
// in, so that a new one can be written the same way.
type Stamp struct {
	// Start and End are the byte offsets of the stamp in the text.
	Start, End int
	// Time is what the stamp says. A stamp without a zone is read as UTC.
	Time time.Time
	// Layout is the Go layout the stamp is written in; "" for an epoch.
	Layout string
	// Zone is how the zone is written: "Z", "" (none), or an offset
	// ("+01:00", "+0100"), which FormatStamp keeps.
	Zone string
	// Digits is an epoch's length: 10 (seconds), 13 (milliseconds) or 16
	// (microseconds).
	Digits int
}

// isoStampRE finds ISO 8601 dates and date-times: 2026-11-28,
// 2026-11-28T10:33, 2026-11-28 10:33:37, 2026-11-28T10:33:37.997Z,
// 2026-11-28T10:33:37+01:00. A zone is only read after a time.
var isoStampRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(?:([T ])\d{2}:\d{2}(?:(:\d{2})(?:([.,])(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?`)

// epochRunRE finds runs of digits, which StampsIn keeps when they are
// 10, 13 or 16 long.
var epochRunRE = regexp.MustCompile(`\d+`)

// StampsIn finds the timestamps written inside s, in order: ISO 8601 dates
// and date-times, and Unix times in seconds, milliseconds or microseconds
// (runs of exactly 10, 13 or 16 digits). A stamp touching another digit or
// letter on either side is part of a longer token and not one; whether a
// stamp is near a given time is the caller's question (see Stamp.Near).
func StampsIn(s string) []Stamp {
	var out []Stamp
	taken := func(a, b int) bool {
		for _, st := range out {
			if a < st.End && b > st.Start {
				return true
			}
		}
		return false
	}
	for _, m := range isoStampRE.FindAllStringSubmatchIndex(s, -1) {
		start, end := m[0], m[1]
		if !bounded(s, start, end) {
			continue
		}
		layout := "2006-01-02"
		zone := ""
		if m[2] >= 0 {
			layout += s[m[2]:m[3]] + "15:04"
			if m[4] >= 0 {
				layout += ":05"
			}
			if m[6] >= 0 {
				layout += s[m[6]:m[7]] + strings.Repeat("0", m[9]-m[8])
			}
			if m[10] >= 0 {
				zone = s[m[10]:m[11]]
				switch {
				case zone == "Z":
					layout += "Z07:00"
				case strings.Contains(zone, ":"):
					layout += "-07:00"
				default:
					layout += "-0700"
				}
			}
		}
		t, err := time.Parse(layout, s[start:end])
		if err != nil {
			continue // 2026-13-45 is digits, not a date
		}
		out = append(out, Stamp{Start: start, End: end, Time: t, Layout: layout, Zone: zone})
	}
	for _, m := range epochRunRE.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		n := end - start
		if (n != 10 && n != 13 && n != 16) || taken(start, end) || !bounded(s, start, end) {
			continue
		}
		t, ok := Epoch(s[start:end])
		if !ok {
			continue
		}
		out = append(out, Stamp{Start: start, End: end, Time: t, Digits: n})
	}
	sortStamps(out)
	return out
}

// bounded reports whether s[start:end] stands apart from its neighbours:
// no letter or digit touches it, and no decimal point continues a number.
func bounded(s string, start, end int) bool {
	if start > 0 {
		c := s[start-1]
		if alnum(c) || c == '.' && start > 1 && digit(s[start-2]) {
			return false
		}
	}
	if end < len(s) {
		c := s[end]
		if alnum(c) || c == '.' && end+1 < len(s) && digit(s[end+1]) {
			return false
		}
	}
	return true
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

func alnum(c byte) bool { return digit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' }

func sortStamps(st []Stamp) {
	for i := 1; i < len(st); i++ {
		for j := i; j > 0 && st[j].Start < st[j-1].Start; j-- {
			st[j], st[j-1] = st[j-1], st[j]
		}
	}
}

// Near reports whether the stamp says a time within tolerance of t.
func (s Stamp) Near(t time.Time, tolerance time.Duration) bool {
	d := s.Time.Sub(t)
	return d <= tolerance && d >= -tolerance
}

// FormatStamp writes t in the stamp's form: the same layout, precision and
// zone notation, or the same epoch unit.
func (s Stamp) FormatStamp(t time.Time) string {
	switch s.Digits {
	case 10:
		return strconv.FormatInt(t.Unix(), 10)
	case 13:
		return strconv.FormatInt(t.UnixMilli(), 10)
	case 16:
		return strconv.FormatInt(t.UnixMicro(), 10)
	}
	switch s.Zone {
	case "Z", "":
		t = t.UTC()
	default:
		_, off := s.Time.Zone()
		t = t.In(time.FixedZone("", off))
	}
	return t.Format(s.Layout)
}

// Restamp returns s with each of its stamps (as StampsIn found them in s)
// written anew at t.
func Restamp(s string, stamps []Stamp, t time.Time) string {
	var b strings.Builder
	last := 0
	for _, st := range stamps {
		if st.Start < last || st.End > len(s) {
			continue
		}
		b.WriteString(s[last:st.Start])
		b.WriteString(st.FormatStamp(t))
		last = st.End
	}
	b.WriteString(s[last:])
	return b.String()
}
