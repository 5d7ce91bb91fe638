//go:build unix

package main

import (
	"testing"

	"github.com/apitrail/apitrail/har/hartest"
)

func TestUnsafeSideFileIsRefused(t *testing.T) {
	hartest.CommandRefusesUnsafeSideFiles(t, "replay", func(c hartest.SideFileCase) (int, string, string) {
		return runReplay(t, env(""), "--endpoint", "http://127.0.0.1:1", "--dry-run", c.HAR)
	})
}
