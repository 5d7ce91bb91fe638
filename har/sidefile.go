package har

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrUnsafeSideFile is wrapped by the error for a side file (_file) that a
// recording must not make the tool read: a symbolic link, a device, a
// named pipe, a folder, a path that leaves the HAR's folder, or a file
// larger than the body limit. A recording is often someone else's (git
// keeps symbolic links, so one pull request is enough), and what the tool
// reads it may send to a server, print, or write into a report.
var ErrUnsafeSideFile = errors.New("unsafe side file")

// SideFileError is a body kept in a side file that could not, or must
// not, be read.
type SideFileError struct {
	File   string // the HAR file, if known
	Entry  int    // 1-based place of the entry in the file; 0 if unknown
	Side   string // "request" or "response"
	Name   string // the _file value
	Reason string // what is wrong, as "is a symbolic link"
	Err    error  // ErrUnsafeSideFile, or the error of the read
}

func (e *SideFileError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Entry > 0 {
		fmt.Fprintf(&b, "entry %d: ", e.Entry)
	}
	fmt.Fprintf(&b, "%s body file %q %s", e.Side, e.Name, e.Reason)
	if errors.Is(e.Err, ErrUnsafeSideFile) {
		b.WriteString("; refusing to read it")
		if !strings.Contains(e.Reason, "limit") {
			b.WriteString(" (a recording may only use regular files in its own folder)")
		}
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrUnsafeSideFile) true for a refusal.
func (e *SideFileError) Unwrap() error { return e.Err }

// origin says where an entry was read from, for side files and their
// errors.
type origin struct {
	dir     string // the HAR's folder, where side files are
	file    string // the HAR's name, for errors
	index   int    // 1-based place in the file; 0 when unknown
	maxSide int64  // the largest side file read; 0 means DefaultMaxEntrySize
}

func (e *Entry) sideError(side, name, reason string, err error) *SideFileError {
	return &SideFileError{File: e.src.file, Entry: e.src.index, Side: side, Name: name, Reason: reason, Err: err}
}

func (e *Entry) sideLimit() int64 {
	if e.src.maxSide > 0 {
		return e.src.maxSide
	}
	return DefaultMaxEntrySize
}

// sideFile reads a body kept next to the HAR through an os.Root on the
// HAR's folder, so that no path, however spelled, reaches outside it.
// Only regular files are read: the kind is checked before opening, since
// opening a named pipe blocks, and again on the open file, so that a file
// swapped in between is not read either.
func (e *Entry) sideFile(side, name string) ([]byte, error) {
	if e.src.dir == "" {
		return nil, e.sideError(side, name, "cannot be read: the HAR's folder is unknown (read the HAR with har.Open)", errors.New("no folder"))
	}
	root, err := os.OpenRoot(e.src.dir)
	if err != nil {
		return nil, e.sideError(side, name, "cannot be read: "+err.Error(), err)
	}
	defer root.Close()
	fi, err := e.checkSideFile(root, side, name)
	if err != nil {
		return nil, err
	}
	// O_NONBLOCK: should a named pipe be swapped in after the check, the
	// open returns at once instead of hanging; Stat below refuses it.
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, e.sideError(side, name, "cannot be read: "+describeOpenError(err), err)
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !now.Mode().IsRegular() || !os.SameFile(fi, now) {
		return nil, e.sideError(side, name, "changed while it was being read", ErrUnsafeSideFile)
	}
	limit := e.sideLimit()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, e.sideError(side, name, "cannot be read: "+err.Error(), err)
	}
	if int64(len(b)) > limit {
		return nil, e.sideError(side, name, fmt.Sprintf("is larger than the %d-byte body limit", limit), ErrUnsafeSideFile)
	}
	return b, nil
}

// checkSideFile refuses a side file that is not a regular file of at most
// the body limit, directly in root, without opening it.
func (e *Entry) checkSideFile(root *os.Root, side, name string) (fs.FileInfo, error) {
	if name != filepath.Base(name) || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || filepath.IsAbs(name) {
		return nil, e.sideError(side, name, "is not a plain file name in the HAR's folder", ErrUnsafeSideFile)
	}
	fi, err := root.Lstat(name)
	if err != nil {
		return nil, e.sideError(side, name, "cannot be read: "+describeOpenError(err), err)
	}
	reason := ""
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		reason = "is a symbolic link"
	case m.IsDir():
		reason = "is a folder"
	case m&fs.ModeNamedPipe != 0:
		reason = "is a named pipe"
	case m&fs.ModeDevice != 0:
		reason = "is a device"
	case m&fs.ModeSocket != 0:
		reason = "is a socket"
	case !m.IsRegular():
		reason = "is not a regular file"
	case fi.Size() > e.sideLimit():
		reason = fmt.Sprintf("is %d bytes, larger than the %d-byte body limit", fi.Size(), e.sideLimit())
	}
	if reason != "" {
		return nil, e.sideError(side, name, reason, ErrUnsafeSideFile)
	}
	return fi, nil
}

// CheckSideFiles refuses an entry whose side files a recording must not
// make the tool read (see ErrUnsafeSideFile), without reading them. A
// side file that is missing is not an error here: the body is merely
// unknown, as when a HAR is passed on without its side files.
func (e *Entry) CheckSideFiles() error {
	var names [2]string
	if pd := e.Request.PostData; pd != nil && pd.Text == "" {
		names[0] = pd.File
	}
	if e.Response.Content.Text == "" {
		names[1] = e.Response.Content.File
	}
	if names == [2]string{} || e.src.dir == "" {
		return nil
	}
	root, err := os.OpenRoot(e.src.dir)
	if err != nil {
		return nil // reading the body says why
	}
	defer root.Close()
	for i, name := range names {
		if name == "" {
			continue
		}
		if _, err := e.checkSideFile(root, [2]string{"request", "response"}[i], name); errors.Is(err, ErrUnsafeSideFile) {
			return err
		}
	}
	return nil
}

// describeOpenError drops the path from an open error: the message already
// names the file, relative to the HAR.
func describeOpenError(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "does not exist"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
