package main

import (
	"os"
	"path/filepath"

	"github.com/apitrail/apitrail/internal/bench/gen"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// document returns the OpenAPI document the benchmarks match against:
// the one named, else the real TestOps 26.1.1 document from ../shared,
// else the sandbox's, written to a temporary file that cleanup removes.
func document(named string) (path string, cleanup func(), err error) {
	if named != "" {
		return named, func() {}, nil
	}
	if root, ok := shareddata.Root(); ok {
		p := filepath.Join(root, "realworld", "testops", "allure-testops-service-26.1.1.openapi.json")
		if _, err := os.Stat(p); err == nil {
			return p, func() {}, nil
		}
	}
	dir, err := os.MkdirTemp("", "apitrail-bench-")
	if err != nil {
		return "", nil, err
	}
	p, err := gen.WriteSandboxDocument(dir)
	return p, func() { os.RemoveAll(dir) }, err
}
