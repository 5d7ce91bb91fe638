// Package sandboxtest gives tests the local instance's documents as the
// commands see them (loaded by package spec and indexed with the TestOps
// aliases and springdoc artefacts), and a bare loopback server that logs
// what a client sends it.
package sandboxtest

import (
	"sync"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec"
)

// Index returns the index of the instance's "All Services" document (in
// its version 2 shape when v2 is set), or fails the test. The index is
// built once per shape and shared: it is safe for concurrent use, and fuzz
// targets ask for it thousands of times.
func Index(t testing.TB, v2 bool) *spec.Index {
	t.Helper()
	build := indexV3
	if v2 {
		build = indexV2
	}
	ix, err := build()
	if err != nil {
		t.Fatalf("sandboxtest: the instance's document: %v", err)
	}
	return ix
}

var (
	indexV3 = sync.OnceValues(func() (*spec.Index, error) { return buildIndex(false) })
	indexV2 = sync.OnceValues(func() (*spec.Index, error) { return buildIndex(true) })
)

func buildIndex(v2 bool) (*spec.Index, error) {
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
