package replay

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/apitrail/apitrail/correlate"
)

// carried maps each value the flow carried, as the answer compared with
// has it (recorded, or the baseline's: was), to the value of this run; and,
// of those, the values the flow chose (see correlate.Var.Chosen): a launch
// named with the time of this run where the recording had the time it was
// made.
func (r *runner) carried(was map[string]string) (changed, chosen map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed, chosen = map[string]string{}, map[string]string{}
	for v, nv := range r.values {
		old := v.Value
		if bv, ok := was[v.Value]; ok {
			old = bv // the answer compared with is a baseline's
		}
		if nv != old {
			changed[old] = nv
			if v.Chosen != nil {
				chosen[old] = nv
			}
		}
	}
	return changed, chosen
}

// carryChosen puts the values of this run into a string of a recorded
// answer where it holds a chosen value, whole or inside (the answer's
// name, a description that repeats it), whatever the member's name: the
// flow chose it, so the instance has no other reason to echo it.
func carryChosen(s string, chosen map[string]string) (string, bool) {
	if nv, ok := chosen[s]; ok {
		return nv, true
	}
	hit := false
	for old, nv := range chosen {
		if next, ok := correlate.ReplaceInside(s, old, nv); ok {
			s, hit = next, true
		}
	}
	return s, hit
}

// locationHeaders name the resource an answer created or moved to: they
// hold the very id replay carries into later calls.
var locationHeaders = []string{"Location", "Content-Location"}

// carryHeaders puts carried values into the path segments of a recorded
// answer's Location headers, as expected does for id members: a created
// launch at /api/launch/106 where the recording said /api/launch/104 is the
// value replay carried, not a regression. The report lists the carried
// values beside the call.
func carryHeaders(h http.Header, changed map[string]string) http.Header {
	if len(changed) == 0 {
		return h
	}
	var out http.Header
	for _, name := range locationHeaders {
		vals := h.Values(name)
		for i, v := range vals {
			nv := carryPath(v, changed)
			if nv == v {
				continue
			}
			if out == nil {
				out = h.Clone()
			}
			out[http.CanonicalHeaderKey(name)][i] = nv
		}
	}
	if out == nil {
		return h
	}
	return out
}

// carryPath replaces whole path segments of a URL that are carried values.
func carryPath(raw string, changed map[string]string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	segs := strings.Split(u.Path, "/")
	hit := false
	for i, s := range segs {
		if nv, ok := changed[s]; ok {
			segs[i], hit = nv, true
		}
	}
	if !hit {
		return raw
	}
	u.Path = strings.Join(segs, "/")
	u.RawPath = ""
	return u.String()
}
