package har

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"

	"github.com/apitrail/apitrail/internal/atomicfile"
)

// WriterOptions configures a Writer.
type WriterOptions struct {
	// Header gives the log's version, creator, browser, pages, comment and
	// unknown members; its entries are ignored. Nil means a HAR 1.2 log
	// whose creator is Creator.
	Header *File
	// Creator names the tool when Header is nil.
	Creator Creator
	// Redactor replaces secrets before anything reaches the output. Nil
	// means a new Redactor with DefaultRules.
	Redactor *Redactor
	// KeepSecrets writes entries with their secrets. It exists for users who
	// ask for it by flag, and should come with a warning to them.
	KeepSecrets bool
}

// Writer writes a HAR document one entry at a time. Each entry reaches the
// underlying writer in one Write call as soon as it is given, so a
// recording can run for hours in constant memory, and a file whose writer
// was killed holds every entry written before, readable by Reader (which
// then reports the file as cut short). Write and Close are safe for
// concurrent use.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	file   *os.File
	red    *Redactor
	keep   bool
	n      int
	tail   []byte
	closed bool
	err    error
}

// NewWriter writes the document header to w and returns a Writer for its
// entries.
func NewWriter(w io.Writer, opts WriterOptions) (*Writer, error) {
	hw := &Writer{w: w, red: opts.Redactor, keep: opts.KeepSecrets}
	if hw.red == nil && !hw.keep {
		hw.red = NewRedactor(DefaultRules())
	}
	head := opts.Header
	if head == nil {
		head = &File{Log: Log{Version: "1.2", Creator: opts.Creator}}
	}
	if !hw.keep {
		head = hw.red.fileHeader(head)
	}
	// The log's own members go first and "entries" last, so that entries
	// can follow one by one; members after the log close the document.
	enc := encoder{skipEntries: true}
	enc.object(reflect.ValueOf(&head.Log).Elem(), logPlan)
	logJSON := enc.b[:len(enc.b)-1] // drop the closing brace
	if !hw.keep {
		logJSON = hw.red.Sweep(logJSON)
	}
	buf := append([]byte(`{"log":`), logJSON...)
	if len(logJSON) > 1 {
		buf = append(buf, ',')
	}
	buf = append(buf, `"entries":[`...)
	tail := encoder{b: []byte("\n]}")}
	first := false
	tail.extra(&first, head.Extra, filePlan)
	hw.tail = append(tail.b, "}\n"...)
	if _, err := w.Write(buf); err != nil {
		return nil, err
	}
	return hw, nil
}

// Create creates (or truncates) the file at path, readable by its owner
// only since a recording holds what a logged-in user saw, and returns a
// Writer on it that syncs the file when closed.
func Create(path string, opts WriterOptions) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.file = f
	return w, nil
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("writer is closed")

// Write appends one entry, with its secrets replaced unless the writer keeps
// them. e itself is not changed.
func (w *Writer) Write(e *Entry) error {
	if e == nil {
		return errors.New("cannot write a nil entry")
	}
	if !w.keep {
		e = w.red.Entry(e)
	}
	// Two bytes in front hold the separator, so that the entry goes out in
	// one Write whatever its place.
	enc := encoder{b: append(make([]byte, 0, 4096), ',', '\n')}
	enc.object(reflect.ValueOf(e).Elem(), entryPlan)
	out := enc.b
	if !w.keep {
		out = w.red.Sweep(out)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if w.n == 0 {
		out = out[1:]
	}
	if _, err := w.w.Write(out); err != nil {
		w.err = fmt.Errorf("writing entry %d: %w", w.n, err)
		return w.err
	}
	w.n++
	return nil
}

// Count returns how many entries have been written.
func (w *Writer) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Close ends the document. It closes the file that Create opened, after
// syncing it, but not a writer given to NewWriter.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	tail := w.tail
	if !w.keep {
		// Swept now rather than in NewWriter, so that secrets the entries
		// taught the redactor are found here too.
		tail = w.red.Sweep(tail)
	}
	_, err := w.w.Write(tail)
	if w.file != nil {
		if serr := w.file.Sync(); err == nil {
			err = serr
		}
		if cerr := w.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Encode writes a whole document to w through a Writer.
func Encode(w io.Writer, f *File, opts WriterOptions) error {
	if opts.Header == nil {
		opts.Header = f
	}
	hw, err := NewWriter(w, opts)
	if err != nil {
		return err
	}
	for _, e := range f.Log.Entries {
		if err := hw.Write(e); err != nil {
			return err
		}
	}
	return hw.Close()
}

// WriteFile writes a whole document to path atomically: readers see the old
// file or the complete new one, never a half-written one.
func WriteFile(path string, f *File, opts WriterOptions) error {
	tmp, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return err
	}
	defer tmp.Abort()
	if err := Encode(tmp, f, opts); err != nil {
		return err
	}
	return tmp.Commit()
}
