package proxy

import (
	"errors"
	"fmt"
	"io"

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
// are redacted like the rest. A file that is cut short is an error before
// anything is written when opts.Redactor is set, since the first reading
// goes to its end.
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
		if err != nil {
			return st, err
		}
	}
	err := eachEntry(path, func(e *har.Entry) error {
		st.Read++
		if !opts.Filter.Keep(e) {
			return nil
		}
		cut, err := inlineBodies(e, maxBody)
		if err != nil {
			return fmt.Errorf("entry %d (%s %s): %w", st.Read, e.Request.Method, e.Request.URL, err)
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
	return st, err
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
// longer than maxBody, marking them as the proxy does.
func inlineBodies(e *har.Entry, maxBody int64) (bool, error) {
	cut := false
	if pd := e.Request.PostData; pd != nil && (pd.File != "" || int64(len(pd.Text)) > maxBody) {
		body, err := e.RequestBody()
		if err != nil {
			return false, err
		}
		size := e.Request.BodySize
		if int64(len(body)) > maxBody {
			comment := fmt.Sprintf("capture kept the first %d of %d bytes", maxBody, len(body))
			e.SetRequestBody(trimToText(body[:maxBody], true), pd.MimeType)
			e.Request.PostData.Extra.Set("_truncated", true)
			e.Request.PostData.Comment = comment
			cut = true
		} else {
			e.SetRequestBody(body, pd.MimeType)
		}
		if size > 0 {
			e.Request.BodySize = size
		}
	}
	c := &e.Response.Content
	if c.File != "" || int64(len(c.Text)) > maxBody {
		body, err := e.ResponseBody()
		if err != nil {
			return false, err
		}
		size, comp := c.Size, c.Compression
		if int64(len(body)) > maxBody {
			e.SetResponseBody(trimToText(body[:maxBody], true), c.MimeType)
			c.Extra.Set("_truncated", true)
			c.Comment = fmt.Sprintf("capture kept the first %d of %d bytes", maxBody, len(body))
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
	return cut, nil
}
