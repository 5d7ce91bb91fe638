//go:build !unix

package thirdparty

import (
	"os"
	"os/exec"
)

// Elsewhere there are no process groups: the server alone is stopped.
func ownGroup(cmd *exec.Cmd) {}

func signalGroup(cmd *exec.Cmd, kill bool) {
	if kill {
		cmd.Process.Kill()
		return
	}
	cmd.Process.Signal(os.Interrupt)
}
