package infer

import (
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/internal/values"
)

// form is what a value looks like, as far as a schema or a path template
// cares.
type form uint8

const (
	formNone form = iota
	formUUID
	formDateTime
	formDate
	formEmail
	formURI
)

var formNames = [...]string{"", "uuid", "date-time", "date", "email", "uri"}

var (
	hexRE = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	b64RE = regexp.MustCompile(`^[A-Za-z0-9_-]+={0,2}$`)
)

// stringForm gives the format a string value is unmistakably in. Every
// form is checked strictly: a format in the document is a promise that
// later values keep to it.
func stringForm(s string) form {
	switch values.Format(s) {
	case "uuid":
		return formUUID
	case "date":
		return formDate
	case "date-time":
		return formDateTime
	}
	switch {
	case strings.Contains(s, "@") && !strings.ContainsAny(s, " <>"):
		if a, err := mail.ParseAddress(s); err == nil && a.Address == s {
			return formEmail
		}
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		if u, err := url.Parse(s); err == nil && u.Host != "" && !strings.ContainsAny(s, " ") {
			return formURI
		}
	}
	return formNone
}

// isInteger reports whether a text value is a JSON-style integer that fits
// int64, and returns it.
func isInteger(s string) (int64, bool) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// idForm reports whether a path segment is an identifier by its form
// alone: a number, a UUID, a date, or a long hex or base64 token mixing
// letters and digits. strong is set when one call is evidence enough (a
// UUID, a number of three digits or more, a long token); a short number
// becomes a parameter only when other calls vary there.
func idForm(seg string) (id, strong bool) {
	switch {
	case values.Digits(seg):
		return true, len(seg) >= 3
	case values.IsUUID(seg), values.Format(seg) == "date":
		return true, true
	case len(seg) >= 16 && hexRE.MatchString(seg) && hasDigit(seg) && hasLetter(seg):
		return true, true
	case len(seg) >= 20 && b64RE.MatchString(seg) && hasDigit(seg) && hasLetter(seg) && mixedCase(seg):
		return true, true
	case len(seg) >= 8 && len(seg) <= 64 && hasDigit(seg) && hasLetter(seg) && alnum(seg) && digitShare(seg) >= 0.25:
		// short mixed ids ("k3j9x2ab", "a1b2c3d4"): letters and digits
		// together, in a share words and version names never have
		return true, false
	}
	return false, false
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

func mixedCase(s string) bool {
	return strings.ToLower(s) != s && strings.ToUpper(s) != s
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func digitShare(s string) float64 {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return float64(n) / float64(len(s))
}
