package diff

import (
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/internal/values"
)

// hinter holds the hints of one comparison: path hints from the operation's
// schema and, when asked for, the built-in member-name hints and the hints
// package values gives by a value's text.
type hinter struct {
	pats    []pattern
	exprs   []string // per pattern: its canonical path
	reasons []string // per pattern: its reason
	names   bool
	values  bool
	near    time.Time // when the recorded answer was made, for Unix times
}

// newHinter compiles op's hints. A hint with a bad path is left out with a
// note, never silently.
func (s *session) newHinter(op Operation) *hinter {
	h := &hinter{names: s.d.cfg.NameHints, values: s.d.cfg.ValueHints, near: op.Recorded}
	for _, hint := range op.Hints {
		p, err := jsonpath.Parse(hint.Path)
		if err != nil {
			s.note("hint left out: %v", err)
			continue
		}
		reason := hint.Reason
		if reason == "" {
			reason = "hint"
		}
		h.pats = append(h.pats, p)
		h.exprs = append(h.exprs, p.String())
		h.reasons = append(h.reasons, reason)
	}
	if len(h.pats) == 0 && !h.names && !h.values {
		return nil
	}
	return h
}

// match returns the hint that covers a value: its rule text for the
// report, its reason and its expression. matched holds the indexes of the
// hint patterns that matched the value (relative to the hints); key is the
// value's member name, if it has one.
func (h *hinter) match(matched []int, key string, isMember bool) (rule, reason, expr string, ok bool) {
	if len(matched) > 0 {
		i := matched[0]
		return "hint body " + h.exprs[i], h.reasons[i], h.exprs[i], true
	}
	if h.names && isMember {
		if label, ok := nameHint(key); ok {
			return "hint name " + label, "field name", label, true
		}
	}
	return "", "", "", false
}

// byValue returns the value hint that covers two differing values: both
// of one form that package values recognises, such as two ISO 8601
// timestamps or two UUIDs. A value that changed form (an ISO 8601 time
// that became an HTTP date) is a change of the answer, not noise.
func (h *hinter) byValue(a, b string) (rule, reason, expr string, ok bool) {
	if !h.values {
		return "", "", "", false
	}
	fa, ok := values.Recognise(a, h.near)
	if !ok {
		return "", "", "", false
	}
	if fb, ok := values.Recognise(b, h.near); !ok || fb != fa {
		return "", "", "", false
	}
	return "hint value " + string(fa.Kind), "value: " + fa.Name, string(fa.Kind), true
}

// nameHint reports whether a member name usually holds a value that changes
// on every reply, and which family of names it belongs to.
func nameHint(key string) (string, bool) {
	switch lower := strings.ToLower(key); lower {
	case "timestamp", "uuid":
		return lower, true
	}
	for _, suffix := range []string{"Date", "At", "Timestamp", "Uuid", "UUID"} {
		if camelSuffix(key, suffix) {
			if suffix == "UUID" {
				suffix = "Uuid"
			}
			return "*" + suffix, true
		}
	}
	lower := strings.ToLower(key)
	for _, suffix := range []string{"_date", "_at", "_timestamp", "_uuid"} {
		if len(lower) > len(suffix) && strings.HasSuffix(lower, suffix) {
			return "*" + suffix, true
		}
	}
	return "", false
}

// camelSuffix reports whether key is a camelCase name ending in the word
// suffix: createdAt, but not At or format.
func camelSuffix(key, suffix string) bool {
	n := len(key) - len(suffix)
	if n < 1 || !strings.HasSuffix(key, suffix) {
		return false
	}
	c := key[n-1]
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// hintable reports whether a hint may hide the difference between a and b:
// both strings or both numbers, the shapes timestamps and ids take.
func hintable(a, b *jnode) bool {
	return (a.kind == jString || a.kind == jNumber) && a.kind == b.kind
}
