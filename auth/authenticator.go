package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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
		return nil, noToken()
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

// forgetToken drops the cached token if it is still t, so the next call
// exchanges again.
func (a *Authenticator) forgetToken(t Token) {
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

// Credential returns the Bearer access token as a credential, exchanging
// the API token when needed; it makes the Authenticator a Renewer.
func (a *Authenticator) Credential(ctx context.Context) (Credential, error) {
	at, err := a.get(ctx, Token{})
	if err != nil {
		return Credential{}, err
	}
	return bearer(at.Token), nil
}

// Renew replaces a refused credential, as Refresh does.
func (a *Authenticator) Renew(ctx context.Context, refused Credential) (Credential, error) {
	at, err := a.get(ctx, refused.token)
	if err != nil {
		return Credential{}, err
	}
	return bearer(at.Token), nil
}

func (a *Authenticator) forget(c Credential) { a.forgetToken(c.token) }

// Transport wraps base (nil means http.DefaultTransport) so requests to
// the instance carry the Bearer token; see the Transport type.
func (a *Authenticator) Transport(base http.RoundTripper) http.RoundTripper {
	return &Transport{Source: a, Origin: a.base, Base: base}
}

// Client returns a copy of the configured client whose requests to the
// instance carry the Bearer token. A redirect to another origin goes
// without it, since the token is added per request, by origin.
func (a *Authenticator) Client() *http.Client { return Client(a.hc, a.base, a) }

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
