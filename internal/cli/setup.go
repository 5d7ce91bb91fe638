package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
	"github.com/spf13/pflag"
)

// InstanceFlags are the options that name an instance and how to sign in
// to it, shared by match and replay.
type InstanceFlags struct {
	Endpoint  string
	TokenFile string
	Token     string
	CACert    string
	WhoAmI    bool
	// Auth is the sign-in scheme (--auth): testops, bearer, basic, oauth2
	// or none; AuthHeaders (--auth-header) are header templates instead.
	Auth             string
	AuthHeaders      []string
	TokenURL         string
	ClientID         string
	Scopes           []string
	ClientSecretFile string
	// Timeout bounds each network call that has no bound of its own
	// (waiting for an answer's headers); the command sets it from --timeout.
	Timeout time.Duration
}

// Sign-in schemes, as --auth names them.
const (
	AuthTestOps = "testops"
	AuthBearer  = "bearer"
	AuthBasic   = "basic"
	AuthOAuth2  = "oauth2"
	AuthNone    = "none"
	// AuthHeader is what --auth-header selects; --auth does not take it.
	AuthHeader = "header"
)

// Register adds the flags to fs.
func (f *InstanceFlags) Register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.Endpoint, "endpoint", "e", "", "")
	fs.StringVar(&f.TokenFile, "token-file", "", "")
	fs.StringVar(&f.Token, "token", "", "")
	fs.StringVar(&f.CACert, "ca-cert", "", "")
	fs.BoolVar(&f.WhoAmI, "whoami", false, "")
	fs.StringVar(&f.Auth, "auth", "", "")
	fs.StringArrayVar(&f.AuthHeaders, "auth-header", nil, "")
	fs.StringVar(&f.TokenURL, "token-url", "", "")
	fs.StringVar(&f.ClientID, "client-id", "", "")
	fs.StringArrayVar(&f.Scopes, "scope", nil, "")
	fs.StringVar(&f.ClientSecretFile, "client-secret-file", "", "")
}

// Scheme checks the sign-in flags against each other and returns the
// scheme they select.
func (f *InstanceFlags) Scheme() (string, error) {
	scheme := strings.ToLower(strings.TrimSpace(f.Auth))
	switch scheme {
	case "", AuthTestOps, AuthBearer, AuthBasic, AuthOAuth2, AuthNone:
	default:
		return "", WithHint(fmt.Errorf("--auth %q is not a sign-in scheme", f.Auth), "use testops (the default), bearer, basic, oauth2 or none; for any other header use --auth-header 'NAME: VALUE'")
	}
	if len(f.AuthHeaders) > 0 {
		if scheme != "" && scheme != AuthNone {
			return "", WithHint(fmt.Errorf("--auth-header and --auth %s are two sign-in schemes", scheme), "use one: --auth-header alone sends its headers and exchanges nothing")
		}
		for _, h := range f.AuthHeaders {
			if _, _, err := auth.ParseHeaderTemplate(h); err != nil {
				return "", WithHint(fmt.Errorf("--auth-header %q is not NAME: VALUE", h), "write it as --auth-header 'Authorization: token {token}'; {token} stands for the token")
			}
		}
		return AuthHeader, nil
	}
	oauthFlags := f.TokenURL != "" || f.ClientID != "" || len(f.Scopes) > 0 || f.ClientSecretFile != ""
	if scheme == "" {
		scheme = AuthTestOps
	}
	if oauthFlags && scheme != AuthOAuth2 {
		return "", WithHint(errors.New("--token-url, --client-id, --scope and --client-secret-file are for --auth oauth2"), "add --auth oauth2, or drop them")
	}
	if scheme == AuthOAuth2 && (f.TokenURL == "" || f.ClientID == "") {
		return "", WithHint(errors.New("--auth oauth2 needs --token-url URL and --client-id ID"), "the client secret comes from --client-secret-file FILE or $%s", EnvClientSecret)
	}
	return scheme, nil
}

// Instance is an endpoint with a client for it: signed in when a token
// was found (or the scheme needs none), anonymous otherwise.
type Instance struct {
	Endpoint *url.URL
	// Scheme is the sign-in scheme, as --auth names it (AuthHeader for
	// --auth-header).
	Scheme string
	// Source signs requests; nil when nothing signs them.
	Source auth.Source
	// Auth is the TestOps exchange, set only with --auth testops and a token.
	Auth *auth.Authenticator
	// Client sends to the instance, signed by Source.
	Client *http.Client
	// TokenOrigin says where the token came from ("$TESTOPS_TOKEN").
	TokenOrigin string
	// Redactor has the default rules and knows the API token and every
	// Bearer token the exchange returned, so that reports hide them by
	// value wherever the instance echoes them.
	Redactor *har.Redactor
	// Headers are the --auth-header templates, for scripts.
	Headers []string
}

