package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/spf13/pflag"
)

// selection is the part of a suite a run replays: --flow, --operation and
// --tag choose, --shard K/N splits what they chose for a CI matrix.
type selection struct {
	flows      []string
	operations []string
	tags       []string
	shard      string
	k, n       int
}

func (s *selection) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&s.flows, "flow", nil, "")
	fs.StringArrayVar(&s.operations, "operation", nil, "")
	fs.StringArrayVar(&s.tags, "tag", nil, "")
	fs.StringVar(&s.shard, "shard", "", "")
}

// check parses --shard before anything is read or sent.
func (s *selection) check() error {
	if s.shard == "" {
		return nil
	}
	ks, ns, ok := strings.Cut(s.shard, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return cli.WithHint(fmt.Errorf("--shard %q is not K/N with 1 <= K <= N", s.shard), "--shard 2/4 runs the second of four shards")
	}
	s.k, s.n = k, n
	return nil
}

// byCalls reports whether a call passes --operation and --tag.
func (s *selection) byCalls() bool { return len(s.operations) > 0 || len(s.tags) > 0 }

// wants reports whether a recording has a call --operation or --tag names:
// a recording is replayed whole or not at all, since its later calls use
// what its earlier ones created.
func (s *selection) wants(plan *replay.Plan) bool {
	if !s.byCalls() {
		return true
	}
	for _, c := range plan.Calls {
		op := c.Match.Operation
		if op == nil {
			continue
		}
		for _, want := range s.operations {
			if want == op.OperationID || strings.EqualFold(want, op.Method+" "+op.Path) {
				return true
			}
		}
		if slices.Contains(s.tags, op.Tag) {
			return true
		}
	}
	return false
}

// pick applies --flow, then --shard, to a suite's recordings.
func (s *selection) pick(ts []target, stderr io.Writer) ([]target, error) {
	if len(s.flows) > 0 {
		var kept []target
		for _, t := range ts {
			if slices.Contains(s.flows, t.name) {
				kept = append(kept, t)
			}
		}
		for _, f := range s.flows {
			if !slices.ContainsFunc(kept, func(t target) bool { return t.name == f }) {
				return nil, cli.WithHint(fmt.Errorf("--flow %s: no such recording; the suite has %s", f, names(ts)), "name a recording folder as replay lists it")
			}
		}
		ts = kept
	}
	if s.n == 0 {
		return ts, nil
	}
	counts := make([]int, len(ts))
	for i, t := range ts {
		if t.har == "-" {
			return nil, errors.New("--shard splits a suite of files, and standard input is one recording")
		}
		n, err := countCalls(t.har)
		if err != nil {
			return nil, err
		}
		counts[i] = n
	}
	mine := shard(ts, counts, s.k, s.n)
	if len(mine) == 0 {
		fmt.Fprintf(stderr, "%s: shard %d/%d has no recording: the suite has %d, fewer than %d shards\n", prog, s.k, s.n, len(ts), s.n)
	}
	return mine, nil
}

// shard returns the k-th (from 1) of n shards: the recordings, sorted by
// name, are taken largest first (by calls) and each goes to the shard
// with the fewest calls so far (the lowest-numbered on a tie). The same
// suite therefore always splits the same way, on every CI machine, and
// the shards take about as long.
func shard(ts []target, counts []int, k, n int) []target {
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(ts[a].name, ts[b].name)
	})
	load := make([]int, n)
	var mine []target
	for _, i := range idx {
		to := 0
		for j := range load {
			if load[j] < load[to] {
				to = j
			}
		}
		load[to] += max(counts[i], 1)
		if to == k-1 {
			mine = append(mine, ts[i])
		}
	}
	slices.SortFunc(mine, func(a, b target) int { return cmp.Compare(a.name, b.name) })
	return mine
}

// countCalls counts a recording's calls without keeping them.
func countCalls(path string) (int, error) {
	rd, err := har.Open(path)
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	for {
		if _, err := rd.Next(); err == io.EOF {
			return rd.Count(), nil
		} else if err != nil {
			return 0, err
		}
	}
}

// callFlags names the --operation and --tag choices given, as the user
// wrote them, for the error of a choice that selects nothing.
func (s *selection) callFlags() string {
	var given []string
	for _, o := range s.operations {
		given = append(given, "--operation "+o)
	}
	for _, t := range s.tags {
		given = append(given, "--tag "+t)
	}
	return strings.Join(given, ", ")
}

func names(ts []target) string {
	var ns []string
	for _, t := range ts {
		ns = append(ns, t.name)
	}
	if len(ns) == 0 {
		return "(no recording)"
	}
	return strings.Join(ns, ", ")
}

// checkFits refuses a recording none of whose calls fits the spec, goes to
// the endpoint's host or to a --host: it was made on another site, and
// replaying it at the instance would report each call as a regression.
func checkFits(name string, entries []*har.Entry, mt *match.Matcher, endpointHost string, hosts []string) error {
	seen := map[string]bool{}
	var list []string
	for i, e := range entries {
		if mt.Entry(i+1, e).Operation != nil {
			return nil
		}
		u, err := url.Parse(e.Request.URL)
		if err != nil {
			continue
		}
		if strings.EqualFold(u.Host, endpointHost) || slices.Contains(hosts, u.Host) || slices.Contains(hosts, u.Hostname()) {
			return nil
		}
		if !seen[u.Host] {
			seen[u.Host] = true
			list = append(list, u.Host)
		}
	}
	if len(list) == 0 {
		return nil
	}
	return cli.WithHint(fmt.Errorf("%s: no call fits the spec or goes to %s; the recording's calls go to %s", name, endpointHost, strings.Join(list, ", ")),
		"replay it against the instance it was recorded on, or name that host with --host if it is this instance under another name")
}
