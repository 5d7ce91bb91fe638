package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures an Authenticator.
type Config struct {
	// Endpoint is the instance's address, e.g. https://testops.example.com.
	Endpoint string
	// APIToken is the user's personal API token.
	APIToken Token
	// Client makes the exchange and is the base of Client(); nil means a
	// client with the standard transport (see ClientWithCA for a private CA).
	Client *http.Client
	// RefreshMargin is how long before expiry the token is replaced; zero
	// means a fifth of its lifetime, at most 30 seconds.
	RefreshMargin time.Duration
	// Retries is how often an exchange is sent again after a connection
	// error, a timeout or a 5xx answer; 3 when zero, none when negative.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one; 200ms when zero.
	Backoff time.Duration
	// OnToken, when set, is told every access token the exchange returns,
	// before any caller gets it, so that a report writer can hide the
	// token wherever an instance echoes it back.
	OnToken func(Token)
}

// exchangeTimeout bounds one exchange: callers may give up sooner through
// their context, but the shared exchange itself must end.
const exchangeTimeout = 30 * time.Second

// Authenticator holds one user's access token for one instance. It is
// safe for concurrent use; concurrent callers share one exchange.
type Authenticator struct {
	cfg       Config
	base      *url.URL
	hc        *http.Client
	exchanges atomic.Int64

	mu        sync.Mutex
	cur       *AccessToken
	refreshAt time.Time
	flight    *flight
}

type flight struct {
	done chan struct{}
	tok  AccessToken
	err  error
}

// New checks cfg and returns an Authenticator; it makes no request.
func New(cfg Config) (*Authenticator, error) {
	base, err := ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.APIToken.IsZero() {
		return nil, noToken("")
	}
	hc := cfg.Client
	if hc == nil {
		hc = defaultClient()
	}
	return &Authenticator{cfg: cfg, base: base, hc: hc}, nil
}

func defaultClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// String describes the Authenticator without its tokens.
func (a *Authenticator) String() string {
	return "auth.Authenticator{" + a.base.String() + ", API token " + a.cfg.APIToken.Fingerprint() + "}"
}

// Endpoint returns the instance address, normalised.
func (a *Authenticator) Endpoint() string { return a.base.String() }

// Exchanges counts the token exchanges made so far, failed ones included.
func (a *Authenticator) Exchanges() int64 { return a.exchanges.Load() }

// Token returns a valid access token, exchanging the API token when none
// is cached or the cached one is about to expire.
func (a *Authenticator) Token(ctx context.Context) (Token, error) {
	at, err := a.get(ctx, Token{})
	return at.Token, err
}

// AccessToken is Token with the expiry.
func (a *Authenticator) AccessToken(ctx context.Context) (AccessToken, error) {
	return a.get(ctx, Token{})
}

// Refresh replaces stale, an access token the instance refused. When
// another caller has already replaced it, Refresh returns that newer token
// rather than exchanging again.
func (a *Authenticator) Refresh(ctx context.Context, stale Token) (Token, error) {
	at, err := a.get(ctx, stale)
	return at.Token, err
}

func (a *Authenticator) get(ctx context.Context, stale Token) (AccessToken, error) {
	a.mu.Lock()
	if c := a.cur; c != nil && time.Now().Before(a.refreshAt) && (stale.IsZero() || c.Token.Reveal() != stale.Reveal()) {
		a.mu.Unlock()
		return *c, nil
	}
	f := a.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		a.flight = f
		// The exchange runs apart from this caller, so one caller giving up
		// does not fail the others waiting on the same exchange; nor does it
		// take the caller's values, whose httptrace hooks (replay's "was the
		// call sent") would count the exchange as the caller's request.
		go a.run(context.Background(), f)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return AccessToken{}, ctx.Err()
	}
}

func (a *Authenticator) run(ctx context.Context, f *flight) {
	at, obtained, err := a.exchangeRetrying(ctx)
	if err == nil && a.cfg.OnToken != nil {
		a.cfg.OnToken(at.Token)
	}
	a.mu.Lock()
	if err == nil {
		a.cur = &at
		a.refreshAt = at.Expiry.Add(-a.margin(at.Expiry.Sub(obtained)))
	}
	a.flight = nil
	f.tok, f.err = at, err
	a.mu.Unlock()
	close(f.done)
}

