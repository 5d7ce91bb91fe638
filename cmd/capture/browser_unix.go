//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the browser in a process group of its own, so that
// Ctrl-C reaches capture alone, which then closes the browser and finishes
// the recording in that order.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func terminate(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

func kill(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
