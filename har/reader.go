package har

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"sync"
)

// DefaultMaxEntrySize bounds the size of one entry's JSON when
// ReaderOptions.MaxEntrySize is zero. The reader holds one entry in memory at
// a time, so this is also about the most memory a read can take.
const DefaultMaxEntrySize = 256 << 20

// ReaderOptions configures a Reader.
type ReaderOptions struct {
	// Name is the file name used in error messages.
	Name string
	// Dir is the folder where side files named by _file are looked up.
	// Next refuses an entry whose side file is not a regular file directly
	// in Dir, or is larger than MaxEntrySize (see ErrUnsafeSideFile).
	Dir string
	// MaxEntrySize is the largest entry, in bytes of JSON, that is read;
	// a larger one is an error. It bounds a side file too, which holds
	// what the entry would otherwise hold. Zero means DefaultMaxEntrySize.
	MaxEntrySize int
	// Decoders is how many goroutines decode entries at once. Zero or one
	// decodes each entry inside Next, on the caller's goroutine. More lets
	// one goroutine find where each entry begins and ends while the others
	// decode the entries found, on as many cores; Next still returns the
	// same entries, in the file's order, with the same errors. Entries are
	// then read ahead of the caller by a few batches of about 256 KiB (or
	// one entry, when an entry is larger), so memory stays bounded by the
	// largest entry. The goroutines end when Next has returned io.EOF or an
	// error, or when Close is called: a caller that stops early calls
	// Close, even on a Reader made by NewReader.
	Decoders int
	// Headers, when not nil, names the only request and response headers
	// an entry keeps, in any letter case; the others are read and checked
	// as ever, with the same errors, and dropped (one in the plain shape,
	// {"name":…,"value":…}, without its strings made). It is for a caller that
	// looks at a few headers of very many entries (match -q counts calls
	// by four of them): making every header was a fifth of its time. Such
	// entries are for looking at, not for writing out again.
	Headers []string
}

// ErrTruncated is reported, wrapped in a *TruncatedError, when a HAR file
// ends before its JSON is complete: a recording whose writer was killed, or
// a copy cut short. Every complete entry before the cut has been returned.
var ErrTruncated = errors.New("the file ends before the HAR is complete")

// TruncatedError says where a HAR file was cut short.
type TruncatedError struct {
	File    string // file name, if known
	Entries int    // complete entries read before the cut
	Offset  int64  // size of the data read
}

func (e *TruncatedError) Error() string {
	noun := "entries"
	if e.Entries == 1 {
		noun = "entry"
	}
	return fmt.Sprintf("%s: cut short at byte %d, after %d complete %s: the rest of the file is missing (a recording that was killed, or a partial copy)",
		nameOr(e.File), e.Offset, e.Entries, noun)
}

// Unwrap makes errors.Is(err, ErrTruncated) true.
func (e *TruncatedError) Unwrap() error { return ErrTruncated }

// SyntaxError is malformed or wrongly typed input, with its place.
type SyntaxError struct {
	File   string
	Line   int   // 1-based
	Column int   // 1-based, in bytes
	Offset int64 // 0-based byte offset
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", nameOr(e.File), e.Line, e.Column, e.Msg)
}

func nameOr(name string) string {
	if name == "" {
		return "<input>"
	}
	return name
}

type readState uint8

const (
	stStart readState = iota
	stTop
	stLog
	stEntries
	stDone
)