// exchangeRetrying exchanges the API token, again after failures that
// may pass: an instance restarting or behind a busy proxy should not stop
// a run that has not sent anything yet. Minting a token twice is harmless,
// so the exchange's POST is safe to repeat. It returns when the attempt
// that succeeded was sent.
func (a *Authenticator) exchangeRetrying(ctx context.Context) (AccessToken, time.Time, error) {
	retries, backoff := a.cfg.Retries, a.cfg.Backoff
	if retries == 0 {
		retries = 3
	} else if retries < 0 {
		retries = 0
	}
	if backoff <= 0 {
		backoff = 200 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, exchangeTimeout)
		sent := time.Now()
		at, err := exchange(actx, a.hc, a.base, a.cfg.APIToken)
		cancel()
		a.exchanges.Add(1)
		if err == nil || attempt >= retries || !IsInfrastructure(err) {
			var e *Error
			if attempt > 0 && errors.As(err, &e) {
				e.Detail = strings.TrimSpace(e.Detail + fmt.Sprintf(" (after %d attempts)", attempt+1))
			}
			return at, sent, err
		}
		select {
		case <-time.After(backoff << attempt):
		case <-ctx.Done():
			return at, sent, err
		}
	}
}

// IsInfrastructure reports whether err says the instance could not be
// reached, timed out or answered 5xx, as opposed to a refusal or a wrong
// set-up that trying later will not fix; the exchange is retried for these.
func IsInfrastructure(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	// A host name that does not resolve is a wrong endpoint, not a busy one.
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false
	}
	return e.Kind == ErrUnreachable || (e.Kind == ErrServer && e.Status >= 500)
}

func (a *Authenticator) margin(lifetime time.Duration) time.Duration {
	if a.cfg.RefreshMargin > 0 {
		return a.cfg.RefreshMargin
	}
	return min(30*time.Second, lifetime/5)
}

// forget drops the cached token if it is still t, so the next call
// exchanges again.
func (a *Authenticator) forget(t Token) {
	a.mu.Lock()
	if a.cur != nil && a.cur.Token.Reveal() == t.Reveal() {
		a.cur = nil
	}
	a.mu.Unlock()
}

// scrub hides both of this user's tokens in a server's message.
func (a *Authenticator) scrub(s string) string {
	s = scrubSecret(s, a.cfg.APIToken)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur != nil {
		s = scrubSecret(s, a.cur.Token)
	}
	return s
}

// sameOrigin reports whether u is on the instance. Only such requests get
// the Bearer token.
func (a *Authenticator) sameOrigin(u *url.URL) bool { return SameOrigin(u, a.base) }

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

// Transport wraps base (nil means http.DefaultTransport) so requests to
// the instance carry the Bearer token; requests to any other origin pass
// through untouched. A 401 from the instance gets one new token and one
// retry when the request body can be replayed (GetBody); a second 401 is
// an ErrTokenRejected error. A 401 on a body that cannot be replayed is
// returned as it is, and the next request uses a new token.
func (a *Authenticator) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{a: a, base: base}
}

// Client returns a copy of the configured client whose requests to the
// instance carry the Bearer token. A redirect to another origin goes
// without it, since the token is added per request, by origin.
func (a *Authenticator) Client() *http.Client {
	c := *a.hc
	c.Transport = a.Transport(a.hc.Transport)
	return &c
}

type transport struct {
	a    *Authenticator
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.a.sameOrigin(req.URL) {
		return t.base.RoundTrip(req)
	}
	at, err := t.a.get(req.Context(), Token{})
	if err != nil {
		closeBody(req)
		return nil, err
	}
	res, err := t.base.RoundTrip(withBearer(req, at.Token))
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		t.a.forget(at.Token)
		return res, nil
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	fresh, err := t.a.get(req.Context(), at.Token)
	if err != nil {
		return nil, err
	}
	retry := withBearer(req, fresh.Token)
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	res, err = t.base.RoundTrip(retry)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	t.a.forget(fresh.Token)
	where := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	return nil, &Error{Kind: ErrTokenRejected, Op: req.Method + " " + req.URL.Path, URL: where, Status: http.StatusUnauthorized,
		Detail: "a freshly exchanged access token was refused too: " + scrubSecret(serverMessage(body), fresh.Token),
		hint:   "the API token is wrong or revoked: create a new one in TestOps (your profile, API tokens) and pass it with $" + EnvToken + " or --token-file"}
}

