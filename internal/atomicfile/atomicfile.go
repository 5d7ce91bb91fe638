// Package atomicfile writes files so that a reader, or the next run after
// a crash, sees either the old content or the new one, never half of it:
// the data goes to a temporary file in the same folder, which is synced
// and then renamed over the target.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a temporary file that replaces its target on Commit.
type File struct {
	*os.File
	path string
	mode os.FileMode
	done bool
}

// Create starts writing a file that will become path, with mode, on
// Commit.
func Create(path string, mode os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		// The temporary name means nothing to the user; the path they gave
		// and the reason do.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = &fs.PathError{Op: "create", Path: path, Err: pe.Err}
		}
		return nil, err
	}
	return &File{File: tmp, path: path, mode: mode}, nil
}

// Commit syncs the data and puts the file in place of its target.
func (f *File) Commit() error {
	if f.done {
		return os.ErrClosed
	}
	f.done = true
	err := f.Chmod(f.mode)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// Abort drops the temporary file, leaving the target as it was. It does
// nothing after Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// Write replaces the file at path with data.
func Write(path string, data []byte, mode os.FileMode) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}
