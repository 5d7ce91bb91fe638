package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/recordings"
)

// demo runs the whole loop on bundled data: a local TestOps-like instance
// starts in this process, the bundled recordings (made by headless Chromium
// through capture) are matched against the instance's documents and
// replayed against it, state-changing calls included since the instance is
// our own.
func (r *replayRun) demo(ctx context.Context) (int, error) {
	in, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return 0, err
	}
	defer in.Close()
	dir, err := os.MkdirTemp("", "apitrail-demo-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	if err := extract(recordings.FS, dir); err != nil {
		return 0, err
	}
	ep, _ := url.Parse(in.URL())
	red := har.NewRedactor(har.DefaultRules())
	red.Pin(sandbox.SeedAPIToken)
	a, err := auth.New(auth.Config{Endpoint: in.URL(), APIToken: auth.NewToken(sandbox.SeedAPIToken),
		OnToken: func(t auth.Token) { red.Pin(t.Reveal()) }})
	if err != nil {
		return 0, err
	}
	// Launches the recording never saw, so that the launch the flow
	// creates gets another id than it had, and carrying it over shows.
	for _, name := range []string{"demo warm-up 1", "demo warm-up 2"} {
		resp, err := a.Client().Post(in.URL()+"/api/launch", "application/json", strings.NewReader(`{"name":"`+name+`","projectId":2}`))
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
	}
	fmt.Fprintf(r.stdout, "apitrail demo: a local TestOps-like instance runs at %s (in this process, loopback only).\n", in.URL())
	fmt.Fprintf(r.stdout, "The bundled recordings in recordings/ were captured from its web UI by headless Chromium;\n")
	fmt.Fprintf(r.stdout, "each is matched against the instance's OpenAPI documents, then replayed with a Bearer token.\n\n")
	r.inst = &cli.Instance{Endpoint: ep, Scheme: cli.AuthTestOps, Source: a, Auth: a, Client: a.Client(), TokenOrigin: "the local instance's seeded user", Redactor: red}
	r.o.unsafe = true
	r.showMatch = true
	r.demoDir = dir
	return r.replayAll(ctx, []string{dir})
}

// extract copies the bundled flows out of the binary into dir.
func extract(src fs.FS, dir string) error {
	return fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
}