// Reader reads a HAR document one entry at a time, holding only the entry
// being read in memory, so a file of any size is read in memory bounded by
// its largest entry.
type Reader struct {
	r      io.Reader
	closer io.Closer
	opts   ReaderOptions
	// headers is opts.Headers as the decoder compares them, or nil.
	headers [][]byte
	// spare holds the entries handed back with Recycle.
	spare sync.Pool

	buf      []byte
	pos, end int
	base     int64 // offset in the input of buf[0]
	lines    int   // newlines before buf[0]
	col      int   // bytes since the last newline before buf[0]
	eof      bool
	readErr  error

	// lc caches a place in buf and its line and column, so that finding
	// the place of each entry in turn costs one pass over the input.
	lc struct{ pos, line, col int }

	state                  readReadyState
	file                   File
	topPresent, logPresent uint64
	n                      int // entries found; the decoders' goroutine owns it while they run
	count                  int // entries returned by Next
	err                    error

	dec decodeState // for decoding on the caller's goroutine

	pipe *pipeline // the goroutines decoding entries ahead, while they run
	// beforeRead runs before fill reads more input, while they run: the
	// entries found so far go to the decoders rather than wait for input
	// that may be slow to come.
	beforeRead func() error
}

type readReadyState struct {
	st    readState
	first bool
}

// NewReader returns a Reader of the HAR document in r.
func NewReader(r io.Reader, opts ReaderOptions) *Reader {
	if opts.MaxEntrySize <= 0 {
		opts.MaxEntrySize = DefaultMaxEntrySize
	}
	rd := &Reader{r: r, opts: opts, buf: make([]byte, 0, readBuf)}
	if opts.Headers != nil {
		rd.headers = make([][]byte, len(opts.Headers))
		for i, h := range opts.Headers {
			rd.headers[i] = []byte(h)
		}
	}
	return rd
}

// Open opens a HAR file for streaming. Side files named by _file are looked
// up next to it.
func Open(path string) (*Reader, error) {
	return OpenWith(path, ReaderOptions{Name: path, Dir: filepath.Dir(path)})
}

// OpenWith opens a HAR file for streaming with the options given, as they
// are: an empty Dir reads no side file. Close closes the file.
func OpenWith(path string, opts ReaderOptions) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	rd := NewReader(f, opts)
	rd.closer = f
	return rd, nil
}

// Close stops the goroutines decoding ahead (ReaderOptions.Decoders),
// which end once a read they are waiting for returns, and closes the file
// opened by Open.
func (r *Reader) Close() error {
	if r.pipe != nil {
		r.stopPipeline(false)
		if r.err == nil {
			// The entries decoded ahead are gone: reading on would skip them.
			r.err = fmt.Errorf("%s: read after Close", nameOr(r.opts.Name))
		}
	}
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Header returns the document read so far without its entries: version,
// creator, browser, pages, comment and unknown members. Members that come
// after "entries" in the file are there once Next has returned io.EOF.
func (r *Reader) Header() *File { return &r.file }

// Count returns how many entries Next has returned.
func (r *Reader) Count() int { return r.count }

// ReadAll reads the remaining entries into the returned File's Log.Entries.
// When the file was cut short it returns what it read together with a
// *TruncatedError.
func (r *Reader) ReadAll() (*File, error) {
	var entries []*Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, ErrTruncated) {
				f := r.file
				f.Log.Entries = entries
				return &f, err
			}
			return nil, err
		}
		entries = append(entries, e)
	}
	f := r.file
	f.Log.Entries = entries
	if f.Log.Entries == nil && r.logPresent&r.entriesBit() != 0 {
		f.Log.Entries = []*Entry{}
	}
	return &f, nil
}

// ReadFile reads a whole HAR file into memory, decoding its entries on
// every core.
func ReadFile(path string) (*File, error) {
	rd, err := OpenWith(path, ReaderOptions{Name: path, Dir: filepath.Dir(path), Decoders: runtime.GOMAXPROCS(0)})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return rd.ReadAll()
}

var (
	filePlan = planFor(reflect.TypeOf(File{}))
	logPlan  = planFor(reflect.TypeOf(Log{}))
)

func (r *Reader) entriesBit() uint64 { return 1 << uint(logPlan.byName["entries"]) }

