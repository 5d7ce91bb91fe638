package script

import (
	_ "embed"
	"errors"
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
}).Parse(goText))

// goProgram is what gosrc.go.tmpl renders: the flow's names and expressions
// already written as Go, so the template reads as the program it writes.
type goProgram struct {
	Command        string
	Endpoint       string
	File           string
	Heading        []string // after the first line
	NeedPick       bool
	NeedHeader     bool
	NeedJSONString bool
	Context        []goVar
	Secrets        []goVar
	RunArgs        string
	RunParams      string
	Calls          []goCall
}

// goVar is a parameter main reads from the environment variable Env.
type goVar struct{ Var, Env, Value, Where string }

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
			}
		}
	}

	runArgs, runParams := []string{"c"}, []string{"c *client"}
	for _, pr := range paramsOf(fl, contextParam) {
		g.Context = append(g.Context, goVar{Var: names[pr], Env: shell[pr], Value: pr.value})
		runArgs, runParams = append(runArgs, names[pr]), append(runParams, names[pr]+" string")
	}
	for _, pr := range paramsOf(fl, secretParam) {
		g.Secrets = append(g.Secrets, goVar{Var: names[pr], Env: shell[pr], Where: pr.where})
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
		return nil, fmt.Errorf("script: internal error: %w", err)
	}
	text := w.String()
	if fl.signIn.scheme() != "testops" {
		var err error
		if text, err = goSignIn(text, fl.signIn); err != nil {
			return nil, err
		}
	}
	src, err := format.Source([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("script: internal error: the Go program does not parse: %w", err)
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

// goSignIn turns the TestOps program into one that signs in with si: it
// rewrites the few places the exchange shows, and says so if one is gone.
func goSignIn(src string, si SignIn) (string, error) {
	type edit struct{ old, new string }
	var edits []edit
	setAuth := `req.Header.Set("Authorization", "Bearer "+c.jwtToken)`
	retry := `		if resp.StatusCode == http.StatusUnauthorized && attempt == 1 {
			fmt.Fprintf(os.Stderr, "%s: 401, exchanging the API token again\n", label)
			if err := c.exchange(); err != nil {
				return nil, err
			}
			continue
		}
`
	a := strings.Index(src, "// exchange trades the API token")
	b := strings.Index(src, "// call sends one request")
	if a < 0 || b < a {
		return "", errors.New("script: internal error: the Go program has no exchange to replace")
	}
	oldExchange := src[a:b]
	needToken := `	userToken := os.Getenv("TESTOPS_TOKEN")
	if endpoint == "" || userToken == "" {`
	switch si.scheme() {
	case "oauth2":
		scope := ""
		if len(si.Scopes) > 0 {
			scope = `, "scope": {` + strconv.Quote(strings.Join(si.Scopes, " ")) + `}`
		}
		edits = append(edits,
			edit{oldExchange, `// exchange gets a Bearer token with the OAuth 2.0 client-credentials grant.
func (c *client) exchange() error {
	const tokenURL, clientID = ` + strconv.Quote(si.TokenURL) + `, ` + strconv.Quote(si.ClientID) + `
	form := url.Values{"grant_type": {"client_credentials"}` + scope + `}
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("client-credentials grant: %w", err)
	}
	req.SetBasicAuth(clientID, c.userToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("client-credentials grant: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("client-credentials grant: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the client-credentials grant at %s answered %d", tokenURL, resp.StatusCode)
	}
	var token struct {
		AccessToken string ` + "`json:\"access_token\"`" + `
	}
	if err := json.Unmarshal(data, &token); err != nil || token.AccessToken == "" {
		return fmt.Errorf("the client-credentials grant at %s answered no access_token", tokenURL)
	}
	c.jwtToken = token.AccessToken
	return nil
}

`},
			edit{"exchanging the API token again", "getting a new token"},
			edit{needToken, `	userToken := os.Getenv("CLIENT_SECRET") // the OAuth 2.0 client secret
	if endpoint == "" || userToken == "" {`},
			edit{"TESTOPS_TOKEN=<your API token> go run", "CLIENT_SECRET=<the client secret> go run"},
			edit{"and TESTOPS_TOKEN to an API token of the instance (user profile, API tokens)", "and CLIENT_SECRET to the OAuth 2.0 client secret"})
	default:
		var sign []string
		switch si.scheme() {
		case "bearer":
			sign = []string{`req.Header.Set("Authorization", "Bearer "+c.userToken)`}
		case "basic":
			sign = []string{`user, password, _ := strings.Cut(c.userToken, ":")`, `req.SetBasicAuth(user, password)`}
		case "header":
			for _, h := range si.Headers {
				name, value, _ := strings.Cut(h, ":")
				sign = append(sign, fmt.Sprintf(`req.Header.Set(%s, strings.ReplaceAll(%s, "{token}", c.userToken))`,
					strconv.Quote(strings.TrimSpace(name)), strconv.Quote(strings.TrimSpace(value))))
			}
		}
		if len(sign) == 0 {
			sign = []string{"// no credentials: --auth none"}
		}
		edits = append(edits,
			edit{oldExchange, "// exchange has nothing to do: the token is sent as it is, with no exchange.\nfunc (c *client) exchange() error { return nil }\n\n"},
			edit{setAuth, strings.Join(sign, "\n\t\t")},
			edit{retry, ""},
			edit{"// call sends one request with the Bearer token. A 401 gets a new token and\n// one retry; any", "// call sends one request, signed in. Any"},
			edit{"TESTOPS_TOKEN=<your API token> go run", "TESTOPS_TOKEN=<your token> go run"},
			edit{"and TESTOPS_TOKEN to an API token of the instance (user profile, API tokens)", "and TESTOPS_TOKEN to the token the instance signs in with"})
		if si.scheme() == "none" {
			edits = append(edits,
				edit{needToken, `	userToken := os.Getenv("TESTOPS_TOKEN") // not used: --auth none
	if endpoint == "" {`},
				edit{"TESTOPS_TOKEN=<your token> go run", "go run"})
		}
	}
	for _, e := range edits {
		if !strings.Contains(src, e.old) {
			return "", fmt.Errorf("script: internal error: the Go program lacks %q", e.old)
		}
		src = strings.Replace(src, e.old, e.new, 1)
	}
	// Packages only the exchange used.
	head, body, _ := strings.Cut(src, "\nfunc main() {")
	for pkg, use := range map[string]string{`"encoding/json"`: "json.", `"net/url"`: "url."} {
		if !strings.Contains(body, use) {
			head = strings.Replace(head, "\t"+pkg+"\n", "", 1)
		}
	}
	return head + "\nfunc main() {" + body, nil
}
