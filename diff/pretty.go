package diff

import "fmt"

// The printer writes both sides of a JSON diff as text for go-diff. Members
// come in name order, so key order never shows as a change, and every member
// ends in a comma, even the last, so that appending a member shows as one
// added line rather than also changing the line before it. Where the two
// trees agree, an object or array is collapsed to {...} or [...]: a 10 MB
// body with one changed field prints as a few dozen lines, and go-diff only
// ever sees those.

const ignoredMark = "<ignored>"

type printer struct {
	ta, tb  *jtree
	m       *matcher // the walker's, to mask what rules hide in full prints
	nrules  int      // the first nrules patterns of m are rules, the rest hints
	context int
	l, r    []byte
}

func appendIndent(dst []byte, depth int) []byte {
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

// appendLead writes the indentation and, for an object member, its name.
func appendLead(dst []byte, depth int, key string, isMember bool) []byte {
	dst = appendIndent(dst, depth)
	if isMember {
		dst = appendString(dst, key)
		dst = append(dst, ':', ' ')
	}
	return dst
}

func appendEnd(dst []byte, comma bool) []byte {
	if comma {
		dst = append(dst, ',')
	}
	return append(dst, '\n')
}

func brackets(k jsonKind) (byte, byte) {
	if k == jArray {
		return '[', ']'
	}
	return '{', '}'
}

// appendInline writes a scalar or an empty container.
func (t *jtree) appendInline(dst []byte, n *jnode) []byte {
	switch n.kind {
	case jObject:
		return append(dst, '{', '}')
	case jArray:
		return append(dst, '[', ']')
	case jNull:
		return append(dst, "null"...)
	case jFalse:
		return append(dst, "false"...)
	case jTrue:
		return append(dst, "true"...)
	case jNumber:
		return appendNumber(dst, n.str)
	}
	return appendString(dst, n.str)
}

// full writes n in full, two spaces a level. Values that a rule hides
// read <ignored>, as in the rest of the diff; states are the matcher's
// states at n.
func (p *printer) full(dst []byte, t *jtree, n *jnode, states []mstate, depth int, key string, isMember, comma bool) []byte {
	dst = appendLead(dst, depth, key, isMember)
	switch {
	case p.ruleHit(states):
		dst = append(dst, ignoredMark...)
	case n.kind.scalar() || n.n == 0:
		dst = t.appendInline(dst, n)
	default:
		open, closing := brackets(n.kind)
		dst = append(dst, open, '\n')
		kids := t.kids(n)
		for i := range kids {
			next, mark := p.next(states, kidStep(n, kids, i))
			dst = p.full(dst, t, &kids[i], next, depth+1, kids[i].key, n.kind == jObject, true)
			p.m.states = p.m.states[:mark]
		}
		dst = appendIndent(dst, depth)
		dst = append(dst, closing)
	}
	return appendEnd(dst, comma)
}

func kidStep(n *jnode, kids []jnode, i int) step {
	if n.kind == jArray {
		return step{index: i, isIndex: true}
	}
	return step{key: kids[i].key}
}

// next moves the matcher one step down; the caller truncates p.m.states to
// mark afterwards.
func (p *printer) next(states []mstate, st step) ([]mstate, int) {
	if len(states) == 0 {
		return nil, len(p.m.states)
	}
	return p.m.next(states, st)
}

// ruleHit reports whether a rule (not a hint) matches at states.
func (p *printer) ruleHit(states []mstate) bool {
	for _, s := range states {
		if int(s.pat) < p.nrules && int(s.pos) == len(p.m.pats[s.pat]) {
			return true
		}
	}
	return false
}

// appendCollapsed writes n on one line, its contents elided.
func (t *jtree) appendCollapsed(dst []byte, n *jnode, depth int, key string, isMember bool) []byte {
	dst = appendLead(dst, depth, key, isMember)
	if n.kind.scalar() || n.n == 0 {
		dst = t.appendInline(dst, n)
	} else {
		open, closing := brackets(n.kind)
		dst = append(dst, open, '.', '.', '.', closing)
	}
	return appendEnd(dst, true)
}

// both writes the same text on both sides.
func (p *printer) both(write func([]byte) []byte) {
	start := len(p.l)
	p.l = write(p.l)
	p.r = append(p.r, p.l[start:]...)
}

// child is one child position of a container being printed.
type child struct {
	st step
	e  dentry
}

// sub writes two containers of the same kind that differ inside, following
// the walker's record d. A run of unchanged children longer than the
// context is cut to its ends and one "... N unchanged" line: go-diff is
// slow on long runs of identical lines, and nobody reads them.
func (p *printer) sub(d *dnode, a, b *jnode, states []mstate, depth int, key string, isMember, comma bool) {
	open, closing := brackets(a.kind)
	p.both(func(dst []byte) []byte {
		return append(appendLead(dst, depth, key, isMember), open, '\n')
	})
	var kids []child
	next := 0
	pairs(p.ta, a, p.tb, b, func(ai, bi int32, st step) {
		e := dentry{ai: ai, bi: bi, op: opSame}
		if next < len(d.entries) && d.entries[next].ai == ai && d.entries[next].bi == bi {
			e = d.entries[next]
			next++
		}
		kids = append(kids, child{st, e})
	})
	for i := 0; i < len(kids); {
		if kids[i].e.op != opSame {
			p.child(kids[i], a, b, states, depth+1)
			i++
			continue
		}
		j := i
		for j < len(kids) && kids[j].e.op == opSame {
			j++
		}
		head, tail := p.context, p.context
		if i == 0 {
			head = 0
		}
		if j == len(kids) {
			tail = 0
		}
		if j-i <= head+tail+1 {
			head, tail = j-i, 0
		}
		for _, k := range kids[i : i+head] {
			p.child(k, a, b, states, depth+1)
		}
		if cut := j - i - head - tail; cut > 0 {
			what := "members"
			if a.kind == jArray {
				what = "elements"
			}
			p.both(func(dst []byte) []byte {
				dst = appendIndent(dst, depth+1)
				return fmt.Appendf(dst, "... %d unchanged %s\n", cut, what)
			})
		}
		for _, k := range kids[j-tail : j] {
			p.child(k, a, b, states, depth+1)
		}
		i = j
	}
	p.both(func(dst []byte) []byte {
		return appendEnd(append(appendIndent(dst, depth), closing), comma)
	})
}

// child writes one child position of containers a and b.
func (p *printer) child(k child, a, b *jnode, states []mstate, depth int) {
	var ca, cb *jnode
	if k.e.ai >= 0 {
		ca = &p.ta.kids(a)[k.e.ai]
	}
	if k.e.bi >= 0 {
		cb = &p.tb.kids(b)[k.e.bi]
	}
	members := a.kind == jObject
	next, mark := p.next(states, k.st)
	defer func() { p.m.states = p.m.states[:mark] }()
	switch k.e.op {
	case opSame:
		p.both(func(dst []byte) []byte { return p.ta.appendCollapsed(dst, ca, depth, k.st.key, members) })
	case opSub:
		p.sub(k.e.sub, ca, cb, next, depth, k.st.key, members, true)
	case opReplace:
		p.l = p.full(p.l, p.ta, ca, next, depth, k.st.key, members, true)
		p.r = p.full(p.r, p.tb, cb, next, depth, k.st.key, members, true)
	case opRemoved:
		p.l = p.full(p.l, p.ta, ca, next, depth, k.st.key, members, true)
	case opAdded:
		p.r = p.full(p.r, p.tb, cb, next, depth, k.st.key, members, true)
	case opHidden:
		p.both(func(dst []byte) []byte {
			return appendEnd(append(appendLead(dst, depth, k.st.key, members), ignoredMark...), true)
		})
	}
}
