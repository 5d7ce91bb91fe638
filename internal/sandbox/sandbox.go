package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Seed data every instance starts with. The API token is a fixed value so
// that README instructions and scripted tests can use it without asking.
const (
	SeedUsername = "admin"
	SeedPassword = "admin"
	SeedAPIToken = "7f3c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a57"
)

// Cookie and header names the browser session path uses, as a TestOps
// instance (Spring Security's cookie CSRF repository) names them.
const (
	SessionCookie = "ALLURE_TESTOPS_SESSION"
	XSRFCookie    = "XSRF-TOKEN"
	XSRFHeader    = "X-XSRF-TOKEN"
)

// How a logged request presented itself.
const (
	AuthBearer  = "bearer"
	AuthSession = "session"
	AuthNone    = "none"
)

// ExpiresIn chooses how the token exchange reports a token's lifetime;
// real instances and proxies differ, and clients must cope with each.
type ExpiresIn int

const (
	ExpiresInNumber  ExpiresIn = iota // "expires_in": 1799
	ExpiresInString                   // "expires_in": "1799"
	ExpiresInOmitted                  // no expires_in: clients fall back to the JWT's exp
)

// Knobs are the behaviours a test may change while the instance runs.
// Faults (latency, 5xx, drops) apply to /api/ paths only, so the UI page
// and the API documents always load.
type Knobs struct {
	// TokenValidity is how long an access token lives; zero means one hour.
	TokenValidity time.Duration
	ExpiresIn     ExpiresIn
	// Latency is added before every /api/ answer.
	Latency time.Duration
	// FailureRate is the share (0 to 1) of /api/ requests answered with 503.
	FailureRate float64
	// DropRate is the share (0 to 1) of /api/ requests whose connection is
	// closed without any answer.
	DropRate float64
	// V2 switches on the changed response shapes listed in the package doc.
	V2 bool
	// OtherUsers, when positive, is how often another user (OtherUsernames)
	// creates, renames or deletes a launch of their own, in the background,
	// as on a shared instance while a suite runs; zero stops them.
	OtherUsers time.Duration
	// OtherUsersProject is the project they write in; zero means
	// OtherUsersProject, the seed project the bundled flows use.
	OtherUsersProject int64
}

// Options configure Start. The zero value is a plain-HTTP instance on a free
// loopback port with the seed data.
type Options struct {
	// Addr is where to listen; it must be a loopback address. Empty means
	// 127.0.0.1 on a free port.
	Addr string
	// TLS serves HTTPS with a certificate from a CA made for this instance
	// (see CACertPEM).
	TLS bool
	// APIToken replaces SeedAPIToken as the seeded user's API token.
	APIToken string
	// Seed makes the 5xx and drop choices repeatable; zero picks one at random.
	Seed uint64
	// DataFile, when set, keeps the Report Service data (projects, launches,
	// test cases, results and id counters) across restarts: Start reads it
	// if it exists, and every successful write saves it. Users and tokens
	// are seeded afresh each start.
	DataFile string
	Knobs
}

// Instance is a running sandbox.
type Instance struct {
	url   string
	srv   *http.Server
	ln    net.Listener
	caPEM []byte
	pool  *x509.CertPool
	mux   *http.ServeMux
	done  chan struct{}

	knobMu sync.Mutex
	knobs  Knobs
	rng    *mathrand.Rand

	mu       sync.Mutex
	key      []byte
	db       *store
	tokens   map[string]*apiToken // API token value -> record
	sessions map[string]string    // session id -> username
	users    map[string]*user

	logMu sync.Mutex
	log   []Request

	dataPath    string
	saveMu      sync.Mutex
	saveErr     error
	otherTokens []string
	bgStop      chan struct{}
	stopOnce    sync.Once
	bgDone      chan struct{}
}

// Request is one entry of the server-side request log: what the instance
// received, never the credentials themselves.
type Request struct {
	Time   time.Time
	Method string
	// Path is the path as received, so /api/rs/... aliases stay visible.
	Path  string
	Query string
	// Auth is what the request presented: AuthBearer, AuthSession or AuthNone.
	Auth string
	// XSRF reports whether the request carried an X-XSRF-TOKEN header.
	XSRF bool
	// User is who the request authenticated as, empty when it did not.
	User string
	// Status is the answer's status code; 0 when the connection was dropped.
	Status int
	// Fault is "5xx" or "drop" when a knob, not the handler, answered.
	Fault string
}

