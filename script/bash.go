package script

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"
)

//go:embed bash.sh.tmpl
var bashText string

var bashTemplate = template.Must(template.New("bash.sh.tmpl").Funcs(template.FuncMap{
	"paramWord": shellParamWord,
}).Parse(bashText))

// bashScript is what bash.sh.tmpl renders: the flow's text already quoted
// for the shell, so the template reads as the script it writes.
type bashScript struct {
	Heading        []string
	Endpoint       string
	File           string
	Scheme         string
	SignIn         SignIn
	Scopes         string // the OAuth 2.0 scopes, space-separated
	HeaderNames    string // the headers the header scheme signs in with
	AuthHeaders    string // their curl arguments
	Excerpted      string // what excerpt takes out of an answer
	Renews         bool
	Context        []bashVar
	Secrets        []bashVar
	Chosen         []bashChosenVar
	NeedURL        bool
	NeedJSONString bool
	NeedHeader     bool
	Calls          []bashCall
}

type bashVar struct{ Var, Value, Where string }

// bashChosenVar is a value the flow chose: Expr makes it (chosen.go).
type bashChosenVar struct{ Name, Var, Expr string }

type bashCall struct {
	Seq       int
	Label     string
	Note      string
	Request   string // the lines that write the body to $WORK/request
	LabelWord string
	Method    string
	Target    string
	Args      []string // curl arguments after the URL, one a line
	Produces  []bashProduce
}

// bashProduce reads a value the call hands out: from a header's URL when
// Header is set, else with the jq Filter.
type bashProduce struct {
	Name, Var, Header, Filter string
	Segment                   int
}

// renderBash writes the vendor's documented style: ENDPOINT and TESTOPS_TOKEN
// from the environment, the token exchanged for JWT_TOKEN at the top, then
// one curl per call.
func renderBash(fl *flow) ([]byte, error) {
	names := namer(fl.params, shellStyle, shellReserved...)
	si := fl.signIn
	s := bashScript{
		Heading:     headingLines(fl),
		Endpoint:    fl.endpoint,
		File:        fileName(fl, Bash),
		Scheme:      si.scheme(),
		SignIn:      si,
		Scopes:      strings.Join(si.Scopes, " "),
		HeaderNames: headerNames(si.Headers),
		AuthHeaders: bashAuthHeaders(si.Headers),
		Renews:      renews(si),
		Excerpted: map[string]string{
			"testops": "the API token and the Bearer token",
			"oauth2":  "the client secret and the Bearer token",
		}[si.scheme()],
	}
	if s.Excerpted == "" {
		s.Excerpted = "the credentials"
	}
	for _, c := range fl.calls {
		for _, t := range append([]tmpl{c.target, c.body}, headerValues(c)...) {
			for _, pc := range t {
				if pc.p == nil {
					continue
				}
				switch pc.enc {
				case encPath, encQuery:
					s.NeedURL = true
				case encJSONString:
					s.NeedJSONString = true
				}
			}
		}
		for _, pr := range c.produces {
			if pr.from.header != "" {
				s.NeedHeader = true
			}
		}
	}
	for _, pr := range paramsOf(fl, contextParam) {
		s.Context = append(s.Context, bashVar{Var: names[pr], Value: pr.value})
	}
	for _, pr := range paramsOf(fl, secretParam) {
		s.Secrets = append(s.Secrets, bashVar{Var: names[pr], Where: pr.where})
	}
	for _, pr := range paramsOf(fl, chosenParam) {
		s.Chosen = append(s.Chosen, bashChosenVar{Name: pr.name, Var: names[pr], Expr: bashChosen(pr)})
	}

	for _, c := range fl.calls {
		ref := func(pc piece) string {
			if pc.p.kind == freshParam {
				return freshBash(pc.p.value)
			}
			n := names[pc.p]
			switch pc.enc {
			case encPath, encQuery:
				return `$(urlencode "$` + n + `")`
			case encJSONString:
				return `$(json_string "$` + n + `")`
			}
			return "${" + n + "}"
		}
		bc := bashCall{
			Seq:       c.seq,
			Label:     c.label,
			Note:      c.note,
			LabelWord: shellQuote(fmt.Sprintf("#%d %s", c.seq, c.label)),
			Method:    c.method,
			Target:    shellWordKeep(tmpl{{lit: "$ENDPOINT"}}.concat(c.target), ref),
		}
		for _, h := range c.headers {
			bc.Args = append(bc.Args, "-H "+shellWord(tmpl{{lit: h.name + ": "}}.concat(h.value), ref))
		}
		switch c.bodyKind {
		case jsonBody:
			bc.Request = strings.TrimSuffix(heredoc(c.body, ref), "\n")
		case formBody, textBody:
			bc.Request = "printf '%s' " + shellWord(c.body, ref) + ` >"$WORK/request"`
		}
		if bc.Request != "" {
			bc.Args = append(bc.Args, `--data-binary @"$WORK/request"`)
		}
		for _, pr := range c.produces {
			bp := bashProduce{Name: pr.name, Var: names[pr]}
			if pr.from.header != "" {
				bp.Header, bp.Segment = shellQuote(pr.from.header), pr.from.segment
			} else {
				bp.Filter = shellQuote(jqFilter(pr.from.json))
			}
			bc.Produces = append(bc.Produces, bp)
		}
		s.Calls = append(s.Calls, bc)
	}
	var w bytes.Buffer
	if err := bashTemplate.Execute(&w, s); err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	return w.Bytes(), nil
}

func headerValues(c *call) []tmpl {
	out := make([]tmpl, len(c.headers))
	for i, h := range c.headers {
		out[i] = h.value
	}
	return out
}

func (t tmpl) concat(more tmpl) tmpl { return append(append(tmpl{}, t...), more...) }

