package script

import (
	_ "embed"
	"fmt"
	"go/format"
	"path"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"
)

//go:embed gosrc.go.tmpl
var goText string

var goTemplate = template.Must(template.New("gosrc.go.tmpl").Funcs(template.FuncMap{
	"quote":     strconv.Quote,
	"inString":  goStringBody,
	"hasPrefix": strings.HasPrefix,
	"trimSpace": strings.TrimSpace,
	"join":      strings.Join,
}).Parse(goText))

// goProgram is what gosrc.go.tmpl renders: the flow's names and expressions
// already written as Go, so the template reads as the program it writes.
type goProgram struct {
	Command        string
	Endpoint       string
	File           string
	Heading        []string // after the first line
	Scheme         string
	SignIn         SignIn
	Renews         bool
	AuthHeaders    []goHeader // the header scheme's, {token} standing for the token
	NeedJSON       bool
	NeedURL        bool
	NeedPick       bool
	NeedHeader     bool
	NeedJSONString bool
	Context        []goVar
	Secrets        []goVar
	Chosen         []goChosenVar
	RunArgs        string
	RunParams      string
	Calls          []goCall
}

type goHeader struct{ Name, Value string }

// goVar is a parameter main reads from the environment variable Env.
type goVar struct{ Var, Env, Value, Where string }

// goChosenVar is a value the flow chose: Expr makes it (chosen.go).
type goChosenVar struct{ Name, Var, Expr string }

type goCall struct {
	Func     string
	Call     string // the call in run
	Outs     string // the values it returns, in run
	Seq      int
	Label    string
	Note     string
	Params   string
	Results  string
	Body     string
	CallArgs string
	Produces []goProduce
}

// goProduce is a value a call hands out: Read reads it from the answer.
type goProduce struct {
	Name, Var, Read string
	Last            bool
}

