package script

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// renderHTTP writes a .http file in the JetBrains HTTP Client's syntax:
// in-file variables, the token request first, and response handlers that
// check each answer and keep the values later calls use. httpyac runs it
// as it is; endpoint, API token and secrets come from the environment
// through {{$processEnv NAME}}, which httpyac and VS Code REST Client read.
func renderHTTP(fl *flow) ([]byte, error) {
	names := namer(fl.params, sameStyle, jsReserved...)
	shell := namer(fl.params, shellStyle, shellReserved...)
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }

	heading(&w, "# ", fl, []string{
		"JetBrains HTTP Client syntax, run by httpyac (npm):",
		"  ENDPOINT=" + fl.endpoint + " " + httpRunVars(fl.signIn) + "httpyac send --all --bail " + fileName(fl, HTTP),
		"Each answer is checked; with --bail the run stops at the first call that fails.",
		"Edit the parameters below to change the recording's context.",
	})
	p("\n@endpoint = {{$processEnv ENDPOINT}}\n")
	p("%s", httpSignInVars(fl.signIn))
	if ps := paramsOf(fl, contextParam); len(ps) > 0 {
		p("\n# The recording's context: ids the flow used but did not create.\n")
		for _, pr := range ps {
			p("@%s = %s\n", names[pr], pr.value)
		}
	}
	if ps := paramsOf(fl, secretParam); len(ps) > 0 {
		p("\n# Secrets the recorded calls sent. The recording kept none of them: set them in the environment.\n")
		for _, pr := range ps {
			p("# %s: the secret sent in %s\n", names[pr], pr.where)
			p("@%s = {{$processEnv %s}}\n", names[pr], shell[pr])
		}
	}

	p("%s", httpTokenRequest(fl.signIn))
	ref := mustacheRef(names)
	for _, c := range fl.calls {
		p("\n### #%d %s\n", c.seq, c.label)
		if c.note != "" {
			p("# %s\n", c.note)
		}
		p("# @noLog\n")
		p("%s", httpChoose(c, names))
		p("%s {{endpoint}}%s\n", c.method, c.target.text(ref))
		for _, h := range httpSignInHeaders(fl.signIn) {
			p("%s\n", h)
		}
		for _, h := range c.headers {
			p("%s: %s\n", h.name, h.value.text(ref))
		}
		if c.bodyKind != noBody {
			p("\n%s\n", c.body.text(ref))
		}
		label := jsString(fmt.Sprintf("#%d %s", c.seq, c.label))
		p("\n> {%%\n")
		p("  client.log(%s + \" -> \" + response.status + (response.status >= 200 && response.status < 400 ? \"\" : \": \" + %s));\n", label,
			jsExcerpt("JSON.stringify(response.body)", `client.global.get("jwtToken")`))
		p("  client.test(%s, function () {\n", label)
		p("    client.assert(response.status >= 200 && response.status < 400, \"answered \" + response.status);\n")
		p("  });\n")
		for _, pr := range c.produces {
			p("  client.global.set(%q, String(%s));\n", names[pr], jsExtract(pr.from, "response.body", `response.headers.valueOf(%s)`))
		}
		p("%%}\n")
	}
	return []byte(w.String()), nil
}

// mustacheRef writes a parameter as {{name}}, the variable syntax the .http
// file and the Postman collection share; a JSON string's quotes go around
// it, since the variable holds the bare value.
func mustacheRef(names map[*param]string) func(piece) string {
	return func(pc piece) string {
		if pc.p.kind == freshParam {
			return "{{$timestamp}}" // both formats' built-in: the time the request is sent
		}
		if pc.enc == encJSONString {
			return `"{{` + names[pc.p] + `}}"`
		}
		return "{{" + names[pc.p] + "}}"
	}
}

