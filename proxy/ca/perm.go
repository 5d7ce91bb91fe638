package ca

import (
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// PermissionError says why the CA folder or key is not safe to use, as ssh
// refuses a private key that others can read or replace. Hint is the
// command that fixes it.
type PermissionError struct {
	Path   string
	Reason string
	Fix    string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s %s; refusing to use it", e.Path, e.Reason)
}

// Hint is the command that makes the folder or key safe again.
func (e *PermissionError) Hint() string { return e.Fix }

// checkDir refuses a CA folder that other users can write to: they could
// put their own key and certificate there, which capture would then use
// and a browser trust.
func checkDir(dir string) error {
	// Group and other bits mean nothing on Windows, where the folder's
	// ACL protects it.
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return &PermissionError{Path: dir, Reason: fmt.Sprintf("can be written by other users (mode %04o), who could put a CA of their own there", perm),
			Fix: "run: chmod go-w " + dir}
	}
	if owner, ok := ownerOf(fi); ok && owner != os.Getuid() {
		return &PermissionError{Path: dir, Reason: fmt.Sprintf("belongs to another user (uid %d), who could put a CA of their own there", owner),
			Fix: fmt.Sprintf("run: chown %d %s", os.Getuid(), dir)}
	}
	return nil
}

// checkKey refuses a key that other users can read, or that belongs to
// another user, who could then read or replace it.
func checkKey(path string, fi fs.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return &PermissionError{Path: path, Reason: fmt.Sprintf("can be read by other users (mode %04o), and whoever reads it can intercept your HTTPS traffic", perm),
			Fix: "run: chmod 600 " + path}
	}
	if owner, ok := ownerOf(fi); ok && owner != os.Getuid() {
		return &PermissionError{Path: path, Reason: fmt.Sprintf("belongs to another user (uid %d), who can read it and intercept your HTTPS traffic", owner),
			Fix: fmt.Sprintf("run: chown %d %s", os.Getuid(), path)}
	}
	return nil
}
