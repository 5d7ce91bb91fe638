// Package drift says what changed under recorded calls between two versions
// of a spec: whether each call still resolves, and whether its operation
// lost a parameter the call sends, gained a required one, or changed its
// schemas so that the recorded request or answer no longer fits. Calls are
// matched on method and path, so an operationId that a generator
// renumbered is reported but never counts as a break.
package drift

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/internal/pathtemplate"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// Kind names a change under a call.
type Kind string

// The kinds of change. Removed, MethodRemoved, ParamRemoved,
// ParamRenamed, RequiredAdded, RequestSchema, ResponseSchema and
// StatusRemoved break the recorded call; Renumbered and Moved do not.
const (
	Removed        Kind = "removed"         // no operation fits the call any more
	MethodRemoved  Kind = "method-removed"  // the path is there, the method is not
	Moved          Kind = "moved"           // the call now resolves to another template
	Renumbered     Kind = "renumbered"      // same operation, another operationId
	ParamRemoved   Kind = "param-removed"   // a parameter the call sends is gone
	ParamRenamed   Kind = "param-renamed"   // ... and looks renamed
	RequiredAdded  Kind = "required-added"  // a required parameter the call does not send
	RequestSchema  Kind = "request-schema"  // the recorded request no longer fits
	ResponseSchema Kind = "response-schema" // the recorded answer no longer fits
	StatusRemoved  Kind = "status-removed"  // the recorded status is no longer documented
)

// Breaking reports whether a change breaks the recorded call.
func (k Kind) Breaking() bool { return k != Renumbered && k != Moved }

// Change is one thing that changed under a call.
type Change struct {
	Kind    Kind   `json:"kind"`
	Message string `json:"message"`
}

func (c Change) String() string { return string(c.Kind) + ": " + c.Message }

// Call is one recorded call checked against the new spec.
type Call struct {
	Seq    int    `json:"seq"`
	Method string `json:"method"`
	URL    string `json:"url"`
	// Old and New name the operation in each spec ("launch-controller
	// findAll_29: GET /api/launch"); New is empty when nothing fits.
	Old string `json:"old"`
	New string `json:"new,omitempty"`
	// Resolves is set when the call still fits an operation.
	Resolves bool     `json:"resolves"`
	Breaking bool     `json:"breaking"`
	Changes  []Change `json:"changes,omitempty"`
}

// Compare checks each recorded call that fits an operation of the old spec
// (as results, from a matcher over the old spec, say) against the new
// index.
func Compare(results []match.Result, oldIx, newIx *spec.Index) []Call {
	var out []Call
	for _, r := range results {
		if r.Operation == nil || r.Entry == nil {
			continue
		}
		out = append(out, compareOne(r, oldIx, newIx))
	}
	return out
}

func compareOne(r match.Result, oldIx, newIx *spec.Index) Call {
	c := Call{Seq: r.Seq, Method: r.Method, URL: r.URL, Old: r.Operation.String()}
	add := func(k Kind, format string, args ...any) {
		c.Changes = append(c.Changes, Change{Kind: k, Message: fmt.Sprintf(format, args...)})
		if k.Breaking() {
			c.Breaking = true
		}
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		add(Removed, "the recorded URL does not parse")
		return c
	}
	m := newIx.Lookup(r.Method, u)
	switch m.Outcome {
	case spec.NotFound, spec.OtherHost:
		add(Removed, "no operation of the new spec fits %s %s", r.Method, u.Path)
		return c
	case spec.MethodNotAllowed:
		add(MethodRemoved, "%s is now documented only for %s", m.Operation.Path, strings.Join(m.Allowed, ", "))
		return c
	case spec.Preflight:
		return c
	}
	c.Resolves = true
	oldOp, newOp := r.Operation.Spec(), m.Operation
	c.New = match.NewOperation(newOp).String()
	if pathtemplate.Shape(oldOp.Path) != pathtemplate.Shape(newOp.Path) {
		add(Moved, "%s became %s", oldOp.Path, newOp.Path)
	}
	if oldOp.OperationID != newOp.OperationID && oldOp.OperationID != "" {
		add(Renumbered, "operationId %s became %s (not a break: calls match on method and path)", oldOp.OperationID, newOp.OperationID)
	}

	oldParams, newParams := params(oldOp), params(newOp)
	sent := sentParams(r, u)
	var removed []param
	for key, p := range oldParams {
		if _, ok := newParams[key]; !ok && sent[key] && p.in != openapi3.ParameterInPath {
			removed = append(removed, p)
		}
	}
	sort.Slice(removed, func(i, j int) bool { return removed[i].name < removed[j].name })
	for _, p := range removed {
		if to := renamedTo(p, oldParams, newParams); to != "" {
			add(ParamRenamed, "the %s parameter %s the call sends looks renamed to %s", p.in, p.name, to)
		} else {
			add(ParamRemoved, "the %s parameter %s the call sends is gone", p.in, p.name)
		}
	}
	var required []string
	for key, p := range newParams {
		if !p.required || p.in == openapi3.ParameterInPath || sent[key] {
			continue
		}
		if op, ok := oldParams[key]; ok && op.required {
			continue // required before too: not a change
		}
		if artefact(p) {
			continue
		}
		required = append(required, fmt.Sprintf("%s parameter %s", p.in, p.name))
	}
	sort.Strings(required)
	for _, q := range required {
		add(RequiredAdded, "the new spec requires the %s, which the call does not send", q)
	}

	// The recorded exchange under each spec: what newly fails is a break.
	req, resp := r.Exchange(u)
	before := problemSet(oldIx.Check(r.Match, req, resp))
	for _, p := range newIx.Check(m, req, resp) {
		if before[problemKey(p)] {
			continue
		}
		switch p.Kind {
		case spec.InvalidRequestBody, spec.MissingRequestBody, spec.UndocumentedRequestBody:
			add(RequestSchema, "%s: %s", p.Where, p.Message)
		case spec.InvalidResponseBody, spec.InvalidResponseHeader:
			add(ResponseSchema, "%s: %s", p.Where, p.Message)
		case spec.UndocumentedStatus:
			add(StatusRemoved, "the recorded status %d is no longer documented", r.Status)
		case spec.UndocumentedContentType:
			if strings.HasPrefix(p.Where, "response") {
				add(ResponseSchema, "%s: %s", p.Where, p.Message)
			} else {
				add(RequestSchema, "%s: %s", p.Where, p.Message)
			}
		}
		// Query and parameter problems are covered above by name.
	}
	return c
}

