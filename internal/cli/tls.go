package cli

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// ClientWithCA returns an HTTP client that trusts the system's CAs plus
// those in the PEM file caFile (--ca-cert), for instances behind a private
// or corporate CA. An empty caFile gives a client with the system CAs.
// timeout bounds connecting and waiting for an answer's headers (zero
// means 60 seconds), so a server that accepts and never answers cannot
// hold a command forever.
func ClientWithCA(caFile string, timeout time.Duration) (*http.Client, error) {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = timeout
	// A command talks to one instance, with several calls in flight
	// (replay -c): the standard two idle connections per host made every
	// answer past the second close its connection and the next call dial
	// a new one.
	t.MaxIdleConnsPerHost = t.MaxIdleConns
	t.TLSHandshakeTimeout = min(timeout, 10*time.Second)
	t.DialContext = (&net.Dialer{Timeout: min(timeout, 30*time.Second), KeepAlive: 30 * time.Second}).DialContext
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			return nil, WithHint(fmt.Errorf("--ca-cert: %s", unwrapPathError(err)), "--ca-cert takes a PEM file holding the CA certificate")
		}
		pool, ok := PoolWithPEM(pemBytes)
		if !ok {
			return nil, WithHint(fmt.Errorf("--ca-cert: %s holds no PEM certificate", caFile), "--ca-cert takes a PEM file (-----BEGIN CERTIFICATE-----); convert a DER file with openssl x509 -inform der")
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: t}, nil
}

// PoolWithPEM returns the system's root certificates plus those in pem,
// the trust a private or corporate CA needs; ok is false when pem holds no
// certificate.
func PoolWithPEM(pem []byte) (pool *x509.CertPool, ok bool) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	return pool, pool.AppendCertsFromPEM(pem)
}
