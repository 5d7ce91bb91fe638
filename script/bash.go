package script

import (
	"fmt"
	"strconv"
	"strings"
)

// renderBash writes the vendor's documented style: ENDPOINT and TESTOPS_TOKEN
// from the environment, the token exchanged for JWT_TOKEN at the top, then
// one curl per call.
func renderBash(fl *flow) ([]byte, error) {
	names := namer(fl.params, shellStyle, shellReserved...)
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }

	p("#!/usr/bin/env bash\n")
	heading(&w, "# ", fl, append([]string{
		"Usage:",
	}, bashUsage(fl)...))
	p("set -euo pipefail\n\n")
	p(": \"${ENDPOINT:?set ENDPOINT to the instance address, e.g. %s}\"\n", shellParamWord(fl.endpoint))
	p("%s", bashSignInVars(fl.signIn))
	p("ENDPOINT=\"${ENDPOINT%%/}\"\n")

	needURL, needJSONString, needHeader := false, false, false
	for _, c := range fl.calls {
		for _, t := range append([]tmpl{c.target, c.body}, headerValues(c)...) {
			for _, pc := range t {
				if pc.p == nil {
					continue
				}
				switch pc.enc {
				case encPath, encQuery:
					needURL = true
				case encJSONString:
					needJSONString = true
				}
			}
		}
		for _, pr := range c.produces {
			if pr.from.header != "" {
				needHeader = true
			}
		}
	}

	if ps := paramsOf(fl, contextParam); len(ps) > 0 {
		p("\n# The recording's context: ids the flow used but did not create.\n")
		for _, pr := range ps {
			n := names[pr]
			p("%s=\"${%s:-%s}\"\n", n, n, shellParamWord(pr.value))
		}
	}
	if ps := paramsOf(fl, secretParam); len(ps) > 0 {
		p("\n# Secrets the recorded calls sent. The recording kept none of them: supply them.\n")
		for _, pr := range ps {
			n := names[pr]
			p(": \"${%s:?set %s to the secret sent in %s}\"\n", n, n, shellParamWord(pr.where))
		}
	}

	p(`
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "this script needs $tool" >&2; exit 2; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

`)
	p("%s", bashExcerpt(fl.signIn))
	p("%s", bashGetToken(fl.signIn))
	p(``)
	p("%s", bashCallHead(fl.signIn))
	p(`  if [ "$status" -lt 200 ] || [ "$status" -ge 400 ]; then
    echo "failed: $label ($method $url) answered $status:" >&2
    excerpt "$WORK/body"
    exit 1
  fi
  echo "$label -> $status" >&2
}

# pick FILTER prints one value of the last answer's JSON body.
pick() {
  jq -er "$1" "$WORK/body" || { echo "the answer has no $1:" >&2; excerpt "$WORK/body"; exit 1; }
}
`)
	if needHeader {
		p(`
# header_segment NAME N prints path segment N (from 0) of a URL header of the
# last answer, such as the id at the end of a Location.
header_segment() {
  local value segments
  value="$(tr -d '\r' <"$WORK/headers" | grep -i "^$1:" | tail -n 1 | cut -d: -f2- | sed 's/^ *//')"
  value="${value%%%%\?*}"
  case "$value" in *://*) value="/${value#*://*/}" ;; esac
  IFS=/ read -r -a segments <<<"${value#/}"
  [ -n "${segments[$2]:-}" ] || { echo "the answer's $1 header has no segment $2" >&2; exit 1; }
  printf '%%s' "${segments[$2]}"
}
`)
	}
	if needURL {
		p(`
# urlencode VALUE escapes a value for a URL.
urlencode() {
  jq -rn --arg v "$1" '$v | @uri'
}
`)
	}
	if needJSONString {
		p(`
# json_string VALUE writes a value as a JSON string.
json_string() {
  jq -n --arg v "$1" '$v'
}
`)
	}
	if renews(fl.signIn) {
		p("\nget_token\n")
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
		p("\n# #%d %s\n", c.seq, c.label)
		if c.note != "" {
			p("# %s\n", c.note)
		}
		var args []string
		for _, h := range c.headers {
			args = append(args, "-H "+shellWord(tmpl{{lit: h.name + ": "}}.concat(h.value), ref))
		}
		switch c.bodyKind {
		case jsonBody:
			p("%s", heredoc(c.body, ref))
			args = append(args, `--data-binary @"$WORK/request"`)
		case formBody, textBody:
			p("printf '%%s' %s >\"$WORK/request\"\n", shellWord(c.body, ref))
			args = append(args, `--data-binary @"$WORK/request"`)
		}
		target := tmpl{{lit: "$ENDPOINT"}}.concat(c.target)
		line := "call " + shellQuote(fmt.Sprintf("#%d %s", c.seq, c.label)) + " " + c.method + " " +
			shellWordKeep(target, ref)
		if len(args) > 0 {
			line += " \\\n  " + strings.Join(args, " \\\n  ")
		}
		p("%s\n", line)
		for _, pr := range c.produces {
			n := names[pr]
			if pr.from.header != "" {
				p("%s=\"$(header_segment %s %d)\"\n", n, shellQuote(pr.from.header), pr.from.segment)
			} else {
				p("%s=\"$(pick %s)\"\n", n, shellQuote(jqFilter(pr.from.json)))
			}
			p("echo \"%s=$%s\" >&2\n", pr.name, n)
		}
	}
	p("\ncat \"$WORK/body\"\necho\n")
	return []byte(w.String()), nil
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

