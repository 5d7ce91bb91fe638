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

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/spec"
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
}

// Register adds the flags to fs.
func (f *InstanceFlags) Register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.Endpoint, "endpoint", "e", "", "")
	fs.StringVar(&f.TokenFile, "token-file", "", "")
	fs.StringVar(&f.Token, "token", "", "")
	fs.StringVar(&f.CACert, "ca-cert", "", "")
	fs.BoolVar(&f.WhoAmI, "whoami", false, "")
}

// Instance is an endpoint with a client for it: signed in when an API
// token was found, anonymous otherwise.
type Instance struct {
	Endpoint *url.URL
	// Auth is nil when no API token was given.
	Auth *auth.Authenticator
	// Client sends to the instance, with the Bearer token when Auth is set.
	Client *http.Client
	// TokenOrigin says where the API token came from ("$TESTOPS_TOKEN").
	TokenOrigin string
	// Redactor has the default rules and knows the API token and every
	// Bearer token the exchange returned, so that reports hide them by
	// value wherever the instance echoes them.
	Redactor *har.Redactor
}

// Open resolves the endpoint and the API token. needToken makes a missing
// token an error with a hint on where to put one.
func (f *InstanceFlags) Open(prog string, getenv func(string) string, stdin io.Reader, stderr io.Writer, needToken bool) (*Instance, error) {
	if f.Endpoint == "" {
		return nil, WithHint(errors.New("no instance: give --endpoint URL"), "the endpoint is the instance's base URL, e.g. --endpoint https://testops.example.com")
	}
	ep, err := auth.ParseEndpoint(f.Endpoint)
	if err != nil {
		return nil, err
	}
	base, err := auth.ClientWithCA(f.CACert)
	if err != nil {
		return nil, err
	}
	in := &Instance{Endpoint: ep, Client: base, Redactor: har.NewRedactor(har.DefaultRules())}
	loaded, err := auth.LoadAPIToken(auth.TokenInput{Value: f.Token, File: f.TokenFile, Stdin: stdin, Getenv: getenv})
	switch {
	case errors.Is(err, auth.ErrNoToken):
		if needToken {
			return nil, WithHint(fmt.Errorf("no API token for %s", ep), "export %s=<your API token> (create one in TestOps under your profile, API tokens), or pass --token-file FILE", auth.EnvToken)
		}
		return in, nil
	case err != nil:
		return nil, err
	}
	for _, w := range loaded.Warnings {
		Warn(stderr, prog, "%s", w)
	}
	in.Redactor.Pin(loaded.Token.Reveal())
	a, err := auth.New(auth.Config{Endpoint: ep.String(), APIToken: loaded.Token, Client: base,
		OnToken: func(t auth.Token) { in.Redactor.Pin(t.Reveal()) }})
	if err != nil {
		return nil, err
	}
	in.Auth, in.Client, in.TokenOrigin = a, a.Client(), loaded.Origin
	if PlainRemote(ep) {
		Warn(stderr, prog, "%s is plain http to a host that is not this machine: the API token and every Bearer token cross the network unencrypted, readable by anyone on the way; use https://", ep)
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

// PrintWhoAmI asks the instance who the token belongs to and prints it.
func (in *Instance) PrintWhoAmI(ctx context.Context, w io.Writer) error {
	if in.Auth == nil {
		return WithHint(errors.New("--whoami needs an API token"), "export %s=<your API token>, or pass --token-file FILE", auth.EnvToken)
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
			more, err := specSources(ctx, s, in)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, more...)
		}
	case fl != nil && fl.HasSpec():
		from = "the flow's spec snapshot"
		var err error
		if srcs, err = spec.LoadSnapshot(fl.SpecPath()); err != nil {
			return nil, err
		}
	case in != nil:
		d, err := spec.Discover(ctx, in.Client, in.Endpoint.String())
		if err != nil && optional {
			warn(err.Error())
			return &Specs{}, nil
		}
		if err != nil {
			return nil, WithHint(err, "give the documents with --spec FILE|URL (Swagger UI's definition URLs)")
		}
		from = "discovered on " + in.Endpoint.String()
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
		if err := spec.SaveSnapshot(f.SaveSpec, srcs); err != nil {
			return nil, err
		}
	}
	return &Specs{Docs: docs, From: from}, nil
}

// specSources reads one --spec: a URL, a file, or a folder that --save-spec
// wrote (a recording folder's spec/ is one).
func specSources(ctx context.Context, s string, in *Instance) ([]spec.Source, error) {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		client := http.DefaultClient
		if in != nil {
			client = in.Client
		}
		src, err := spec.Fetch(ctx, client, s)
		return []spec.Source{src}, err
	}
	if fi, err := os.Stat(s); err == nil && fi.IsDir() {
		if _, err := os.Stat(filepath.Join(s, spec.SnapshotManifest)); err != nil {
			return nil, WithHint(fmt.Errorf("%s is a folder without %s", s, spec.SnapshotManifest),
				"a folder given to --spec is one that --save-spec wrote; otherwise name the document files")
		}
		return spec.LoadSnapshot(s)
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