type param struct {
	in, name string
	required bool
	typ      string
}

func params(op *spec.Operation) map[string]param {
	out := map[string]param{}
	for _, list := range []openapi3.Parameters{op.PathItem.Parameters, op.OpenAPI.Parameters} {
		for _, pr := range list {
			if pr == nil || pr.Value == nil {
				continue
			}
			p := param{in: pr.Value.In, name: pr.Value.Name, required: pr.Value.Required}
			if s := pr.Value.Schema; s != nil && s.Value != nil && s.Value.Type != nil && len(*s.Value.Type) > 0 {
				p.typ = (*s.Value.Type)[0]
			}
			out[p.in+"."+p.name] = p
		}
	}
	return out
}

// sentParams lists the query and header parameters a call sends, by key.
func sentParams(r match.Result, u *url.URL) map[string]bool {
	out := map[string]bool{}
	for k := range u.Query() {
		out[openapi3.ParameterInQuery+"."+k] = true
	}
	for _, h := range r.Entry.Request.Headers {
		out[openapi3.ParameterInHeader+"."+h.Name] = true
	}
	return out
}

// renamedTo guesses the new name of a removed parameter: a parameter of
// the same place and type that the old spec did not have, when there is
// exactly one. A renamed parameter keeps its place, type and whether it
// is required.
func renamedTo(p param, oldParams, newParams map[string]param) string {
	var cands []string
	for key, np := range newParams {
		if _, old := oldParams[key]; old || np.in != p.in || np.typ != p.typ || np.required != p.required {
			continue
		}
		cands = append(cands, np.name)
	}
	if len(cands) == 1 {
		return cands[0]
	}
	return ""
}

// artefact reports parameters generators declare that no client sends.
func artefact(p param) bool {
	for _, a := range spec.SpringdocArtefacts.Params {
		if a.In == p.in && a.Name == p.name {
			return true
		}
	}
	return false
}

func problemKey(p spec.Problem) string { return string(p.Kind) + " " + p.Where }

func problemSet(ps []spec.Problem) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		out[problemKey(p)] = true
	}
	return out
}

// Summary counts the calls by what changed under them.
type Summary struct {
	Calls     int `json:"calls"`
	Unchanged int `json:"unchanged"`
	Changed   int `json:"changed"`  // changes that do not break the call
	Breaking  int `json:"breaking"` // changes that do
}

// Summarize counts the calls.
func Summarize(calls []Call) Summary {
	s := Summary{Calls: len(calls)}
	for _, c := range calls {
		switch {
		case c.Breaking:
			s.Breaking++
		case len(c.Changes) > 0:
			s.Changed++
		default:
			s.Unchanged++
		}
	}
	return s
}

// WriteCalls prints what changed under each call, breaking changes first
// marked with "!".
func WriteCalls(w io.Writer, calls []Call) error {
	for _, c := range calls {
		mark := " "
		if c.Breaking {
			mark = "!"
		}
		state := "still resolves to " + c.New
		if !c.Resolves {
			state = "no longer resolves"
		}
		if len(c.Changes) == 0 {
			state += ", unchanged"
		}
		fmt.Fprintf(w, "%s #%d %s %s: %s\n", mark, c.Seq, c.Method, match.PathOf(c.URL), state)
		for _, ch := range c.Changes {
			fmt.Fprintf(w, "      %s\n", ch)
		}
	}
	return nil
}
