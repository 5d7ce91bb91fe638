package diff

import (
	"mime"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
)

// defaultIgnoredHeaders are skipped unless a "compare header" rule or
// Config.IgnoreHeaders says otherwise. Each group is there for a reason:
//
//   - Values that change on every reply: Date, Age, Expires, Set-Cookie
//     (session and XSRF cookies), Retry-After and rate-limit counters.
//   - Validators: ETag and Last-Modified. A server derives them from the
//     body or from the time of the reply, so when the body changed the body
//     diff already says so, and when it did not they are noise (a weak ETag
//     over a body with a timestamp, a Last-Modified of "now").
//   - Request and trace ids set by the server or by the proxies in front of
//     it; *-Request-Id covers X-Request-Id, X-Amz-Request-Id,
//     Fly-Request-Id and the rest.
//   - Timing and cache-hit reports from servers, CDNs and proxies.
//   - CORS headers (Access-Control-*): the server sends them in answer to
//     the browser's Origin header, which a replay outside the browser need
//     not send.
//   - Transport: hop-by-hop headers, and Content-Length and Content-Encoding,
//     which differ between a browser's HAR (compressed, often with HTTP/2)
//     and a Go client that decompresses for the caller. The body is compared
//     after decoding, so a real change in length shows there. Status is the
//     HTTP/2 :status as some exporters list it; pseudo-headers that keep
//     their colon are never compared.
var defaultIgnoredHeaders = []string{
	// volatile values
	"Age", "Date", "Expires", "Retry-After", "Set-Cookie",
	"Ratelimit", "Ratelimit-Remaining", "Ratelimit-Reset",
	"X-Ratelimit-Remaining", "X-Ratelimit-Reset",
	// validators
	"Etag", "Last-Modified",
	// request and trace ids
	"*-Correlation-Id", "*-Request-Id", "*-Trace-Id", "B3", "Cf-Ray", "Request-Id",
	"Traceparent", "Tracestate", "Uber-Trace-Id", "X-Amz-Cf-*", "X-Amz-Id-2",
	"X-Amzn-Requestid", "X-Amzn-Trace-Id", "X-B3-*", "X-Cloud-Trace-Context",
	// timing and caches
	"Cf-Cache-Status", "Server-Timing", "Via", "X-Cache", "X-Cache-Hits",
	"X-Envoy-Upstream-Service-Time", "X-Response-Time", "X-Runtime", "X-Served-By",
	"X-Timer",
	// answers to the browser's Origin, which a replay need not send
	"Access-Control-*",
	// transport
	"Alt-Svc", "Connection", "Content-Encoding", "Content-Length", "Keep-Alive",
	"Nel", "Proxy-Connection", "Report-To", "Status", "Transfer-Encoding",
}

// DefaultIgnoredHeaders returns the headers skipped by default, in Go's
// canonical case; a * stands for any run of characters. They are: Age,
// Date, Expires, Retry-After, Set-Cookie and rate-limit counters (values
// that change every time); ETag and Last-Modified (derived from a body that
// is compared anyway, or from the clock); request and trace ids
// (*-Request-Id, *-Trace-Id, *-Correlation-Id, Traceparent, X-B3-*, Cf-Ray,
// X-Amzn-Trace-Id and the like); timing and cache reports (Server-Timing,
// X-Cache, Via, X-Runtime); CORS answers (Access-Control-*), which depend on
// the browser's Origin; and transport headers (Connection,
// Transfer-Encoding, Content-Length, Content-Encoding, Alt-Svc, Status),
// which differ between a browser's recording and a Go client for reasons
// that say nothing about the API. Content-Type and every other header are
// compared.
//
// A "compare header NAME" rule checks one of them again; Config.IgnoreHeaders
// replaces the whole list.
func DefaultIgnoredHeaders() []string { return slices.Clone(defaultIgnoredHeaders) }

