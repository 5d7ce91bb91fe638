package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A small subset of AQL, the query language behind the rql parameter:
// comparisons (=, !=, ~=, <, <=, >, >=, in) on a record's fields, joined by
// and, or, not and parentheses, plus the literals true and false. It is
// enough for the searches the UI and clients send: name ~= "x",
// tag in ["a"], createdDate >= 1700000000000, rql=true.

// fieldValue is what a record offers for a field: a string, a number, a
// bool, or a list of strings (tags).
type fieldValue any

type record func(field string) fieldValue

type query func(record) bool

func parseRQL(src string, fields map[string]bool) (query, error) {
	p := &rqlParser{src: src, fields: fields}
	p.next()
	q, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF || p.err != nil {
		return nil, p.errorf("unexpected %q", p.tok.text)
	}
	return q, nil
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
)

type token struct {
	kind tokKind
	text string
	pos  int
}

type rqlParser struct {
	src    string
	pos    int
	tok    token
	fields map[string]bool
	err    error
}

// errorf reports the first problem found: a lexing error (an unterminated
// string) outranks what the parser then trips over.
func (p *rqlParser) errorf(format string, a ...any) error {
	if p.err != nil {
		return p.err
	}
	return fmt.Errorf("invalid query at position %d: %s", p.tok.pos+1, fmt.Sprintf(format, a...))
}

func (p *rqlParser) next() {
	s := p.src
	for p.pos < len(s) && unicode.IsSpace(rune(s[p.pos])) {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	c := s[p.pos]
	switch {
	case c == '(' || c == ')' || c == '[' || c == ']' || c == ',':
		p.pos++
		p.tok = token{kind: map[byte]tokKind{'(': tLParen, ')': tRParen, '[': tLBrack, ']': tRBrack, ',': tComma}[c], text: string(c), pos: start}
	case c == '"':
		var b strings.Builder
		p.pos++
		for p.pos < len(s) && s[p.pos] != '"' {
			if s[p.pos] == '\\' && p.pos+1 < len(s) {
				p.pos++
			}
			b.WriteByte(s[p.pos])
			p.pos++
		}
		if p.pos >= len(s) {
			p.err = fmt.Errorf("invalid query at position %d: unterminated string", start+1)
			p.tok = token{kind: tEOF, pos: start}
			return
		}
		p.pos++
		p.tok = token{kind: tString, text: b.String(), pos: start}
	case strings.ContainsRune("=!~<>", rune(c)):
		p.pos++
		if p.pos < len(s) && s[p.pos] == '=' {
			p.pos++
		}
		p.tok = token{kind: tOp, text: s[start:p.pos], pos: start}
	case c == '-' || c >= '0' && c <= '9':
		p.pos++
		for p.pos < len(s) && (s[p.pos] >= '0' && s[p.pos] <= '9' || s[p.pos] == '.') {
			p.pos++
		}
		p.tok = token{kind: tNumber, text: s[start:p.pos], pos: start}
	case c == '_' || unicode.IsLetter(rune(c)):
		for p.pos < len(s) && (s[p.pos] == '_' || s[p.pos] == '.' || unicode.IsLetter(rune(s[p.pos])) || unicode.IsDigit(rune(s[p.pos]))) {
			p.pos++
		}
		p.tok = token{kind: tIdent, text: s[start:p.pos], pos: start}
	default:
		p.pos++
		p.tok = token{kind: tOp, text: string(c), pos: start}
	}
}

func (p *rqlParser) keyword(w string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, w)
}

func (p *rqlParser) or() (query, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(rec record) bool { return a(rec) || b(rec) }
	}
	return l, nil
}

func (p *rqlParser) and() (query, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(rec record) bool { return a(rec) && b(rec) }
	}
	return l, nil
}

func (p *rqlParser) unary() (query, error) {
	switch {
	case p.keyword("not"):
		p.next()
		q, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(rec record) bool { return !q(rec) }, nil
	case p.tok.kind == tLParen:
		p.next()
		q, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errorf("expected )")
		}
		p.next()
		return q, nil
	case p.keyword("true") || p.keyword("false"):
		v := p.keyword("true")
		p.next()
		return func(record) bool { return v }, nil
	case p.tok.kind == tIdent:
		return p.comparison()
	}
	if p.tok.kind == tEOF {
		return nil, p.errorf("unexpected end of query")
	}
	return nil, p.errorf("unexpected %q", p.tok.text)
}

func (p *rqlParser) comparison() (query, error) {
	field := p.tok.text
	if !p.fields[field] {
		return nil, p.errorf("unknown field %q", field)
	}
	p.next()
	op := p.tok.text
	switch {
	case p.keyword("in"):
		op = "in"
	case p.tok.kind != tOp:
		return nil, p.errorf("expected an operator after %s", field)
	}
	switch op {
	case "=", "!=", "~=", "<", "<=", ">", ">=", "in":
	default:
		return nil, p.errorf("unknown operator %q", op)
	}
	p.next()
	var want []any
	if op == "in" {
		if p.tok.kind != tLBrack {
			return nil, p.errorf("expected [ after in")
		}
		p.next()
		for p.tok.kind != tRBrack {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			want = append(want, v)
			if p.tok.kind == tComma {
				p.next()
			} else if p.tok.kind != tRBrack {
				return nil, p.errorf("expected , or ]")
			}
		}
		p.next()
	} else {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		want = []any{v}
	}
	return func(rec record) bool { return compare(rec(field), op, want) }, nil
}

func (p *rqlParser) value() (any, error) {
	t := p.tok
	switch {
	case t.kind == tString:
		p.next()
		return t.text, nil
	case t.kind == tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errorf("bad number %q", t.text)
		}
		p.next()
		return f, nil
	case p.keyword("true") || p.keyword("false"):
		p.next()
		return strings.EqualFold(t.text, "true"), nil
	case p.keyword("null"):
		p.next()
		return nil, nil
	}
	return nil, p.errorf("expected a value, found %q", t.text)
}

func compare(have fieldValue, op string, want []any) bool {
	if list, ok := have.([]string); ok {
		for _, h := range list {
			if compare(h, op, want) {
				return op != "!="
			}
		}
		return op == "!="
	}
	switch op {
	case "in":
		for _, w := range want {
			if equal(have, w) {
				return true
			}
		}
		return false
	case "=":
		return equal(have, want[0])
	case "!=":
		return !equal(have, want[0])
	case "~=":
		hs, ok1 := have.(string)
		ws, ok2 := want[0].(string)
		return ok1 && ok2 && strings.Contains(strings.ToLower(hs), strings.ToLower(ws))
	}
	hn, ok1 := number(have)
	wn, ok2 := number(want[0])
	if !ok1 || !ok2 {
		return false
	}
	switch op {
	case "<":
		return hn < wn
	case "<=":
		return hn <= wn
	case ">":
		return hn > wn
	default:
		return hn >= wn
	}
}

func equal(have fieldValue, want any) bool {
	if hn, ok := number(have); ok {
		wn, ok := number(want)
		return ok && hn == wn
	}
	return have == want
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