// Next returns the next entry, io.EOF after the last one, or an error. An
// error is final: later calls return it again.
func (r *Reader) Next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	var e *Entry
	var err error
	if r.opts.Decoders > 1 {
		e, err = r.nextDecoded()
	} else {
		e, err = r.next()
		err = r.wrap(err)
	}
	if err != nil {
		r.err = err
		return nil, err
	}
	r.count++
	return e, nil
}

// errEOF is the input ending where more JSON was due.
var errEOF = errors.New("unexpected end")

func (r *Reader) wrap(err error) error {
	switch err := err.(type) {
	case nil:
		return nil
	case *SyntaxError, *TruncatedError, *SideFileError:
		return err
	}
	if err == io.EOF {
		return err
	}
	if err == errEOF {
		return &TruncatedError{File: r.opts.Name, Entries: r.n, Offset: r.base + int64(r.end)}
	}
	if r.readErr != nil && err == r.readErr {
		return fmt.Errorf("%s: %w", nameOr(r.opts.Name), err)
	}
	return r.syntaxAt(r.pos, err.Error())
}

// syntaxAt builds a SyntaxError for position i of the buffer.
func (r *Reader) syntaxAt(i int, msg string) *SyntaxError {
	i = max(0, min(i, r.end))
	line, col := r.place(i)
	return &SyntaxError{File: r.opts.Name, Line: line, Column: col, Offset: r.base + int64(i), Msg: msg}
}

// place returns the 1-based line and column of position i of the buffer.
// It counts on from the place asked before when it can, so that asking
// for every entry's place in turn reads the input once.
func (r *Reader) place(i int) (line, col int) {
	if i < r.lc.pos || r.lc.line == 0 {
		r.lc.pos, r.lc.line, r.lc.col = 0, r.lines+1, r.col+1
	}
	r.lc.line, r.lc.col = advance(r.buf[r.lc.pos:i], r.lc.line, r.lc.col)
	r.lc.pos = i
	return r.lc.line, r.lc.col
}

// advance returns the line and column just after b, which starts at line
// and col.
func advance(b []byte, line, col int) (int, int) {
	if nl := bytes.Count(b, []byte{'\n'}); nl > 0 {
		return line + nl, len(b) - bytes.LastIndexByte(b, '\n')
	}
	return line, col + len(b)
}

// fill reads more input, keeping buf[keep:] and moving it to the front.
// readBuf is what the reader reads into at a time; it grows only to hold
// an entry larger than that.
const readBuf = 256 << 10