// Open resolves the endpoint, the sign-in scheme and its token. needToken
// makes a missing token an error with a hint on where to put one.
func (f *InstanceFlags) Open(prog string, getenv func(string) string, stdin io.Reader, stderr io.Writer, needToken bool) (*Instance, error) {
	scheme, err := f.Scheme()
	if err != nil {
		return nil, err
	}
	if f.Endpoint == "" {
		return nil, WithHint(errors.New("no instance: give --endpoint URL"), "the endpoint is the instance's base URL, e.g. --endpoint https://testops.example.com")
	}
	parse := auth.ParseBaseURL
	if scheme == AuthTestOps {
		parse = auth.ParseEndpoint
	}
	ep, err := parse(f.Endpoint)
	if err != nil {
		return nil, err
	}
	base, err := ClientWithCA(f.CACert, f.Timeout)
	if err != nil {
		return nil, err
	}
	in := &Instance{Endpoint: ep, Client: base, Scheme: scheme, Headers: f.AuthHeaders, Redactor: har.NewRedactor(har.DefaultRules())}
	if scheme == AuthNone {
		return in, nil
	}
	var loaded Loaded
	if scheme == AuthOAuth2 {
		loaded, err = f.clientSecret(getenv, stdin)
	} else {
		loaded, err = LoadToken(TokenInput{Value: f.Token, File: f.TokenFile, Stdin: stdin, Getenv: getenv})
	}
	switch {
	case errors.Is(err, auth.ErrNoToken) && !needToken:
		return in, nil
	case errors.Is(err, auth.ErrNoToken):
		var h Hinted
		errors.As(err, &h)
		switch scheme {
		case AuthTestOps:
			return nil, WithHint(fmt.Errorf("no API token for %s", ep), "export %s=<your API token> (create one in TestOps under your profile, API tokens), or pass --token-file FILE; for an instance that is not TestOps, choose its sign-in with --auth or --auth-header", EnvTestOpsToken)
		case AuthOAuth2:
			return nil, WithHint(fmt.Errorf("no client secret for %s", ep), "%s", h.Hint())
		}
		return nil, WithHint(fmt.Errorf("no token for %s (--auth %s)", ep, scheme), "%s", h.Hint())
	case err != nil:
		return nil, err
	}
	for _, w := range loaded.Warnings {
		Warn(stderr, prog, "%s", w)
	}
	in.Redactor.Pin(loaded.Token.Reveal())
	var src auth.Source
	switch scheme {
	case AuthTestOps:
		a, err := auth.New(auth.Config{Endpoint: ep.String(), APIToken: loaded.Token, Client: base,
			OnToken: func(t auth.Token) { in.Redactor.Pin(t.Reveal()) }})
		if err != nil {
			return nil, err
		}
		in.Auth, src = a, a
	case AuthBearer:
		src = auth.Bearer(loaded.Token)
	case AuthBasic:
		if src, err = auth.Basic(loaded.Token); err != nil {
			return nil, WithHint(fmt.Errorf("--auth basic: the token from %s is not user:password", loaded.Origin), "put user:password in the token file or variable")
		}
	case AuthHeader:
		if src, err = auth.Headers(f.AuthHeaders, loaded.Token); err != nil {
			return nil, err
		}
	case AuthOAuth2:
		if src, err = auth.NewClientCredentials(auth.ClientCredentialsConfig{
			TokenURL: f.TokenURL, ClientID: f.ClientID, ClientSecret: loaded.Token, Scopes: f.Scopes, Client: base,
		}); err != nil {
			return nil, err
		}
	}
	// Every credential a scheme sends is pinned before it is sent, so an
	// instance that echoes it (an OAuth access token, a Basic header) puts
	// nothing in a report.
	src = pinning(src, in.Redactor)
	in.Source, in.Client, in.TokenOrigin = src, auth.Client(base, ep, src), loaded.Origin
	if PlainRemote(ep) {
		Warn(stderr, prog, "%s is plain http to a host that is not this machine: the token and every Bearer token cross the network unencrypted, readable by anyone on the way; use https://", ep)
	}
	return in, nil
}

// PlainRemote reports whether credentials sent to u travel in the clear
// beyond this machine: plain http to a host that is not loopback. It goes
// by the name as written, never by what it resolves to: a name that
// resolves to this machine today may not tomorrow, and a proxy may take
// the request elsewhere.
func PlainRemote(u *url.URL) bool {
	if !strings.EqualFold(u.Scheme, "http") {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false // RFC 6761: always this machine
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return false
	}
	return true
}