func withBearer(req *http.Request, t Token) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.Reveal())
	return r
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// User is who a token belongs to, from GET /api/uaa/me.
type User struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	Email       string   `json:"email,omitempty"`
	FirstName   string   `json:"firstName,omitempty"`
	LastName    string   `json:"lastName,omitempty"`
	Authorities []string `json:"authorities,omitempty"`
	// Raw is the whole answer, for the fields User does not name.
	Raw json.RawMessage `json:"-"`
}

// WhoAmI asks the instance who the API token belongs to: the check a
// user runs first to see that endpoint, CA and token all work.
func (a *Authenticator) WhoAmI(ctx context.Context) (*User, error) {
	const op = "whoami"
	target := a.base.String() + MePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, &Error{Kind: ErrUsage, Op: op, URL: target, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	res, err := a.Client().Do(req)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, transportError(op, target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, transportError(op, target, err)
	}
	if e := answerError(op, target, res, body, a.scrub); e != nil {
		return nil, e
	}
	var u User
	if err := json.Unmarshal(body, &u); err != nil || u.Username == "" {
		return nil, &Error{Kind: ErrWrongEndpoint, Op: op, URL: target, Status: res.StatusCode, Detail: "the answer names no user"}
	}
	u.Raw = append(json.RawMessage(nil), body...)
	return &u, nil
}

// ClientWithCA returns an HTTP client that trusts the system's CAs plus
// those in the PEM file caFile (--ca-cert), for instances behind a private
// or corporate CA. An empty caFile gives a client with the system CAs.
func ClientWithCA(caFile string) (*http.Client, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 60 * time.Second
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			return nil, &Error{Kind: ErrUsage, Op: "read the CA certificate", Detail: "--ca-cert: " + err.Error(),
				hint: "--ca-cert takes a PEM file holding the CA certificate"}
		}
		pool, ok := PoolWithPEM(pemBytes)
		if !ok {
			return nil, &Error{Kind: ErrUsage, Op: "read the CA certificate", Detail: caFile + " holds no PEM certificate",
				hint: "--ca-cert takes a PEM file (-----BEGIN CERTIFICATE-----); convert a DER file with openssl x509 -inform der"}
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: t}, nil
}

// PoolWithPEM returns the system's root certificates plus those in pem,
// the trust a private or corporate CA needs; ok is false when pem holds no
// certificate.
func PoolWithPEM(pem []byte) (pool *x509.CertPool, ok bool) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	return pool, pool.AppendCertsFromPEM(pem)
}

// Redact returns a copy of h fit to print: credentials in Authorization,
// Cookie, Set-Cookie and the XSRF headers become fingerprints.
func Redact(h http.Header) http.Header {
	out := h.Clone()
	for k, vs := range out {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "Proxy-Authorization":
			for i, v := range vs {
				if scheme, cred, ok := strings.Cut(v, " "); ok {
					vs[i] = scheme + " " + Fingerprint(cred)
				} else {
					vs[i] = Fingerprint(v)
				}
			}
		case "Cookie":
			for i, v := range vs {
				vs[i] = redactCookies(v)
			}
		case "Set-Cookie":
			for i, v := range vs {
				first, rest, _ := strings.Cut(v, ";")
				vs[i] = redactCookies(first) + ifNotEmpty(";", rest)
			}
		case "X-Xsrf-Token", "X-Csrf-Token", "X-Api-Key":
			for i, v := range vs {
				vs[i] = Fingerprint(v)
			}
		}
	}
	return out
}

// redactCookies fingerprints the values of a Cookie header's name=value
// pairs, or of the one pair a Set-Cookie starts with.
func redactCookies(s string) string {
	parts := strings.Split(s, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			parts[i] = name + "=" + Fingerprint(val)
		}
	}
	return strings.Join(parts, "; ")
}

func ifNotEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
