package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/internal/parallel"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

// A batch is at most batchEntries calls or about batchBytes of bodies:
// the unit the checks spread over the cores, and with the batch being
// read meanwhile, all of the recording that is held at once.
const (
	batchEntries = 256
	batchBytes   = 4 << 20
)

// spool copies standard input to a temporary file, for a recording that
// is read twice. The caller removes it with in.cleanup.
func (m *matchRun) spool(in *input) error {
	if !in.stdin || in.path != "" {
		return nil
	}
	f, err := os.CreateTemp("", "match-stdin-*.har")
	if err != nil {
		return err
	}
	in.path = f.Name()
	m.temps = append(m.temps, f.Name())
	if _, err := io.Copy(f, m.stdin); err != nil {
		f.Close()
		return fmt.Errorf("reading standard input: %w", err)
	}
	return f.Close()
}

// reader opens the recording for one pass over it. Its entries are
// decoded on every core, ahead of the matching, so that reading is not
// one core's work that the matching waits for.
// With headers, the entries keep only the headers named, as a Matcher
// that counts needs (match.CountingHeaders()).
func (m *matchRun) reader(in input, headers []string) (*har.Reader, error) {
	opts := har.ReaderOptions{Name: in.name, Decoders: runtime.GOMAXPROCS(0), Headers: headers}
	if in.path != "" {
		return har.OpenWith(in.path, opts)
	}
	if in.stdin {
		if m.stdinRead {
			return nil, errors.New("standard input can be read once: give '-' once")
		}
		m.stdinRead = true
		return har.NewReader(m.stdin, opts), nil
	}
	opts.Name, opts.Dir = in.har, filepath.Dir(in.har)
	return har.OpenWith(in.har, opts)
}

// matchStream gives each call of a recording its verdict and hands the
// results to emit in the recording's order, holding a batch or two of
// calls at a time. When the instance's hosts are known and nothing prints
// the number of calls before them, one pass does it all. Otherwise a first
// pass learns the hosts (Matcher.Observe), the secrets every call holds
// and the number of calls, and a second matches: the same results, in the
// same order, as reading the whole recording first gave.
func (m *matchRun) matchStream(ix *spec.Index, in input, counting bool, head func(calls int, hosts []string) error, emit func(match.Result) error) ([]string, error) {
	mopts := match.Options{Hosts: m.o.specs.HostList(in.flow), NoChecks: m.o.noChecks, KeepCacheBusters: m.o.keepBusters, Counting: counting}
	if m.inst != nil {
		mopts.Redactor = m.inst.Redactor
	}
	mt := match.New(ix, mopts)
	var headers []string
	if counting {
		headers = match.CountingHeaders()
	}
	onePass := len(mopts.Hosts) > 0 && head == nil
	if !onePass {
		if err := m.spool(&in); err != nil {
			return nil, err
		}
		n, err := m.observe(mt, in, headers)
		if err != nil {
			return nil, err
		}
		if head != nil {
			if err := head(n, mt.Hosts()); err != nil {
				return nil, err
			}
		}
	}
	rd, err := m.reader(in, headers)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	batches := make(chan batch, 1)
	stop := make(chan struct{})
	defer close(stop)
	go readBatches(rd, batches, stop)
	seq := 0
	// One array of results serves every batch: emit takes each by value.
	var results []match.Result
	for b := range batches {
		if b.err != nil {
			if !errors.Is(b.err, har.ErrTruncated) {
				return nil, b.err
			}
			if onePass {
				cli.Warn(m.stderr, prog, "%v; matching the %d complete calls", b.err, seq)
			}
			break
		}
		if onePass {
			// Secrets a batch holds are known before any of its results
			// is made, whichever core makes it.
			mt.ObserveAll(b.entries)
		}
		results = append(results[:0], make([]match.Result, len(b.entries))...)
		parallel.For(len(b.entries), func(i int) { results[i] = mt.Entry(seq+i+1, b.entries[i]) })
		seq += len(b.entries)
		for _, r := range results {
			if err := emit(r); err != nil {
				return nil, err
			}
		}
		clear(results) // holding this batch's entries no longer
		if counting {
			// Counting keeps nothing of a call once it is counted, so the
			// reader makes the next entries in these ones' room.
			rd.Recycle(b.entries)
		}
	}
	return mt.Hosts(), nil
}

// observe is the first pass of two: the matcher learns the hosts and the
// secrets of every call, and the calls are counted.
func (m *matchRun) observe(mt *match.Matcher, in input, headers []string) (int, error) {
	rd, err := m.reader(in, headers)
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	batches := make(chan batch, 1)
	stop := make(chan struct{})
	defer close(stop)
	go readBatches(rd, batches, stop)
	n := 0
	for b := range batches {
		if errors.Is(b.err, har.ErrTruncated) {
			// A recording killed mid-write: every call before the cut is whole.
			cli.Warn(m.stderr, prog, "%v; matching the %d complete calls", b.err, n)
			break
		}
		if b.err != nil {
			return 0, b.err
		}
		mt.ObserveAll(b.entries)
		n += len(b.entries)
	}
	return n, nil
}

// batch is a run of consecutive entries, or the error that ended the
// recording (io.EOF is not sent: the channel closes).
type batch struct {
	entries []*har.Entry
	err     error
}

// readBatches reads the recording into batches while the previous one is
// being matched.
func readBatches(rd *har.Reader, out chan<- batch, stop <-chan struct{}) {
	defer close(out)
	send := func(b batch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	var cur []*har.Entry
	size := 0
	for {
		e, err := rd.Next()
		if err != nil {
			if len(cur) > 0 && !send(batch{entries: cur}) {
				return
			}
			if err != io.EOF {
				send(batch{err: err})
			}
			return
		}
		cur = append(cur, e)
		size += entrySize(e)
		if len(cur) >= batchEntries || size >= batchBytes {
			if !send(batch{entries: cur}) {
				return
			}
			cur, size = nil, 0
		}
	}
}

// entrySize is about what an entry holds in memory: its bodies and URL.
func entrySize(e *har.Entry) int {
	n := len(e.Request.URL) + len(e.Response.Content.Text) + 512
	if e.Request.PostData != nil {
		n += len(e.Request.PostData.Text)
	}
	return n
}

// paceGC lets the heap grow further between collections while calls
// stream by, under a ceiling above what is alive once the documents are
// loaded. What a streaming run keeps alive is the documents' model and a
// batch or two of calls, and at Go's default pace (a collection each time
// the heap doubles) about a fifth of its time went to collecting. The
// returned function puts the settings back. GOGC or GOMEMLIMIT in the
// environment leave them as the user set them.
func paceGC(getenv func(string) string) func() {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	live := int64(0)
	if s[0].Value.Kind() == metrics.KindUint64 {
		live = int64(s[0].Value.Uint64())
	}
	limit := debug.SetMemoryLimit(live + gcHeadroom)
	percent := debug.SetGCPercent(400)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// gcHeadroom is how far the heap may grow over the live documents while
// matching: room for two batches of calls and their results several
// times over, and well under the 150 MB a run may take.
const gcHeadroom = 64 << 20