// renderGo writes a Go program that needs only the standard library: one
// function per call, named after its operation, and a client that gets the
// Bearer token, gets a new one on a 401 and stops at the first failure.
func renderGo(fl *flow) ([]byte, error) {
	reserved := append([]string{}, goReserved...)
	for _, c := range fl.calls {
		reserved = append(reserved, c.funcName)
	}
	names := namer(fl.params, func(s string) string { return goStyle(identifier(s)) }, reserved...)
	shell := namer(fl.params, shellStyle, shellReserved...)
	lines := headingLines(fl)
	g := goProgram{
		Command:  strings.TrimSuffix(path.Base(fileName(fl, Go)), ".go"),
		Endpoint: fl.endpoint,
		File:     fileName(fl, Go),
		Heading:  lines[1:],
		Scheme:   fl.signIn.scheme(),
		SignIn:   fl.signIn,
		Renews:   renews(fl.signIn),
	}
	for _, h := range fl.signIn.Headers {
		name, value, _ := strings.Cut(h, ":")
		g.AuthHeaders = append(g.AuthHeaders, goHeader{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	for _, c := range fl.calls {
		for _, pr := range c.produces {
			if pr.from.header != "" {
				g.NeedHeader = true
			} else {
				g.NeedPick = true
			}
		}
		for _, t := range append([]tmpl{c.target, c.body}, headerValues(c)...) {
			for _, pc := range t {
				if pc.p != nil && pc.enc == encJSONString {
					g.NeedJSONString = true
				}
				if pc.p != nil && pc.p.kind != freshParam && (pc.enc == encPath || pc.enc == encQuery) {
					g.NeedURL = true
				}
			}
		}
	}
	// The exchange, pick and jsonString read JSON; the exchange,
	// headerSegment and escaped parameters use net/url.
	g.NeedJSON = g.Renews || g.NeedPick || g.NeedJSONString
	g.NeedURL = g.NeedURL || g.Renews || g.NeedHeader

	runArgs, runParams := []string{"c"}, []string{"c *client"}
	for _, pr := range paramsOf(fl, contextParam) {
		g.Context = append(g.Context, goVar{Var: names[pr], Env: shell[pr], Value: pr.value})
		runArgs, runParams = append(runArgs, names[pr]), append(runParams, names[pr]+" string")
	}
	for _, pr := range paramsOf(fl, secretParam) {
		g.Secrets = append(g.Secrets, goVar{Var: names[pr], Env: shell[pr], Where: pr.where})
		runArgs, runParams = append(runArgs, names[pr]), append(runParams, names[pr]+" string")
	}
	for _, pr := range paramsOf(fl, chosenParam) {
		g.Chosen = append(g.Chosen, goChosenVar{Name: pr.name, Var: names[pr], Expr: goChosen(pr)})
		runArgs, runParams = append(runArgs, names[pr]), append(runParams, names[pr]+" string")
	}
	g.RunArgs, g.RunParams = strings.Join(runArgs, ", "), strings.Join(runParams, ", ")

	for _, c := range fl.calls {
		ref := func(pc piece) string {
			if pc.p.kind == freshParam {
				return "fmt.Sprint(time.Now().UnixMilli())"
			}
			n := names[pc.p]
			switch pc.enc {
			case encPath:
				return "url.PathEscape(" + n + ")"
			case encQuery:
				return "url.QueryEscape(" + n + ")"
			case encJSONString:
				return "jsonString(" + n + ")"
			}
			return n
		}
		args, params := []string{"c"}, []string{"c *client"}
		for _, u := range c.uses {
			args, params = append(args, names[u]), append(params, names[u]+" string")
		}
		gc := goCall{
			Func:    c.funcName,
			Call:    c.funcName + "(" + strings.Join(args, ", ") + ")",
			Seq:     c.seq,
			Label:   c.label,
			Note:    strings.TrimSuffix(c.note, "."),
			Params:  strings.Join(params, ", "),
			Results: "error",
		}
		body := `""`
		if c.bodyKind != noBody {
			gc.Body, body = goExpr(c.body, ref), "body"
		}
		callArgs := []string{strconv.Quote(fmt.Sprintf("#%d %s", c.seq, c.label)), strconv.Quote(c.method), goExpr(c.target, ref), body}
		for _, h := range c.headers {
			callArgs = append(callArgs, strconv.Quote(h.name), goExpr(h.value, ref))
		}
		gc.CallArgs = strings.Join(callArgs, ", ")
		var outs []string
		for i, pr := range c.produces {
			outs = append(outs, names[pr])
			gp := goProduce{Name: pr.name, Var: names[pr], Last: i == len(c.produces)-1}
			if pr.from.header != "" {
				gp.Read = fmt.Sprintf("a.headerSegment(%q, %d)", pr.from.header, pr.from.segment)
			} else {
				keys := []string{strconv.Quote(pr.from.jsonPath)}
				for _, k := range pr.from.json {
					switch k := k.(type) {
					case string:
						keys = append(keys, strconv.Quote(k))
					case int:
						keys = append(keys, strconv.Itoa(k))
					}
				}
				gp.Read = "a.pick(" + strings.Join(keys, ", ") + ")"
			}
			gc.Produces = append(gc.Produces, gp)
		}
		if len(outs) > 0 {
			gc.Outs = strings.Join(outs, ", ")
			gc.Results = "(" + gc.Outs + " string, err error)"
		}
		g.Calls = append(g.Calls, gc)
	}

	var w strings.Builder
	if err := goTemplate.Execute(&w, g); err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	src, err := format.Source([]byte(w.String()))
	if err != nil {
		return nil, fmt.Errorf("internal error: the Go program does not parse: %w", err)
	}
	return src, nil
}

// goExpr writes a template as a Go string expression: raw string literals
// for text, so a JSON body reads as it is sent.
func goExpr(t tmpl, ref func(piece) string) string {
	if len(t) == 0 {
		return `""`
	}
	var parts []string
	for _, pc := range t {
		switch {
		case pc.p != nil:
			parts = append(parts, ref(pc))
		case strings.Contains(pc.lit, "`") || strings.Contains(pc.lit, "\r") || !strings.Contains(pc.lit, "\n") || !utf8.ValidString(pc.lit):
			parts = append(parts, strconv.Quote(pc.lit))
		default:
			parts = append(parts, "`"+pc.lit+"`")
		}
	}
	return strings.Join(parts, " + ")
}

// goStringBody escapes text for the inside of a Go string literal.
func goStringBody(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
