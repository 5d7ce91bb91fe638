package auth

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The environment variables the commands read the API token from, in
// order of preference. ALLURE_TOKEN is the name the vendor's own tools
// use, so a CI job that already sets it works unchanged.
const (
	EnvToken    = "TESTOPS_TOKEN"
	EnvTokenAlt = "ALLURE_TOKEN"
)

// TokenInput is every place an API token may come from; the command fills
// in what the user gave. At most one of Value and File may be set.
type TokenInput struct {
	// Value is a token given on the command line (--token). It works, with
	// a warning: it shows in the process list and the shell history.
	Value string
	// File is a --token-file path; "-" reads standard input.
	File string
	// Stdin is read when File is "-".
	Stdin io.Reader
	// Getenv looks up environment variables (os.Getenv); nil means none.
	Getenv func(string) string
}

// Loaded is an API token and where it came from.
type Loaded struct {
	Token Token
	// Origin names the source for messages: "$TESTOPS_TOKEN", "--token",
	// "--token-file /path" or "standard input".
	Origin string
	// Warnings are for the caller to print, one a line.
	Warnings []string
}

// ErrNoToken means no source held an API token.
var ErrNoToken = errors.New("no API token")

// maxTokenFile bounds what is read from a token file or standard input: a
// token is tens of bytes, and a wrong path could name something huge.
const maxTokenFile = 64 << 10

// LoadAPIToken picks the API token from in. A value given explicitly
// (--token, --token-file) wins over the environment; TESTOPS_TOKEN wins
// over ALLURE_TOKEN.
func LoadAPIToken(in TokenInput) (Loaded, error) {
	if in.Value != "" && in.File != "" {
		return Loaded{}, &Error{Kind: ErrUsage, Op: "read the API token", Detail: "both --token and --token-file were given",
			hint: "give the API token one way only"}
	}
	if in.Value != "" {
		v := strings.TrimSpace(in.Value)
		if v == "" {
			return Loaded{}, noToken("--token is empty")
		}
		return Loaded{Token: NewToken(v), Origin: "--token", Warnings: []string{
			"a token given with --token shows in the process list and the shell history; prefer $" + EnvToken + " or --token-file",
		}}, nil
	}
	if in.File != "" {
		return loadFile(in)
	}
	if in.Getenv != nil {
		main, alt := strings.TrimSpace(in.Getenv(EnvToken)), strings.TrimSpace(in.Getenv(EnvTokenAlt))
		switch {
		case main != "":
			l := Loaded{Token: NewToken(main), Origin: "$" + EnvToken}
			if alt != "" && alt != main {
				l.Warnings = append(l.Warnings, fmt.Sprintf("$%s and $%s are both set and differ; using $%s", EnvToken, EnvTokenAlt, EnvToken))
			}
			return l, nil
		case alt != "":
			return Loaded{Token: NewToken(alt), Origin: "$" + EnvTokenAlt}, nil
		}
	}
	return Loaded{}, noToken("")
}

func noToken(detail string) error {
	return &Error{Kind: ErrNoToken, Op: "read the API token", Detail: detail,
		hint: "set $" + EnvToken + " or pass --token-file FILE (- for standard input); create a token in TestOps under your profile, API tokens"}
}

func loadFile(in TokenInput) (Loaded, error) {
	origin := "--token-file " + in.File
	var r io.Reader
	if in.File == "-" {
		if in.Stdin == nil {
			return Loaded{}, noToken("standard input is not available")
		}
		origin, r = "standard input", in.Stdin
	} else {
		f, err := os.Open(in.File)
		if err != nil {
			return Loaded{}, &Error{Kind: ErrUsage, Op: "read the API token", Detail: "--token-file: " + err.Error(),
				hint: "check the path given to --token-file"}
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxTokenFile+1))
	if err != nil {
		return Loaded{}, &Error{Kind: ErrUsage, Op: "read the API token", Detail: origin + ": " + err.Error()}
	}
	if len(b) > maxTokenFile {
		return Loaded{}, &Error{Kind: ErrUsage, Op: "read the API token", Detail: origin + " is larger than 64 KiB, which no token is",
			hint: "check that --token-file names the token file"}
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return Loaded{}, noToken(origin + " is empty")
	}
	if strings.ContainsAny(v, " \t\r\n") {
		// A token has no spaces; a file with several lines is more likely an
		// env file or a note, and sending all of it would leak the rest.
		return Loaded{}, &Error{Kind: ErrUsage, Op: "read the API token", Detail: origin + " holds more than one word",
			hint: "the file must hold the token alone"}
	}
	return Loaded{Token: NewToken(v), Origin: origin}, nil
}
