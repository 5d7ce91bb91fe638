package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apitrail/apitrail/flow"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/proxy"
)

// checkSaveFlow refuses a --save-flow that could not be made, before any
// work: the folder, and a recording that is one file.
func checkSaveFlow(o options, args []string) error {
	if o.saveFlow == "" {
		return nil
	}
	switch {
	case o.specs.SaveSpec != "":
		return cli.WithHint(errors.New("--save-flow saves the spec in the folder it makes"), "drop --save-spec")
	case len(args) != 1:
		return cli.WithHint(fmt.Errorf("--save-flow makes one recording folder from one recording, and %d were given", len(args)), "run match --save-flow once per recording")
	case args[0] == "-":
		return errors.New("--save-flow copies a HAR file into the folder, and standard input is not one; save it to a file first")
	}
	if err := flow.CheckNew(o.saveFlow, o.force); err != nil {
		return cli.WithHint(fmt.Errorf("--save-flow %v", err), "name a new folder, or add --force to replace a recording folder")
	}
	return nil
}

// saved is what --save-flow keeps of the one recording matched.
type saved struct {
	in      input
	results []match.Result
	hosts   []string
}

// finishFlow writes the recording folder --save-flow asked for: the HAR
// (redacted, as capture would have written it), the spec snapshot (which
// loading the documents already wrote), flow.json naming the instance and
// its hosts, and a starter noise file.
func (m *matchRun) finishFlow() error {
	b, s := m.build, m.saved
	if s == nil || s.in.har == "" {
		return errors.New("--save-flow: no recording was matched")
	}
	if len(s.hosts) == 0 {
		// Name the hosts it holds, as replay does: a recording of another
		// site shows at once.
		var hosts []string
		for _, r := range s.results {
			if u, err := url.Parse(r.URL); err == nil && u.Host != "" && !slices.Contains(hosts, u.Host) {
				hosts = append(hosts, u.Host)
			}
		}
		return cli.WithHint(fmt.Errorf("--save-flow: no call in %s fits the spec, so the folder would name no instance; the recording's calls go to %s", s.in.name, strings.Join(hosts, ", ")),
			"check that the recording was made on the instance the spec describes")
	}
	red := har.NewRedactor(har.DefaultRules())
	// The export's own header (browser, pages, comment) is kept, with
	// match named as the creator and the file it came from in the comment,
	// as capture --from writes it.
	head, err := proxy.ImportHeader(s.in.har, cli.Creator(prog))
	if err != nil {
		return err
	}
	hw, err := har.Create(b.HAR(), har.WriterOptions{Redactor: red, Header: head})
	if err != nil {
		return err
	}
	if _, err := proxy.Import(s.in.har, hw, proxy.ImportOptions{Redactor: red}); err != nil && !errors.Is(err, har.ErrTruncated) {
		hw.Close()
		return err
	}
	if err := hw.Close(); err != nil {
		return err
	}
	man := flow.Manifest{Name: filepath.Base(filepath.Clean(b.Dir)), Hosts: s.hosts}
	if m.inst != nil {
		man.Endpoint = m.inst.Endpoint.String()
	} else {
		man.Endpoint = originOf(s.results, s.hosts[0])
	}
	var entries []*har.Entry
	for _, r := range s.results {
		entries = append(entries, r.Entry)
		if man.Recorded.IsZero() && r.Entry != nil {
			man.Recorded, _ = r.Entry.Started()
		}
	}
	if err := b.WriteManifest(man); err != nil {
		return err
	}
	rules, err := b.WriteStarterNoise(entries)
	if err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(m.stderr, "%s: made the recording folder %s: %s, %s/, %s for %s, %s with %d rule(s); replay it with replay -e %s %s\n",
		prog, b.Dir, flow.HARFile, flow.SpecDir, flow.ManifestFile, strings.Join(s.hosts, ", "), filepath.Base(b.NoiseFile()), rules, man.Endpoint, b.Dir)
	return nil
}

// originOf is the scheme and host the recording used for host.
func originOf(results []match.Result, host string) string {
	for _, r := range results {
		if u, err := url.Parse(r.URL); err == nil && u.Host == host {
			return u.Scheme + "://" + u.Host
		}
	}
	return "https://" + host
}

// recordedOrigins lists the origins a recording's calls went to (n counts
// them), the most used first, for the advice of a run that has no spec.
func recordedOrigins(n map[string]int) []string {
	var out []string
	for o := range n {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b string) int {
		if n[a] != n[b] {
			return n[b] - n[a]
		}
		return strings.Compare(a, b)
	})
	return out
}

// noSpec is the error of a run with no spec: it names the host the
// recording was made on, which --endpoint would discover the documents of.
func (m *matchRun) noSpec(in input) error {
	err := errors.New("no spec: give --spec FILE|URL or --endpoint URL")
	// The origins are counted as the recording streams by.
	n := map[string]int{}
	rd, rerr := m.reader(in, nil)
	for rerr == nil {
		var e *har.Entry
		if e, rerr = rd.Next(); rerr == nil {
			if u, err := url.Parse(e.Request.URL); err == nil && u.Host != "" {
				n[u.Scheme+"://"+u.Host]++
			}
		}
	}
	if rd != nil {
		rd.Close()
	}
	if rerr != io.EOF && !errors.Is(rerr, har.ErrTruncated) {
		return cli.WithHint(err, "a TestOps instance lists its documents in its Swagger UI (/swagger-ui.html)")
	}
	origins := recordedOrigins(n)
	if len(origins) == 0 {
		return cli.WithHint(err, "%s holds no call to a host; a TestOps instance lists its documents in its Swagger UI (/swagger-ui.html)", in.name)
	}
	more := ""
	if len(origins) > 1 {
		more = fmt.Sprintf(" (its calls also went to %s)", strings.Join(origins[1:min(len(origins), 4)], ", "))
	}
	return cli.WithHint(err, "the recording was made on %s%s: match --endpoint %s %s finds its documents as Swagger UI does (/swagger-ui.html, /v3/api-docs)",
		origins[0], more, origins[0], in.name)
}
