// Command bareproxy is martian's MITM proxy with nothing added: no
// recording, no modifiers. BenchmarkProxy runs it to show the floor that
// the library itself sets for capture's latency.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/martian/v3"
	mlog "github.com/google/martian/v3/log"
	"github.com/google/martian/v3/mitm"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	caOut := flag.String("ca-out", "", "where to write the CA certificate (PEM)")
	upstreamCA := flag.String("upstream-ca", "", "the backend's certificate (PEM)")
	flag.Parse()

	cert, key, err := mitm.NewAuthority("bareproxy", "bareproxy", 24*time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	mc, err := mitm.NewConfig(cert, key)
	if err != nil {
		log.Fatal(err)
	}
	if err := writeCert(*caOut, cert); err != nil {
		log.Fatal(err)
	}
	upstream, err := os.ReadFile(*upstreamCA)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(upstream)
	mlog.SetLevel(mlog.Silent)
	p := martian.NewProxy()
	p.SetMITM(mc)
	p.SetRoundTripper(&http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 256,
		DisableCompression:  true,
	})
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(p.Serve(l))
}

func writeCert(path string, c *x509.Certificate) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
}