// clientSecret reads the OAuth 2.0 client secret: --client-secret-file,
// else $APITRAIL_CLIENT_SECRET. Never a flag's value: it would show in
// the process list.
func (f *InstanceFlags) clientSecret(getenv func(string) string, stdin io.Reader) (Loaded, error) {
	if f.ClientSecretFile != "" {
		return loadFile(f.ClientSecretFile, "--client-secret-file", stdin)
	}
	if getenv != nil {
		if v := strings.TrimSpace(getenv(EnvClientSecret)); v != "" {
			return Loaded{Token: auth.NewToken(v), Origin: "$" + EnvClientSecret}, nil
		}
	}
	return Loaded{}, tokenError(auth.ErrNoToken, "", "pass --client-secret-file FILE or export "+EnvClientSecret)
}

// PrintWhoAmI asks the instance who the token belongs to and prints it.
// Only TestOps has a place to ask; elsewhere it says so.
func (in *Instance) PrintWhoAmI(ctx context.Context, w io.Writer) error {
	if in.Scheme != AuthTestOps {
		return WithHint(fmt.Errorf("--whoami asks TestOps' /api/uaa/me, and --auth %s names another kind of instance", in.Scheme),
			"to check that the sign-in works, replay a recording with --dry-run off, or call a known path with curl")
	}
	if in.Auth == nil {
		return WithHint(errors.New("--whoami needs an API token"), "export %s=<your API token>, or pass --token-file FILE", EnvToken)
	}
	u, err := in.Auth.WhoAmI(ctx)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name != "" {
		name = " (" + name + ")"
	}
	// The names are the instance's words: one that repeats a token it was
	// sent is printed without it.
	line := fmt.Sprintf("%s: signed in as %s%s, user id %d, with the API token from %s", in.Endpoint, u.Username, name, u.ID, in.TokenOrigin)
	if in.Redactor != nil {
		line = in.Redactor.ReportText(line)
	}
	fmt.Fprintln(w, line)
	return nil
}

// SpecFlags choose the spec documents and how traffic maps onto them.
type SpecFlags struct {
	Specs     []string
	Hosts     []string
	Aliases   []string
	NoAliases bool
	SaveSpec  string
	// Timeout bounds each fetch of a spec and each place discovery tries;
	// the command sets it from --timeout.
	Timeout time.Duration

	shared *Specs // what For loaded for recordings that use no snapshot of their own
}

// Register adds the flags to fs.
func (f *SpecFlags) Register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.Specs, "spec", "s", nil, "")
	fs.StringArrayVar(&f.Hosts, "host", nil, "")
	fs.StringArrayVar(&f.Aliases, "alias", nil, "")
	fs.BoolVar(&f.NoAliases, "no-testops-aliases", false, "")
	fs.StringVar(&f.SaveSpec, "save-spec", "", "")
}

// Specs are loaded documents and where they came from.
type Specs struct {
	Docs []*spec.Document
	// From says where: "--spec", "the flow's snapshot", or the endpoint.
	From string
}

// Load finds the documents: --spec when given, else the flow's snapshot,
// else discovery on the instance. With none of these it returns no
// documents; so it does when discovery finds nothing and optional is set,
// after a warning. --save-spec saves what was loaded.
func (f *SpecFlags) Load(ctx context.Context, fl *flow.Flow, in *Instance, warn func(string), optional bool) (*Specs, error) {
	var srcs []spec.Source
	from := ""
	switch {
	case len(f.Specs) > 0:
		from = "--spec"
		for _, s := range f.Specs {
			more, err := specSources(ctx, s, in, f.Timeout)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, more...)
		}
	case fl != nil && fl.HasSpec():
		from = "the flow's spec snapshot"
		var err error
		if srcs, err = discover.LoadSnapshot(fl.SpecPath()); err != nil {
			return nil, err
		}
	case in != nil:
		d, err := discover.Discover(ctx, in.Client, in.Endpoint.String(), discover.Options{Timeout: f.Timeout})
		if err != nil {
			hint := "give the documents with --spec FILE|URL (the URL a Swagger UI, Redoc or RapiDoc page names), or give --endpoint the documentation page's address"
			var de *discover.Error
			if errors.As(err, &de) && de.SignInNeeded() {
				hint = "a place answered 401, 403 or with a login page: the documents need a sign-in that works (see --auth, --auth-header and the token); " + hint
			}
			if optional {
				// One warning a line, the places tried included, so that
				// every line of standard error says what it is.
				var listed interface{ Lines() []string }
				if errors.As(err, &listed) {
					warn(strings.SplitN(err.Error(), "\n", 2)[0])
					for _, l := range listed.Lines() {
						warn("  " + l)
					}
				} else {
					warn(err.Error())
				}
				warn("hint: " + hint)
				return &Specs{}, nil
			}
			return nil, WithHint(err, "%s", hint)
		}
		from = "discovered on " + in.Endpoint.String() + " at " + d.Via
		srcs = d.Sources
	default:
		return &Specs{}, nil
	}
	docs, err := spec.LoadAll(srcs)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		for _, w := range d.Warnings {
			warn(w.String())
		}
	}
	if f.SaveSpec != "" {
		if err := discover.SaveSnapshot(f.SaveSpec, srcs); err != nil {
			return nil, err
		}
	}
	return &Specs{Docs: docs, From: from}, nil
}

