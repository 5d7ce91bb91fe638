package script

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/match"
)

// Format is a kind of script.
type Format string

// The formats Generate writes.
const (
	Bash    Format = "bash"    // curl and jq, the vendor's documented style
	HTTP    Format = "http"    // a .http file: JetBrains HTTP Client syntax, run by httpyac
	Go      Format = "go"      // a Go program using only the standard library
	Postman Format = "postman" // a Postman collection v2.1, run by newman
)

// Formats lists every format, in the order a usage text names them.
func Formats() []Format { return []Format{Bash, HTTP, Go, Postman} }

// ParseFormat reads a format's name; "sh" and "curl" name bash too, and
// "newman" and "collection" name the Postman collection.
func ParseFormat(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "bash", "sh", "curl":
		return Bash, nil
	case "http", ".http", "httpyac", "rest":
		return HTTP, nil
	case "go", "golang":
		return Go, nil
	case "postman", "newman", "collection":
		return Postman, nil
	}
	names := make([]string, 0, 4)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown script format %q (want %s)", name, strings.Join(names, ", "))
}

// Ext is the file name extension a script of the format gets.
func (f Format) Ext() string {
	switch f {
	case Bash:
		return ".sh"
	case HTTP:
		return ".http"
	case Go:
		return ".go"
	case Postman:
		return ".postman_collection.json"
	}
	return ""
}

// Options configure Generate.
type Options struct {
	// Endpoint is the instance the recording was made on, such as
	// https://testops.example.com: the default a script offers for its
	// endpoint, and the prefix taken off recorded URLs when it has a path.
	// Empty means the scheme and host of the first scripted call.
	Endpoint string
	// Name names the flow in the script's heading and the collection.
	// Empty means "apitrail flow".
	Name string
	// File is the file the script is written to, as its usage line names
	// it (bash FILE, newman run FILE). Empty means one made from Name.
	File string
	// SignIn is how the script signs in; the zero value is TestOps' token
	// exchange.
	SignIn SignIn
}

// SignIn is a sign-in scheme, as replay's --auth and --auth-header give it.
type SignIn struct {
	// Scheme is "testops" (or empty), "bearer", "basic" (the token is
	// user:password), "header", "oauth2" or "none".
	Scheme string
	// Headers are "Name: value" templates for "header", with {token}
	// standing for the token.
	Headers []string
	// TokenURL, ClientID and Scopes are the client-credentials grant's,
	// for "oauth2"; the client secret is the user's to supply.
	TokenURL string
	ClientID string
	Scopes   []string
}

func (s SignIn) scheme() string {
	if s.Scheme == "" {
		return "testops"
	}
	return s.Scheme
}

// check refuses what a script cannot sign in with.
func (s SignIn) check() error {
	switch s.scheme() {
	case "testops", "bearer", "basic", "none":
	case "header":
		if len(s.Headers) == 0 {
			return errors.New("the header sign-in needs at least one header")
		}
		for _, h := range s.Headers {
			if name, value, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(value) == "" {
				return fmt.Errorf("sign-in header %q is not NAME: VALUE", h)
			}
		}
	case "oauth2":
		if s.TokenURL == "" || s.ClientID == "" {
			return errors.New("the oauth2 sign-in needs a token URL and a client id")
		}
	default:
		return fmt.Errorf("unknown sign-in scheme %q", s.Scheme)
	}
	return nil
}

// ErrNothingToScript is returned, wrapped with what was left out and why,
// when a recording holds no call a script could make.
var ErrNothingToScript = errors.New("no API call to script")

// Generate writes a script of the given format for the calls of one
// recording, in the order they were made.
func Generate(f Format, results []match.Result, opts Options) ([]byte, error) {
	var render func(*flow) ([]byte, error)
	switch f {
	case Bash:
		render = renderBash
	case HTTP:
		render = renderHTTP
	case Go:
		render = renderGo
	case Postman:
		render = renderPostman
	default:
		_, err := ParseFormat(string(f))
		return nil, err
	}
	if err := opts.SignIn.check(); err != nil {
		return nil, err
	}
	fl, err := build(results, opts)
	if err != nil {
		return nil, err
	}
	out, err := render(fl)
	if err != nil {
		return nil, err
	}
	if loc := placeholderRE.FindIndex(out); loc != nil {
		// build replaces every placeholder; one that got through is a bug,
		// and a script must not carry it.
		return nil, fmt.Errorf("internal error: a redaction placeholder reached the %s script", f)
	}
	return out, nil
}

