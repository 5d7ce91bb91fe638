package main

import (
	"io"
	"os"
	"path/filepath"
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
