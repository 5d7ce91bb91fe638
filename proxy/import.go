package proxy

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/apitrail/apitrail/har"
)

// ImportStats counts what Import did.
type ImportStats struct {
	// Read is the number of entries read.
	Read int
	// Kept is the number of entries written.
	Kept int
	// Cut is the number of kept entries with a body cut to the limit.
	Cut int
	// Unreadable is the number of bodies that could not be read (a
	// Playwright side file not shipped with the HAR, base64 that does not
	// decode). Their entries are kept without them, with a comment saying
	// why; BodyErr is the first such error.
	Unreadable int
	BodyErr    error
	// Truncated is set when the file was cut short (a recording that was
	// killed): the complete entries before the cut were imported, and the
	// result is a whole HAR.
	Truncated *har.TruncatedError
}

// ImportOptions configure Import.
type ImportOptions struct {
	// Filter decides which entries are kept; nil keeps all.
	Filter *Filter
	// MaxBody is as in Options.
	MaxBody int64
	// Redactor, when set, must be the one that redacts what w writes.
	// Import then reads the file twice: first to list every cookie and
	// credential in it, those of entries the filter drops included, and
	// then to write, telling the Redactor of each listed value that an
	// entry holds anywhere. So a session id that a site also puts in a
	// URL, or a cookie sent only with an image, stays out of the
	// recording however long the file is.
	Redactor *har.Redactor
}

// Import copies the entries of a HAR file that another tool exported
// (Chrome, Firefox, Safari, Playwright, Charles, Fiddler, mitmproxy...)
// into w, through the same filter and body limit as the proxy, so that a
// user who cannot record through the proxy still gets a recording like the
// proxy's. Redaction is w's job, as it is for the proxy.
//
// Bodies that the source keeps in side files (Playwright's _file) are
// read and stored inline, so that the result stands alone and its bodies
// are redacted like the rest. A body that cannot be read does not stop the
// import: its entry is kept without it, and ImportStats counts it. Nor does
// a file that was cut short: its complete entries are imported, which is
// how a crashed recording is made whole again, and ImportStats.Truncated
// says so. Errors are left for input that is not a HAR at all, and for w's
// own.
func Import(path string, w EntryWriter, opts ImportOptions) (ImportStats, error) {
	maxBody := bodyLimit(opts.MaxBody)
	var st ImportStats
	if opts.Redactor != nil {
		// A first reading pins every secret the file holds, so that one
		// met under its name in a late entry is also swept where an early
		// entry carries it without one.
		err := eachEntry(path, func(e *har.Entry) error {
			for _, v := range opts.Redactor.Secrets(e) {
				opts.Redactor.Pin(v)
			}
			return nil
		})
		if err != nil && !errors.Is(err, har.ErrTruncated) {
			return st, err
		}
	}
	err := eachEntry(path, func(e *har.Entry) error {
		st.Read++
		if !opts.Filter.Keep(e) {
			return nil
		}
		// The result is a recording like the proxy's: canonical HAR 1.2,
		// whatever shapes the exporter wrote (Charles's null redirectURL).
		e.Normalize()
		cut, lost := inlineBodies(e, maxBody)
		for _, err := range lost {
			st.Unreadable++
			if st.BodyErr == nil {
				st.BodyErr = err // it names the entry, not its URL, which may hold secrets
			}
		}
		if cut {
			st.Cut++
		}
		if err := w.Write(e); err != nil {
			return err
		}
		st.Kept++
		return nil
	})
	if te := (*har.TruncatedError)(nil); errors.As(err, &te) {
		st.Truncated = te
		err = nil
	}
	return st, err
}

// ImportHeader is the log header for Import's result: the export's own
// (browser, pages, unknown members), as a HAR 1.2 log whose creator is the
// importing tool, with a comment saying which file and tool it came from
// after any comment the export had. Import writes entries only, so this is
// what a writer for them is made with. A file cut short still has its
// header, unless the cut came before the entries began.
//
// An error opening path is returned as it is; an error reading it names
// path.
func ImportHeader(path string, creator har.Creator) (*har.File, error) {
	r, err := har.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if _, err := r.Next(); err != nil && err != io.EOF && !errors.Is(err, har.ErrTruncated) {
		if !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return nil, err
	}
	h := *r.Header()
	src := h.Log.Creator.Name
	if h.Log.Creator.Version != "" {
		src += " " + h.Log.Creator.Version
	}
	note := "imported by " + creator.Name + " from " + filepath.Base(path)
	if strings.TrimSpace(src) != "" {
		note += ", made by " + strings.TrimSpace(src)
	}
	if h.Log.Comment != "" {
		note = h.Log.Comment + "; " + note
	}
	h.Log.Comment = note
	h.Log.Creator = creator
	h.Log.Version = "1.2"
	return &h, nil
}

func eachEntry(path string, f func(*har.Entry) error) error {
	r, err := har.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := f(e); err != nil {
			return err
		}
	}
}

// inlineBodies moves side-file bodies into the entry and cuts bodies
// longer than maxBody, marking them as the proxy does. A body it cannot
// read is dropped, with a comment saying why, and returned among lost.
func inlineBodies(e *har.Entry, maxBody int64) (cut bool, lost []error) {
	if pd := e.Request.PostData; pd != nil && (pd.File != "" || int64(len(pd.Text)) > maxBody) {
		body, err := e.RequestBody()
		size := e.Request.BodySize
		if err != nil {
			e.SetRequestBody([]byte{}, pd.MimeType)
			e.Request.PostData.Comment = "capture could not read this body: " + err.Error()
			e.Request.BodySize = size
			lost = append(lost, err)
		} else {
			if int64(len(body)) > maxBody {
				e.SetRequestBody(trimToText(body[:maxBody], true), pd.MimeType)
				e.Request.PostData.MarkTruncated(fmt.Sprintf("capture kept the first %d of %d bytes", maxBody, len(body)))
				cut = true
			} else {
				e.SetRequestBody(body, pd.MimeType)
			}
			if size > 0 {
				e.Request.BodySize = size
			}
		}
	}
	c := &e.Response.Content
	if c.File != "" || int64(len(c.Text)) > maxBody {
		body, err := e.ResponseBody()
		size, comp := c.Size, c.Compression
		if err != nil {
			e.SetResponseBody(nil, c.MimeType)
			c.Comment = "capture could not read this body: " + err.Error()
			c.Size, c.Compression = size, comp
			return cut, append(lost, err)
		}
		if int64(len(body)) > maxBody {
			e.SetResponseBody(trimToText(body[:maxBody], true), c.MimeType)
			c.MarkTruncated(fmt.Sprintf("capture kept the first %d of %d bytes", maxBody, len(body)))
			cut = true
		} else {
			e.SetResponseBody(body, c.MimeType)
		}
		// The sizes describe what went over the wire, not what is stored.
		if size > 0 {
			c.Size = size
		}
		c.Compression = comp
	}
	return cut, lost
}
