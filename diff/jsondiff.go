package diff

import (
	"slices"
	"strings"
)

// The structural comparison walks both trees once. Members of objects pair
// up by name; elements of arrays pair up by index, so an element inserted
// at the front of a list shows as every later element changed and one
// added at the end. Item arrays whose elements all carry a distinct id are
// the exception (collections.go): there identity is certain, and pairing
// by it is what a shared instance needs. The unified diff that follows
// aligns lines with go-diff and so still shows an insertion as a few
// added lines.
//
// Besides the change list, the walk leaves a sparse record of where the two
// trees differ (dnode), which the printer follows to pretty-print only the
// differing parts and collapse the rest.

// dop says how a child position differs. opSame is never stored.
type dop uint8

const (
	opSame    dop = iota
	opSub         // containers of the same kind with differences inside: see sub
	opReplace     // different values: the recorded one on the left, the replayed one on the right
	opAdded       // only on the right
	opRemoved     // only on the left
	opHidden      // hidden by a rule or hint, present on both sides: <ignored> on both
	opGone        // hidden by a rule, present on one side: printed on neither
)

type dentry struct {
	ai, bi int32 // child indexes in each side's container, -1 when absent
	op     dop
	sub    *dnode
}

// dnode lists the child positions of a changed container that are not
// plainly equal, in the order pairs visits them.
type dnode struct{ entries []dentry }

// pairs calls fn for each child position of two containers of the same
// kind: object members in name order, array elements in index order.
func pairs(ta *jtree, a *jnode, tb *jtree, b *jnode, fn func(ai, bi int32, st step)) {
	ka, kb := ta.kids(a), tb.kids(b)
	if a.kind == jArray {
		for i := range max(len(ka), len(kb)) {
			ai, bi := int32(i), int32(i)
			if i >= len(ka) {
				ai = -1
			}
			if i >= len(kb) {
				bi = -1
			}
			fn(ai, bi, step{index: i, isIndex: true})
		}
		return
	}
	i, j := 0, 0
	for i < len(ka) || j < len(kb) {
		var c int
		switch {
		case i == len(ka):
			c = 1
		case j == len(kb):
			c = -1
		default:
			c = strings.Compare(ka[i].key, kb[j].key)
		}
		switch {
		case c < 0:
			fn(int32(i), -1, step{key: ka[i].key})
			i++
		case c > 0:
			fn(-1, int32(j), step{key: kb[j].key})
			j++
		default:
			fn(int32(i), int32(j), step{key: ka[i].key})
			i++
			j++
		}
	}
}

// walker compares two JSON trees for a session.
type walker struct {
	s      *session
	ta, tb *jtree
	m      *matcher
	rules  []*compiledRule // the first len(rules) patterns of m are these rules; hints follow
	ruleEx []int           // noise entry of each rule
	path   []step
	hits   []int
	spare  []dentry // entries of containers being walked, innermost last
	// parents are the replayed side's containers above the current path;
	// countsLoose marks, by depth, objects whose item array changed.
	parents     []*jnode
	countsLoose map[int]bool
	// othersItem is above zero inside a collection item that is not the
	// flow's own (see Operation.Own).
	othersItem int
}

func (s *session) compareJSON(m *matcher, rules []*compiledRule, ta, tb *jtree) {
	w := &walker{s: s, ta: ta, tb: tb, m: m, rules: rules, countsLoose: map[int]bool{}}
	for _, r := range rules {
		w.ruleEx = append(w.ruleEx, s.nz.rule(r))
	}
	op, sub := w.visit(&ta.root, &tb.root, m.start())
	if s.onChange != nil {
		return
	}
	p := &printer{ta: ta, tb: tb, m: m, nrules: len(rules), context: s.d.cfg.Context}
	switch op {
	case opReplace:
		p.l = p.full(p.l, ta, &ta.root, m.start(), 0, "", false, false)
		p.r = p.full(p.r, tb, &tb.root, m.start(), 0, "", false, false)
	case opSub:
		p.sub(sub, &ta.root, &tb.root, m.start(), 0, "", false, false)
	default:
		return // equal, or hidden as a whole
	}
	s.res.Diff = s.unified(string(p.l), string(p.r))
}

