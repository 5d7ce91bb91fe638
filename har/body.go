package har

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"
	"unicode/utf8"
)

// RequestBody returns the decoded bytes of the request body, however the
// tool that wrote the HAR stored it: as text, as base64 (the non-standard
// postData.encoding), in a side file (Playwright's _file), or only as form
// params. It returns nil when the request had no body.
func (e *Entry) RequestBody() ([]byte, error) {
	pd := e.Request.PostData
	if pd == nil {
		return nil, nil
	}
	if pd.Text == "" && pd.File == "" && len(pd.Params) > 0 {
		return paramsBody(pd)
	}
	return e.body("request", pd.Text, pd.Encoding, pd.File)
}

// ResponseBody returns the decoded bytes of the response body: text, base64
// or a side file. It returns nil when the HAR holds no body.
func (e *Entry) ResponseBody() ([]byte, error) {
	c := &e.Response.Content
	return e.body("response", c.Text, c.Encoding, c.File)
}

// body decodes a body held as text, as base64, or in a side file; side
// ("request" or "response") names it in errors.
func (e *Entry) body(side, text, encoding, file string) ([]byte, error) {
	if file != "" && text == "" {
		return e.sideFile(side, file)
	}
	if text == "" {
		return nil, nil
	}
	if !strings.EqualFold(encoding, "base64") {
		return []byte(text), nil
	}
	b, err := decodeBase64(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %s body: %w", e.label(), side, err)
	}
	return b, nil
}

// label names the entry in errors by its place in its file, or else by
// its method and URL without query or user info, which may hold secrets.
func (e *Entry) label() string {
	if e.src.index > 0 {
		l := fmt.Sprintf("entry %d", e.src.index)
		if e.src.file != "" {
			l = e.src.file + ": " + l
		}
		return l
	}
	u := e.Request.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "://"); i >= 0 {
		if at := strings.LastIndexByte(u[i+3:], '@'); at >= 0 && !strings.Contains(u[i+3:i+3+at], "/") {
			u = u[:i+3] + u[i+4+at:]
		}
	}
	return strings.TrimSpace(e.Request.Method + " " + u)
}

// decodeBase64 accepts the base64 variants exporters write: padded or not,
// standard or URL alphabet, wrapped in lines.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, " \r\n\t") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\r', '\n', '\t':
				return -1
			}
			return r
		}, s)
	}
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("invalid base64: %w", firstErr)
}

// looksLikeText reports whether b is UTF-8 text without NUL bytes.
func looksLikeText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// paramsBody rebuilds a form body from postData.params, for exporters that
// keep the fields but not the text.
func paramsBody(pd *PostData) ([]byte, error) {
	mt := strings.ToLower(pd.MimeType)
	if strings.HasPrefix(mt, "multipart/form-data") {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		if i := strings.Index(mt, "boundary="); i >= 0 {
			b := strings.Trim(pd.MimeType[i+len("boundary="):], `"`)
			if j := strings.IndexByte(b, ';'); j >= 0 {
				b = b[:j]
			}
			if err := w.SetBoundary(b); err != nil {
				return nil, err
			}
		}
		for _, p := range pd.Params {
			if p.FileName == "" {
				if err := w.WriteField(p.Name, p.Value); err != nil {
					return nil, err
				}
				continue
			}
			h := make(textproto.MIMEHeader)
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.Name, p.FileName))
			if p.ContentType != "" {
				h.Set("Content-Type", p.ContentType)
			}
			pw, err := w.CreatePart(h)
			if err != nil {
				return nil, err
			}
			if _, err := pw.Write([]byte(p.Value)); err != nil {
				return nil, err
			}
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	var sb strings.Builder
	for i, p := range pd.Params {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(url.QueryEscape(p.Name))
		sb.WriteByte('=')
		sb.WriteString(url.QueryEscape(p.Value))
	}
	return []byte(sb.String()), nil
}

// SetResponseBody stores body as the response content: as text when it is
// UTF-8, otherwise in base64. Size is set to the body's length.
func (e *Entry) SetResponseBody(body []byte, mimeType string) {
	c := &e.Response.Content
	c.Size = int64(len(body))
	c.MimeType = mimeType
	c.File = ""
	c.Text, c.Encoding = encodeBody(body)
}

// SetRequestBody stores body as the request's postData: as text when it is
// UTF-8, otherwise in base64 with the non-standard encoding member.
func (e *Entry) SetRequestBody(body []byte, mimeType string) {
	if body == nil {
		e.Request.PostData = nil
		e.Request.BodySize = 0
		return
	}
	pd := &PostData{MimeType: mimeType}
	pd.Text, pd.Encoding = encodeBody(body)
	e.Request.PostData = pd
	e.Request.BodySize = int64(len(body))
}

// encodeBody is how a body is stored in a HAR: as text when it is UTF-8,
// otherwise in base64.
func encodeBody(body []byte) (text, encoding string) {
	if looksLikeText(body) {
		return string(body), ""
	}
	return base64.StdEncoding.EncodeToString(body), "base64"
}

// truncatedMember marks a body that a recorder cut at its size limit. HAR
// has no member for that, and a tool that reads the body must know it is
// not the whole answer before it checks or compares it.
const truncatedMember = "_truncated"

// Truncated reports whether the body was cut at a size limit when it was
// recorded.
func (c *Content) Truncated() bool { return string(c.Extra.Get(truncatedMember)) == "true" }

// MarkTruncated records that the stored body is only the start of the
// real one; comment says how much was kept.
func (c *Content) MarkTruncated(comment string) {
	c.Extra.Set(truncatedMember, true)
	c.Comment = comment
}

// Truncated reports whether the body was cut at a size limit when it was
// recorded.
func (p *PostData) Truncated() bool { return string(p.Extra.Get(truncatedMember)) == "true" }

// MarkTruncated records that the stored body is only the start of the
// real one; comment says how much was kept.
func (p *PostData) MarkTruncated(comment string) {
	p.Extra.Set(truncatedMember, true)
	p.Comment = comment
}
