package infer

import (
	"sort"
	"strings"
	"unicode"

	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// seg is one segment of an inferred template: a literal, or a parameter.
type seg struct {
	lit   string // the literal as sent (escaped), when not a parameter
	param bool
	name  string
	val   *shape // the values seen, for a parameter's type
}

// template is an inferred path with the operations on it.
type template struct {
	segs []seg
	ops  map[string]*opSum
}

func (t *template) path() string {
	var b strings.Builder
	for _, s := range t.segs {
		b.WriteByte('/')
		if s.param {
			b.WriteString("{" + s.name + "}")
		} else {
			b.WriteString(s.lit)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// cnode is the spec's paths as a trie, for its conventions: what its
// parameters are called, which tags its neighbourhoods carry, which
// literals it already routes.
type cnode struct {
	lits  map[string]*cnode
	param *cnode
	// name and integer describe the parameter this node stands for.
	name    string
	integer bool
	tags    map[string]int
}

func newCNode() *cnode { return &cnode{lits: map[string]*cnode{}, tags: map[string]int{}} }

func conventions(ix *spec.Index) (*cnode, map[string]bool, bool) {
	root := newCNode()
	ids := map[string]bool{}
	controllers, tagged := 0, 0
	if ix == nil {
		return root, ids, false
	}
	for _, op := range ix.Operations() {
		ids[op.OperationID] = true
		tag := ""
		if len(op.Tags) > 0 {
			tag = op.Tags[0]
			tagged++
			if strings.HasSuffix(tag, "-controller") {
				controllers++
			}
		}
		n := root
		for _, s := range segments(op.Path) {
			if isTemplateParam(s) {
				if n.param == nil {
					n.param = newCNode()
					n.param.name = strings.Trim(s, "{}")
					n.param.integer = paramIsInteger(op, n.param.name)
				}
				n = n.param
			} else {
				k := n.lits[s]
				if k == nil {
					k = newCNode()
					n.lits[s] = k
				}
				n = k
			}
			if tag != "" {
				n.tags[tag]++
			}
		}
	}
	return root, ids, tagged > 0 && controllers*2 > tagged
}

func paramIsInteger(op *spec.Operation, name string) bool {
	if op.OpenAPI == nil {
		return false
	}
	for _, list := range []openapi3.Parameters{op.OpenAPI.Parameters, op.PathItem.Parameters} {
		for _, p := range list {
			if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInPath && p.Value.Name == name &&
				p.Value.Schema != nil && p.Value.Schema.Value != nil && p.Value.Schema.Value.Type != nil {
				return p.Value.Schema.Value.Type.Is(openapi3.TypeInteger)
			}
		}
	}
	return false
}

func (c *cnode) lit(s string) *cnode {
	if c == nil {
		return nil
	}
	return c.lits[s]
}

func (c *cnode) par() *cnode {
	if c == nil {
		return nil
	}
	return c.param
}

// templates decides, node by node, which segments are parameters, and
// returns every template with its operations.
func (in *Inferrer) templates(conv *cnode) []*template {
	var out []*template
	in.decide(in.root, nil, conv, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].path() < out[j].path() })
	return out
}

func (in *Inferrer) decide(n *tnode, prefix []seg, conv *cnode, out *[]*template) {
	if len(n.ops) > 0 {
		*out = append(*out, &template{segs: extend(prefix), ops: n.ops})
	}
	if len(n.kids) == 0 {
		return
	}
	values := sortedKeys(n.kids)
	idLike := 0
	for _, v := range values {
		if id, _ := idForm(unescape(v)); id && !n.forceLit[v] {
			idLike++
		}
	}
	param := map[string]bool{}
	var rest []string
	for _, v := range values {
		u := unescape(v)
		id, strong := idForm(u)
		switch {
		case n.forceLit[v]:
			// a literal route beside a typed template: keep it literal
		case in.secret("", u) || strings.ContainsAny(u, "{}/"):
			// A secret is never written out as a literal, and braces or a
			// slash cannot be one.
			param[v] = true
		case id && (strong || idLike >= 2):
			param[v] = true
		case conv.lit(v) == nil && conv.par() != nil && !conv.par().integer:
			// the spec takes any string here on a neighbouring path
			param[v] = true
		default:
			rest = append(rest, v)
		}
	}
	// Evidence across calls: three or more values at one place, each
	// followed by the same rest of the path, are one parameter's values.
	if len(rest) >= 3 {
		groups := map[string][]string{}
		for _, v := range rest {
			if k := n.kids[v]; len(k.kids) > 0 {
				sig := signature(k)
				groups[sig] = append(groups[sig], v)
			}
		}
		for _, vs := range groups {
			if len(vs) >= 3 {
				for _, v := range vs {
					param[v] = true
				}
			}
		}
	}
	if len(param) > 0 {
		merged := newTNode()
		for _, v := range values {
			if param[v] {
				mergeT(merged, n.kids[v])
			}
		}
		p := seg{param: true, name: paramName(prefix, conv), val: merged.val}
		in.decide(merged, extend(prefix, p), conv.par(), out)
	}
	for _, v := range values {
		if !param[v] {
			in.decide(n.kids[v], extend(prefix, seg{lit: v}), conv.lit(v), out)
		}
	}
}

// extend returns a new slice: prefix and then more.
func extend(prefix []seg, more ...seg) []seg {
	out := make([]seg, 0, len(prefix)+len(more))
	return append(append(out, prefix...), more...)
}

// mergeT folds the trie src into dst.
func mergeT(dst, src *tnode) {
	dst.val.merge(src.val)
	for v := range src.forceLit {
		if dst.forceLit == nil {
			dst.forceLit = map[string]bool{}
		}
		dst.forceLit[v] = true
	}
	for m, o := range src.ops {
		if dst.ops[m] == nil {
			dst.ops[m] = newOpSum()
		}
		dst.ops[m].merge(o)
	}
	for v, k := range src.kids {
		if dst.kids[v] == nil {
			dst.kids[v] = newTNode()
		}
		mergeT(dst.kids[v], k)
	}
}

// signature names the rest of the paths below a node, identifiers
// blurred, so that /users/alice/repos and /users/bob/repos sign alike.
func signature(n *tnode) string {
	var sigs []string
	var walk func(n *tnode, path string)
	walk = func(n *tnode, path string) {
		if len(sigs) > 64 {
			return
		}
		for m := range n.ops {
			sigs = append(sigs, m+" "+path)
		}
		for v, k := range n.kids {
			if id, _ := idForm(unescape(v)); id {
				v = "{}"
			}
			walk(k, path+"/"+v)
		}
	}
	walk(n, "")
	sort.Strings(sigs)
	return strings.Join(sigs, "\n")
}

// paramName names a parameter as the spec does at the same place, or
// after the segment before it (/launch/{launchId}).
func paramName(prefix []seg, conv *cnode) string {
	if p := conv.par(); p != nil && p.name != "" {
		return p.name
	}
	if len(prefix) == 0 || prefix[len(prefix)-1].param {
		return "id"
	}
	word := camel(unescape(prefix[len(prefix)-1].lit))
	if word == "" || !hasLetter(word[:1]) {
		return "id"
	}
	switch {
	case strings.HasSuffix(word, "ies") && len(word) > 4:
		word = strings.TrimSuffix(word, "ies") + "y"
	case strings.HasSuffix(word, "s") && !strings.HasSuffix(word, "ss") && !strings.HasSuffix(word, "us") && !strings.HasSuffix(word, "is") && len(word) > 3:
		word = strings.TrimSuffix(word, "s")
	}
	return word + "Id"
}

// camel joins the words of a segment ("test-case", "test_case") as
// testCase; other characters are dropped.
func camel(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		switch {
		case r == '-' || r == '_' || r == '.' || r == ' ':
			up = b.Len() > 0
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if up {
				r = unicode.ToUpper(r)
				up = false
			} else if b.Len() == 0 {
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