// jsExtract writes a JavaScript expression that reads a produced value
// from an answer, failing loudly when it is not there. body is the parsed
// body's expression; header is a format for reading a header by name.
func jsExtract(ex *extraction, body, header string) string {
	if ex.header != "" {
		name := jsString(ex.header)
		return fmt.Sprintf(`(function (v) { var s = String(v || "").replace(/^[a-z]+:\/\/[^\/]+/i, "").split("?")[0].replace(/^\//, "").split("/")[%d]; if (!s) { throw new Error(%s); } return s; })(%s)`,
			ex.segment, jsString(fmt.Sprintf("the answer's %s header has no segment %d", ex.header, ex.segment)), fmt.Sprintf(header, name))
	}
	keys := jsValue(ex.json)
	return fmt.Sprintf(`(function (v) { if (v === undefined || v === null) { throw new Error(%s); } return v; })(%s.reduce(function (o, k) { return o === undefined || o === null ? undefined : o[k]; }, %s))`,
		jsString("the answer has no "+ex.jsonPath), keys, body)
}

func jsString(s string) string { return jsValue(s) }

// jsValue writes a value as JSON, which JavaScript reads too; unlike
// json.Marshal it leaves <, > and & alone, for people to read.
func jsValue(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsExcerpt is a JavaScript expression for the start of an answer in an
// error message: at most 200 characters, with each token the expressions in
// tokens name taken out, since a server that echoes what it was sent would
// otherwise print them.
func jsExcerpt(text string, tokens ...string) string {
	return "(function (s, tokens) { s = String(s); tokens.forEach(function (t) { if (t) { s = s.split(t).join(\"<token>\"); } }); return s.slice(0, 200); })(" +
		text + ", [" + strings.Join(tokens, ", ") + "])"
}

func httpRunVars(si SignIn) string {
	switch si.scheme() {
	case "testops":
		return "TESTOPS_TOKEN=<your API token> "
	case "oauth2":
		return "CLIENT_SECRET=<the client secret> "
	case "none":
		return ""
	}
	return "TESTOPS_TOKEN=<your token> "
}

func httpSignInVars(si SignIn) string {
	switch si.scheme() {
	case "none":
		return ""
	case "oauth2":
		return "@tokenUrl = " + si.TokenURL + "\n@clientId = " + si.ClientID + "\n@clientSecret = {{$processEnv CLIENT_SECRET}}\n"
	}
	return "@userToken = {{$processEnv TESTOPS_TOKEN}}\n"
}

// httpTokenRequest is the request that gets a token before the calls,
// for the schemes that get one at run time.
func httpTokenRequest(si SignIn) string {
	switch si.scheme() {
	case "testops":
		return `
### Exchange the API token for a Bearer token
# @noLog
POST {{endpoint}}/api/uaa/oauth/token
Accept: application/json
Content-Type: application/x-www-form-urlencoded

grant_type=apitoken&scope=openid&token={{userToken}}

> {%
  if (response.status !== 200) {
    client.log("the token exchange answered " + response.status);
  }
  client.test("token exchange", function () {
    client.assert(response.status === 200, "the token exchange answered " + response.status);
  });
  client.global.set("jwtToken", response.body.access_token);
%}
`
	case "oauth2":
		scope := ""
		if len(si.Scopes) > 0 {
			scope = "&scope=" + url.QueryEscape(strings.Join(si.Scopes, " "))
		}
		return `
### Get a Bearer token with the OAuth 2.0 client-credentials grant
# @noLog
POST {{tokenUrl}}
Accept: application/json
Authorization: Basic {{clientId}}:{{clientSecret}}
Content-Type: application/x-www-form-urlencoded

grant_type=client_credentials` + scope + `

> {%
  client.test("client-credentials grant", function () {
    client.assert(response.status === 200, "the client-credentials grant answered " + response.status);
  });
  client.global.set("jwtToken", response.body.access_token);
%}
`
	}
	return ""
}

// httpSignInHeaders are the headers every call carries.
func httpSignInHeaders(si SignIn) []string {
	switch si.scheme() {
	case "testops", "oauth2":
		return []string{"Authorization: Bearer {{jwtToken}}"}
	case "bearer":
		return []string{"Authorization: Bearer {{userToken}}"}
	case "basic":
		// httpyac and the JetBrains client encode user:password themselves.
		return []string{"Authorization: Basic {{userToken}}"}
	case "header":
		var out []string
		for _, h := range si.Headers {
			name, value, _ := strings.Cut(h, ":")
			out = append(out, strings.TrimSpace(name)+": "+strings.ReplaceAll(strings.TrimSpace(value), "{token}", "{{userToken}}"))
		}
		return out
	}
	return nil
}
