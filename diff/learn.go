package diff

import (
	"cmp"
	"fmt"
	"slices"
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