// visit compares a and b, either of which may be nil (absent), at w.path,
// with the matcher in states.
func (w *walker) visit(a, b *jnode, states []mstate) (dop, *dnode) {
	var hintHits []int
	if len(states) > 0 {
		w.hits = w.m.done(w.hits[:0], states)
		ruleHit := false
		for _, i := range w.hits {
			if i < len(w.rules) {
				ruleHit = true
			} else {
				hintHits = append(hintHits, i-len(w.rules))
			}
		}
		if ruleHit {
			differed := a == nil || b == nil || !equalNodes(w.ta, a, w.tb, b)
			for _, i := range w.hits {
				if i < len(w.rules) {
					w.s.nz.hit(w.ruleEx[i], differed, w.where)
				}
			}
			if a == nil || b == nil {
				return opGone, nil
			}
			return opHidden, nil
		}
	}
	switch {
	case a == nil:
		w.change(Added, nil, b)
		return opAdded, nil
	case b == nil:
		w.change(Removed, a, nil)
		return opRemoved, nil
	case a.kind.scalar() || a.kind != b.kind:
		if equalNodes(w.ta, a, w.tb, b) {
			return opSame, nil
		}
		if w.countNoise(a, b) || w.othersValue(a, b) {
			return opHidden, nil
		}
		if h := w.s.hints; h != nil && hintable(a, b) && w.collectionRule(false) == nil { // "compare body PATH" is strict
			key, isMember := w.lastKey()
			rule, reason, expr, ok := h.match(hintHits, key, isMember)
			if !ok {
				rule, reason, expr, ok = h.byValue(a.str, b.str)
			}
			if ok {
				w.s.nz.hit(w.s.nz.entry(rule, reason, BodyTarget, expr, false), true, w.where)
				if w.s.onHint != nil {
					w.s.onHint(w.path, reason)
				}
				return opHidden, nil
			}
		}
		w.change(Changed, a, b)
		return opReplace, nil
	}
	if a.kind == jArray {
		// Items in the same order pair the same by index, and the index walk
		// prints only what differs.
		if key, rule, ok := w.collectionKey(a, b); ok && (len(w.s.own) > 0 || !sameOrder(w.ta, a, w.tb, b, key)) {
			w.parents = append(w.parents, b)
			defer func() { w.parents = w.parents[:len(w.parents)-1] }()
			return w.visitKeyed(a, b, states, key, rule)
		}
	}
	depth := len(w.path)
	if a.kind == jObject && w.collectionChanged(a, b) {
		w.countsLoose[depth] = true
		defer delete(w.countsLoose, depth)
	}
	w.parents = append(w.parents, b)
	defer func() { w.parents = w.parents[:len(w.parents)-1] }()
	mark := len(w.spare)
	changed := false
	ka, kb := w.ta.kids(a), w.tb.kids(b)
	pairs(w.ta, a, w.tb, b, func(ai, bi int32, st step) {
		var ca, cb *jnode
		if ai >= 0 {
			ca = &ka[ai]
		}
		if bi >= 0 {
			cb = &kb[bi]
		}
		w.path = append(w.path, st)
		next, smark := states, len(w.m.states)
		if len(states) > 0 {
			next, smark = w.m.next(states, st)
		}
		op, sub := w.visit(ca, cb, next)
		w.m.states = w.m.states[:smark]
		w.path = w.path[:len(w.path)-1]
		if op != opSame {
			w.spare = append(w.spare, dentry{ai: ai, bi: bi, op: op, sub: sub})
			changed = changed || op != opHidden && op != opGone
		}
	})
	if !changed {
		w.spare = w.spare[:mark]
		return opSame, nil
	}
	if a.kind == jArray && a.n != b.n {
		// Elements were likely inserted or deleted, so pairing by index is
		// off by some. Printing the differing elements whole lets go-diff
		// line them up again and show an insertion as added lines.
		for i := mark; i < len(w.spare); i++ {
			if w.spare[i].op == opSub {
				w.spare[i].op, w.spare[i].sub = opReplace, nil
			}
		}
	}
	d := &dnode{entries: slices.Clone(w.spare[mark:])}
	w.spare = w.spare[:mark]
	return opSub, d
}

func (w *walker) where() string { return formatPath(w.path) }

func (w *walker) lastKey() (string, bool) {
	if len(w.path) == 0 || w.path[len(w.path)-1].isIndex {
		return "", false
	}
	return w.path[len(w.path)-1].key, true
}

func (w *walker) change(kind ChangeKind, a, b *jnode) {
	s := w.s
	if s.onChange != nil {
		s.onChange(kind, w.path)
		return
	}
	if len(s.res.Body) >= s.d.cfg.MaxChanges {
		s.res.BodyOmitted++
		return
	}
	c := Change{Kind: kind, Path: formatPath(w.path)}
	if a != nil {
		c.Old = w.ta.display(a, s.d.cfg.MaxValueLen)
	}
	if b != nil {
		c.New = w.tb.display(b, s.d.cfg.MaxValueLen)
	}
	s.res.Body = append(s.res.Body, c)
}
