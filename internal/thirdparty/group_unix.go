//go:build unix

package thirdparty

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the server in a process group of its own, so that
// signalGroup reaches the processes it starts too.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// signalGroup asks the server's group to stop (SIGTERM), or kills it.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	syscall.Kill(-cmd.Process.Pid, sig)
}
