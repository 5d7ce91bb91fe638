package replay

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/har"
)

// overrideHeaders are the headers by which frameworks let a request stand
// for another method (Spring's HiddenHttpMethodFilter reads the form
// field, Rails, Laravel and many gateways the headers).
var overrideHeaders = []string{"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"}

// overrideField is the form field that does the same in a form post.
const overrideField = "_method"

// maxOverrideScan bounds the body read for a _method field: the field is
// small, and a recorded upload must not be parsed whole to find it.
const maxOverrideScan = 1 << 20

// EffectiveMethod is the method a recorded call counts as for replay's
// safety rules: the recorded one, or the one a method-override header or
// a _method form field (in the query, an urlencoded or a multipart body)
// asks the server to apply instead, when that one changes state and the
// recorded one does not. An override never makes a call count as safer
// than its method. via says where the override came from, empty when
// there is none.
func EffectiveMethod(e *har.Entry) (method, via string) {
	method = strings.ToUpper(e.Request.Method)
	if !Safe(method) {
		return method, ""
	}
	h := e.Request.HTTPHeader()
	for _, name := range overrideHeaders {
		for _, v := range h.Values(name) {
			if m := strings.ToUpper(strings.TrimSpace(v)); m != "" && !Safe(m) {
				return m, name + ": " + m
			}
		}
	}
	if u, err := url.Parse(e.Request.URL); err == nil {
		for _, v := range u.Query()[overrideField] {
			if m := strings.ToUpper(strings.TrimSpace(v)); m != "" && !Safe(m) {
				return m, overrideField + "=" + m + " in the query"
			}
		}
	}
	for _, v := range formOverrides(e) {
		if m := strings.ToUpper(strings.TrimSpace(v)); m != "" && !Safe(m) {
			return m, overrideField + "=" + m + " in the form"
		}
	}
	return method, ""
}

// formOverrides returns the values of the _method fields of a recorded
// body that is a form, urlencoded or multipart. A body whose type is not
// recorded is read as urlencoded, as a lenient server may.
func formOverrides(e *har.Entry) []string {
	pd := e.Request.PostData
	if pd == nil {
		return nil
	}
	var out []string
	for _, p := range pd.Params {
		if p.Name == overrideField && p.FileName == "" {
			out = append(out, p.Value)
		}
	}
	ct := har.HeaderValue(e.Request.Headers, "Content-Type")
	if ct == "" {
		ct = pd.MimeType
	}
	body, err := e.RequestBody()
	if err != nil || len(body) == 0 {
		return out
	}
	if len(body) > maxOverrideScan {
		body = body[:maxOverrideScan]
	}
	mt, params, _ := mime.ParseMediaType(ct)
	switch {
	case mt == "multipart/form-data" && params["boundary"] != "":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == overrideField && part.FileName() == "" {
				v, _ := io.ReadAll(io.LimitReader(part, 64))
				out = append(out, string(v))
			}
		}
	case mt == "application/x-www-form-urlencoded" || ct == "":
		// ParseQuery keeps what it could read before a bad pair.
		q, _ := url.ParseQuery(string(body))
		out = append(out, q[overrideField]...)
	}
	return out
}

// redirectPolicy is the CheckRedirect of one call: a redirect is followed
// only when follow is set (a safe call whose recorded answer was not
// itself a redirect) and only within the origin of the first request, so
// a request body or the Bearer token is never carried to another server.
// Otherwise the 3xx is the answer, compared with the recorded one.
func redirectPolicy(follow bool, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !follow || !auth.SameOrigin(req.URL, via[0].URL) {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		return nil
	}
}
