package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apitrail/apitrail/internal/cli"
)

// spoolStdin copies standard input to a private temporary file, for
// --from -: an import reads its HAR twice (once to learn its secrets, once
// to write the clean copy), and a pipe can be read only once. The returned
// function removes the copy, which holds the secrets unredacted.
func spoolStdin(stdin io.Reader) (string, func(), error) {
	dir, err := os.MkdirTemp("", "capture-stdin-")
	if err != nil {
		return "", nil, err
	}
	done := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, "stdin.har")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = io.Copy(f, stdin)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		done()
		return "", nil, err
	}
	return path, done, nil
}

// renamed returns err, with its hint, naming the spooled copy at path as
// the user knows it (standard input): a temporary file they never made
// is no place to look for the mistake.
func renamed(err error, path, name string) error {
	if err == nil || !strings.Contains(err.Error(), path) {
		return err
	}
	out := errors.New(strings.ReplaceAll(err.Error(), path, name))
	var h cli.Hinted
	if errors.As(err, &h) {
		return cli.WithHint(out, "%s", strings.ReplaceAll(h.Hint(), path, name))
	}
	return out
}
