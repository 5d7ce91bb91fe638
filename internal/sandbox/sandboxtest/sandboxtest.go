// Package sandboxtest gives tests the local instance's documents as the
// commands see them (loaded by package spec and indexed with the TestOps
// aliases and springdoc artefacts), and a bare loopback server that logs
// what a client sends it.
package sandboxtest

import (
	"time"

	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec"
)

// Index loads the instance's "All Services" document (in its version 2
// shape when v2 is set) and indexes it.
func Index(v2 bool) (*spec.Index, error) {
	data, err := sandbox.Document(sandbox.AllServices, v2)
	if err != nil {
		return nil, err
	}
	doc, err := spec.Load(spec.NewSource("All Services", "sandbox", data, time.Now()))
	if err != nil {
		return nil, err
	}
	return spec.NewIndex([]*spec.Document{doc}, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
}
