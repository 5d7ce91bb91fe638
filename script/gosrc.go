package script

import (
	"errors"
	"fmt"
	"go/format"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

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
	needPick, needHeader, needJSONString := false, false, false
	for _, c := range fl.calls {
		for _, pr := range c.produces {
			if pr.from.header != "" {
				needHeader = true
			} else {
				needPick = true
			}
		}
		for _, t := range append([]tmpl{c.target, c.body}, headerValues(c)...) {
			for _, pc := range t {
				if pc.p != nil && pc.enc == encJSONString {
					needJSONString = true
				}
			}
		}
	}

	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	cmd := strings.TrimSuffix(path.Base(fileName(fl, Go)), ".go")
	lines := headingLines(fl)
	lines[0] = "Command " + cmd + " repeats a flow recorded in the UI of " + fl.endpoint + " through its API."
	for i, l := range lines {
		if i == 1 {
			p("//\n")
		}
		if strings.HasPrefix(l, "  ") {
			p("//   - %s\n", strings.TrimSpace(l))
		} else {
			p("// %s\n", l)
		}
	}
	p(`//
// Usage:
//
//	ENDPOINT=%s TESTOPS_TOKEN=<your API token> go run %s
//
// The API token comes from the instance's user profile (API tokens).
// Parameters take their recorded values unless set in the environment.
// The program stops at the first call that fails and prints its status and
// the start of its body, tokens taken out; a call answered 401 gets a new
// token and one retry. Exit status: 0
// when every call succeeded, 1 when one failed, 2 when ENDPOINT, TESTOPS_TOKEN
// or a secret is not set.
package main

import (
`, fl.endpoint, fileName(fl, Go))
	imports := []string{"encoding/json", "fmt", "io", "net/http", "net/url", "os", "strings", "time"}
	if needPick {
		imports = append([]string{"bytes"}, imports...)
	}
	for _, im := range imports {
		p("\t%q\n", im)
	}
	p(")\n\nfunc main() {\n")
	p(`	endpoint := strings.TrimSuffix(os.Getenv("ENDPOINT"), "/")
	userToken := os.Getenv("TESTOPS_TOKEN")
	if endpoint == "" || userToken == "" {
		fmt.Fprintln(os.Stderr, "set ENDPOINT to the instance address (e.g. %s) and TESTOPS_TOKEN to an API token of the instance (user profile, API tokens)")
		os.Exit(2)
	}
`, goStringBody(fl.endpoint))
	var runArgs, runParams []string
	if ps := paramsOf(fl, contextParam); len(ps) > 0 {
		p("\t// The recording's context: ids the flow used but did not create.\n")
		for _, pr := range ps {
			p("\t%s := env(%q, %q)\n", names[pr], shell[pr], pr.value)
			runArgs = append(runArgs, names[pr])
		}
	}
	if ps := paramsOf(fl, secretParam); len(ps) > 0 {
		p("\t// Secrets the recorded calls sent. The recording kept none of them: supply them.\n")
		for _, pr := range ps {
			p("\t%s := need(%q, %q)\n", names[pr], shell[pr], pr.where)
			runArgs = append(runArgs, names[pr])
		}
	}
	for _, a := range runArgs {
		runParams = append(runParams, a+" string")
	}
	p(`	c := &client{endpoint: endpoint, userToken: userToken, http: &http.Client{
		Timeout: time.Minute,
		// A redirect is an answer of its own, as curl sees it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if err := run(%s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run makes the recorded calls in order.
func run(%s) error {
	if err := c.exchange(); err != nil {
		return err
	}
`, strings.Join(append([]string{"c"}, runArgs...), ", "), strings.Join(append([]string{"c *client"}, runParams...), ", "))
	for _, c := range fl.calls {
		args := []string{"c"}
		for _, u := range c.uses {
			args = append(args, names[u])
		}
		callExpr := c.funcName + "(" + strings.Join(args, ", ") + ")"
		if len(c.produces) == 0 {
			p("\tif err := %s; err != nil {\n\t\treturn err\n\t}\n", callExpr)
			continue
		}
		var outs []string
		for _, pr := range c.produces {
			outs = append(outs, names[pr])
		}
		p("\t%s, err := %s\n\tif err != nil {\n\t\treturn err\n\t}\n", strings.Join(outs, ", "), callExpr)
		for _, pr := range c.produces {
			p("\tfmt.Fprintf(os.Stderr, \"%s=%%s\\n\", %s)\n", pr.name, names[pr])
		}
	}
	p("\treturn nil\n}\n")

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
		params := []string{"c *client"}
		for _, u := range c.uses {
			params = append(params, names[u]+" string")
		}
		results := "error"
		if len(c.produces) > 0 {
			var outs []string
			for _, pr := range c.produces {
				outs = append(outs, names[pr])
			}
			results = "(" + strings.Join(outs, ", ") + " string, err error)"
		}
		label := fmt.Sprintf("#%d %s", c.seq, c.label)
		p("\n// %s calls %s (#%d of the recording).\n", c.funcName, c.label, c.seq)
		if c.note != "" {
			p("// Note: %s.\n", strings.TrimSuffix(c.note, "."))
		}
		p("func %s(%s) %s {\n", c.funcName, strings.Join(params, ", "), results)
		body := `""`
		if c.bodyKind != noBody {
			p("\tbody := %s\n", goExpr(c.body, ref))
			body = "body"
		}
		callArgs := []string{strconv.Quote(label), strconv.Quote(c.method), goExpr(c.target, ref), body}
		for _, h := range c.headers {
			callArgs = append(callArgs, strconv.Quote(h.name), goExpr(h.value, ref))
		}
		if len(c.produces) == 0 {
			p("\t_, err := c.call(%s)\n\treturn err\n}\n", strings.Join(callArgs, ", "))
			continue
		}
		p("\ta, err := c.call(%s)\n\tif err != nil {\n\t\treturn\n\t}\n", strings.Join(callArgs, ", "))
		for i, pr := range c.produces {
			assign := func(expr string) {
				if i == len(c.produces)-1 {
					p("\t%s, err = %s\n\treturn\n", names[pr], expr)
				} else {
					p("\tif %s, err = %s; err != nil {\n\t\treturn\n\t}\n", names[pr], expr)
				}
			}
			if pr.from.header != "" {
				assign(fmt.Sprintf("a.headerSegment(%q, %d)", pr.from.header, pr.from.segment))
				continue
			}
			keys := []string{strconv.Quote(pr.from.jsonPath)}
			for _, k := range pr.from.json {
				switch k := k.(type) {
				case string:
					keys = append(keys, strconv.Quote(k))
				case int:
					keys = append(keys, strconv.Itoa(k))
				}
			}
			assign("a.pick(" + strings.Join(keys, ", ") + ")")
		}
		p("}\n")
	}

	w.WriteString(goClient)
	if needPick {
		w.WriteString(goPick)
	}
	if needHeader {
		w.WriteString(goHeaderSegment)
	}
	if needJSONString {
		w.WriteString(goJSONString)
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

const goClient = `
// client calls the instance with a Bearer token.
type client struct {
	endpoint  string
	userToken string
	jwtToken  string
	http      *http.Client
}

// answer is what the instance answered to one call.
type answer struct {
	status  int
	header  http.Header
	body    []byte
	excerpt string // for error messages
}

// excerpt is the start of an answer for an error message: at most 200
// bytes, with the API token and the Bearer token taken out, since a server
// that echoes what it was sent would otherwise print them.
func (c *client) excerpt(data []byte) string {
	s := string(data)
	if c.userToken != "" {
		s = strings.ReplaceAll(s, c.userToken, "<API token>")
	}
	if c.jwtToken != "" {
		s = strings.ReplaceAll(s, c.jwtToken, "<Bearer token>")
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// exchange trades the API token for a short-lived Bearer token.
func (c *client) exchange() error {
	form := url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {c.userToken}}
	req, err := http.NewRequest(http.MethodPost, c.endpoint+"/api/uaa/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("token exchange: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("token exchange: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("token exchange: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the token exchange at %s answered %d:\n%s", req.URL, resp.StatusCode, c.excerpt(data))
	}
	var token struct {
		AccessToken string ` + "`json:\"access_token\"`" + `
	}
	if err := json.Unmarshal(data, &token); err != nil || token.AccessToken == "" {
		return fmt.Errorf("the token exchange at %s answered no access_token", req.URL)
	}
	c.jwtToken = token.AccessToken
	return nil
}

// call sends one request with the Bearer token. A 401 gets a new token and
// one retry; any other answer but 2xx and 3xx is an error that carries the
// status and an excerpt of the body. headers are names and values in turn.
func (c *client) call(label, method, target, body string, headers ...string) (*answer, error) {
	for attempt := 1; ; attempt++ {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, c.endpoint+target, rd)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		req.Header.Set("Authorization", "Bearer "+c.jwtToken)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 1 {
			fmt.Fprintf(os.Stderr, "%s: 401, exchanging the API token again\n", label)
			if err := c.exchange(); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return nil, fmt.Errorf("failed: %s (%s %s) answered %d:\n%s", label, method, req.URL, resp.StatusCode, c.excerpt(data))
		}
		fmt.Fprintf(os.Stderr, "%s -> %d\n", label, resp.StatusCode)
		return &answer{status: resp.StatusCode, header: resp.Header, body: data, excerpt: c.excerpt(data)}, nil
	}
}

// env reads a parameter from the environment, or gives its recorded value.
func env(name, recorded string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return recorded
}

// need reads a secret from the environment, and stops when it is not set.
func need(name, where string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "set %s to the secret sent in %s\n", name, where)
		os.Exit(2)
	}
	return v
}
`

const goPick = `
// pick reads one value of the answer's JSON body by member names and
// array indexes; path names the place for an error.
func (a *answer) pick(path string, keys ...any) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("the answer is not JSON, so it has no %s: %w", path, err)
	}
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return "", fmt.Errorf("the answer has no %s:\n%s", path, a.excerpt)
			}
			v = s[k]
		}
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("the answer has no %s:\n%s", path, a.excerpt)
}
`

const goHeaderSegment = `
// headerSegment reads path segment n (from 0) of a URL in a header of the
// answer, such as the id at the end of a Location.
func (a *answer) headerSegment(name string, n int) (string, error) {
	u, err := url.Parse(a.header.Get(name))
	if err != nil {
		return "", fmt.Errorf("the answer's %s header: %w", name, err)
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if n >= len(segs) || segs[n] == "" {
		return "", fmt.Errorf("the answer's %s header has no segment %d", name, n)
	}
	return url.PathUnescape(segs[n])
}
`

const goJSONString = `
// jsonString writes a value as a JSON string, quotes included.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
`

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
