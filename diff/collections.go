package diff

import (
	"strconv"
	"strings"
)

// Collections that other people also write to. On a shared, long-lived
// instance a list, page or search answer holds items the flow did not make,
// and the flow's own items sit at other positions than when it was
// recorded. Pairing such an array by index reports every shift as a
// change. So arrays of items are paired by identity instead:
//
//   - By default, an array held by a member named content, items, data or
//     results (the item array of a Spring page and of most list answers),
//     or the whole body, whose elements on both sides are objects with a
//     scalar, distinct "id" member.
//   - A rule chooses for a path: "compare body $.content by id" pairs by
//     any member; "compare body $.content by index" keeps pairing by index.
//
// Each recorded item still there is compared member by member as before,
// so a changed item is still a regression. When the caller says which items
// are the flow's own (Operation.Own: the ids replay carried and those of
// the recording), the other recorded items (those only a baseline holds)
// are someone else's: their values may change (information,
// "changed by others"), but a change of their shape (a member gone or
// added, a value of another type) is still a regression. Items only in the replayed
// answer (added by others) and items at another position (moved) are
// information: counted in the report like hidden noise, never a
// regression. A recorded item that is gone is a regression, unless the
// flow deleted it itself (Operation.Deleted), or the answer is a full page
// that newer items pushed it off. When the set of items changed, the
// counts beside the array (totalElements, total, numberOfElements,
// totalPages, last, empty, ...) are noise too; "compare body
// $.totalElements" makes one strict again.

// itemArrays are the member names whose arrays hold a list's items.
var itemArrays = map[string]bool{"content": true, "items": true, "data": true, "results": true}

// countMembers are the members of a page that follow from its item set.
var countMembers = map[string]bool{"totalElements": true, "total": true, "totalCount": true, "count": true,
	"numberOfElements": true, "totalPages": true, "last": true, "first": true, "empty": true, "total_count": true}

const (
	defaultKey = "id"
	byIndex    = "index"
	collSource = "default"
)

// collectionRule returns the "compare body PATH by KEY" rule of the
// session that names the current path, if any.
func (w *walker) collectionRule(by bool) *compiledRule {
	for _, r := range w.s.rules {
		if r.Action != CompareAction || r.Target != BodyTarget || (r.By != "") != by {
			continue
		}
		if patternMatches(r.pat, w.path) {
			return r
		}
	}
	return nil
}

func patternMatches(p pattern, path []step) bool {
	m := &matcher{pats: []pattern{p}}
	states := m.start()
	for _, st := range path {
		states, _ = m.next(states, st)
		if len(states) == 0 {
			return false
		}
	}
	return len(m.done(nil, states)) > 0
}

// collectionKey says whether the arrays a and b at the current path are
// compared by identity, and by which member.
func (w *walker) collectionKey(a, b *jnode) (key string, rule *compiledRule, ok bool) {
	if w.s.d.byIndex {
		return "", nil, false
	}
	if r := w.collectionRule(true); r != nil {
		if r.By == byIndex {
			return "", nil, false
		}
		return r.By, r, keyed(w.ta, a, r.By) && keyed(w.tb, b, r.By)
	}
	if len(w.path) > 0 {
		last := w.path[len(w.path)-1]
		if last.isIndex || !itemArrays[last.key] {
			return "", nil, false
		}
	}
	return defaultKey, nil, keyed(w.ta, a, defaultKey) && keyed(w.tb, b, defaultKey)
}

