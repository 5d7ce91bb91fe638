package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckOutput checks, before any work is done, that a file the user named
// with flag (such as "-o" or "--junit") can be written at path: it is not
// a folder, its folder exists, and it does not exist yet unless force is
// set. "-" (standard output) always passes. The errors name the user's
// path as they wrote it, not a temporary file beside it.
func CheckOutput(flag, path string, force bool) error {
	if path == "" || path == "-" {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return WithHint(fmt.Errorf("%s %s: is a folder", flag, path), "give the file to write, e.g. %s", filepath.Join(path, "out"))
	case err == nil:
		if !force {
			return WithHint(fmt.Errorf("%s %s: the file exists", flag, path), "choose another file, or add --force to replace it")
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %v", flag, path, err)
	}
	dir := filepath.Dir(path)
	if di, err := os.Stat(dir); err != nil || !di.IsDir() {
		return fmt.Errorf("%s %s: no folder %s to write it in", flag, path, dir)
	}
	return nil
}

// StatInput stats a file or folder the user named to be read. Its error is
// one line that names the path as the user wrote it and what is wrong,
// without the system call ("stat nothere.har: no such file or
// directory"); the cause stays in the chain for errors.Is.
func StatInput(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err == nil {
		return fi, nil
	}
	msg := err.Error()
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file or folder"
	case errors.As(err, &pe):
		msg = pe.Err.Error()
	}
	return nil, &inputError{fmt.Sprintf("%s: %s", path, msg), err}
}

type inputError struct {
	msg string
	err error
}

func (e *inputError) Error() string { return e.msg }
func (e *inputError) Unwrap() error { return e.err }