// shellQuote quotes literal text for the shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellWord writes a template as one shell word: single-quoted when it uses
// no parameter, double-quoted with expansions when it does.
func shellWord(t tmpl, ref func(piece) string) string {
	if !t.hasParams() {
		return shellQuote(t.text(nil))
	}
	return shellWordKeep(t, ref)
}

// shellWordKeep writes a template double-quoted, so that the literal
// "$ENDPOINT" it may start with expands.
func shellWordKeep(t tmpl, ref func(piece) string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, pc := range t {
		switch {
		case pc.p != nil:
			b.WriteString(ref(pc))
		case i == 0 && strings.HasPrefix(pc.lit, "$ENDPOINT"):
			b.WriteString("$ENDPOINT" + dqEscape(strings.TrimPrefix(pc.lit, "$ENDPOINT")))
		default:
			b.WriteString(dqEscape(pc.lit))
		}
	}
	b.WriteByte('"')
	return b.String()
}

func dqEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return r.Replace(s)
}

// shellParamWord escapes text for the word of a ${VAR:-word} or
// ${VAR:?word} expansion inside double quotes.
func shellParamWord(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`", "}", `\}`).Replace(s)
}

// heredoc writes a JSON body to $WORK/request as a here-document: quoted
// when it uses no parameter, so nothing in it expands.
func heredoc(t tmpl, ref func(piece) string) string {
	text := t.text(func(pc piece) string { return "\x00" })
	delim := "JSON"
	for k := 2; strings.Contains("\n"+text+"\n", "\n"+delim+"\n"); k++ {
		delim = "JSON" + strconv.Itoa(k)
	}
	var b strings.Builder
	if !t.hasParams() {
		b.WriteString("cat >\"$WORK/request\" <<'" + delim + "'\n" + t.text(nil) + "\n" + delim + "\n")
		return b.String()
	}
	b.WriteString("cat >\"$WORK/request\" <<" + delim + "\n")
	hd := strings.NewReplacer(`\`, `\\`, "$", `\$`, "`", "\\`")
	for _, pc := range t {
		if pc.p != nil {
			b.WriteString(ref(pc))
		} else {
			b.WriteString(hd.Replace(pc.lit))
		}
	}
	b.WriteString("\n" + delim + "\n")
	return b.String()
}

// jqFilter writes a JSON path as a jq filter: .content[0].id.
func jqFilter(path []any) string {
	if len(path) == 0 {
		return "."
	}
	var b strings.Builder
	for _, s := range path {
		switch v := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		case string:
			if isPlainIdent(v) {
				b.WriteString("." + v)
			} else {
				b.WriteString("." + "[" + strconv.Quote(v) + "]")
			}
		}
	}
	out := b.String()
	if strings.HasPrefix(out, "[") {
		out = "." + out
	}
	return out
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

func paramsOf(fl *flow, kind paramKind) []*param {
	var out []*param
	for _, p := range fl.params {
		if p.kind == kind {
			out = append(out, p)
		}
	}
	return out
}

// heading writes the comment every format opens with: what the script
// does, what it left out and why, and how to run it.
func heading(w *strings.Builder, prefix string, fl *flow, usage []string) {
	line := func(s string) {
		if s == "" {
			w.WriteString(strings.TrimRight(prefix, " ") + "\n")
			return
		}
		w.WriteString(prefix + s + "\n")
	}
	for _, l := range headingLines(fl) {
		line(l)
	}
	line("")
	for _, u := range usage {
		line(u)
	}
}

func headingLines(fl *flow) []string {
	lines := []string{
		fl.name + ": repeats a flow recorded in the UI of " + fl.endpoint + " through its API.",
		fmt.Sprintf("Generated by apitrail from %d recorded calls; %d are scripted here.", fl.recorded, len(fl.calls)),
	}
	if len(fl.left) > 0 {
		lines = append(lines, "Left out:")
		for _, l := range fl.left {
			lines = append(lines, "  "+l)
		}
	}
	lines = append(lines, "Upload endpoints are never scripted: upload test results with allurectl ("+allurectlURL+").")
	return lines
}

// fileName is the name a usage line suggests for the script.
func fileName(fl *flow, f Format) string {
	if fl.file != "" {
		return fl.file
	}
	n := strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, fl.name), "-")
	if n == "" {
		n = "flow"
	}
	return n + f.Ext()
}

// freshBash is the shell's clock in the recorded value's unit: seconds for
// a 10-digit value, milliseconds otherwise (GNU date's %3N).
func freshBash(recorded string) string {
	if whole, _, _ := strings.Cut(recorded, "."); len(whole) == 10 {
		return "$(date +%s)"
	}
	return "$(date +%s%3N)"
}

// renews reports whether the scheme's token is got at run time and
// replaced when the instance answers 401.
func renews(si SignIn) bool { return si.scheme() == "testops" || si.scheme() == "oauth2" }

func headerNames(templates []string) string {
	var names []string
	for _, h := range templates {
		name, _, _ := strings.Cut(h, ":")
		names = append(names, strings.TrimSpace(name))
	}
	return strings.Join(names, ", ")
}

// bashAuthHeaders writes the header scheme's templates as curl arguments,
// with $TESTOPS_TOKEN where {token} stands.
func bashAuthHeaders(templates []string) string {
	var args []string
	for _, h := range templates {
		name, value, _ := strings.Cut(h, ":")
		parts := strings.Split(strings.TrimSpace(value), "{token}")
		for i := range parts {
			parts[i] = dqEscape(parts[i])
		}
		args = append(args, "-H \""+dqEscape(strings.TrimSpace(name))+": "+strings.Join(parts, "$TESTOPS_TOKEN")+"\"")
	}
	return strings.Join(args, " ")
}