// keyed reports whether every element of arr is an object with a scalar
// member key whose values are distinct: only then is identity certain.
func keyed(t *jtree, arr *jnode, key string) bool {
	seen := map[string]bool{}
	for i := range t.kids(arr) {
		k, ok := itemKey(t, &t.kids(arr)[i], key)
		if !ok || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func itemKey(t *jtree, n *jnode, key string) (string, bool) {
	if n.kind != jObject {
		return "", false
	}
	for i := range t.kids(n) {
		c := &t.kids(n)[i]
		if c.key == key && (c.kind == jNumber || c.kind == jString) {
			return c.str, true
		}
	}
	return "", false
}

// collectionChanged reports whether obj holds an item array whose set of
// items differs between the two sides, which makes its counts noise.
func (w *walker) collectionChanged(a, b *jnode) bool {
	if a.kind != jObject || b.kind != jObject {
		return false
	}
	ka, kb := w.ta.kids(a), w.tb.kids(b)
	for i := range ka {
		if ka[i].kind != jArray || !itemArrays[ka[i].key] {
			continue
		}
		for j := range kb {
			if kb[j].key != ka[i].key || kb[j].kind != jArray {
				continue
			}
			w.path = append(w.path, step{key: ka[i].key})
			key, _, ok := w.collectionKey(&ka[i], &kb[j])
			w.path = w.path[:len(w.path)-1]
			if ok && !sameKeys(w.ta, &ka[i], w.tb, &kb[j], key) {
				return true
			}
		}
	}
	return false
}

func sameKeys(ta *jtree, a *jnode, tb *jtree, b *jnode, key string) bool {
	if a.n != b.n {
		return false
	}
	set := map[string]bool{}
	for i := range ta.kids(a) {
		k, _ := itemKey(ta, &ta.kids(a)[i], key)
		set[k] = true
	}
	for i := range tb.kids(b) {
		if k, _ := itemKey(tb, &tb.kids(b)[i], key); !set[k] {
			return false
		}
	}
	return true
}

// sameOrder reports whether both arrays hold the same keys in the same order.
func sameOrder(ta *jtree, a *jnode, tb *jtree, b *jnode, key string) bool {
	if a.n != b.n {
		return false
	}
	kb := tb.kids(b)
	for i := range ta.kids(a) {
		x, _ := itemKey(ta, &ta.kids(a)[i], key)
		y, _ := itemKey(tb, &kb[i], key)
		if x != y {
			return false
		}
	}
	return true
}

// othersValue hides a value of someone else's item that changed but kept
// its type: a rename by another user is theirs to make.
func (w *walker) othersValue(a, b *jnode) bool {
	if w.othersItem == 0 || a.kind != b.kind && !(isBool(a.kind) && isBool(b.kind)) {
		return false
	}
	e := w.s.nz.entry("items not the flow's own: changed by others", collSource, BodyTarget, "", false)
	w.s.nz.hit(e, true, w.where)
	return true
}

func isBool(k jsonKind) bool { return k == jTrue || k == jFalse }

// countNoise hides a differing count beside an item array whose items
// changed, unless a compare rule makes it strict.
func (w *walker) countNoise(a, b *jnode) bool {
	key, isMember := w.lastKey()
	if !isMember || !countMembers[key] || !w.countsLoose[len(w.path)-1] || a == nil || b == nil {
		return false
	}
	if w.collectionRule(false) != nil {
		return false
	}
	parent := strings.TrimSuffix(formatPath(w.path[:len(w.path)-1]), ".")
	e := w.s.nz.entry("ignore body "+formatPath(w.path), collSource+": the items of "+parent+" changed around the flow", BodyTarget, formatPath(w.path), false)
	w.s.nz.hit(e, true, w.where)
	return true
}

// visitKeyed pairs the elements of two item arrays by key. It returns
// opSame when the only differences are items others added or moved, and
// opReplace when a paired item changed or a recorded one is gone, so the
// line diff prints both arrays whole and go-diff aligns them.
func (w *walker) visitKeyed(a, b *jnode, states []mstate, key string, rule *compiledRule) (dop, *dnode) {
	ka, kb := w.ta.kids(a), w.tb.kids(b)
	where := map[string]int{}
	for j := range kb {
		k, _ := itemKey(w.tb, &kb[j], key)
		where[k] = j
	}
	ruleText, source := "compare body "+formatPath(w.path)+" by "+key, collSource
	if rule != nil {
		ruleText, source = rule.String(), rule.source()
	}
	info := func(what string, at []step) {
		e := w.s.nz.entry(ruleText+": "+what, source, BodyTarget, formatPath(w.path), false)
		w.s.nz.hit(e, true, func() string { return formatPath(at) })
	}
	// A full page that lost items to newer ones: the items missing from it
	// were pushed off, not deleted.
	full := w.fullPage(b)
	paired := map[int]bool{}
	changed := false
	for i := range ka {
		k, _ := itemKey(w.ta, &ka[i], key)
		st := step{index: i, isIndex: true}
		w.path = append(w.path, st)
		next, smark := states, len(w.m.states)
		if len(states) > 0 {
			next, smark = w.m.next(states, st)
		}
		j, ok := where[k]
		var op dop
		switch {
		case ok:
			paired[j] = true
			others := len(w.s.own) > 0 && !w.s.own[k]
			if others {
				w.othersItem++
			}
			op, _ = w.visit(&ka[i], &kb[j], next)
			if others {
				w.othersItem--
			}
			if j != i {
				info("moved", w.path)
			}
		case w.s.deleted[k]:
			info("deleted by the flow", w.path)
			op = opSame
		case full:
			info("pushed off a full page", w.path)
			op = opSame
		default:
			op, _ = w.visit(&ka[i], nil, next)
		}
		w.m.states = w.m.states[:smark]
		w.path = w.path[:len(w.path)-1]
		changed = changed || op != opSame && op != opHidden && op != opGone
	}
	for j := range kb {
		if !paired[j] {
			info("added by others", append(w.path, step{index: j, isIndex: true}))
		}
	}
	if changed {
		return opReplace, nil
	}
	return opSame, nil
}

// fullPage reports whether arr (at the current path) is the item array of
// a page that holds as many items as it may: a "size" member beside it
// equals its length.
func (w *walker) fullPage(arr *jnode) bool {
	if len(w.parents) < 2 { // the top is the array itself
		return false
	}
	parent := w.parents[len(w.parents)-2]
	if parent.kind != jObject {
		return false
	}
	for i := range w.tb.kids(parent) {
		c := &w.tb.kids(parent)[i]
		if c.key == "size" && c.kind == jNumber {
			return c.str == strconv.Itoa(int(arr.n))
		}
	}
	return false
}
