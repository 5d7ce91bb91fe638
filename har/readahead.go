package har

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Decoding entries ahead (ReaderOptions.Decoders > 1): the goroutine of
// scan finds each entry's bounds with the reader's cheap structural scan
// (extent: it looks only for quotes, brackets and commas) and copies the
// entries into chunks of about chunkBytes; decoder goroutines decode the
// chunks; Next takes the chunks in the file's order. The channel of chunks
// in order is short, so the scan waits for the caller rather than read the
// whole file ahead.

// chunkBytes is about how much of the input a chunk holds; a variable so
// that tests can make every entry a chunk of its own. A pipeline reads it
// once, when it starts, since its goroutines may outlive a test's read.
var chunkBytes = 256 << 10

// errDecodeAhead is next meeting an entry when other goroutines decode
// the entries: Next starts them.
var errDecodeAhead = errors.New("decode ahead")

// errEntriesEnd ends the last chunk when log.entries closes; the rest of
// the document is read on the caller's goroutine, as before the entries.
var errEntriesEnd = errors.New("end of entries")

// errStopped is the scan stopping because Close or an error stopped the
// pipeline.
var errStopped = errors.New("stopped")

type pipeline struct {
	chunk int           // chunkBytes when the pipeline started
	order chan *chunk   // chunks in the file's order, for Next
	work  chan *chunk   // chunks to decode
	free  chan []byte   // buffers of decoded chunks, to fill again
	stop  chan struct{} // closed to stop the scan
	// big is held by the chunk of an entry larger than a chunk, from the
	// scan that copies it until Next has handed out its entry: one such
	// entry at a time is read ahead, not one per chunk in flight, so that
	// a few answers of many megabytes cost the room of one.
	big chan struct{}
	wg  sync.WaitGroup

	cur *chunk // the chunk Next takes entries from
	i   int
}

// span is one entry in a chunk.
type span struct {
	start, end int   // bounds in chunk.data
	off        int64 // offset of start in the input
	line, col  int   // place of start in the input, 1-based
}

type chunk struct {
	data  []byte
	spans []span
	first int // index in log.entries of the first span

	entries []*Entry // decoded, in order
	err     error    // why the entry after the decoded ones is refused
	end     error    // after the spans: nil (more chunks), errEntriesEnd, or the scan's error
	done    chan struct{}
	big     bool // holds pipeline.big
	// claimed is set by whoever decodes the chunk: a decoder, or Next
	// when the chunk it needs has not been started, so that Next never
	// waits for a goroutine that has yet to be given a core.
	claimed atomic.Bool
}

func (r *Reader) startPipeline() {
	n := r.opts.Decoders
	p := &pipeline{
		chunk: chunkBytes,
		order: make(chan *chunk, 2*n),
		work:  make(chan *chunk, n),
		free:  make(chan []byte, 3*n+2),
		stop:  make(chan struct{}),
		big:   make(chan struct{}, 1),
	}
	r.pipe = p
	p.wg.Add(1 + n)
	for range n {
		go func() {
			defer p.wg.Done()
			var st decodeState
			for c := range p.work {
				if c.claimed.CompareAndSwap(false, true) {
					r.decodeChunk(c, &st)
					p.finish(c)
				}
			}
		}()
	}
	go r.scan(p)
}

// finish marks c decoded and keeps its buffer for another chunk.
func (p *pipeline) finish(c *chunk) {
	if cap(c.data) <= 2*p.chunk {
		select {
		case p.free <- c.data[:0]: // the entries hold copies, none of data
		default:
		}
	}
	c.data, c.spans = nil, nil
	close(c.done)
}

// stopPipeline stops the scan. With wait, it waits for every goroutine to
// end, after which the caller's goroutine owns the reader again: for the
// end of the entries, when the scan has ended already. Without, for an
// error or Close, after which the reader's input and position are not
// used again, the scan ends by itself once its read returns: waiting
// would hold an error back until more of a slow input (a terminal, a
// pipe) came.
func (r *Reader) stopPipeline(wait bool) {
	p := r.pipe
	if p == nil {
		return
	}
	close(p.stop)
	r.pipe = nil
	if wait {
		p.wg.Wait()
		r.beforeRead = nil
	}
}

