//go:build unix

package main

import (
	"testing"

	"github.com/apitrail/apitrail/har/hartest"
)

func TestUnsafeSideFileIsRefused(t *testing.T) {
	specPath, _ := fixture(t)
	hartest.CommandRefusesUnsafeSideFiles(t, "match", func(c hartest.SideFileCase) (int, string, string) {
		return runMatch(t, "--spec", specPath, c.HAR)
	})
}
