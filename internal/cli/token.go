package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apitrail/apitrail/auth"
)

// The environment variables a token is read from, in order of preference.
// APITRAIL_TOKEN names the token of whatever instance is in play;
// TESTOPS_TOKEN and ALLURE_TOKEN (the vendor's own tools' name, so a CI job
// that sets it works unchanged) are TestOps API tokens.
const (
	EnvToken        = "APITRAIL_TOKEN"
	EnvTestOpsToken = "TESTOPS_TOKEN"
	EnvAllureToken  = "ALLURE_TOKEN"
	EnvClientSecret = "APITRAIL_CLIENT_SECRET"
)

// TokenInput is every place a token may come from; the command fills in
// what the user gave.
type TokenInput struct {
	// Value is a token given on the command line (--token). It is the last
	// resort, with a warning: it shows in the process list and the shell history.
	Value string
	// File is a --token-file path; "-" reads standard input.
	File string
	// Stdin is read when File is "-".
	Stdin io.Reader
	// Getenv looks up environment variables (os.Getenv); nil means none.
	Getenv func(string) string
}

// Loaded is a token and where it came from.
type Loaded struct {
	Token auth.Token
	// Origin names the source for messages: "$TESTOPS_TOKEN", "--token",
	// "--token-file /path" or "standard input".
	Origin string
	// Warnings are for the caller to print, one a line.
	Warnings []string
}

// maxTokenFile bounds what is read from a token file or standard input: a
// token is tens of bytes, and a wrong path could name something huge.
const maxTokenFile = 64 << 10

// LoadToken picks the token from in: --token-file, then $APITRAIL_TOKEN,
// then $TESTOPS_TOKEN or $ALLURE_TOKEN, then --token. A token found earlier
// makes the later ones unused, with a warning when one of them was given.
func LoadToken(in TokenInput) (Loaded, error) {
	var l Loaded
	var err error
	switch {
	case in.File != "":
		l, err = loadFile(in.File, "--token-file", in.Stdin)
	default:
		l = fromEnv(in.Getenv)
	}
	if err != nil {
		return Loaded{}, err
	}
	if !l.Token.IsZero() {
		if in.Value != "" {
			l.Warnings = append(l.Warnings, "--token is not used: the token from "+l.Origin+" comes first")
		}
		return l, nil
	}
	if in.Value != "" {
		v := strings.TrimSpace(in.Value)
		if v == "" {
			return Loaded{}, tokenError(auth.ErrNoToken, "--token is empty", "")
		}
		return Loaded{Token: auth.NewToken(v), Origin: "--token", Warnings: []string{
			"a token given with --token shows in the process list and the shell history; prefer $" + EnvToken + " or --token-file",
		}}, nil
	}
	return Loaded{}, tokenError(auth.ErrNoToken, "", "")
}

func fromEnv(getenv func(string) string) Loaded {
	if getenv == nil {
		return Loaded{}
	}
	var l Loaded
	for _, name := range []string{EnvToken, EnvTestOpsToken, EnvAllureToken} {
		v := strings.TrimSpace(getenv(name))
		switch {
		case v == "":
		case l.Token.IsZero():
			l = Loaded{Token: auth.NewToken(v), Origin: "$" + name}
		case v != l.Token.Reveal():
			l.Warnings = append(l.Warnings, fmt.Sprintf("$%s and $%s are both set and differ; using %s", strings.TrimPrefix(l.Origin, "$"), name, l.Origin))
		}
	}
	return l
}

// tokenError is a failure to read a token, as one error line and a hint.
func tokenError(kind error, detail, hint string) error {
	msg := "no token"
	if kind != auth.ErrNoToken {
		msg = "cannot read the token"
	}
	if detail != "" {
		msg += ": " + detail
	}
	if hint == "" && kind == auth.ErrNoToken {
		hint = "export " + EnvToken + "=<token> or pass --token-file FILE (- for standard input); a TestOps API token is made under your profile, API tokens"
	}
	return WithHint(fmt.Errorf("%s%w", msg, errMark{kind}), "%s", hint)
}

// errMark lets errors.Is see kind without printing it twice.
type errMark struct{ kind error }

func (errMark) Error() string   { return "" }
func (m errMark) Unwrap() error { return m.kind }

// loadFile reads a secret from a file (or standard input for "-"): one
// word, trimmed, at most 64 KiB. flag names the flag in messages.
func loadFile(path, flag string, stdin io.Reader) (Loaded, error) {
	origin := flag + " " + path
	var r io.Reader
	var warnings []string
	if path == "-" {
		if stdin == nil {
			return Loaded{}, tokenError(auth.ErrNoToken, "standard input is not available", "")
		}
		origin, r = "standard input", stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return Loaded{}, tokenError(auth.ErrUsage, flag+": "+unwrapPathError(err), "check the path given to "+flag)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			// As ssh says of a private key: others on the machine can read it.
			warnings = append(warnings, fmt.Sprintf("%s is readable by others (mode %04o); restrict it with chmod 600 %s", path, fi.Mode().Perm(), path))
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxTokenFile+1))
	if err != nil {
		return Loaded{}, tokenError(auth.ErrUsage, origin+": "+err.Error(), "")
	}
	if len(b) > maxTokenFile {
		return Loaded{}, tokenError(auth.ErrUsage, origin+" is larger than 64 KiB, which no token is", "check that "+flag+" names the right file")
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return Loaded{}, tokenError(auth.ErrNoToken, origin+" is empty", "")
	}
	if strings.ContainsAny(v, " \t\r\n") {
		// A token has no spaces; a file with several lines is more likely an
		// env file or a note, and sending all of it would leak the rest.
		return Loaded{}, tokenError(auth.ErrUsage, origin+" holds more than one word", "the file must hold the secret alone")
	}
	return Loaded{Token: auth.NewToken(v), Origin: origin, Warnings: warnings}, nil
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}