func bashUsage(fl *flow) []string {
	run := "bash " + fileName(fl, Bash)
	switch si := fl.signIn; si.scheme() {
	case "testops":
		return []string{
			"  ENDPOINT=" + fl.endpoint + " TESTOPS_TOKEN=<your API token> " + run,
			"The API token comes from the instance's user profile (API tokens). Parameters",
			"below take their recorded values unless set in the environment.",
			"Needs curl and jq. Stops at the first call that fails, printing its status and",
			"the start of its body, tokens taken out; a call answered 401 gets a new token",
			"and one retry. The last answer is printed on standard output.",
		}
	case "oauth2":
		return []string{
			"  ENDPOINT=" + fl.endpoint + " CLIENT_SECRET=<the client secret> " + run,
			"It signs in with the OAuth 2.0 client-credentials grant at " + si.TokenURL + " as",
			"client " + si.ClientID + "; a call answered 401 gets a new token and one retry.",
			"Parameters below take their recorded values unless set in the environment.",
			"Needs curl and jq. Stops at the first call that fails. The last answer is",
			"printed on standard output.",
		}
	case "none":
		return []string{
			"  ENDPOINT=" + fl.endpoint + " " + run,
			"It sends no credentials. Parameters below take their recorded values unless",
			"set in the environment. Needs curl and jq. Stops at the first call that fails.",
			"The last answer is printed on standard output.",
		}
	}
	how := map[string]string{
		"bearer": "It sends TESTOPS_TOKEN as a Bearer token, with no exchange.",
		"basic":  "It sends TESTOPS_TOKEN (user:password) as HTTP Basic credentials.",
		"header": "It sends TESTOPS_TOKEN in " + headerNames(fl.signIn.Headers) + ", with no exchange.",
	}[fl.signIn.scheme()]
	return []string{
		"  ENDPOINT=" + fl.endpoint + " TESTOPS_TOKEN=<your token> " + run,
		how,
		"Parameters below take their recorded values unless set in the environment.",
		"Needs curl and jq. Stops at the first call that fails. The last answer is",
		"printed on standard output.",
	}
}

func headerNames(templates []string) string {
	var names []string
	for _, h := range templates {
		name, _, _ := strings.Cut(h, ":")
		names = append(names, strings.TrimSpace(name))
	}
	return strings.Join(names, ", ")
}

// bashSignInVars checks the variables the scheme needs and, for a fixed
// credential, builds the curl arguments that send it (AUTH).
func bashSignInVars(si SignIn) string {
	switch si.scheme() {
	case "testops":
		return ": \"${TESTOPS_TOKEN:?set TESTOPS_TOKEN to an API token of the instance (user profile, API tokens)}\"\n"
	case "oauth2":
		return ": \"${CLIENT_SECRET:?set CLIENT_SECRET to the OAuth 2.0 client secret of client " + shellParamWord(si.ClientID) + "}\"\n" +
			"TOKEN_URL=\"${TOKEN_URL:-" + shellParamWord(si.TokenURL) + "}\"\n" +
			"CLIENT_ID=\"${CLIENT_ID:-" + shellParamWord(si.ClientID) + "}\"\n" +
			"SCOPE=\"${SCOPE:-" + shellParamWord(strings.Join(si.Scopes, " ")) + "}\"\n"
	case "none":
		return "AUTH=()\n"
	}
	out := ": \"${TESTOPS_TOKEN:?set TESTOPS_TOKEN to the token the instance signs in with}\"\n"
	switch si.scheme() {
	case "bearer":
		return out + "AUTH=(-H \"Authorization: Bearer $TESTOPS_TOKEN\")\n"
	case "basic":
		// curl builds the Basic header; --user keeps the password off the
		// command lines that ps shows only as well as -H would.
		return out + "AUTH=(--user \"$TESTOPS_TOKEN\")\n"
	}
	var args []string
	for _, h := range si.Headers {
		name, value, _ := strings.Cut(h, ":")
		parts := strings.Split(strings.TrimSpace(value), "{token}")
		for i := range parts {
			parts[i] = dqEscape(parts[i])
		}
		args = append(args, "-H \""+dqEscape(strings.TrimSpace(name))+": "+strings.Join(parts, "$TESTOPS_TOKEN")+"\"")
	}
	return out + "AUTH=(" + strings.Join(args, " ") + ")\n"
}

