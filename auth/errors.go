package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Sentinels for what went wrong; every error this package returns is an
// *Error that wraps ErrSignIn and one of the others, so callers test with
// errors.Is.
var (
	// ErrSignIn: signing in failed, whatever the cause. A request that
	// failed with it fails again when sent again as it is.
	ErrSignIn = errors.New("sign-in failed")
	// ErrWrongEndpoint: no TestOps answers at the endpoint (404, HTML, not JSON).
	ErrWrongEndpoint = errors.New("no TestOps instance at this endpoint")
	// ErrTokenRejected: the instance refused the API token or the access token.
	ErrTokenRejected = errors.New("the instance rejected the token")
	// ErrUnreachable: no connection could be made or kept.
	ErrUnreachable = errors.New("the instance is unreachable")
	// ErrTLS: the TLS handshake failed, most often an unknown CA.
	ErrTLS = errors.New("TLS handshake failed")
	// ErrServer: the instance answered with a server error.
	ErrServer = errors.New("the instance answered with an error")
	// ErrUsage: the caller's input (an endpoint, a file) is unusable.
	ErrUsage = errors.New("unusable input")
	// ErrNoToken: a scheme that needs a token was given none.
	ErrNoToken = errors.New("no API token")
)

// Error is a failure with what was being done, where, and what to do.
type Error struct {
	// Kind is one of the sentinels above.
	Kind error
	// Op is what was being done, e.g. "token exchange".
	Op string
	// URL is the address called, when there was one. It never holds a token.
	URL string
	// Status is the HTTP status, when an answer came.
	Status int
	// Detail is the server's message or the cause, with any token in it
	// replaced by its fingerprint.
	Detail string
	// Err is the underlying error, if any.
	Err  error
	hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.URL != "" {
		b.WriteString(" at " + e.URL)
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return oneLine(b.String())
}

// Unwrap exposes both the sentinel and the cause to errors.Is and As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrSignIn, e.Kind}
	}
	return []error{ErrSignIn, e.Kind, e.Err}
}

// Hint is advice particular to this failure (a host name that does not
// resolve, an HTTPS endpoint speaking plain HTTP), or "". Advice that
// names a command's flags is the command's to give.
func (e *Error) Hint() string { return e.hint }

func noToken() error {
	return &Error{Kind: ErrNoToken, Op: "sign in"}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// transportError classifies a failed round trip: TLS trouble gets its own
// kind because its fix (--ca-cert) differs from a network problem's.
func transportError(op, url string, err error) *Error {
	e := &Error{Kind: ErrUnreachable, Op: op, URL: url, Err: err, Detail: rootCause(err)}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &alert):
		e.Kind = ErrTLS
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http replaces the RecordHeaderError with its own text.
		e.Kind = ErrTLS
		e.hint = "the endpoint speaks plain HTTP: use an http:// endpoint, or the instance's HTTPS port"
	case errors.Is(err, context.DeadlineExceeded):
		e.Detail = "timed out"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		e.hint = "the host name " + dns.Name + " does not resolve: check the endpoint"
	}
	return e
}

// rootCause drops the "Post \"url\": " wrapper net/http adds, since the
// URL is already in the message once.
func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