type user struct {
	ID        int64
	Username  string
	Password  string
	Email     string
	FirstName string
	LastName  string
	Roles     []string
}

type apiToken struct {
	ID       int64
	Name     string
	Username string
}

// Start runs an instance on loopback and returns once it accepts connections.
func Start(opts Options) (*Instance, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = mathrand.Uint64()
	}
	in := &Instance{
		ln:       ln,
		knobs:    opts.Knobs,
		rng:      mathrand.New(mathrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		key:      randomBytes(32),
		tokens:   map[string]*apiToken{},
		sessions: map[string]string{},
		users:    map[string]*user{},
		done:     make(chan struct{}),
		bgStop:   make(chan struct{}),
		bgDone:   make(chan struct{}),
		dataPath: opts.DataFile,
	}
	in.users[SeedUsername] = &user{ID: 1, Username: SeedUsername, Password: SeedPassword,
		Email: "admin@sandbox.test", FirstName: "Sandbox", LastName: "Admin", Roles: []string{"ROLE_ADMIN"}}
	tok := opts.APIToken
	if tok == "" {
		tok = SeedAPIToken
	}
	in.tokens[tok] = &apiToken{ID: 1, Name: "seed", Username: SeedUsername}
	in.addOtherUsers()
	if in.db, err = loadStore(opts.DataFile); err != nil {
		ln.Close()
		return nil, err
	}
	if in.db == nil {
		in.db = newStore(time.Now())
		if err := in.saveData(); err != nil {
			ln.Close()
			return nil, fmt.Errorf("data file: %w", err)
		}
	}
	in.mux = in.routes()

	scheme := "http"
	if opts.TLS {
		cfg, caPEM, pool, err := makeTLS()
		if err != nil {
			ln.Close()
			return nil, err
		}
		in.caPEM, in.pool = caPEM, pool
		in.ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	in.url = scheme + "://" + ln.Addr().String()
	in.srv = &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second, ErrorLog: quietLog()}
	go func() {
		defer close(in.done)
		in.srv.Serve(in.ln)
	}()
	go in.otherUsers()
	return in, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not loopback: the sandbox only listens on 127.0.0.1, ::1 or localhost", addr)
	}
	return nil
}

// URL is the instance's base URL, e.g. http://127.0.0.1:41234, without a
// trailing slash: the endpoint a user would pass to the toolkit.
func (in *Instance) URL() string { return in.url }

// Close stops the other users, then the instance, and closes its open
// connections; with a data file, the last state is on disk when it returns.
func (in *Instance) Close() error {
	in.stopOnce.Do(func() { close(in.bgStop) })
	<-in.bgDone
	err := in.srv.Close()
	<-in.done
	return err
}

// Knobs returns the knobs in force.
func (in *Instance) Knobs() Knobs {
	in.knobMu.Lock()
	defer in.knobMu.Unlock()
	return in.knobs
}

// SetKnobs replaces the knobs; requests already in flight finish with the
// old ones.
func (in *Instance) SetKnobs(k Knobs) {
	in.knobMu.Lock()
	in.knobs = k
	in.knobMu.Unlock()
}

// roll reports true with probability p, drawing from the seeded source so
// a test that sends requests in order sees the same faults every run.
func (in *Instance) roll(p float64) bool {
	if p <= 0 {
		return false
	}
	in.knobMu.Lock()
	defer in.knobMu.Unlock()
	return in.rng.Float64() < p
}

// CACertPEM is the PEM certificate of the CA that signed an HTTPS
// instance's certificate (nil for plain HTTP): what --ca-cert would name.
func (in *Instance) CACertPEM() []byte { return in.caPEM }

// Client returns an HTTP client that trusts the instance's certificate.
func (in *Instance) Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if in.pool != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: in.pool}
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// APITokenFor creates a new API token for username, as a user would in the
// UI's profile page, and returns its value.
func (in *Instance) APITokenFor(username, name string) (string, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.users[username] == nil {
		return "", fmt.Errorf("no user %q", username)
	}
	return in.newAPITokenLocked(username, name).value, nil
}

type createdToken struct {
	id    int64
	value string
}

func (in *Instance) newAPITokenLocked(username, name string) createdToken {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40 // shaped like the UUIDs real instances hand out
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	v := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	var last int64
	for _, t := range in.tokens {
		last = max(last, t.ID)
	}
	in.tokens[v] = &apiToken{ID: last + 1, Name: name, Username: username}
	return createdToken{id: last + 1, value: v}
}

