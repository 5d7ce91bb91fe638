package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"

	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/proxy/ca"
)

// caDir is where the CA lives: --ca-dir, $APITRAIL_CAROOT, or a folder in
// the user's data folder, as mkcert chooses its CAROOT.
func caDir(o *options, getenv func(string) string) (string, error) {
	if o.caDir != "" {
		return o.caDir, nil
	}
	if d := getenv("APITRAIL_CAROOT"); d != "" {
		return d, nil
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = getenv("LocalAppData")
	case "darwin":
		if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Application Support")
		}
	default:
		base = getenv("XDG_DATA_HOME")
		if base == "" {
			if h := getenv("HOME"); h != "" {
				base = filepath.Join(h, ".local", "share")
			}
		}
	}
	if base == "" {
		return "", cli.WithHint(errors.New("cannot tell where to keep the CA: no home folder"), "name a folder with --ca-dir or $APITRAIL_CAROOT")
	}
	return filepath.Join(base, "apitrail", "ca"), nil
}

// openCA loads the CA, making it on first use, and says so when it did.
func openCA(o *options, stderr io.Writer, getenv func(string) string) (*ca.CA, error) {
	dir, err := caDir(o, getenv)
	if err != nil {
		return nil, err
	}
	name := "local CA"
	if u, err := user.Current(); err == nil {
		name = u.Username
		if h, err := os.Hostname(); err == nil {
			name += "@" + h
		}
	}
	c, created, err := ca.LoadOrCreate(dir, name)
	var perm *ca.PermissionError
	if errors.As(err, &perm) {
		// The error names the folder or key, and its hint the fix.
		return nil, err
	}
	if err != nil {
		return nil, cli.WithHint(fmt.Errorf("the CA in %s: %w", dir, err), "another folder can be named with --ca-dir")
	}
	if created {
		fmt.Fprintf(stderr, "%s: made a new local CA in %s (the key is readable by you only)\n", prog, dir)
		fmt.Fprintf(stderr, "%s: 'capture --ca-info' tells how to make browsers and curl trust it\n", prog)
	}
	return c, nil
}

// printCAInfo is --ca-info: where the CA is and how to make browsers and
// curl trust it.
func printCAInfo(o *options, stdout, stderr io.Writer, getenv func(string) string) error {
	c, err := openCA(o, stderr, getenv)
	if err != nil {
		return err
	}
	listen := o.listen
	if listen == "" {
		listen = defaultListen
	}
	fmt.Fprint(stdout, c.TrustInstructions("http://"+listen))
	return nil
}
