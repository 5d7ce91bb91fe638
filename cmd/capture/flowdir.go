package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/spf13/pflag"
)

// checkFlow turns --flow DIR into the recording's path inside the folder,
// after checking that the folder can be made. The folder is written in
// place, not swapped in at the end: a crash or Ctrl-C must lose nothing
// that was recorded.
func (o *options) checkFlow(fs *pflag.FlagSet) error {
	if o.flowDir == "" {
		return nil
	}
	if fs.Changed("output") {
		return cli.WithHint(errors.New("--flow and -o both name where the recording goes"), "--flow DIR writes DIR/%s", flow.HARFile)
	}
	if err := flow.CheckNew(o.flowDir, o.force); err != nil {
		return cli.WithHint(fmt.Errorf("--flow %v", err), "name a new folder, or add --force to replace a recording folder")
	}
	o.output = filepath.Join(o.flowDir, flow.HARFile)
	return nil
}

// makeFlowDir makes the folder --flow names; the returned function removes
// it again when the command recorded nothing in it.
func (o *options) makeFlowDir() (undo func(), err error) {
	if flow.IsFlow(o.flowDir) {
		// checkFlow allowed it: --force replaces a recording folder, whose
		// old baseline and noise rules belong to the old recording.
		if err := os.RemoveAll(o.flowDir); err != nil {
			return nil, err
		}
	}
	_, statErr := os.Stat(o.flowDir)
	if err := os.MkdirAll(o.flowDir, 0o755); err != nil {
		return nil, err
	}
	if statErr == nil {
		return func() {}, nil // the user's folder: leave it
	}
	return func() { os.RemoveAll(o.flowDir) }, nil
}

// finishFlow writes flow.json beside the recording, naming the instance's
// origin (--browser's page, else the origin most calls went to) and its
// hosts, and the starter noise file match --save-flow writes too.
func (o *options) finishFlow(stderr io.Writer) error {
	f, err := har.ReadFile(o.output)
	if err != nil && !errors.Is(err, har.ErrTruncated) {
		return err
	}
	count := map[string]int{}
	origin := map[string]string{}
	for _, e := range f.Log.Entries {
		if u, err := url.Parse(e.Request.URL); err == nil && u.Host != "" {
			count[u.Host]++
			origin[u.Host] = u.Scheme + "://" + u.Host
		}
	}
	var hosts []string
	for h := range count {
		hosts = append(hosts, h)
	}
	slices.SortFunc(hosts, func(a, b string) int {
		return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b))
	})
	m := flow.Manifest{Name: filepath.Base(filepath.Clean(o.flowDir))}
	if u, err := url.Parse(o.browser); err == nil && o.browser != "" {
		m.Endpoint = u.Scheme + "://" + u.Host
		m.Hosts = []string{u.Host}
	} else if len(hosts) > 0 {
		m.Endpoint = origin[hosts[0]]
		m.Hosts = hosts[:1]
	}
	if len(f.Log.Entries) > 0 {
		m.Recorded, _ = har.ParseTime(f.Log.Entries[0].StartedDateTime)
	}
	fl := &flow.Flow{Dir: o.flowDir, Manifest: m}
	if err := fl.SaveManifest(); err != nil {
		return err
	}
	// The first replay is at another time: without the rules for the
	// answers' timestamps, every created item would be a regression.
	rules, err := fl.WriteStarterNoise(f.Log.Entries)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: recording folder %s: %s, %s for %s, %s with %d rule(s); match --endpoint %s --save-flow adds the spec snapshot, or replay -e %s %s uses the instance's\n",
		prog, o.flowDir, flow.HARFile, flow.ManifestFile, m.Endpoint, filepath.Base(fl.NoiseFile()), rules, m.Endpoint, m.Endpoint, o.flowDir)
	return nil
}
