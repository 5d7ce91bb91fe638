package correlate

import (
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/values"
)

// Values inside longer strings.
//
// A value the flow passes along is often written inside another string: a
// search filter (rql=name ~= "UI launch 2026-11-28T10:33:37.997Z" and id =
// 104), a description, a path segment such as launch-104. Rewriting every
// occurrence of every produced value would wreck requests (a "1" is in
// everything), so a value is looked for inside strings only when it is
// recognisably the one the flow made:
//
//   - a number: one an answer of a state-changing call (POST, PUT, PATCH,
//     DELETE) produced under an id's name (id, launchId, uuid, a Location
//     header), of at least 3 digits;
//   - a string: at least 8 characters with a digit in them, produced by a
//     state-changing call, or by any call when it looks like an id (no
//     spaces or dots: a UUID, a key such as a1b2c3d4e5);
//   - a value the flow chose itself (see Var.Chosen);
//
// and an occurrence counts only at token boundaries: no letter, digit or
// underscore touches it where its own edge is one, a number is not the
// digits after a decimal point or a dash that follows a digit (the 104 in
// 3.104, 2026-104 or 555-104-2222 is not an id), and it is not the whole
// string (whole values are linked as before).

// minInsideNumber and minInsideString are the shortest values looked for
// inside strings (see above).
const (
	minInsideNumber = 3
	minInsideString = 8
)

// insideCandidate reports whether a production is looked for inside
// longer strings of later requests.
func insideCandidate(p production) bool {
	t := p.text
	if t == "true" || t == "false" || t == "null" {
		return false
	}
	if isNumber(t) {
		return p.creating && p.idKey() && len(strings.TrimLeft(t, "-")) >= minInsideNumber && t[0] != '0'
	}
	if len(t) < minInsideString || !strings.ContainsAny(t, "0123456789") {
		return false
	}
	return p.creating || looksLikeID(t) && !strings.ContainsAny(t, " \t")
}

func (p production) idKey() bool { return isIDName(p.key) || p.place.In == "header" }

// boundedAt reports whether s[start:end], an occurrence of a value, stands
// as a token of its own (see the rule above).
func boundedAt(s string, start, end int) bool {
	v := s[start:end]
	numeric := isNumber(v)
	if start > 0 && wordByte(v[0]) {
		c := s[start-1]
		if wordByte(c) || numeric && (c == '.' || c == '-') && start > 1 && digitByte(s[start-2]) {
			return false
		}
	}
	if end < len(s) && wordByte(v[len(v)-1]) {
		c := s[end]
		if wordByte(c) || numeric && c == '.' && end+1 < len(s) && digitByte(s[end+1]) ||
			numeric && c == '-' && end+1 < len(s) && digitByte(s[end+1]) {
			return false
		}
	}
	return true
}

func digitByte(c byte) bool { return c >= '0' && c <= '9' }

func wordByte(c byte) bool {
	return digitByte(c) || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' || c >= 0x80
}

// Occurrences returns the start offsets of the occurrences of v inside s
// that stand as tokens of their own (see the package's rule for values
// inside strings). s equal to v has none: that is a whole value.
func Occurrences(s, v string) []int {
	if v == "" || len(s) <= len(v) {
		return nil
	}
	var out []int
	for from := 0; ; {
		k := strings.Index(s[from:], v)
		if k < 0 {
			return out
		}
		at := from + k
		if boundedAt(s, at, at+len(v)) {
			out = append(out, at)
			from = at + len(v)
		} else {
			from = at + 1
		}
	}
}

// ReplaceInside replaces the occurrences of old inside s (Occurrences)
// with nv, and says whether there were any.
func ReplaceInside(s, old, nv string) (string, bool) {
	at := Occurrences(s, old)
	if len(at) == 0 {
		return s, false
	}
	var b strings.Builder
	last := 0
	for _, k := range at {
		b.WriteString(s[last:k])
		b.WriteString(nv)
		last = k + len(old)
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// Values the flow chose.
//
// A flow that creates something often names it with the time it was made
// ("UI launch 2026-11-28T10:33:37.997Z"), then searches for that name. Sent
// again unchanged, a second run creates a second object of the same name
// and its search finds the first run's as well. A value is taken for one
// the flow chose when it is first sent in the body or query of a
// state-changing call, no earlier answer or request held it, and it holds
// a timestamp (values.StampsIn) within chooseWindow of the call. Each run
// sends it with the timestamps written anew at the run's time, in the same
// form, and carries that into every later use, whole or inside a string.

// chooseWindow is how far a timestamp may be from the recorded call's
// start and still be taken for the time the flow chose the value: a user
// types today's date, a page writes the time of the click; a day either
// way also covers a stamp written without a zone.
const chooseWindow = 36 * time.Hour

// chosenStamps returns the timestamps of a request value that make it one
// the flow chose, or none.
func chosenStamps(text string, at time.Time) []values.Stamp {
	if at.IsZero() {
		return nil
	}
	var out []values.Stamp
	for _, st := range values.StampsIn(text) {
		if st.Near(at, chooseWindow) {
			out = append(out, st)
		}
	}
	return out
}

// Fresh returns the value a run sends for v: a value the flow chose with
// its timestamps written at now, in their recorded forms; any other
// variable's recorded value.
func (v *Var) Fresh(now time.Time) string {
	if v.Chosen == nil {
		return v.Value
	}
	return values.Restamp(v.Value, v.Stamps, now)
}

// Part is a piece of a chosen value: literal text, or a timestamp to be
// written at run time in the Stamp's form.
type Part struct {
	Lit   string
	Stamp *values.Stamp
}

// Parts splits a chosen value into its literal text and timestamps, for a
// script that makes the value when it runs.
func (v *Var) Parts() []Part {
	var out []Part
	last := 0
	for i := range v.Stamps {
		st := &v.Stamps[i]
		if st.Start < last || st.End > len(v.Value) {
			continue
		}
		if st.Start > last {
			out = append(out, Part{Lit: v.Value[last:st.Start]})
		}
		out = append(out, Part{Stamp: st})
		last = st.End
	}
	if last < len(v.Value) {
		out = append(out, Part{Lit: v.Value[last:]})
	}
	return out
}
