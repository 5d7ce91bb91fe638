package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// ExplainEndpoint returns err, or, when err came from talking plain HTTP
// to a port that speaks TLS, an error that says so: such a port answers
// "400 Bad Request" or garbage, which reads as "no instance here" when the
// fix is one letter in the URL. endpoint is the --endpoint as given.
func ExplainEndpoint(ctx context.Context, endpoint string, err error) error {
	if err == nil || endpoint == "" || errors.Is(err, context.Canceled) {
		return err
	}
	u, perr := url.Parse(endpoint)
	if perr != nil || u.Scheme != "http" || u.Host == "" {
		return err
	}
	if !SpeaksTLS(ctx, u.Host) {
		return err
	}
	https := *u
	https.Scheme = "https"
	return WithHint(fmt.Errorf("%s: the port speaks HTTPS (TLS), and an http:// request cannot reach the instance there", endpoint),
		"use --endpoint %s", https.String())
}

// SpeaksTLS reports whether a TLS handshake with hostport succeeds within
// two seconds. The certificate is not checked: the question is only which
// protocol the port speaks, and nothing is sent over the connection.
func SpeaksTLS(ctx context.Context, hostport string) bool {
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(hostport, "80")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} // a probe of the protocol, nothing is trusted
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