// bashExcerpt is the excerpt function: the start of an answer for an
// error message, with what the scheme sends taken out, since a server that
// echoes what it was sent would otherwise print it.
func bashExcerpt(si SignIn) string {
	var take []string
	what := "the credentials"
	switch si.scheme() {
	case "testops":
		what = "the API token and the Bearer token"
		take = []string{`text="${text//"$TESTOPS_TOKEN"/<API token>}"`, `if [ -n "${JWT_TOKEN:-}" ]; then`, `  text="${text//"$JWT_TOKEN"/<Bearer token>}"`, `fi`}
	case "oauth2":
		what = "the client secret and the Bearer token"
		take = []string{`text="${text//"$CLIENT_SECRET"/<client secret>}"`, `if [ -n "${JWT_TOKEN:-}" ]; then`, `  text="${text//"$JWT_TOKEN"/<Bearer token>}"`, `fi`}
	case "basic":
		// An echoed Authorization header carries user:password in base64.
		take = []string{`text="${text//"$TESTOPS_TOKEN"/<token>}"`, `text="${text//"$(printf '%s' "$TESTOPS_TOKEN" | base64 | tr -d '\n')"/<token>}"`}
	case "none":
		what = "nothing to take out"
	default:
		take = []string{`text="${text//"$TESTOPS_TOKEN"/<token>}"`}
	}
	var b strings.Builder
	b.WriteString("# excerpt FILE prints the start of an answer for an error message: at most\n")
	if si.scheme() == "none" {
		b.WriteString("# 200 characters.\n")
	} else {
		b.WriteString("# 200 characters, with " + what + " taken out, since\n# a server that echoes what it was sent would otherwise print them.\n")
	}
	b.WriteString("excerpt() {\n  local text\n  text=\"$(head -c 4096 \"$1\" | tr -d '\\000')\"\n")
	for _, l := range take {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("  printf '%s\\n' \"${text:0:200}\" >&2\n}\n\n")
	return b.String()
}

// bashGetToken is the get_token function of a scheme that gets its token
// at run time, or nothing.
func bashGetToken(si SignIn) string {
	switch si.scheme() {
	case "testops":
		return `# get_token exchanges the API token for a short-lived Bearer token.
get_token() {
  local status
  status="$(curl -sS -o "$WORK/token" -w '%{http_code}' -X POST "$ENDPOINT/api/uaa/oauth/token" \
    -H "Accept: application/json" \
    --form "grant_type=apitoken" \
    --form "scope=openid" \
    --form-string "token=$TESTOPS_TOKEN")"
  if [ "$status" != 200 ]; then
    echo "the token exchange at $ENDPOINT/api/uaa/oauth/token answered $status:" >&2
    excerpt "$WORK/token"
    exit 1
  fi
  JWT_TOKEN="$(jq -er .access_token "$WORK/token")"
}

`
	case "oauth2":
		return `# get_token gets a Bearer token with the OAuth 2.0 client-credentials grant.
get_token() {
  local status
  status="$(curl -sS -o "$WORK/token" -w '%{http_code}' -X POST "$TOKEN_URL" \
    -H "Accept: application/json" \
    --user "$CLIENT_ID:$CLIENT_SECRET" \
    --data-urlencode "grant_type=client_credentials" \
    ${SCOPE:+--data-urlencode "scope=$SCOPE"})"
  if [ "$status" != 200 ]; then
    echo "the client-credentials grant at $TOKEN_URL answered $status" >&2
    exit 1
  fi
  JWT_TOKEN="$(jq -er .access_token "$WORK/token")"
}

`
	}
	return ""
}

// bashCallHead is the start of the call function, up to the status check:
// with one renewal on 401 for schemes that get their token at run time.
func bashCallHead(si SignIn) string {
	if !renews(si) {
		return `# call LABEL METHOD URL [CURL ARGS...] sends one request, signed in.
# Any failure stops the script.
# The answer is left in $WORK/body, its headers in $WORK/headers.
call() {
  local label="$1" method="$2" url="$3" status
  shift 3
  status="$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" "$url" \
    ${AUTH[@]+"${AUTH[@]}"} "$@")"
`
	}
	again := "exchanging the API token again"
	if si.scheme() == "oauth2" {
		again = "getting a new token"
	}
	return `# call LABEL METHOD URL [CURL ARGS...] sends one request with the Bearer token.
# A 401 gets a new token and one retry; any other failure stops the script.
# The answer is left in $WORK/body, its headers in $WORK/headers.
call() {
  local label="$1" method="$2" url="$3" status attempt
  shift 3
  for attempt in 1 2; do
    status="$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" "$url" \
      -H "Authorization: Bearer $JWT_TOKEN" "$@")"
    if [ "$status" = 401 ] && [ "$attempt" = 1 ]; then
      echo "$label: 401, ` + again + `" >&2
      get_token
      continue
    fi
    break
  done
`
}
