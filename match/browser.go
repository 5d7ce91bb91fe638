package match

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/values"
	"github.com/apitrail/apitrail/spec"
)

// cacheBusterNames are the query parameters HTTP libraries and UIs add to
// defeat caches: jQuery's "_" (cache: false), and the names people pick by
// hand. A value must still look made up for the call to count.
var cacheBusterNames = map[string]bool{
	"_": true, "_t": true, "t": true, "cb": true, "_cb": true, "nocache": true, "_nocache": true,
	"timestamp": true, "_ts": true, "ts": true, "rnd": true, "_dc": true,
}

// cacheBusterWindow is how close to the call's own time a timestamp under
// any other name must be to count as made for that call. Browsers and the
// recorder share one clock; jQuery's counter starts at page load, which the
// known names cover without a window.
const cacheBusterWindow = 2 * time.Minute

// IsCacheBuster reports whether an undocumented query parameter is a
// cache-buster: a known cache-busting name with a timestamp or random
// number for its value, or any name whose value is a Unix time within
// two minutes of the call (started, as a HAR writes it). A parameter the
// spec documents is never one: it is checked like any other.
func IsCacheBuster(name, value, started string) bool {
	if cacheBusterNames[strings.ToLower(name)] {
		if _, ok := values.Epoch(value); ok || values.RandomNumber(value) {
			return true
		}
	}
	if _, ok := values.Epoch(value); !ok {
		return false // most values: no need to parse the call's time
	}
	at, ok := values.ISO8601(started)
	return ok && values.EpochNear(value, at, cacheBusterWindow)
}

// dropCacheBusters takes the cache-busters out of a call's problems and
// says so in a note: they are what the browser's HTTP library adds, not
// the API drifting.
func (m *Matcher) dropCacheBusters(r *Result, problems []spec.Problem) []spec.Problem {
	busters := map[string]string{}
	for _, q := range r.Query {
		if q.CacheBuster {
			busters["query."+q.Name] = q.Name + "=" + q.Value
		}
	}
	if len(busters) == 0 {
		return problems
	}
	kept := problems[:0:0]
	for _, p := range problems {
		if p.Kind == spec.UndocumentedQuery && busters[p.Where] != "" {
			r.Notes = append(r.Notes, fmt.Sprintf("cache-buster %s: a value the browser makes afresh for every call, not in the spec; scripts and replay send a fresh one", busters[p.Where]))
			continue
		}
		kept = append(kept, p)
	}
	return kept
}

// docNames are the last path segments of spec documents and Swagger UI as
// the common generators serve them.
var docNames = map[string]bool{
	"swagger.json": true, "swagger.yaml": true, "swagger.yml": true,
	"openapi.json": true, "openapi.yaml": true, "openapi.yml": true,
	"api-docs": true, "swagger-config": true, "swagger-resources": true,
	"swagger-ui.html": true, "swagger-initializer.js": true,
}

// specStart finds a Swagger or OpenAPI document by its first member,
// after any YAML comments: `swagger: '2.0'`, `{"openapi":"3.0.1"`.
var specStart = regexp.MustCompile(`^(?:\s*#[^\n]*\n)*\s*\{?\s*["']?(?:swagger|openapi)["']?\s*:\s*["']?[1-3]\.`)

// mayStartSpec is false where specStart fails at once: no name swagger or
// openapi after the spaces, an optional brace and an optional quote that
// open the text, which is every JSON answer of a recording but a spec's.
// It saves running the expression over each of them; text opening with a
// YAML comment is left to the expression.
func mayStartSpec(s string) bool {
	space := func(i int) int {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
			i++
		}
		return i
	}
	i := space(0)
	if i < len(s) && s[i] == '#' {
		return true
	}
	if i < len(s) && s[i] == '{' {
		i = space(i + 1)
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		i++
	}
	return strings.HasPrefix(s[i:], "swagger") || strings.HasPrefix(s[i:], "openapi")
}

// docs says what part of the API's documentation a call fetched (a spec
// document, Swagger UI), or returns "" when it is something else.
func (m *Matcher) docs(e *har.Entry, u *url.URL) string {
	method := strings.ToUpper(e.Request.Method)
	if method != "GET" && method != "HEAD" {
		return ""
	}
	p := u.Path
	if m.specPaths[p] {
		return "a spec document apitrail loaded"
	}
	if swaggerUISegment(p) {
		return "Swagger UI"
	}
	base := path.Base(p)
	if docNames[base] || strings.Contains(p, "/api-docs/") || strings.Contains(p, "/swagger-resources/") {
		return "a spec document"
	}
	// Only a text answer can be a document; reading every image or
	// archive a recording holds to find out would cost for nothing.
	ct := strings.ToLower(e.Response.ContentType())
	if ct != "" && !strings.Contains(ct, "json") && !strings.Contains(ct, "yaml") && !strings.HasPrefix(ct, "text/") {
		return ""
	}
	if start, err := docStart(e); err == nil && len(start) > 0 {
		if start = strings.TrimPrefix(start, "\ufeff"); mayStartSpec(start) && specStart.MatchString(start) {
			return "a spec document"
		}
	}
	return ""
}

// swaggerUISegment reports whether a segment of the path starts with
// "swagger-ui". It looks where the name occurs rather than split the path,
// which cost an allocation for every call of a recording.
func swaggerUISegment(p string) bool {
	for i := 0; ; {
		j := strings.Index(p[i:], "swagger-ui")
		if j < 0 {
			return false
		}
		if i+j == 0 || p[i+j-1] == '/' {
			return true
		}
		i += j + 1
	}
}

// docStart is the first 4 KB of the answer, enough to tell a spec
// document. A text answer is read where it is: copying even 4 KB of every
// JSON answer cost more than the look itself.
func docStart(e *har.Entry) (string, error) {
	c := &e.Response.Content
	if c.Text != "" && !strings.EqualFold(c.Encoding, "base64") {
		return c.Text[:min(len(c.Text), 4096)], nil
	}
	body, err := e.ResponseBody()
	return string(body[:min(len(body), 4096)]), err
}

// CacheBusters names the call's cache-buster query parameters, or returns
// nil when it has none.
func (r *Result) CacheBusters() map[string]bool {
	var out map[string]bool
	for _, q := range r.Query {
		if q.CacheBuster {
			if out == nil {
				out = map[string]bool{}
			}
			out[q.Name] = true
		}
	}
	return out
}