// RevokeAPIToken makes an API token unusable for new exchanges; access
// tokens already issued stay valid until they expire, as on a real instance.
func (in *Instance) RevokeAPIToken(token string) {
	in.mu.Lock()
	delete(in.tokens, token)
	in.mu.Unlock()
}

// RevokeAccessTokens invalidates every access token issued so far (the
// instance changes its signing key), so the next call with one gets 401.
func (in *Instance) RevokeAccessTokens() {
	in.mu.Lock()
	in.key = randomBytes(32)
	in.mu.Unlock()
}

// Requests returns a copy of the request log.
func (in *Instance) Requests() []Request {
	in.logMu.Lock()
	defer in.logMu.Unlock()
	return append([]Request(nil), in.log...)
}

// ResetRequests empties the request log.
func (in *Instance) ResetRequests() {
	in.logMu.Lock()
	in.log = nil
	in.logMu.Unlock()
}

func (in *Instance) record(r Request) {
	in.logMu.Lock()
	in.log = append(in.log, r)
	in.logMu.Unlock()
}

type ctxKey struct{}

// reqState carries what the auth layer learned back to the request log.
type reqState struct{ user string }

// ServeHTTP applies the knobs, then routes. It is exported through
// http.Handler only so httptest-style wrappers can reuse an instance.
func (in *Instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Request{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Auth: presentedAuth(r), XSRF: r.Header.Get(XSRFHeader) != ""}
	k := in.Knobs()
	if strings.HasPrefix(r.URL.Path, "/api/") {
		if k.Latency > 0 {
			select {
			case <-time.After(k.Latency):
			case <-r.Context().Done():
			}
		}
		if in.roll(k.DropRate) {
			rec.Fault = "drop"
			in.record(rec)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler) // HTTP/2 or a wrapped writer: abort the stream instead
		}
		if in.roll(k.FailureRate) {
			rec.Fault, rec.Status = "5xx", http.StatusServiceUnavailable
			in.record(rec)
			w.Header().Set("X-Sandbox-Fault", "5xx")
			writeError(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
	}
	st := &reqState{}
	sw := &statusWriter{ResponseWriter: w}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
	defer func() {
		rec.Status, rec.User = sw.code(), st.user
		in.record(rec)
		if writes(rec) {
			// A failed save leaves the previous state on disk; the answer
			// has gone out already, so DataError is where it is told.
			in.noteSave(in.saveData())
		}
	}()
	setSpringHeaders(sw.Header(), r.URL.Path)
	if _, pattern := in.mux.Handler(r); pattern == "" {
		in.mux.ServeHTTP(&errorWriter{ResponseWriter: sw}, r)
		return
	}
	in.mux.ServeHTTP(sw, r)
}

func presentedAuth(r *http.Request) string {
	if _, ok := bearer(r); ok {
		return AuthBearer
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return AuthSession
	}
	return AuthNone
}

// setSpringHeaders adds the headers Spring Security puts on API answers, so
// recordings of the sandbox carry the same header noise as real ones.
func setSpringHeaders(h http.Header, path string) {
	if !strings.HasPrefix(path, "/api/") {
		return
	}
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-XSS-Protection", "0")
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// errorWriter turns the mux's plain-text 404 and 405 into the TestOps error
// body, so clients see one error shape whatever went wrong.
type errorWriter struct {
	http.ResponseWriter
	replaced bool
}

func (w *errorWriter) WriteHeader(code int) {
	if code < 400 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.replaced = true
	writeError(w.ResponseWriter, code, http.StatusText(code))
}

func (w *errorWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// makeTLS creates a CA and a leaf certificate for the loopback names. Two
// certificates rather than one self-signed leaf, because browsers and
// proxies refuse a leaf that is also a CA.
func makeTLS() (*tls.Config, []byte, *x509.CertPool, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(randomBytes(16)),
		Subject:               pkix.Name{CommonName: "apitrail sandbox CA", Organization: []string{"apitrail sandbox"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(randomBytes(16)),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey}},
		// HTTP/1.1 only: the drop knob hijacks connections, which HTTP/2 cannot.
		NextProtos: []string{"http/1.1"},
		MinVersion: tls.VersionTLS12,
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return cfg, caPEM, pool, nil
}
