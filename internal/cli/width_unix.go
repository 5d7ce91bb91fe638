//go:build linux || darwin || freebsd || netbsd || openbsd

package cli

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// TerminalWidth is the number of columns of the terminal w writes to, or
// 0 when w is not a terminal or does not say.
func TerminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.Col)
}
