package ca

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestCreatedOnFirstUseThenReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "ca")
	c, created, err := LoadOrCreate(dir, "alice@host")
	if err != nil || !created {
		t.Fatalf("first use: created %v, err %v", created, err)
	}
	if !c.Cert.IsCA || !c.Cert.MaxPathLenZero || c.Cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("not a CA certificate that can sign leaves only: IsCA %v MaxPathLenZero %v", c.Cert.IsCA, c.Cert.MaxPathLenZero)
	}
	if !strings.Contains(c.Cert.Subject.CommonName, "alice@host") {
		t.Errorf("subject %q does not say whose CA it is", c.Cert.Subject)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, c.KeyFile(): 0o400, c.CertFile(): 0o644} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s has mode %04o, want %04o", path, fi.Mode().Perm(), want)
			}
		}
	}
	again, created, err := LoadOrCreate(dir, "alice@host")
	if err != nil || created {
		t.Fatalf("second use: created %v, err %v", created, err)
	}
	if !again.Cert.Equal(c.Cert) || again.SPKIHash() != c.SPKIHash() {
		t.Error("the second use made a new CA instead of loading the first")
	}
	// No temporary files are left behind.
	names, _ := os.ReadDir(dir)
	if len(names) != 2 {
		t.Errorf("the CA folder holds %d files, want the certificate and the key", len(names))
	}
}

func TestConcurrentFirstUseMakesOneCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	const n = 6
	var wg sync.WaitGroup
	cas := make([]*CA, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cas[i], _, errs[i] = LoadOrCreate(dir, "race")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("process %d: %v", i, errs[i])
		}
		if !cas[i].Cert.Equal(cas[0].Cert) {
			t.Fatalf("process %d got another CA than process 0", i)
		}
	}
	// The key on disk belongs to the certificate on disk.
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRefusesBadState(t *testing.T) {
	good := filepath.Join(t.TempDir(), "ca")
	c, _, err := LoadOrCreate(good, "x")
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	o, _, err := LoadOrCreate(other, "y")
	if err != nil {
		t.Fatal(err)
	}
	copyFile := func(src, dst string, mode os.FileMode) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, mode); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		why     string
		setup   func(dir string)
		wantErr string
	}{
		{"empty folder", func(string) {}, "no CA"},
		{"key readable by others", func(dir string) {
			copyFile(c.CertFile(), filepath.Join(dir, CertFileName), 0o644)
			copyFile(c.KeyFile(), filepath.Join(dir, KeyFileName), 0o644)
		}, "can be read by other users"},
		{"certificate without key", func(dir string) {
			copyFile(c.CertFile(), filepath.Join(dir, CertFileName), 0o644)
		}, "is missing"},
		{"key without certificate", func(dir string) {
			copyFile(c.KeyFile(), filepath.Join(dir, KeyFileName), 0o600)
		}, "is missing"},
		{"key of another CA", func(dir string) {
			copyFile(c.CertFile(), filepath.Join(dir, CertFileName), 0o644)
			copyFile(o.KeyFile(), filepath.Join(dir, KeyFileName), 0o600)
		}, "does not belong"},
		{"not PEM", func(dir string) {
			os.WriteFile(filepath.Join(dir, CertFileName), []byte("hello"), 0o644)
			copyFile(c.KeyFile(), filepath.Join(dir, KeyFileName), 0o600)
		}, "no PEM certificate"},
	}
	for _, tt := range tests {
		if tt.why == "key readable by others" && runtime.GOOS == "windows" {
			continue
		}
		dir := t.TempDir()
		tt.setup(dir)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Load = %v, want an error containing %q", tt.why, err, tt.wantErr)
		}
		if tt.why == "empty folder" && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("empty folder: %v does not wrap fs.ErrNotExist", err)
		}
		if tt.why != "empty folder" {
			if _, _, err := LoadOrCreate(dir, "z"); err == nil {
				t.Errorf("%s: LoadOrCreate replaced a CA in a bad state instead of saying so", tt.why)
			}
		}
	}
}

func TestSPKIHashAndInstructions(t *testing.T) {
	c, _, err := LoadOrCreate(filepath.Join(t.TempDir(), "ca"), "x")
	if err != nil {
		t.Fatal(err)
	}
	// The hash is what a TLS peer's chain would show for this CA.
	cert := tls.Certificate{Certificate: [][]byte{c.Cert.Raw}}
	parsed, _ := x509.ParseCertificate(cert.Certificate[0])
	if len(c.SPKIHash()) != 44 || parsed.Equal(c.Cert) == false {
		t.Errorf("SPKI hash %q is not a base64 SHA-256", c.SPKIHash())
	}
	text := c.TrustInstructions("http://127.0.0.1:8080")
	for _, want := range []string{c.CertFile(), "Chromium", "Firefox", "curl --proxy http://127.0.0.1:8080 --cacert " + c.CertFile(), c.SPKIHash(), "intercept"} {
		if !strings.Contains(text, want) {
			t.Errorf("instructions lack %q", want)
		}
	}
}
