package spec

import (
	"net/url"
	"strings"
)

// NearMiss is an operation a request that fits none almost fits, and how.
type NearMiss struct {
	Operation *Operation
	// Why says what differs: "another method", "one segment more" (the
	// template has a parameter the call left out), "one segment less",
	// "letter case" or "trailing slash".
	Why string
}

// maxNearMisses bounds what Near returns: a reader wants the closest few,
// not a list.
const maxNearMisses = 3

// Near lists the operations closest to a request that fits no operation
// (a Lookup that is not Found): the same path under another method, a
// template one segment longer or shorter, or one that differs only in
// letter case or a trailing slash. The closest come first; it returns at
// most three. It walks every operation, so it is meant for the few calls
// of a recording that found nothing, not for every lookup.
func (ix *Index) Near(method string, u *url.URL) []NearMiss {
	if u == nil || u.Opaque != "" {
		return nil
	}
	method = upper(method)
	paths := []string{u.EscapedPath()}
	for _, a := range ix.aliases {
		if rest, ok := strings.CutPrefix(paths[0], a.From); ok && (rest == "" || rest[0] == '/') {
			paths = append(paths, a.To+rest)
		}
	}
	var found [len(nearKinds)][]*Operation
	seen := map[*Operation]bool{}
	// Operations share a few server prefixes: cutting and splitting the
	// path once per prefix, not once per operation, keeps a call that
	// found nothing from costing a split for each of a large API's
	// hundreds of operations.
	cuts := map[string][]nearPath{}
	for _, op := range ix.ops {
		k := -1
		for _, prefix := range op.prefixes {
			cut, ok := cuts[prefix]
			if !ok {
				cut = cutPaths(prefix, paths)
				cuts[prefix] = cut
			}
			for _, np := range cut {
				if c := nearKind(op, method, np); c >= 0 && (k < 0 || c < k) {
					k = c
				}
			}
		}
		if k >= 0 && !seen[op] {
			seen[op] = true
			found[k] = append(found[k], op)
		}
	}
	var out []NearMiss
	dup := map[string]bool{}
	for k, ops := range found {
		for _, op := range ops {
			if len(out) == maxNearMisses {
				return out
			}
			if key := op.String(); !dup[key] {
				dup[key] = true
				out = append(out, NearMiss{Operation: op, Why: nearKinds[k]})
			}
		}
	}
	return out
}

// nearKinds are the ways a call may miss a template, closest first.
var nearKinds = [...]string{"another method", "trailing slash", "letter case", "one segment more", "one segment less"}

// nearPath is a request path after one server prefix: its segments, and
// whether the prefix matched only when letter case is ignored.
type nearPath struct {
	segs   []string
	folded bool
}

// cutPaths cuts a server prefix off each of the request's paths (as sent
// and under the aliases) and splits what follows; a path that does not
// start with the prefix has no entry.
func cutPaths(prefix string, paths []string) []nearPath {
	var out []nearPath
	for _, path := range paths {
		rest, ok := strings.CutPrefix(path, prefix)
		folded := false
		if !ok && len(path) >= len(prefix) && strings.EqualFold(path[:len(prefix)], prefix) {
			rest, folded = path[len(prefix):], true // "/API/..." under a server's "/api"
		}
		if !ok && !folded || (rest != "" && rest[0] != '/') {
			continue
		}
		out = append(out, nearPath{segs: splitPath(rest), folded: folded})
	}
	return out
}

// nearKind says how a path, cut after one of the operation's server
// prefixes, misses the operation, as an index into nearKinds, or -1 when
// it is not near.
func nearKind(op *Operation, method string, np nearPath) int {
	segs, folded := np.segs, np.folded
	sameMethod := op.Method == method || (method == "HEAD" && op.Method == "GET")
	if folded {
		if sameMethod && fitsTemplate(op.tmpl, segs, true) {
			return 2
		}
		return -1
	}
	switch {
	case fitsTemplate(op.tmpl, segs, false):
		if !sameMethod {
			return 0
		}
		return -1 // it fits: not a miss (Lookup's typed or alias rules decided)
	case !sameMethod:
		return -1
	case fitsTemplate(op.tmpl, trimSlash(segs), false) || fitsTemplate(trimSlashTmpl(op.tmpl), segs, false):
		return 1
	case fitsTemplate(op.tmpl, segs, true):
		return 2
	case len(op.tmpl) == len(segs)+1:
		for i, seg := range op.tmpl {
			if _, lit := seg.literal(); !lit && fitsTemplate(dropSegment(op.tmpl, i), segs, false) {
				return 3
			}
		}
	case len(segs) == len(op.tmpl)+1 && len(op.tmpl) > 0:
		for i := range segs {
			if fitsTemplate(op.tmpl, append(append([]string(nil), segs[:i]...), segs[i+1:]...), false) {
				return 4
			}
		}
	}
	return -1
}

func splitPath(p string) []string {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		segs[i] = decodeSegment(s)
	}
	return segs
}

func trimSlash(segs []string) []string {
	if n := len(segs); n > 1 && segs[n-1] == "" {
		return segs[:n-1]
	}
	return segs
}

func trimSlashTmpl(t []segment) []segment {
	if n := len(t); n > 1 && len(t[n-1].parts) == 0 {
		return t[:n-1]
	}
	return t
}

func dropSegment(t []segment, i int) []segment {
	return append(append([]segment(nil), t[:i]...), t[i+1:]...)
}

// fitsTemplate reports whether path segments fit a template, any non-empty
// text fitting a parameter; fold ignores letter case in literal text.
func fitsTemplate(t []segment, segs []string, fold bool) bool {
	if len(t) != len(segs) {
		return false
	}
	for i, seg := range t {
		if !fitsSegment(seg.parts, segs[i], fold) {
			return false
		}
	}
	return true
}

func fitsSegment(parts []part, s string, fold bool) bool {
	if len(parts) == 0 {
		return s == ""
	}
	p := parts[0]
	if !p.param {
		if len(s) < len(p.text) {
			return false
		}
		head := s[:len(p.text)]
		if head != p.text && !(fold && strings.EqualFold(head, p.text)) {
			return false
		}
		return fitsSegment(parts[1:], s[len(p.text):], fold)
	}
	if len(parts) == 1 {
		return s != ""
	}
	for cut := 1; cut < len(s); cut++ {
		if fitsSegment(parts[1:], s[cut:], fold) {
			return true
		}
	}
	return false
}
