// Package ca keeps the local certificate authority that capture signs its
// interception certificates with, the way mkcert keeps its own: created on
// first use in a folder of the user's, the key readable by its owner only,
// and plain instructions for trusting it.
//
// The key can sign a certificate for any site, so whoever holds it can
// read that machine's HTTPS traffic once the certificate is trusted. The
// package refuses to use a key that other users can read.
package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/atomicfile"
)

// File names inside the CA folder, the same as mkcert's so that people
// who know one tool find their way in the other.
const (
	CertFileName = "rootCA.pem"
	KeyFileName  = "rootCA-key.pem"
)

// Validity is how long a new CA certificate stays valid.
const Validity = 10 * 365 * 24 * time.Hour

// CA is a certificate authority kept in a folder.
type CA struct {
	// Dir is the folder that holds the certificate and the key.
	Dir string
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// Key is the CA's private key.
	Key crypto.Signer
}

// CertFile is the path of the CA certificate, the file users import into
// a browser or hand to curl's --cacert.
func (c *CA) CertFile() string { return filepath.Join(c.Dir, CertFileName) }

// KeyFile is the path of the CA's private key.
func (c *CA) KeyFile() string { return filepath.Join(c.Dir, KeyFileName) }

// CertPEM returns the CA certificate in PEM form.
func (c *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// SPKIHash is the base64 SHA-256 digest of the certificate's public key
// info, the form Chromium's --ignore-certificate-errors-spki-list takes:
// a browser started with it trusts certificates chained to this CA for
// that session only.
func (c *CA) SPKIHash() string {
	sum := sha256.Sum256(c.Cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// errHalfMade is a key without its certificate: what another process
// that is creating the CA leaves for a moment.
var errHalfMade = errors.New("the CA is half made")

// Load reads the CA kept in dir. The error wraps fs.ErrNotExist when the
// folder holds no CA yet.
func Load(dir string) (*CA, error) {
	certPath := filepath.Join(dir, CertFileName)
	keyPath := filepath.Join(dir, KeyFileName)
	certPEM, certErr := os.ReadFile(certPath)
	fi, keyErr := os.Stat(keyPath)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("no CA in %s: %w", dir, fs.ErrNotExist)
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return nil, certErr
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return nil, keyErr
	case certErr != nil:
		return nil, fmt.Errorf("%s is there but %s is missing; remove the folder to start a new CA: %w", keyPath, certPath, errHalfMade)
	case keyErr != nil:
		return nil, fmt.Errorf("%s is there but its key %s is missing; remove the folder to start a new CA", certPath, keyPath)
	}
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	if err := checkKey(keyPath, fi); err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	cert, err := parseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	if !samePublicKey(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("%s does not belong to %s; remove the folder to start a new CA", keyPath, certPath)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%s is not a CA certificate", certPath)
	}
	return &CA{Dir: dir, Cert: cert, Key: key}, nil
}

// LoadOrCreate reads the CA kept in dir, or creates one there when the
// folder holds none, and reports whether it did. name goes into the
// certificate's subject, so that a user who finds it in a trust store
// knows where it came from (mkcert writes "user@host").
//
// Two processes that start at once end up with the same CA: the files are
// written under temporary names and linked into place, and the one that
// loses the race reads what the winner wrote.
func LoadOrCreate(dir, name string) (*CA, bool, error) {
	c, err := Load(dir)
	if err == nil {
		return c, false, nil
	}
	if errors.Is(err, errHalfMade) {
		return waitForOther(dir)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	c, err = create(dir, name, time.Now())
	if errors.Is(err, fs.ErrExist) {
		return waitForOther(dir)
	}
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// waitForOther loads a CA that another process is creating: its key is in
// place and its certificate follows within moments.
func waitForOther(dir string) (*CA, bool, error) {
	var err error
	for range 40 {
		var c *CA
		if c, err = Load(dir); err == nil || !errors.Is(err, errHalfMade) {
			return c, false, err
		}
		time.Sleep(25 * time.Millisecond)
	}
	return nil, false, err
}

func create(dir, name string, now time.Time) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// A folder that was already there may be open to others.
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	skid := sha1.Sum(spki)
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{
		Organization: []string{"apitrail capture local CA"},
		CommonName:   "apitrail capture " + name,
	}
	if name != "" {
		subject.OrganizationalUnit = []string{name}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		SubjectKeyId:          skid[:],
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(Validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// Leaf certificates are signed directly by this CA.
		MaxPathLenZero: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	keyPath := filepath.Join(dir, KeyFileName)
	certPath := filepath.Join(dir, CertFileName)
	// The key goes in first: a certificate is only ever in place with its
	// key beside it, so Load never sees a CA without a key.
	if err := placeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o400); err != nil {
		return nil, err
	}
	if err := placeFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		os.Remove(keyPath)
		return nil, err
	}
	return &CA{Dir: dir, Cert: cert, Key: key}, nil
}

// placeFile writes data to a temporary file beside path and links it into
// place, failing with fs.ErrExist rather than replacing a file that is
// already there. atomicfile's Commit renames over its target, which would
// let two processes creating the CA at once leave one's key beside the
// other's certificate; so only its temporary file is used here.
func placeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := atomicfile.Create(path, mode)
	if err != nil {
		return err
	}
	defer tmp.Abort() // drops the temporary name; a link made from it stays
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// Some file systems have no hard links; an exclusive create keeps the
	// no-replace promise there, at the cost of a window in which the file
	// is in place but not yet complete.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode|0o200)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(path, mode)
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func parseCert(data []byte) (*x509.Certificate, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("no PEM certificate in the file")
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
}

func parseKey(data []byte) (crypto.Signer, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("no PEM private key in the file")
		}
		if !strings.HasSuffix(b.Type, "PRIVATE KEY") {
			continue
		}
		var key any
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		}
		if err != nil {
			return nil, err
		}
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("a %T cannot sign certificates", key)
		}
		return s, nil
	}
}

func samePublicKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// TrustInstructions says, in plain words, where the CA is and how to make
// Chromium, Firefox and curl trust it. proxyURL is the proxy's address as
// clients should name it, such as http://127.0.0.1:8080.
func (c *CA) TrustInstructions(proxyURL string) string {
	cert := c.CertFile()
	var b strings.Builder
	fmt.Fprintf(&b, "CA certificate: %s\n", cert)
	fmt.Fprintf(&b, "CA key:         %s (readable by you only)\n", c.KeyFile())
	fmt.Fprintf(&b, "SPKI hash:      %s\n", c.SPKIHash())
	fmt.Fprintf(&b, "Valid until:    %s\n", c.Cert.NotAfter.Format("2006-01-02"))
	b.WriteString(`
Anyone who holds the key can intercept the HTTPS traffic of a machine that
trusts this certificate. Keep the key to yourself, trust the certificate only
where you record, and remove it from those trust stores when you are done.

Chromium or Chrome, for one session, with nothing installed:
  capture --browser URL
  (or start it yourself with --proxy-server=` + proxyURL + ` --user-data-dir=<a new folder>
   --ignore-certificate-errors-spki-list=` + c.SPKIHash() + `)

Chromium or Chrome, for good:
  Linux:   certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "apitrail capture" -i ` + cert + `
           (certutil is in the libnss3-tools package)
  macOS:   sudo security add-trusted-cert -d -k /Library/Keychains/System.keychain ` + cert + `
  Windows: certutil -addstore -user Root ` + cert + `
  or Settings > Privacy and security > Security > Manage certificates >
  Authorities > Import, and tick "Trust this certificate for identifying websites".

Firefox keeps its own trust store:
  Settings > Privacy & Security > Certificates > View Certificates >
  Authorities > Import..., pick ` + cert + `,
  and tick "Trust this CA to identify websites".
  Then Settings > General > Network Settings: manual proxy ` + strings.TrimPrefix(proxyURL, "http://") + `,
  "Also use this proxy for HTTPS".

curl:
  curl --proxy ` + proxyURL + ` --cacert ` + cert + ` https://example.com/

Other programs usually read SSL_CERT_FILE=` + cert + ` (Go, OpenSSL),
NODE_EXTRA_CA_CERTS (Node.js) or REQUESTS_CA_BUNDLE (Python requests).

To stop trusting it, remove "apitrail capture" from those stores; delete
` + c.Dir + ` to get a new CA on the next run.
`)
	return b.String()
}
