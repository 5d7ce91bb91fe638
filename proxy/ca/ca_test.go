package ca

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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

// TestRefusesCAOthersCanTouch: a CA folder others can write to, or a key
// others can read or own, is refused the way ssh refuses such keys, with
// the command that fixes it as the hint.
func TestRefusesCAOthersCanTouch(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("group and other mode bits mean nothing on Windows")
	}
	tests := []struct {
		why      string
		root     bool // needs root, to give a file away
		setup    func(t *testing.T, dir string, c *CA)
		wantPath func(c *CA) string
		wantErr  string
		wantFix  string
	}{
		{"a folder every user can write to lets any of them swap in their own CA", false,
			func(t *testing.T, dir string, _ *CA) { chmod(t, dir, 0o777) },
			func(c *CA) string { return c.Dir }, "can be written by other users (mode 0777)", "chmod go-w "},
		{"a folder the group can write to is as open as one anybody can", false,
			func(t *testing.T, dir string, _ *CA) { chmod(t, dir, 0o770) },
			func(c *CA) string { return c.Dir }, "can be written by other users (mode 0770)", "chmod go-w "},
		{"a key anybody can read lets them intercept traffic", false,
			func(t *testing.T, _ string, c *CA) { chmod(t, c.KeyFile(), 0o644) },
			func(c *CA) string { return c.KeyFile() }, "can be read by other users (mode 0644)", "chmod 600 "},
		{"a key the group can read is as exposed", false,
			func(t *testing.T, _ string, c *CA) { chmod(t, c.KeyFile(), 0o440) },
			func(c *CA) string { return c.KeyFile() }, "can be read by other users (mode 0440)", "chmod 600 "},
		{"a key owned by another user is theirs to read or replace", true,
			func(t *testing.T, _ string, c *CA) { chown(t, c.KeyFile(), 65534) },
			func(c *CA) string { return c.KeyFile() }, "belongs to another user (uid 65534)", fmt.Sprintf("chown %d ", os.Getuid())},
		{"a folder owned by another user is theirs to fill", true,
			func(t *testing.T, dir string, _ *CA) { chown(t, dir, 65534) },
			func(c *CA) string { return c.Dir }, "belongs to another user (uid 65534)", fmt.Sprintf("chown %d ", os.Getuid())},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			if tt.root && os.Getuid() != 0 {
				t.Skip("giving a file to another user needs root")
			}
			dir := filepath.Join(t.TempDir(), "ca")
			c, _, err := LoadOrCreate(dir, "x")
			if err != nil {
				t.Fatal(err)
			}
			tt.setup(t, dir, c)
			for name, load := range map[string]func() error{
				"Load":         func() error { _, err := Load(dir); return err },
				"LoadOrCreate": func() error { _, _, err := LoadOrCreate(dir, "x"); return err },
			} {
				err := load()
				var pe *PermissionError
				if !errors.As(err, &pe) {
					t.Fatalf("%s = %v, want a PermissionError", name, err)
				}
				if pe.Path != tt.wantPath(c) || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Errorf("%s: error %q, want one line naming %s with %q", name, err, tt.wantPath(c), tt.wantErr)
				}
				if !strings.Contains(pe.Hint(), tt.wantFix+tt.wantPath(c)) {
					t.Errorf("%s: hint %q, want %q", name, pe.Hint(), tt.wantFix+tt.wantPath(c))
				}
			}
		})
	}
	// A new CA is not made in a folder that was already open to others.
	dir := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	chmod(t, dir, 0o777)
	if _, _, err := LoadOrCreate(dir, "x"); err == nil || !strings.Contains(err.Error(), "can be written by other users") {
		t.Errorf("LoadOrCreate in a folder open to all = %v", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("a key was written into the open folder: %v", names)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Chown(path, uid, -1); err != nil {
		t.Fatal(err)
	}
}