func (r *Reader) fill(keep int) error {
	if r.eof {
		return errEOF
	}
	if keep > 0 {
		// buf[0]'s place moves on past what is dropped, as place counts.
		line, col := advance(r.buf[:keep], r.lines+1, r.col+1)
		r.lines, r.col = line-1, col-1
		n := copy(r.buf[:cap(r.buf)], r.buf[keep:r.end])
		if r.lc.pos >= keep {
			r.lc.pos -= keep // the line and column there stay
		} else {
			r.lc.line = 0
		}
		r.base += int64(keep)
		r.pos -= keep
		r.end = n
		r.buf = r.buf[:n]
		if cap(r.buf) > 4*readBuf && n <= readBuf {
			// The buffer grew to hold one large entry; the entries after
			// it are ordinary again, and a recording with a few answers
			// of many megabytes should not hold that room to its end.
			r.buf = append(make([]byte, 0, readBuf), r.buf...)
		}
	}
	if r.end == cap(r.buf) {
		limit := r.opts.MaxEntrySize + 1<<20
		if cap(r.buf) >= limit {
			return &sizeError{}
		}
		// Doubling past a few megabytes would hold up to twice the
		// largest entry; a quarter more each time holds at most that.
		grow := cap(r.buf)
		if grow > 4<<20 {
			grow /= 4
		}
		newCap := min(cap(r.buf)+grow, limit)
		nb := make([]byte, r.end, newCap)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	if r.beforeRead != nil {
		if err := r.beforeRead(); err != nil {
			return err
		}
	}
	for {
		n, err := r.r.Read(r.buf[r.end:cap(r.buf)])
		r.end += n
		r.buf = r.buf[:r.end]
		if err == io.EOF {
			r.eof = true
			if n == 0 {
				return errEOF
			}
			return nil
		}
		if err != nil {
			r.readErr = err
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

type sizeError struct{}

func (*sizeError) Error() string { return "too large" }

// peek skips white space and returns the next byte.
func (r *Reader) peek() (byte, error) {
	for {
		for r.pos < r.end {
			switch c := r.buf[r.pos]; c {
			case ' ', '\t', '\n', '\r':
				r.pos++
			default:
				return c, nil
			}
		}
		if err := r.fill(r.pos); err != nil {
			return 0, err
		}
	}
}

func (r *Reader) expect(c byte, what string) error {
	got, err := r.peek()
	if err != nil {
		return err
	}
	if got != c {
		return r.syntaxAt(r.pos, fmt.Sprintf("unexpected %s, expected %s", describeByte(got), what))
	}
	r.pos++
	return nil
}

// extent finds the end of the JSON value starting at the next non-space
// byte, reading more input as needed, and returns its bounds in buf. It does
// not check the value; the decoder does that.
func (r *Reader) extent() (int, int, error) {
	if _, err := r.peek(); err != nil {
		return 0, 0, err
	}
	start := r.pos
	i := start
	depth := 0
	inStr := false
	for {
		b := r.buf[:r.end]
		for i < len(b) {
			if inStr {
				q := bytes.IndexByte(b[i:], '"')
				if q < 0 {
					i = len(b)
					break
				}
				j := i + q
				bs := 0
				for k := j - 1; k > start && b[k] == '\\'; k-- {
					bs++
				}
				i = j + 1
				if bs%2 == 0 {
					inStr = false
					if depth == 0 {
						return start, i, nil
					}
				}
				continue
			}
			switch c := b[i]; c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 { // the end of a scalar, or a stray closer
					if i == start {
						return 0, 0, r.syntaxAt(i, fmt.Sprintf("unexpected %s, expected a value", describeByte(c)))
					}
					return start, i, nil
				}
				depth--
				if depth == 0 {
					return start, i + 1, nil
				}
			case ',', ' ', '\t', '\n', '\r':
				if depth == 0 {
					return start, i, nil
				}
			}
			i++
		}
		if i-start > r.opts.MaxEntrySize {
			return 0, 0, r.tooLarge(start)
		}
		shift := start
		err := r.fill(start)
		start -= shift
		i -= shift
		if err == errEOF && depth == 0 && !inStr && i > start {
			return start, i, nil // a scalar that ends the input
		}
		if _, ok := err.(*sizeError); ok {
			return 0, 0, r.tooLarge(start)
		}
		if err != nil {
			return 0, 0, err
		}
	}
}

func (r *Reader) tooLarge(start int) error {
	what := "a value"
	if r.state.st == stEntries {
		what = "entry " + strconv.Itoa(r.n)
	}
	return r.syntaxAt(start, fmt.Sprintf("%s is larger than the %d MiB limit for one entry (ReaderOptions.MaxEntrySize)", what, r.opts.MaxEntrySize>>20))
}

// decodeAt decodes buf[start:end] with fn and turns its errors into
// SyntaxErrors with a place in the file.
func (r *Reader) decodeAt(start, end int, path pathPart, fn func(*decoder) error) error {
	d := r.dec.decoder(r.buf[start:end], path)
	defer r.dec.done(&d)
	if err := fn(&d); err != nil {
		var se *syntaxErr
		if errors.As(err, &se) {
			return r.syntaxAt(start+se.off, se.msg)
		}
		return err
	}
	return nil
}

func (r *Reader) key() (string, error) {
	start, end, err := r.extent()
	if err != nil {
		return "", err
	}
	var key string
	err = r.decodeAt(start, end, member(""), func(d *decoder) error {
		k, err := d.str()
		key = string(k)
		return err
	})
	if err != nil {
		return "", err
	}
	r.pos = end
	return key, r.expect(':', `":" after a member name`)
}

// member moves past a "," between members unless this is the first one, and
// reports whether the object or array closes instead.
func (r *Reader) member(close byte) (bool, error) {
	c, err := r.peek()
	if err != nil {
		return false, err
	}
	if c == close {
		r.pos++
		return true, nil
	}
	if !r.state.first {
		if c != ',' {
			return false, r.syntaxAt(r.pos, fmt.Sprintf("unexpected %s, expected \",\" or %q", describeByte(c), close))
		}
		r.pos++
	}
	r.state.first = false
	return false, nil
}

func (r *Reader) next() (*Entry, error) {
	for {
		switch r.state.st {
		case stStart:
			if _, err := r.peek(); err != nil {
				if err == errEOF && r.base+int64(r.end) == 0 {
					return nil, r.syntaxAt(0, "the file is empty")
				}
				return nil, err
			}
			if bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xef\xbb\xbf")) {
				r.pos += 3 // a UTF-8 byte order mark, as Windows tools write
			} else if bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xff\xfe")) || bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xfe\xff")) {
				return nil, r.syntaxAt(r.pos, "the file is UTF-16; save it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8)")
			}
			if err := r.expect('{', `"{" to open the HAR document`); err != nil {
				return nil, err
			}
			r.state = readReadyState{stTop, true}
		case stTop:
			done, err := r.member('}')
			if err != nil {
				return nil, err
			}
			if done {
				r.file.m = meta{decoded: true, absent: filePlan.all &^ r.topPresent}
				if r.topPresent == 0 {
					return nil, r.syntaxAt(r.pos-1, `no "log" object: this is JSON but not a HAR file`)
				}
				if err := r.trailing(); err != nil {
					return nil, err
				}
				r.state.st = stDone
				continue
			}
			k, err := r.key()
			if err != nil {
				return nil, err
			}
			if k == "log" {
				if c, err := r.peek(); err != nil {
					return nil, err
				} else if c != '{' {
					return nil, r.syntaxAt(r.pos, `"log" must be an object`)
				}
				r.pos++
				r.topPresent |= 1
				r.state = readReadyState{stLog, true}
				continue
			}
			if err := r.extraMember(&r.file.Extra, k); err != nil {
				return nil, err
			}
		case stLog:
			done, err := r.member('}')
			if err != nil {
				return nil, err
			}
			if done {
				r.file.Log.m.decoded = true
				r.file.Log.m.absent = logPlan.all &^ r.logPresent
				r.state = readReadyState{stTop, false}
				continue
			}
			k, err := r.key()
			if err != nil {
				return nil, err
			}
			fi, known := logPlan.byName[k]
			switch {
			case k == "entries":
				r.logPresent |= r.entriesBit()
				if c, err := r.peek(); err != nil {
					return nil, err
				} else if c != '[' {
					return nil, r.syntaxAt(r.pos, `log.entries must be an array`)
				}
				r.pos++
				r.state = readReadyState{stEntries, true}
			case known:
				r.logPresent |= 1 << uint(fi)
				start, end, err := r.extent()
				if err != nil {
					return nil, err
				}
				lv := reflect.ValueOf(&r.file.Log).Elem()
				err = r.decodeAt(start, end, member("log"), func(d *decoder) error {
					d.path = append(d.path, member(k))
					return d.field(lv, logPlan, fi, &r.file.Log.m, 1)
				})
				if err != nil {
					return nil, err
				}
				r.pos = end
			default:
				if err := r.extraMember(&r.file.Log.Extra, k); err != nil {
					return nil, err
				}
			}
		case stEntries:
			if r.opts.Decoders > 1 {
				return nil, errDecodeAhead
			}
			start, end, done, err := r.findEntry()
			if err != nil {
				return nil, err
			}
			if done {
				continue
			}
			e, err := r.decodeEntry(&r.dec, r.buf[start:end], r.n)
			if err != nil {
				var se *syntaxErr
				if errors.As(err, &se) {
					return nil, r.syntaxAt(start+se.off, se.msg)
				}
				return nil, err
			}
			r.pos = end
			r.n++
			return e, nil
		case stDone:
			return nil, io.EOF
		}
	}
}

