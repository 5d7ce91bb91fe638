package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// Source gives the credentials of one sign-in scheme, as an
// oauth2.TokenSource gives tokens: the TestOps exchange (*Authenticator),
// a Bearer token, HTTP Basic, any header, or OAuth 2.0 client credentials.
// A Source is safe for concurrent use.
type Source interface {
	// Credential returns what to set on a request to the instance, getting
	// or renewing it first when the scheme needs that.
	Credential(ctx context.Context) (Credential, error)
}

// Renewer is a Source whose credential can go stale: when the instance
// answers 401, Renew replaces the refused credential (or returns the one
// another caller already got in its place) and the request is sent once more.
type Renewer interface {
	Source
	Renew(ctx context.Context, refused Credential) (Credential, error)
}

// Credential is the headers one scheme sets on a request. It prints as
// the header names only, so a credential in a log shows no secret.
type Credential struct {
	header http.Header
	token  Token // what was minted, for Renew to recognise a stale credential
}

// Header returns a copy of the headers the credential sets.
func (c Credential) Header() http.Header { return c.header.Clone() }

// String names the headers without their values.
func (c Credential) String() string {
	names := make([]string, 0, len(c.header))
	for k := range c.header {
		names = append(names, k)
	}
	return "auth.Credential{" + strings.Join(names, ", ") + "}"
}

// GoString is String, so %#v shows no secret either.
func (c Credential) GoString() string { return c.String() }

// Secrets are the values the credential sends, for a redactor that must
// remove them from anything an instance echoes.
func (c Credential) Secrets() []string {
	var out []string
	for _, vs := range c.header {
		for _, v := range vs {
			if _, cred, ok := strings.Cut(v, " "); ok && cred != "" {
				out = append(out, cred)
			}
			out = append(out, v)
		}
	}
	return out
}

func bearer(t Token) Credential {
	return Credential{header: http.Header{"Authorization": {"Bearer " + t.Reveal()}}, token: t}
}

type static Credential

func (s static) Credential(context.Context) (Credential, error) { return Credential(s), nil }

// String and GoString keep a fixed credential's value out of any print.
func (s static) String() string   { return Credential(s).String() }
func (s static) GoString() string { return Credential(s).String() }

// Bearer sends t as "Authorization: Bearer t", with no exchange.
func Bearer(t Token) Source { return static(bearer(t)) }

// Basic sends HTTP Basic credentials; t holds "user:password".
func Basic(t Token) (Source, error) {
	if !strings.Contains(t.Reveal(), ":") {
		return nil, &Error{Kind: ErrUsage, Op: "HTTP Basic sign-in", Detail: "the token is not user:password (it has no colon)"}
	}
	v := "Basic " + base64.StdEncoding.EncodeToString([]byte(t.Reveal()))
	return static(Credential{header: http.Header{"Authorization": {v}}, token: t}), nil
}

// tokenPlaceholder stands for the token in a header template.
const tokenPlaceholder = "{token}"

// Headers sends each template "Name: value" as a header, with
// tokenPlaceholder in the value replaced by t: "Authorization: token
// {token}", "X-Api-Key: {token}". A template without the placeholder is
// sent as written.
func Headers(templates []string, t Token) (Source, error) {
	h := http.Header{}
	for _, tm := range templates {
		name, value, err := ParseHeaderTemplate(tm)
		if err != nil {
			return nil, err
		}
		h.Add(name, strings.ReplaceAll(value, tokenPlaceholder, t.Reveal()))
	}
	return static(Credential{header: h, token: t}), nil
}

// ParseHeaderTemplate splits "Name: value" and checks that the name is a
// header name; the value may hold tokenPlaceholder.
func ParseHeaderTemplate(tm string) (name, value string, err error) {
	name, value, ok := strings.Cut(tm, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" || strings.ContainsAny(name, " \t\r\n()<>@,;\\\"/[]?={}") || strings.ContainsAny(value, "\r\n") {
		return "", "", &Error{Kind: ErrUsage, Op: "read a sign-in header", Detail: fmt.Sprintf("%q is not NAME: VALUE", tm)}
	}
	return textproto.CanonicalMIMEHeaderKey(name), value, nil
}

// Transport signs requests to one origin (scheme, host and port) with the
// credentials of Source and passes every other request through untouched,
// so a redirect to another host never carries them. When Source is a
// Renewer, a 401 gets one renewed credential and one retry if the body can
// be sent again (GetBody); a second 401 is an ErrTokenRejected error. A
// nil Source sends requests unsigned.
type Transport struct {
	Source Source
	// Origin is the instance; only its requests are signed.
	Origin *url.URL
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil || t.Origin == nil || !SameOrigin(req.URL, t.Origin) {
		return t.base().RoundTrip(req)
	}
	cred, err := t.Source.Credential(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	res, err := t.base().RoundTrip(signed(req, cred))
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	rn, ok := t.Source.(Renewer)
	if !ok {
		return res, nil // a fixed credential: the 401 is the answer
	}
	// A source that caches credentials drops one the server refused.
	forget := func(Credential) {}
	if f, ok := t.Source.(interface{ forget(Credential) }); ok {
		forget = f.forget
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		// Cannot send the body twice; renew for the next request only.
		forget(cred)
		return res, nil
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	fresh, err := rn.Renew(req.Context(), cred)
	if err != nil {
		return nil, err
	}
	retry := signed(req, fresh)
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	res, err = t.base().RoundTrip(retry)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	forget(fresh)
	where := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	return nil, &Error{Kind: ErrTokenRejected, Op: req.Method + " " + req.URL.Path, URL: where, Status: http.StatusUnauthorized,
		Detail: "a freshly obtained token was refused too: " + scrubSecret(serverMessage(body), fresh.token)}
}

// Client returns a copy of base (nil means a client with the standard
// transport) whose requests to origin are signed by src.
func Client(base *http.Client, origin *url.URL, src Source) *http.Client {
	if base == nil {
		base = defaultClient()
	}
	c := *base
	c.Transport = &Transport{Source: src, Origin: origin, Base: base.Transport}
	return &c
}

func signed(req *http.Request, c Credential) *http.Request {
	r := req.Clone(req.Context())
	for k, vs := range c.header {
		r.Header[k] = append([]string(nil), vs...)
	}
	return r
}

// SameOrigin reports whether two URLs share an origin (RFC 6454): scheme,
// host and port, a missing port being the scheme's default.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// Check gets a credential once, so that a wrong endpoint or a refused
// token stops a run before its first call; a fixed credential costs nothing.
func Check(ctx context.Context, src Source) error {
	if src == nil {
		return nil
	}
	_, err := src.Credential(ctx)
	return err
}
