package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ClientCredentialsConfig configures the OAuth 2.0 client-credentials
// grant (RFC 6749 section 4.4).
type ClientCredentialsConfig struct {
	TokenURL     string
	ClientID     string
	ClientSecret Token
	Scopes       []string
	// Client posts to the token endpoint; nil means the standard transport.
	Client *http.Client
}

// ClientCredentials is a Source that signs with an access token from the
// client-credentials grant, cached and renewed as it expires by
// golang.org/x/oauth2's TokenSource.
type ClientCredentials struct {
	cfg    clientcredentials.Config
	ctx    context.Context // carries the HTTP client the grant uses
	secret Token
	grants atomic.Int64

	mu sync.Mutex
	ts oauth2.TokenSource
}

// NewClientCredentials checks cfg; it makes no request.
func NewClientCredentials(cfg ClientCredentialsConfig) (*ClientCredentials, error) {
	if cfg.TokenURL == "" || cfg.ClientID == "" || cfg.ClientSecret.IsZero() {
		return nil, &Error{Kind: ErrUsage, Op: "OAuth 2.0 sign-in", Detail: "a token URL, a client id and a client secret are all needed"}
	}
	if u, err := url.Parse(cfg.TokenURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, &Error{Kind: ErrUsage, Op: "OAuth 2.0 sign-in", Detail: "the token URL is not an http:// or https:// address without credentials"}
	}
	hc := cfg.Client
	if hc == nil {
		hc = defaultClient()
	}
	c := &ClientCredentials{secret: cfg.ClientSecret}
	counted := *hc
	counted.Transport = countingTransport{base: hc.Transport, n: &c.grants}
	c.ctx = context.WithValue(context.Background(), oauth2.HTTPClient, &counted)
	c.cfg = clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret.Reveal(), TokenURL: cfg.TokenURL, Scopes: cfg.Scopes}
	c.ts = c.cfg.TokenSource(c.ctx)
	return c, nil
}

// Grants counts the token requests sent so far, failed ones included.
func (c *ClientCredentials) Grants() int64 { return c.grants.Load() }

// String describes the source without its secret.
func (c *ClientCredentials) String() string {
	return "auth.ClientCredentials{" + c.cfg.TokenURL + ", client " + c.cfg.ClientID + ", secret " + c.secret.Fingerprint() + "}"
}

// Credential returns the current access token, granting a new one when
// it has expired.
func (c *ClientCredentials) Credential(ctx context.Context) (Credential, error) {
	c.mu.Lock()
	ts := c.ts
	c.mu.Unlock()
	return c.token(ts)
}

// Renew drops a refused access token and grants a new one, unless another
// caller already did.
func (c *ClientCredentials) Renew(ctx context.Context, refused Credential) (Credential, error) {
	c.forget(refused)
	return c.Credential(ctx)
}

func (c *ClientCredentials) forget(refused Credential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, err := c.ts.Token(); err == nil && cur.AccessToken == refused.token.Reveal() {
		c.ts = c.cfg.TokenSource(c.ctx)
	}
}

func (c *ClientCredentials) token(ts oauth2.TokenSource) (Credential, error) {
	const op = "OAuth 2.0 client-credentials grant"
	t, err := ts.Token()
	if err == nil {
		return bearer(NewToken(t.AccessToken)), nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		e := &Error{Op: op, URL: c.cfg.TokenURL, Status: re.Response.StatusCode,
			Detail: scrubSecret(serverMessage(re.Body), c.secret)}
		if re.ErrorDescription != "" || re.ErrorCode != "" {
			e.Detail = scrubSecret(oneLine(re.ErrorCode+" "+re.ErrorDescription), c.secret)
		}
		switch code := re.Response.StatusCode; {
		case code == http.StatusNotFound || code == http.StatusMethodNotAllowed:
			e.Kind = ErrWrongEndpoint
		case code >= 500:
			e.Kind = ErrServer
		default:
			e.Kind = ErrTokenRejected
		}
		return Credential{}, e
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		return Credential{}, transportError(op, c.cfg.TokenURL, err)
	}
	// oauth2's own complaints (a reply without access_token) carry no secret.
	return Credential{}, &Error{Kind: ErrWrongEndpoint, Op: op, URL: c.cfg.TokenURL, Detail: scrubSecret(err.Error(), c.secret)}
}

type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}