var entryPlan = planFor(reflect.TypeOf(Entry{}))

// findEntry finds the bounds in buf of the next element of log.entries,
// or moves past the array's end and reports done.
func (r *Reader) findEntry() (start, end int, done bool, err error) {
	done, err = r.member(']')
	if err != nil {
		return 0, 0, false, err
	}
	if done {
		r.state = readReadyState{stLog, false}
		return 0, 0, true, nil
	}
	c, err := r.peek()
	if err != nil {
		return 0, 0, false, err
	}
	start, end, err = r.extent()
	if err != nil {
		return 0, 0, false, err
	}
	if c != '{' {
		return 0, 0, false, r.syntaxAt(start, fmt.Sprintf("entries[%d]: expected an object, got %s", r.n, snippet(r.buf[start:end])))
	}
	return start, end, false, nil
}

// decodeEntry decodes data as element n of log.entries, for Next on the
// caller's goroutine and for the decoders alike. A *syntaxErr's offset is
// in data, which each caller places in the file its own way. A side file
// that must not be read refuses the recording here, whatever the caller
// does with bodies later.
func (r *Reader) decodeEntry(st *decodeState, data []byte, n int) (*Entry, error) {
	e := r.newEntry(n)
	d := st.decoder(data, pathPart{"entries", n})
	d.headers = r.headers
	err := d.object(reflect.ValueOf(e).Elem(), entryPlan, 1)
	st.done(&d)
	if err != nil {
		return nil, err
	}
	if err := e.CheckSideFiles(); err != nil {
		return nil, err
	}
	return e, nil
}

