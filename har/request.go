package har

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/values"
)

// hopHeaders are meaningful for one connection only, and Content-Length and
// Accept-Encoding are left to net/http, which then sets the length from the
// body and undoes compression itself.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Content-Length": true, "Accept-Encoding": true,
	"Proxy-Authorization": true, "Proxy-Authenticate": true, "Host": true,
}

// NewRequest turns the entry's request into an *http.Request that is ready
// to send: its method, URL, headers and body as recorded. HTTP/2
// pseudo-headers (:authority, :path, ...) and per-connection headers are
// dropped; a recorded Host header that differs from the URL's host becomes
// req.Host. Cookies recorded only in the cookies list are sent in a Cookie
// header.
func (e *Entry) NewRequest(ctx context.Context) (*http.Request, error) {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return nil, fmt.Errorf("request url %q: %w", e.Request.URL, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("request url %q is not absolute", e.Request.URL)
	}
	body, err := e.RequestBody()
	if err != nil {
		return nil, err
	}
	method := e.Request.Method
	if method == "" {
		method = http.MethodGet
	}
	// Like fetch, send the standard methods upper-case whatever case the
	// recording has; other methods are case-sensitive and kept.
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		if strings.EqualFold(method, m) {
			method = m
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for _, h := range e.Request.Headers {
		if strings.HasPrefix(h.Name, ":") {
			continue
		}
		name := http.CanonicalHeaderKey(h.Name)
		if name == "Host" && h.Value != "" && h.Value != u.Host {
			req.Host = h.Value
		}
		if hopHeaders[name] {
			continue
		}
		req.Header.Add(name, h.Value)
	}
	if req.Header.Get("Cookie") == "" && len(e.Request.Cookies) > 0 {
		for _, c := range e.Request.Cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	if pd := e.Request.PostData; pd != nil && pd.MimeType != "" && req.Header.Get("Content-Type") == "" && body != nil {
		req.Header.Set("Content-Type", pd.MimeType)
	}
	return req, nil
}

// HTTPHeader returns the request headers as an http.Header, without HTTP/2
// pseudo-headers.
func (r *Request) HTTPHeader() http.Header { return toHeader(r.Headers) }

// HTTPHeader returns the response headers as an http.Header.
func (r *Response) HTTPHeader() http.Header { return toHeader(r.Headers) }

// HeaderValue is the first value of the header name in hs, as
// http.Header's Get reads it, without making the map of every header,
// which a check asked of every call of a recording would pay for each.
func HeaderValue(hs []NameValue, name string) string {
	for _, h := range hs {
		if len(h.Name) == len(name) && strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func toHeader(hs []NameValue) http.Header {
	h := make(http.Header, len(hs))
	for _, nv := range hs {
		if strings.HasPrefix(nv.Name, ":") {
			continue
		}
		h.Add(nv.Name, nv.Value)
	}
	return h
}

// ContentType returns the response's media type from its headers, falling
// back to content.mimeType.
func (r *Response) ContentType() string {
	if ct := HeaderValue(r.Headers, "Content-Type"); ct != "" {
		return ct
	}
	return r.Content.MimeType
}

// HeadersFrom converts an http.Header into HAR headers, sorted by name so
// that recordings are stable.
func HeadersFrom(h http.Header) []NameValue {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]NameValue, 0, len(h))
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, NameValue{Name: k, Value: v})
		}
	}
	return out
}

// QueryFrom lists a URL's query parameters in the order they appear.
func QueryFrom(u *url.URL) []NameValue {
	out := []NameValue{}
	for _, p := range strings.Split(u.RawQuery, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, NameValue{Name: k, Value: v})
	}
	return out
}

// NewEntry builds an entry from a request and its response as net/http
// sees them, with their bodies given separately because both are streams.
// resp may be nil for a request that failed. Timings are left unknown (-1)
// for the caller to fill in.
func NewEntry(start time.Time, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) *Entry {
	e := &Entry{StartedDateTime: FormatTime(start), Time: NotAvailable}
	e.Request = Request{
		Method:      req.Method,
		URL:         req.URL.String(),
		HTTPVersion: req.Proto,
		Cookies:     cookiesFrom(req.Cookies()),
		Headers:     HeadersFrom(req.Header),
		QueryString: QueryFrom(req.URL),
		HeadersSize: NotAvailable,
		BodySize:    int64(len(reqBody)),
	}
	if e.Request.HTTPVersion == "" {
		e.Request.HTTPVersion = "HTTP/1.1"
	}
	if req.Host != "" && req.Host != req.URL.Host {
		e.Request.Headers = append([]NameValue{{Name: "Host", Value: req.Host}}, e.Request.Headers...)
	}
	if reqBody != nil || req.ContentLength > 0 {
		e.SetRequestBody(reqBody, req.Header.Get("Content-Type"))
	}
	e.Timings = Timings{Blocked: NotAvailable, DNS: NotAvailable, Connect: NotAvailable, Send: 0, Wait: 0, Receive: 0, SSL: NotAvailable}
	e.Response = Response{HTTPVersion: "", Cookies: []Cookie{}, Headers: []NameValue{}, HeadersSize: NotAvailable, BodySize: NotAvailable}
	if resp == nil {
		return e
	}
	e.Response.Status = resp.StatusCode
	e.Response.StatusText = strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	e.Response.HTTPVersion = resp.Proto
	e.Response.Cookies = cookiesFrom(resp.Cookies())
	e.Response.Headers = HeadersFrom(resp.Header)
	e.Response.BodySize = int64(len(respBody))
	if loc := resp.Header.Get("Location"); loc != "" {
		e.Response.RedirectURL = loc
	}
	e.SetResponseBody(respBody, resp.Header.Get("Content-Type"))
	return e
}

func cookiesFrom(cs []*http.Cookie) []Cookie {
	out := make([]Cookie, 0, len(cs))
	for _, c := range cs {
		hc := Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = FormatTime(c.Expires)
		}
		out = append(out, hc)
	}
	return out
}

// FormatTime formats t as HAR's startedDateTime does: ISO 8601 with
// milliseconds and the zone offset.
func FormatTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z07:00") }

// ParseTime reads the timestamps real exporters write: ISO 8601 with any
// number of fractional digits, "Z" or an offset, or none (taken as UTC).
func ParseTime(s string) (time.Time, error) {
	if t, ok := values.ISO8601(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("startedDateTime %q is not an ISO 8601 time", s)
}

// Started returns the entry's startedDateTime as a time.
func (e *Entry) Started() (time.Time, error) { return ParseTime(e.StartedDateTime) }