// omission is why a recorded call is not in the scripts.
type omission int

const (
	keep omission = iota
	omitNotAPI
	omitAuth
	omitUpload
	omitFailed
	omitError
	omitDuplicate
	omitBody
	omitWebSocket
)

// omissionText words each omission for the script's heading, in the order
// they are listed there, for one call and for several.
var omissionText = []struct {
	o         omission
	one, many string
}{
	{omitNotAPI, "call is not the API", "calls are not the API"},
	{omitAuth, "call is authentication", "calls are authentication"},
	{omitDuplicate, "call repeats an earlier one", "calls repeat earlier ones"},
	{omitFailed, "call failed in the recording", "calls failed in the recording"},
	{omitError, "call was answered with an error", "calls were answered with an error"},
	{omitBody, "call has a body a script cannot repeat", "calls have a body a script cannot repeat"},
	{omitWebSocket, "call is a WebSocket", "calls are WebSockets"},
	{omitUpload, "call is an upload", "calls are uploads"},
}

// omissionWhy says why, after the count.
var omissionWhy = map[omission]string{
	omitNotAPI:    "pages, assets, other hosts, preflights",
	omitWebSocket: "a script sends HTTP requests; a WebSocket needs a client of its own",
	omitAuth:      "the script gets its own token",
	omitDuplicate: "the same method, URL and body, as a UI fires twice",
	omitFailed:    "no answer arrived",
	omitError:     "a script would stop there",
	omitBody:      "binary or multipart",
	omitUpload:    "never scripted: see below",
}

const allurectlURL = "https://docs.qameta.io/allurectl/"

// choice is the decision on one recorded call.
type choice struct {
	result match.Result
	why    omission
	dupOf  int // Seq of the call a duplicate repeats
}

// choose decides which recorded calls go into a script. Duplicates are
// calls with the same method, URL and body as an earlier kept call: a UI
// that fetches a list twice did not mean to.
func choose(results []match.Result, bodyOf func(match.Result) string) []choice {
	out := make([]choice, 0, len(results))
	seen := map[string]int{}
	for _, r := range results {
		c := choice{result: r}
		switch {
		case r.Verdict == match.WebSocket:
			c.why = omitWebSocket
		case r.Entry == nil || r.Verdict == match.NotAPI:
			c.why = omitNotAPI
		case r.Verdict == match.Upload:
			c.why = omitUpload
		case r.Verdict == match.Auth:
			c.why = omitAuth
		case r.Entry.Response.Status <= 0:
			c.why = omitFailed
		case r.Entry.Response.Status >= 400:
			c.why = omitError
		case !scriptableBody(r.Entry):
			c.why = omitBody
		default:
			key := strings.ToUpper(r.Entry.Request.Method) + " " + canonicalURL(r) + "\x00" + bodyOf(r)
			if first, ok := seen[key]; ok {
				c.why, c.dupOf = omitDuplicate, first
			} else {
				seen[key] = r.Seq
			}
		}
		out = append(out, c)
	}
	return out
}

// canonicalURL drops a fragment, which never reaches the server, and the
// values of cache-busters, which differ on every call by design.
func canonicalURL(r match.Result) string {
	raw := r.Entry.Request.URL
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Fragment, u.RawFragment = "", ""
	u.RawQuery = values.ReplaceQuery(u.RawQuery, r.CacheBusters(), func(string, string) string { return "" })
	return u.String()
}

// leftOut summarises the omitted calls for a script's heading: one line per
// reason, with the calls' places in the recording.
func leftOut(choices []choice) []string {
	bySeq := map[omission][]int{}
	for _, c := range choices {
		if c.why != keep {
			bySeq[c.why] = append(bySeq[c.why], c.result.Seq)
		}
	}
	var lines []string
	for _, ot := range omissionText {
		seqs := bySeq[ot.o]
		if len(seqs) == 0 {
			continue
		}
		sort.Ints(seqs)
		refs := make([]string, len(seqs))
		for i, s := range seqs {
			refs[i] = fmt.Sprintf("#%d", s)
		}
		what := ot.many
		if len(seqs) == 1 {
			what = ot.one
		}
		lines = append(lines, fmt.Sprintf("%d %s (%s): %s", len(seqs), what, omissionWhy[ot.o], strings.Join(refs, ", ")))
	}
	return lines
}
