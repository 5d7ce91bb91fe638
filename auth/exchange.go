package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultLifetime is assumed for an access token whose reply has no
// expires_in and whose JWT has no exp. It is short on purpose: a token
// refreshed too early costs one exchange, one kept too long costs a 401.
const DefaultLifetime = 5 * time.Minute

// TokenPath and MePath are the UAA paths under the endpoint.
const (
	TokenPath = "/api/uaa/oauth/token"
	MePath    = "/api/uaa/me"
)

// AccessToken is the result of an exchange.
type AccessToken struct {
	Token Token
	// Expiry is when the instance stops accepting Token, as measured from
	// when the exchange was sent, so a slow answer errs on the early side.
	Expiry time.Time
	// ExpirySource says how Expiry was learned: "expires_in", "exp claim"
	// or "default".
	ExpirySource string
}

// ParseBaseURL checks an instance address and returns it without a
// trailing slash, query or fragment. It refuses what cannot be right: no
// scheme, or credentials in the URL.
func ParseBaseURL(endpoint string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := endpoint
		if err == nil {
			shown = u.Redacted()
		}
		return nil, &Error{Kind: ErrUsage, Op: "check the endpoint", Detail: strconv.Quote(shown) + " is not an http:// or https:// address",
			hint: "give the address you open the instance at in a browser, e.g. https://testops.example.com"}
	}
	if u.User != nil {
		return nil, &Error{Kind: ErrUsage, Op: "check the endpoint", Detail: u.Redacted() + " holds a user name or password",
			hint: "remove the credentials from the endpoint; they are given apart from it"}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// ParseEndpoint is ParseBaseURL for a TestOps instance, which also
// refuses a path ending in /api (the toolkit adds that itself).
func ParseEndpoint(endpoint string) (*url.URL, error) {
	u, err := ParseBaseURL(endpoint)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(u.Path, "/api") || strings.Contains(u.Path, "/api/") {
		return nil, &Error{Kind: ErrUsage, Op: "check the endpoint", Detail: u.String() + " names an API path",
			hint: "give the instance's address without /api, e.g. " + u.Scheme + "://" + u.Host}
	}
	return u, nil
}

// Exchange trades an API token for an access token, once, with no
// caching; an Authenticator is what most callers want.
func Exchange(ctx context.Context, client *http.Client, endpoint string, apiToken Token) (AccessToken, error) {
	base, err := ParseEndpoint(endpoint)
	if err != nil {
		return AccessToken{}, err
	}
	if client == nil {
		client = defaultClient()
	}
	return exchange(ctx, client, base, apiToken)
}

func exchange(ctx context.Context, client *http.Client, base *url.URL, apiToken Token) (AccessToken, error) {
	const op = "token exchange"
	target := base.String() + TokenPath
	if apiToken.IsZero() {
		return AccessToken{}, noToken()
	}
	form := url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {apiToken.Reveal()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return AccessToken{}, &Error{Kind: ErrUsage, Op: op, URL: target, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	sent := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return AccessToken{}, transportError(op, target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return AccessToken{}, transportError(op, target, err)
	}
	scrub := func(s string) string { return scrubSecret(s, apiToken) }
	if e := answerError(op, target, res, body, scrub); e != nil {
		return AccessToken{}, e
	}
	var reply struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &reply); err != nil || reply.AccessToken == "" {
		return AccessToken{}, &Error{Kind: ErrWrongEndpoint, Op: op, URL: target, Status: res.StatusCode,
			Detail: "the answer holds no access_token"}
	}
	at := AccessToken{Token: NewToken(reply.AccessToken)}
	switch secs, ok := parseExpiresIn(reply.ExpiresIn); {
	case ok:
		at.Expiry, at.ExpirySource = sent.Add(time.Duration(secs*float64(time.Second))), "expires_in"
	default:
		if exp, ok := jwtExpiry(reply.AccessToken); ok {
			at.Expiry, at.ExpirySource = exp, "exp claim"
		} else {
			at.Expiry, at.ExpirySource = sent.Add(DefaultLifetime), "default"
		}
	}
	return at, nil
}

// answerError turns a non-success answer into an *Error, or returns nil.
// A TestOps instance answers JSON; anything else at the API paths (an
// HTML page, a 404) means the endpoint is not one.
func answerError(op, target string, res *http.Response, body []byte, scrub func(string) string) *Error {
	jsonBody := isJSON(res.Header.Get("Content-Type"), body)
	e := &Error{Op: op, URL: target, Status: res.StatusCode, Detail: scrub(serverMessage(body))}
	challenge, _, _ := strings.Cut(strings.TrimSpace(res.Header.Get("WWW-Authenticate")), " ")
	switch {
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusMethodNotAllowed:
		e.Kind = ErrWrongEndpoint
	case res.StatusCode == http.StatusUnauthorized && challenge != "" && !strings.EqualFold(challenge, "Bearer"):
		// The token URL itself is behind another scheme: TestOps answers
		// its exchange without asking for credentials first.
		e.Kind, e.Detail = ErrWrongEndpoint, "it asks for "+challenge+" credentials (WWW-Authenticate), so the instance signs in another way"
	case res.StatusCode == http.StatusNotImplemented || res.StatusCode >= 500 && !jsonBody && !gatewayStatus(res.StatusCode):
		// A web server that is not TestOps (Python's http.server, say)
		// answers a POST it has no handler for with 501, or a page of its
		// own; trying again cannot help. A proxy's 502-504 page can.
		e.Kind = ErrWrongEndpoint
		if e.Detail == "" {
			e.Detail = "the server has no such exchange"
		}
	case res.StatusCode >= 500:
		e.Kind = ErrServer
	case !jsonBody:
		e.Kind, e.Detail = ErrWrongEndpoint, "the answer is "+describeBody(res.Header.Get("Content-Type"))+", not JSON"
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusBadRequest:
		e.Kind = ErrTokenRejected
	case res.StatusCode >= 300:
		e.Kind = ErrServer
	default:
		return nil
	}
	return e
}

// gatewayStatus reports whether status is what a proxy or load balancer
// answers for an instance it cannot reach just now (502, 503, 504).
func gatewayStatus(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

func isJSON(contentType string, body []byte) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return true
	}
	return json.Valid(body) && len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

func describeBody(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "" {
		return "of no declared type"
	}
	return mt
}

// serverMessage pulls the human part out of an error body: TestOps'
// {"message"}, OAuth2's {"error_description"}, or a short plain text.
func serverMessage(body []byte) string {
	var m struct {
		Message          string `json:"message"`
		ErrorDescription string `json:"error_description"`
		Error            string `json:"error"`
	}
	if json.Unmarshal(body, &m) == nil {
		for _, s := range []string{m.Message, m.ErrorDescription, m.Error} {
			if s != "" {
				return clip(s)
			}
		}
		return ""
	}
	if s := strings.TrimSpace(string(body)); s != "" && !strings.HasPrefix(s, "<") {
		return clip(s)
	}
	return ""
}

func clip(s string) string {
	s = oneLine(s)
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// scrubSecret replaces a token a server echoed back with its fingerprint.
func scrubSecret(s string, t Token) string {
	if v := t.Reveal(); v != "" && strings.Contains(s, v) {
		return strings.ReplaceAll(s, v, t.Fingerprint())
	}
	return s
}

// parseExpiresIn reads expires_in as a number or a numeric string; real
// servers and proxies send both.
func parseExpiresIn(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		if n, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return 0, false
		}
	}
	return n, n > 0
}

// jwtExpiry reads the exp claim without checking the signature: the
// client only needs to know when to refresh, and the server checks the rest.
func jwtExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var c struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Exp <= 0 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(c.Exp*float64(time.Second))), true
}
