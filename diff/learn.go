package diff

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/apitrail/apitrail/internal/jsonpath"
)

// Learned is what Learn found in two replies to the same request.
type Learned struct {
	// Rules are candidate ignore rules, scoped to the operation, one for
	// each header and generalised JSON path that differed.
	Rules []Rule `json:"rules,omitempty"`
	// Skipped says which differences were not turned into rules, and why.
	Skipped []string `json:"skipped,omitempty"`
}

// Learn compares two replies to the same request, sent one after the other,
// and proposes what differed as noise: each header, and each JSON path with
// its array indexes generalised to [*] ($.content[3].createdDate becomes
// $.content[*].createdDate). Existing rules and default ignored headers
// apply first, so only new noise is proposed.
//
// Hints (op.Hints, and Config.NameHints) never propose a path on their own:
// a hinted value that was equal in both replies is not noise. A proposed
// path that a hint also covers says so in the rule's comment.
//
// Some differences are reported in Skipped instead of becoming rules,
// because the rule would hide too much: a different status (the replies are
// not comparable), an array whose length changed (ignoring its elements
// would hide the whole list), and text or binary bodies that differ (the
// only rule would hide the whole body).
func (d *Differ) Learn(op Operation, first, second Response) *Learned {
	l := &Learned{}
	if first.Status != second.Status {
		l.Skipped = append(l.Skipped, fmt.Sprintf("status differs between the two replies (%d, %d): nothing learned", first.Status, second.Status))
		return l
	}
	s := d.newSession(op)
	hints := s.newHinter(op)
	scope := opScope(op)
	seen := map[string]bool{}
	propose := func(r Rule) {
		if !seen[r.String()] {
			seen[r.String()] = true
			l.Rules = append(l.Rules, r)
		}
	}
	skip := func(msg string) {
		if !slices.Contains(l.Skipped, msg) {
			l.Skipped = append(l.Skipped, msg)
		}
	}
	d.compareHeaders(s.res, s.nz, s.rules, first.Header, second.Header)
	for _, h := range s.res.Headers {
		propose(Rule{Scope: scope, Action: IgnoreAction, Target: HeaderTarget, Expr: h.Name, Comment: "learned: differed between two replies"})
	}
	s.onChange = func(kind ChangeKind, path []step) {
		switch {
		case len(path) == 0:
			skip(fmt.Sprintf("the %s bodies differ as a whole; only \"ignore body $\" would hide that, so it is left to you", s.res.BodyKind))
			return
		case kind != Changed && path[len(path)-1].isIndex:
			skip(fmt.Sprintf("array %s has a different length in the two replies; not learned, as ignoring its elements would hide the whole list", generalise(path[:len(path)-1])))
			return
		}
		p := generalise(path)
		comment := "learned: differed between two replies"
		if reason, ok := hints.covers(path); ok {
			comment += " (hint: " + reason + ")"
		}
		propose(Rule{Scope: scope, Action: IgnoreAction, Target: BodyTarget, Expr: p.String(), Comment: comment})
	}
	s.compareBody(first, second)
	l.Skipped = append(l.Skipped, s.res.Notes...) // bad hints, bodies not recorded
	slices.SortStableFunc(l.Rules, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(a.Target, b.Target)*-1, cmp.Compare(a.Expr, b.Expr)) // header before body
	})
	return l
}

// opScope is the scope learned rules get: method and path template when
// known, else the operationId, else none.
func opScope(op Operation) Scope {
	switch {
	case op.Method != "" && op.Path != "":
		return Scope{Method: op.Method, Path: op.Path}
	case op.ID != "":
		return Scope{OperationID: op.ID}
	}
	return Scope{}
}

// covers reports whether a hint covers the value at a concrete path, and
// its reason. h may be nil.
func (h *hinter) covers(path []step) (string, bool) {
	if h == nil {
		return "", false
	}
	m := &matcher{pats: h.pats}
	states := m.start()
	for _, st := range path {
		states, _ = m.next(states, st)
	}
	key, isMember := "", len(path) > 0 && !path[len(path)-1].isIndex
	if isMember {
		key = path[len(path)-1].key
	}
	_, reason, _, ok := h.match(m.done(nil, states), key, isMember)
	return reason, ok
}

// LearnHints proposes as rules what hints hid when a recorded answer was
// compared with a replayed one: each generalised JSON path where a schema
// format, a member name (Config.NameHints) or a value's own form
// (Config.ValueHints) hid values that differed. Two replies sent one after
// the other, which is all Learn sees, agree on a creation time; the
// recording, made days before, does not. Rules that already apply come
// first, so only new noise is proposed.
func (d *Differ) LearnHints(op Operation, recorded, replayed Response) []Rule {
	s := d.newSession(op)
	if s.hints = s.newHinter(op); s.hints == nil {
		return nil
	}
	scope := opScope(op)
	seen := map[string]bool{}
	var rules []Rule
	s.onChange = func(ChangeKind, []step) {} // only the hints are wanted
	s.onHint = func(path []step, reason string) {
		if p := generalise(path).String(); !seen[p] {
			seen[p] = true
			rules = append(rules, Rule{Scope: scope, Action: IgnoreAction, Target: BodyTarget, Expr: p,
				Comment: "learned: the recorded and replayed values differ (hint: " + reason + ")"})
		}
	}
	s.compareBody(recorded, replayed)
	slices.SortFunc(rules, func(a, b Rule) int { return cmp.Compare(a.Expr, b.Expr) })
	return rules
}

// Coverage counts the values of an answer and how many of them the body
// rules among rules that apply to op would hide: a JSON body's values are
// its scalars and empty objects and arrays; any other body is one value,
// hidden by a rule for $. It tells a rule that hides a detail from one
// that hides the answer.
func Coverage(op Operation, rules []Rule, r Response) (hidden, total int) {
	m := &matcher{}
	for _, rule := range rules {
		if rule.Target != BodyTarget || rule.Action != IgnoreAction || !rule.Scope.covers(op) {
			continue
		}
		if p, err := jsonpath.Parse(rule.Expr); err == nil {
			m.pats = append(m.pats, p)
		}
	}
	kind, t, _ := classify(r.contentType(), r.Body)
	if kind == kindEmpty {
		return 0, 0
	}
	if kind != kindJSON {
		if len(m.done(nil, m.start())) > 0 {
			return 1, 1
		}
		return 0, 1
	}
	var walk func(n *jnode, states []mstate, hid bool)
	walk = func(n *jnode, states []mstate, hid bool) {
		hid = hid || len(m.done(nil, states)) > 0
		if n.kind.scalar() || n.n == 0 {
			total++
			if hid {
				hidden++
			}
			return
		}
		for i, c := range t.kids(n) {
			st := step{key: c.key}
			if n.kind == jArray {
				st = step{index: i, isIndex: true}
			}
			next, mark := m.next(states, st)
			walk(&t.kids(n)[i], next, hid)
			m.states = m.states[:mark]
		}
	}
	walk(&t.root, m.start(), false)
	return hidden, total
}