// headerMatches reports whether a canonical header name fits a pattern: a
// name, or a name with one * that stands for any run of characters.
func headerMatches(pattern, name string) bool {
	prefix, suffix, star := strings.Cut(pattern, "*")
	if !star {
		return strings.EqualFold(pattern, name)
	}
	return len(name) >= len(prefix)+len(suffix) &&
		strings.EqualFold(name[:len(prefix)], prefix) &&
		strings.EqualFold(name[len(name)-len(suffix):], suffix)
}

// canonicalHeaders merges keys that differ only in case (a HAR from an
// HTTP/2 connection has lower-case names) and trims values.
func canonicalHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if strings.HasPrefix(k, ":") {
			continue // HTTP/2 pseudo-headers (:status) that some HAR exporters list
		}
		ck := textproto.CanonicalMIMEHeaderKey(k)
		for _, v := range vs {
			out[ck] = append(out[ck], strings.TrimSpace(v))
		}
	}
	return out
}

// headerValuesEqual compares the values of one header. Content-Type is
// compared as a media type, so "application/json;charset=UTF-8" equals
// "application/json; charset=utf-8".
func headerValuesEqual(name string, a, b []string) bool {
	if slices.Equal(a, b) {
		return true
	}
	if name != "Content-Type" || len(a) != 1 || len(b) != 1 {
		return false
	}
	ma, pa, erra := mime.ParseMediaType(a[0])
	mb, pb, errb := mime.ParseMediaType(b[0])
	if erra != nil || errb != nil || ma != mb {
		return false
	}
	if isJSONType(ma) {
		// JSON is always UTF-8 (RFC 8259); saying so changes nothing.
		for _, p := range []map[string]string{pa, pb} {
			if strings.EqualFold(p["charset"], "utf-8") {
				delete(p, "charset")
			}
		}
	}
	if len(pa) != len(pb) {
		return false
	}
	for k, va := range pa {
		vb, ok := pb[k]
		if !ok || va != vb && !(k == "charset" && strings.EqualFold(va, vb)) {
			return false
		}
	}
	return true
}

// compareHeaders fills res.Headers and accounts for every ignored header.
func (d *Differ) compareHeaders(res *Result, nz *noise, rules []*compiledRule, a, b http.Header) {
	ha, hb := canonicalHeaders(a), canonicalHeaders(b)
	names := make([]string, 0, len(ha)+len(hb))
	for k := range ha {
		names = append(names, k)
	}
	for k := range hb {
		if _, ok := ha[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var hits []int
	for _, name := range names {
		va, ina := ha[name]
		vb, inb := hb[name]
		differed := ina != inb || !headerValuesEqual(name, va, vb)
		if hits = d.ignoredHeader(hits[:0], nz, rules, name); len(hits) > 0 {
			for _, e := range hits {
				nz.hit(e, differed, func() string { return name })
			}
			continue
		}
		if !differed {
			continue
		}
		ch := HeaderChange{Name: name, Kind: Changed, Old: strings.Join(va, ", "), New: strings.Join(vb, ", ")}
		switch {
		case !ina:
			ch.Kind = Added
		case !inb:
			ch.Kind = Removed
		}
		res.Headers = append(res.Headers, ch)
	}
}

// ignoredHeader appends the noise entries that hide header name. A compare
// rule wins over both ignore rules and the defaults; explicit ignore rules
// take the count before a default does.
func (d *Differ) ignoredHeader(dst []int, nz *noise, rules []*compiledRule, name string) []int {
	for _, r := range rules {
		if r.Action == CompareAction && headerMatches(r.Expr, name) {
			return dst[:0]
		}
	}
	for _, r := range rules {
		if r.Action == IgnoreAction && headerMatches(r.Expr, name) {
			dst = append(dst, nz.rule(r))
		}
	}
	if len(dst) > 0 {
		return dst
	}
	for _, p := range d.ignoreHeaders {
		if headerMatches(p, name) {
			return append(dst, nz.entry("ignore header "+p, "default", HeaderTarget, p, false))
		}
	}
	return dst
}