// newEntry makes the entry that is element n of log.entries, in the room
// of one handed back with Recycle when there is one.
func (r *Reader) newEntry(n int) *Entry {
	src := origin{dir: r.opts.Dir, file: r.opts.Name, index: n + 1, maxSide: int64(r.opts.MaxEntrySize)}
	if e, ok := r.spare.Get().(*Entry); ok {
		*e = Entry{src: src}
		return e
	}
	return &Entry{src: src}
}

// Recycle hands back entries Next returned that the caller, and all it gave
// them to, will not touch again: the Reader makes its next entries in their
// room. An Entry is the largest thing the Reader allocates for each entry
// (about 900 bytes before its strings), and a caller that only looks at
// each entry once (match -q, which counts them) saves a third of what
// reading allocates. Only the Entry is reused, not the strings and slices
// it held, which stay as they were for whoever kept them.
func (r *Reader) Recycle(entries []*Entry) {
	for _, e := range entries {
		if e != nil {
			r.spare.Put(e)
		}
	}
}

// extraMember reads a member that HAR does not define into x.
func (r *Reader) extraMember(x *Extra, name string) error {
	start, end, err := r.extent()
	if err != nil {
		return err
	}
	var raw []byte
	err = r.decodeAt(start, end, member(name), func(d *decoder) error {
		var err error
		raw, err = d.skip(1)
		if err == nil && d.peek() != 0 {
			err = d.unexpected("the end of the value")
		}
		return err
	})
	if err != nil {
		return err
	}
	*x = append(*x, Member{Name: name, Value: bytes.Clone(raw)})
	r.pos = end
	return nil
}

// trailing checks that only white space follows the document.
func (r *Reader) trailing() error {
	c, err := r.peek()
	if err == errEOF {
		return nil
	}
	if err != nil {
		return err
	}
	return r.syntaxAt(r.pos, fmt.Sprintf("unexpected %s after the end of the HAR document", describeByte(c)))
}