// specSources reads one --spec: a URL, a file, or a folder that --save-spec
// wrote (a recording folder's spec/ is one).
func specSources(ctx context.Context, s string, in *Instance, timeout time.Duration) ([]spec.Source, error) {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		var client *http.Client
		if in != nil {
			client = in.Client
		} else if client, err = ClientWithCA("", timeout); err != nil {
			return nil, err
		}
		if timeout <= 0 {
			timeout = 60 * time.Second
		}
		src, err := discover.Fetch(ctx, client, s, timeout)
		return []spec.Source{src}, err
	}
	if fi, err := os.Stat(s); err == nil && fi.IsDir() {
		if _, err := os.Stat(filepath.Join(s, discover.SnapshotManifest)); err != nil {
			return nil, WithHint(fmt.Errorf("%s is a folder without %s", s, discover.SnapshotManifest),
				"a folder given to --spec is one that --save-spec wrote; otherwise name the document files")
		}
		return discover.LoadSnapshot(s)
	}
	src, err := spec.ReadFile(s)
	return []spec.Source{src}, err
}

// For returns the documents for one recording: its flow's own snapshot
// when it carries one and --spec is not given; otherwise the documents all
// other recordings share, loaded (fetched, warned about, saved) on first use
// only. Load's arguments mean what they mean there.
func (f *SpecFlags) For(ctx context.Context, fl *flow.Flow, in *Instance, warn func(string), optional bool) (*Specs, error) {
	if fl != nil && fl.HasSpec() && len(f.Specs) == 0 {
		return f.Load(ctx, fl, in, warn, optional)
	}
	if f.shared == nil {
		s, err := f.Load(ctx, nil, in, warn, optional)
		if err != nil {
			return nil, err
		}
		f.shared = s
	}
	return f.shared, nil
}

// Index builds the lookup index: the built-in TestOps aliases unless
// --no-testops-aliases, the flow's aliases and --alias.
func (f *SpecFlags) Index(docs []*spec.Document, fl *flow.Flow) (*spec.Index, error) {
	var aliases []spec.Alias
	if !f.NoAliases {
		aliases = append(aliases, spec.TestOpsAliases...)
	}
	var more []string
	if fl != nil {
		more = append(more, fl.Manifest.Aliases...)
	}
	for _, a := range append(more, f.Aliases...) {
		al, err := spec.ParseAlias(a)
		if err != nil {
			return nil, WithHint(err, "write it as FROM=TO, e.g. --alias /api/rs=/api")
		}
		aliases = append(aliases, al)
	}
	return spec.NewIndex(docs, spec.Options{Aliases: aliases, Artefacts: spec.SpringdocArtefacts})
}

// HostList is --host, or the flow's hosts when --host is not given.
func (f *SpecFlags) HostList(fl *flow.Flow) []string {
	if len(f.Hosts) > 0 || fl == nil {
		return f.Hosts
	}
	return fl.Manifest.Hosts
}

// pinning wraps src so that red learns every credential it gives before
// anyone sends it; a Renewer stays one, so a 401 still renews.
func pinning(src auth.Source, red *har.Redactor) auth.Source {
	p := pinned{src: src, red: red}
	if r, ok := src.(auth.Renewer); ok {
		return pinnedRenewer{pinned: p, r: r}
	}
	return p
}

type pinned struct {
	src auth.Source
	red *har.Redactor
}

func (p pinned) Credential(ctx context.Context) (auth.Credential, error) {
	return p.pin(p.src.Credential(ctx))
}

func (p pinned) pin(c auth.Credential, err error) (auth.Credential, error) {
	if err == nil {
		for _, s := range c.Secrets() {
			p.red.Pin(s)
		}
	}
	return c, err
}

type pinnedRenewer struct {
	pinned
	r auth.Renewer
}

func (p pinnedRenewer) Renew(ctx context.Context, refused auth.Credential) (auth.Credential, error) {
	return p.pin(p.r.Renew(ctx, refused))
}