// nextDecoded is Next when other goroutines decode the entries.
func (r *Reader) nextDecoded() (*Entry, error) {
	for {
		p := r.pipe
		if p == nil {
			e, err := r.next()
			if err != errDecodeAhead {
				return e, r.wrap(err)
			}
			r.startPipeline()
			continue
		}
		if p.cur == nil {
			c := <-p.order
			if c.claimed.CompareAndSwap(false, true) {
				r.decodeChunk(c, &r.dec) // the scan never uses r.dec
				p.finish(c)
			}
			<-c.done
			p.cur, p.i = c, 0
		}
		c := p.cur
		if p.i < len(c.entries) {
			e := c.entries[p.i]
			c.entries[p.i] = nil // the caller alone holds it now
			p.i++
			return e, nil
		}
		p.cur = nil
		if c.big {
			<-p.big
		}
		err := c.err
		if err == nil {
			err = c.end
		}
		if err == nil {
			continue
		}
		r.stopPipeline(err == errEntriesEnd)
		if err != errEntriesEnd {
			return nil, err
		}
	}
}

// scan is the goroutine that finds the entries and hands them out in
// chunks. It owns the reader's input and position until it ends.
func (r *Reader) scan(p *pipeline) {
	defer p.wg.Done()
	defer close(p.work)
	var st decodeState // for the entries too large for a chunk
	c := p.newChunk(r.n)
	send := func(end error) bool {
		c.end = end
		// c is Next's once sent: nothing of it is read after. A chunk
		// with nothing to decode is done before Next sees it (or was
		// decoded here, and is done already).
		work := len(c.spans) > 0
		if !work && !c.claimed.Load() {
			c.claimed.Store(true)
			close(c.done)
		}
		select {
		case p.order <- c:
		case <-p.stop:
			return false
		}
		if work {
			select {
			case p.work <- c:
			case <-p.stop:
				return false
			}
		}
		c = p.newChunk(r.n)
		return true
	}
	r.beforeRead = func() error {
		if len(c.spans) > 0 && !send(nil) {
			return errStopped
		}
		return nil
	}
	for {
		start, end, done, err := r.findEntry()
		if err == errStopped {
			return
		}
		if err != nil {
			send(r.wrap(err))
			return
		}
		if done {
			r.beforeRead = nil
			send(errEntriesEnd)
			return
		}
		if end-start > p.chunk {
			if len(c.spans) > 0 && !send(nil) {
				return
			}
			select {
			case p.big <- struct{}{}:
			case <-p.stop:
				return
			}
			// Decoded here, from the read buffer, the entry needs no
			// copy of its many megabytes in a chunk; the decoders have
			// the entries before it to do meanwhile.
			c.big = true
			select {
			case p.free <- c.data[:0]: // the chunk's own room is not needed
			default:
			}
			line, col := r.place(start)
			c.data = r.buf[start:end:end]
			c.spans = append(c.spans, span{start: 0, end: end - start, off: r.base + int64(start), line: line, col: col})
			c.claimed.Store(true)
			r.decodeChunk(c, &st)
			// Not finish: the room is the read buffer's, which must not
			// become a chunk's to fill.
			c.data, c.spans = nil, nil
			close(c.done)
			r.pos = end
			r.n++
			if !send(nil) {
				return
			}
			continue
		}
		line, col := r.place(start)
		at := len(c.data)
		c.data = append(c.data, r.buf[start:end]...)
		c.spans = append(c.spans, span{start: at, end: len(c.data), off: r.base + int64(start), line: line, col: col})
		r.pos = end
		r.n++
		if len(c.data) >= p.chunk && !send(nil) {
			return
		}
	}
}

func (p *pipeline) newChunk(first int) *chunk {
	c := &chunk{first: first, done: make(chan struct{})}
	select {
	case c.data = <-p.free:
	default:
		c.data = make([]byte, 0, p.chunk+p.chunk/4)
	}
	return c
}

// decodeChunk decodes the entries of c as next does, and stops at the
// first it refuses. It reads only the reader's options, which do not
// change, so that several run at once.
func (r *Reader) decodeChunk(c *chunk, st *decodeState) {
	c.entries = make([]*Entry, 0, len(c.spans))
	for i, sp := range c.spans {
		data := c.data[sp.start:sp.end]
		e, err := r.decodeEntry(st, data, c.first+i)
		if err != nil {
			var se *syntaxErr
			if errors.As(err, &se) {
				off := max(0, min(se.off, len(data)))
				line, col := advance(data[:off], sp.line, sp.col)
				err = &SyntaxError{File: r.opts.Name, Line: line, Column: col, Offset: sp.off + int64(off), Msg: se.msg}
			}
			c.err = err
			return
		}
		c.entries = append(c.entries, e)
	}
}
