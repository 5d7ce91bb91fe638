// Package discover finds and fetches an instance's OpenAPI and Swagger
// documents over HTTP: from its base URL or a documentation page, the way
// Swagger UI, Redoc and RapiDoc find them, or from a URL given outright.
// It is spec's network and disk side; spec itself only reads bytes it is
// handed. SaveSnapshot and LoadSnapshot keep what was fetched in a folder,
// so a later run works offline and can say which spec version (by SHA-256)
// a recording was matched against.
package discover

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/apitrail/apitrail/spec"
)

// Discovery is what Discover fetched and every place it looked.
type Discovery struct {
	// Sources are the spec documents found, in the order the instance
	// lists them.
	Sources []spec.Source
	// Via says which location answered: the URL of the configuration,
	// page or document that led to Sources.
	Via string
	// Probes are the URLs fetched, in the order they were considered, and
	// what each gave.
	Probes []Probe
}

// Probe is one URL Discover fetched.
type Probe struct {
	URL string
	// Result is "spec", "config", "page", "script", "not a spec", "login
	// page", or the error.
	Result string
}

// Options tune Discover.
type Options struct {
	// Timeout bounds each request; zero means 10 seconds. The locations
	// are tried at once, so a dead one costs one Timeout, not one each.
	Timeout time.Duration
}

// Places Discover tries, relative to the instance's base URL.
const (
	springdocConfigPath = "/v3/api-docs/swagger-config"
	springfoxPath       = "/swagger-resources"
)

var (
	// Documentation pages: Swagger UI (springdoc, springfox, Swashbuckle,
	// FastAPI's /docs), Redoc and RapiDoc.
	docPages = []string{"/swagger-ui.html", "/swagger-ui/index.html", "/swagger-ui/", "/swagger/index.html", "/docs", "/redoc", "/api/docs", "/api-docs/"}
	// Where frameworks serve their document when no page names it.
	plainSpecPaths = []string{
		"/v3/api-docs",             // springdoc
		"/openapi.json",            // FastAPI, many others
		"/v2/api-docs",             // springfox
		"/api/v2/api-docs",         // springfox under /api
		"/swagger.json",            // go-swagger, older Swagger UIs
		"/openapi.yaml",            // hand-written documents
		"/apispec_1.json",          // flasgger
		"/swagger/v1/swagger.json", // ASP.NET Swashbuckle
		"/api/schema/",             // drf-spectacular
		"/api/spec.yaml",           // Jupyter, tornado-based servers
		"/api/openapi.json",
		"/api/swagger.json",
		"/swagger.yaml",
	}
)

// Locations are the paths, relative to the base URL, that Discover may
// try besides those a page or configuration names: for telling its
// requests apart from others in a server's log.
func Locations() []string {
	out := append([]string{springdocConfigPath, springfoxPath}, docPages...)
	return append(out, plainSpecPaths...)
}

// Discover finds an instance's spec documents from its base URL, or from
// the address of a documentation page, and fetches them with the caller's
// client (which signs requests for the instance). It fetches these at
// once, then takes the first that yields a spec, in this order:
//
//  1. the base URL itself, when it is a spec or a documentation page
//     (Swagger UI's url, urls or configUrl in the page, its address or
//     swagger-initializer.js; Redoc's and RapiDoc's spec-url);
//  2. springdoc's /v3/api-docs/swagger-config, with its "urls" list of
//     named definitions (TestOps' "Report Service", "All Services");
//  3. springfox's /swagger-resources list;
//  4. the usual documentation pages (/swagger-ui.html, /docs, /redoc, ...);
//  5. the usual document locations of frameworks (/v3/api-docs,
//     /openapi.json, /apispec_1.json, /swagger/v1/swagger.json,
//     /api/schema/, /api/spec.yaml, ...), under the base URL's path and,
//     when it has one, under the page's folder and the host's root.
//
// It returns an error naming every place tried, one a line, when none
// gave a spec; a place that answered with a login page or 401 says so.
func Discover(ctx context.Context, client *http.Client, baseURL string, opts Options) (*Discovery, error) {
	base, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, &spec.Error{File: baseURL, Err: errors.New("not an http(s) base URL")}
	}
	if client == nil {
		return nil, &spec.Error{File: baseURL, Err: errors.New("no HTTP client given")}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	base.RawQuery, base.Fragment = "", ""
	d := &discoverer{ctx: ctx, client: client, timeout: opts.Timeout, seen: map[string]bool{}, out: &Discovery{}, cache: map[string]*fetched{}}
	root := *base
	root.Path, root.RawPath = strings.TrimRight(base.Path, "/"), ""
	if strings.HasSuffix(root.Path, ".html") || strings.HasSuffix(root.Path, ".htm") {
		// The page's own address: the rest sits under the application
		// root it is served from.
		r, _, found := strings.Cut(root.Path, "/swagger-ui")
		if !found {
			r = path.Dir(root.Path)
		}
		root.Path = strings.TrimRight(r, "/")
	}
	d.root = &root

	// Everything Discover may need first, fetched at once.
	var first []*url.URL
	given := *base
	first = append(first, &given, d.at(springdocConfigPath), d.at(springfoxPath))
	for _, p := range docPages {
		first = append(first, d.at(p))
	}
	plains := d.plainURLs(base)
	first = append(first, plains...)
	d.prefetch(first)
	if err := ctx.Err(); err != nil {
		return d.out, err
	}

	stages := []func() error{
		func() error { return d.page(&given, true) },
		func() error { return d.config(d.at(springdocConfigPath), 0) },
		d.springfox,
		func() error {
			for _, p := range docPages {
				if err := d.page(d.at(p), false); err != nil || len(d.out.Sources) > 0 {
					return err
				}
			}
			return nil
		},
		func() error {
			for _, u := range plains {
				if err := d.specs(u, []definition{{URL: u.String()}}); err != nil || len(d.out.Sources) > 0 {
					return err
				}
			}
			return nil
		},
	}
	for _, stage := range stages {
		if err := ctx.Err(); err != nil {
			return d.out, err
		}
		if err := stage(); err != nil {
			return d.out, err
		}
		if len(d.out.Sources) > 0 {
			return d.out, nil
		}
	}
	return d.out, &Error{Base: base.String(), Tried: d.out.Probes}
}

// Error is a discovery that found nothing. Its message lists every place
// tried, one a line after the first.
type Error struct {
	Base  string
	Tried []Probe
}

func (e *Error) Error() string {
	return e.Base + ": no spec found; tried:\n  " + strings.Join(e.Lines(), "\n  ")
}

// Lines are the places tried, one a line: "URL (what it gave)".
func (e *Error) Lines() []string {
	out := make([]string, len(e.Tried))
	for i, p := range e.Tried {
		out[i] = p.URL + " (" + p.Result + ")"
	}
	return out
}

// SignInNeeded reports whether some place answered 401 or 403 or with a
// login page: the documents are there but need a sign-in that worked.
func (e *Error) SignInNeeded() bool {
	for _, p := range e.Tried {
		if p.Result == loginPage || strings.Contains(p.Result, "401") || strings.Contains(p.Result, "403") {
			return true
		}
	}
	return false
}

const loginPage = "login page"

type fetched struct {
	data  []byte
	final *url.URL
	err   error
	done  chan struct{}
}

type discoverer struct {
	ctx     context.Context
	client  *http.Client
	timeout time.Duration
	root    *url.URL
	seen    map[string]bool
	out     *Discovery

	mu    sync.Mutex
	cache map[string]*fetched
}

// at joins a path under the root URL, keeping its own path (an instance
// served under /testops/ has its docs under /testops/v3/...).
func (d *discoverer) at(p string) *url.URL {
	u := *d.root
	u.Path = strings.TrimRight(u.Path, "/") + p
	u.RawPath = ""
	return &u
}

// plainURLs are the framework locations under the root, under the given
// page's folder, and under the host's root, without repeats.
func (d *discoverer) plainURLs(base *url.URL) []*url.URL {
	var out []*url.URL
	seen := map[string]bool{}
	add := func(u *url.URL) {
		if !seen[u.String()] {
			seen[u.String()] = true
			out = append(out, u)
		}
	}
	for _, p := range plainSpecPaths {
		add(d.at(p))
	}
	if dir := path.Dir(strings.TrimRight(base.Path, "/")); dir != "" && dir != "." && dir != "/" && dir != d.root.Path {
		for _, name := range []string{"/swagger.json", "/openapi.json", "/openapi.yaml"} {
			u := *base
			u.Path, u.RawPath = dir+name, ""
			add(&u)
		}
	}
	if d.root.Path != "" {
		for _, p := range plainSpecPaths {
			u := *d.root
			u.Path, u.RawPath = p, ""
			add(&u)
		}
	}
	return out
}

// prefetch starts fetching every URL, at most eight at a time.
func (d *discoverer) prefetch(us []*url.URL) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, u := range us {
		f, started := d.start(u.String())
		if started {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			d.run(u.String(), f)
		}()
	}
	wg.Wait()
}

// start returns the fetch of u, and whether someone already started it.
func (d *discoverer) start(u string) (*fetched, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f, ok := d.cache[u]; ok {
		return f, true
	}
	f := &fetched{done: make(chan struct{})}
	d.cache[u] = f
	return f, false
}

func (d *discoverer) run(u string, f *fetched) {
	ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
	defer cancel()
	f.data, f.final, f.err = get(ctx, d.client, u, "application/json, application/yaml;q=0.9, text/html;q=0.8, */*;q=0.5")
	close(f.done)
}

func (d *discoverer) probe(u, result string) {
	d.out.Probes = append(d.out.Probes, Probe{URL: u, Result: result})
}

// fetch gets a URL (once, however often it is asked for), recording a
// failure as a probe; failures are results, not errors, except when the
// context is done.
func (d *discoverer) fetch(u *url.URL) ([]byte, *url.URL, error) {
	f, started := d.start(u.String())
	if !started {
		d.run(u.String(), f)
	}
	<-f.done
	if f.err != nil {
		msg := f.err.Error()
		var e *spec.Error
		if errors.As(f.err, &e) && e.Err != nil {
			msg = oneLine(e.Err.Error())
		}
		if errors.Is(f.err, context.DeadlineExceeded) && d.ctx.Err() == nil {
			msg = fmt.Sprintf("no answer within %s", d.timeout)
		}
		d.probe(u.String(), msg)
		if ctxErr := d.ctx.Err(); ctxErr != nil {
			return nil, nil, ctxErr
		}
		return nil, nil, nil
	}
	if isLoginPage(f.data, f.final) {
		d.probe(u.String(), loginPage)
		return nil, nil, nil
	}
	return f.data, f.final, nil
}

var passwordField = regexp.MustCompile(`(?i)<input[^>]+type\s*=\s*["']?password`)

// isLoginPage tells a sign-in form served with 200 (or reached by a
// redirect) from a documentation page: a password field, or a final
// address that names a login.
func isLoginPage(data []byte, final *url.URL) bool {
	if final != nil {
		p := strings.ToLower(final.Path)
		for _, w := range []string{"login", "signin", "sign-in", "/auth/"} {
			if strings.Contains(p, w) {
				return true
			}
		}
	}
	return passwordField.Match(data)
}

// definition is one entry of a Swagger UI configuration's urls list.
type definition struct {
	URL  string `json:"url"`
	Name string `json:"name"`
}

// uiConfig is the part of a Swagger UI configuration (springdoc's
// swagger-config, or the object given to SwaggerUIBundle) that names specs.
type uiConfig struct {
	ConfigURL string       `json:"configUrl"`
	URL       string       `json:"url"`
	URLs      []definition `json:"urls"`
}

func (c uiConfig) definitions() []definition {
	if len(c.URLs) > 0 {
		return c.URLs
	}
	if c.URL != "" {
		return []definition{{URL: c.URL}}
	}
	return nil
}

// config reads a Swagger UI configuration document and fetches the specs it
// names, following configUrl once.
func (d *discoverer) config(u *url.URL, depth int) error {
	if d.seen["config "+u.String()] {
		return nil
	}
	d.seen["config "+u.String()] = true
	data, final, err := d.fetch(u)
	if err != nil || data == nil {
		return err
	}
	var c uiConfig
	if json.Unmarshal(data, &c) != nil {
		d.probe(u.String(), "not a Swagger UI configuration")
		return nil
	}
	defs := c.definitions()
	if len(defs) == 0 && c.ConfigURL != "" && depth == 0 {
		d.probe(u.String(), "config")
		next, err := final.Parse(c.ConfigURL)
		if err != nil || next.String() == final.String() {
			return nil
		}
		return d.config(next, depth+1)
	}
	if len(defs) == 0 {
		d.probe(u.String(), "config naming no spec")
		return nil
	}
	d.probe(u.String(), "config")
	return d.specsVia(u, final, defs)
}

func (d *discoverer) springfox() error {
	u := d.at(springfoxPath)
	data, _, err := d.fetch(u)
	if err != nil || data == nil {
		return err
	}
	var resources []struct {
		Name     string `json:"name"`
		URL      string `json:"url"`
		Location string `json:"location"`
	}
	if json.Unmarshal(data, &resources) != nil || len(resources) == 0 {
		d.probe(u.String(), "not a springfox resource list")
		return nil
	}
	d.probe(u.String(), "config")
	var defs []definition
	for _, r := range resources {
		ref := r.URL
		if ref == "" {
			ref = r.Location
		}
		if ref == "" {
			continue
		}
		// springfox lists paths from the application's root, which sits
		// under the root URL's path when the instance has a context path.
		if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
			ref = strings.TrimRight(d.root.Path, "/") + ref
		}
		defs = append(defs, definition{URL: ref, Name: r.Name})
	}
	return d.specsVia(u, d.root, defs)
}

var (
	scriptSrc    = regexp.MustCompile(`(?is)<script[^>]*\ssrc\s*=\s*["']([^"']+)["']`)
	inlineScript = regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>(.*?)</script>`)
	configURLRe  = regexp.MustCompile(`["']?configUrl["']?\s*[:=]\s*["']([^"']+)["']`)
	singleURLRe  = regexp.MustCompile(`(?:^|[\s{,(])["']?url["']?\s*:\s*["']([^"']+)["']`)
	urlsListRe   = regexp.MustCompile(`(?s)["']?urls["']?\s*:\s*\[(.*?)\]`)
	urlsEntryRe  = regexp.MustCompile(`(?s)\{([^{}]*)\}`)
	entryURLRe   = regexp.MustCompile(`["']?url["']?\s*:\s*["']([^"']+)["']`)
	entryNameRe  = regexp.MustCompile(`["']?name["']?\s*:\s*["']([^"']+)["']`)
	// Redoc's <redoc spec-url>, RapiDoc's <rapi-doc spec-url>, Redoc.init('...').
	specURLAttr  = regexp.MustCompile(`(?i)\sspec-url\s*=\s*["']([^"']+)["']`)
	redocInit    = regexp.MustCompile(`Redoc\.init\(\s*["']([^"']+)["']`)
	bundleScript = regexp.MustCompile(`(?i)swagger-ui(-bundle|-standalone-preset|-es-bundle(-core)?)?(\.min)?\.js|redoc\.standalone|rapidoc(-min)?\.js|jquery|polyfill`)
)

// The most scripts of a page Discover reads, and the most it reads of each.
const (
	maxPageScripts = 4
	maxPageBytes   = 2 << 20
)

// page reads a documentation page and fetches the specs it names. given
// marks the base URL the user named, which may be a spec itself.
func (d *discoverer) page(u *url.URL, given bool) error {
	if d.seen["page "+u.String()] {
		return nil
	}
	d.seen["page "+u.String()] = true
	data, final, err := d.fetch(u)
	if err != nil || data == nil {
		return err
	}
	if given && looksLikeSpec(data) {
		d.probe(u.String(), "spec")
		d.out.Via = u.String()
		d.out.Sources = append(d.out.Sources, spec.NewSource(nameFromURL(u.String()), u.String(), data, time.Now()))
		return nil
	}
	if !looksLikeHTML(data) {
		if !given {
			d.probe(u.String(), "not a page")
		}
		return nil
	}
	d.probe(u.String(), "page")
	if len(data) > maxPageBytes {
		data = data[:maxPageBytes]
	}
	// springdoc redirects swagger-ui.html to index.html?configUrl=...
	q := final.Query()
	c := uiConfig{ConfigURL: q.Get("configUrl"), URL: q.Get("url")}
	for _, re := range []*regexp.Regexp{specURLAttr, redocInit} {
		if m := re.FindSubmatch(data); m != nil && c.URL == "" {
			c.URL = string(m[1])
		}
	}
	texts := [][]byte{}
	for _, m := range inlineScript.FindAllSubmatch(data, -1) {
		texts = append(texts, m[1])
	}
	scripts := 0
	for _, m := range scriptSrc.FindAllSubmatch(data, -1) {
		src := string(m[1])
		if bundleScript.MatchString(src) || scripts == maxPageScripts {
			continue
		}
		su, err := final.Parse(src)
		if err != nil || su.Host != final.Host {
			continue
		}
		scripts++
		js, _, err := d.fetch(su)
		if err != nil {
			return err
		}
		if js != nil {
			d.probe(su.String(), "script")
			if len(js) > maxPageBytes {
				js = js[:maxPageBytes]
			}
			texts = append(texts, js)
		}
	}
	for _, t := range texts {
		found := scriptConfig(t)
		if c.ConfigURL == "" {
			c.ConfigURL = found.ConfigURL
		}
		if c.URL == "" {
			c.URL = found.URL
		}
		c.URLs = append(c.URLs, found.URLs...)
	}
	if defs := c.definitions(); len(defs) > 0 {
		if err := d.specsVia(u, final, defs); err != nil || len(d.out.Sources) > 0 {
			return err
		}
	}
	if c.ConfigURL != "" {
		if cu, err := final.Parse(c.ConfigURL); err == nil {
			err := d.config(cu, 0)
			if len(d.out.Sources) > 0 {
				d.out.Via = u.String() // the page the user would open
			}
			return err
		}
	}
	return nil
}

// scriptConfig pulls configUrl, url and urls out of the JavaScript that
// starts Swagger UI (SwaggerUIBundle({...}) or springdoc's rewritten
// swagger-initializer.js). It reads the text, not a parse: these files are
// short and written by a handful of generators.
func scriptConfig(js []byte) uiConfig {
	var c uiConfig
	if m := configURLRe.FindSubmatch(js); m != nil {
		c.ConfigURL = string(m[1])
	}
	if m := urlsListRe.FindSubmatch(js); m != nil {
		for _, e := range urlsEntryRe.FindAllSubmatch(m[1], -1) {
			um := entryURLRe.FindSubmatch(e[1])
			if um == nil {
				continue
			}
			def := definition{URL: string(um[1])}
			if nm := entryNameRe.FindSubmatch(e[1]); nm != nil {
				def.Name = string(nm[1])
			}
			c.URLs = append(c.URLs, def)
		}
	}
	// The single url outside the urls list: blank the list out first.
	rest := urlsListRe.ReplaceAll(js, nil)
	if m := singleURLRe.FindSubmatch(rest); m != nil {
		c.URL = string(m[1])
	}
	return c
}

// specsVia is specs, remembering via as the location that answered.
func (d *discoverer) specsVia(via, base *url.URL, defs []definition) error {
	err := d.specs(base, defs)
	if len(d.out.Sources) > 0 && d.out.Via == "" {
		d.out.Via = via.String()
	}
	return err
}

// specs fetches each definition (relative to base) and keeps those that
// are spec documents.
func (d *discoverer) specs(base *url.URL, defs []definition) error {
	for _, def := range defs {
		u, err := base.Parse(def.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			d.probe(def.URL, "not a usable URL")
			continue
		}
		key := u.String()
		if d.seen["spec "+key] {
			continue
		}
		d.seen["spec "+key] = true
		data, _, err := d.fetch(u)
		if err != nil {
			return err
		}
		if data == nil {
			continue
		}
		if !looksLikeSpec(data) {
			d.probe(key, "not a spec")
			continue
		}
		d.probe(key, "spec")
		if d.out.Via == "" && len(defs) == 1 && def.URL == key {
			d.out.Via = key
		}
		d.out.Sources = append(d.out.Sources, spec.NewSource(def.Name, key, data, time.Now()))
	}
	return nil
}

var (
	specHeader = regexp.MustCompile(`(?m)(^|[{,\s])["']?(openapi|swagger)["']?\s*:`)
	htmlStart  = regexp.MustCompile(`(?i)^\s*(<!doctype html|<html|<head|<body|<script|<!--)`)
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
)

// looksLikeSpec tells a spec from an HTML error page or a login form
// served with 200, by the openapi/swagger field near the top.
func looksLikeSpec(data []byte) bool {
	head := bytes.TrimPrefix(data, utf8BOM)
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	return !htmlStart.Match(head) && specHeader.Match(head)
}

func looksLikeHTML(data []byte) bool {
	head := bytes.TrimPrefix(data, utf8BOM)
	if len(head) > 4<<10 {
		head = head[:4<<10]
	}
	return htmlStart.Match(head)
}

// Fetch downloads a spec document with the caller's client, which decides
// proxies and authentication (a Bearer token, for instance); timeout
// bounds the whole download (zero means none beyond the context's).
func Fetch(ctx context.Context, client *http.Client, rawURL string, timeout time.Duration) (spec.Source, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	data, _, err := get(ctx, client, rawURL, "application/json, application/yaml;q=0.9, */*;q=0.8")
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && timeout > 0 {
			return spec.Source{}, &spec.Error{File: rawURL, Err: fmt.Errorf("no answer within %s", timeout)}
		}
		return spec.Source{}, err
	}
	return spec.NewSource(nameFromURL(rawURL), rawURL, data, time.Now()), nil
}

// get fetches a URL and insists on a 2xx reply; the returned URL is the
// final one after redirects, which Swagger UI's page relies on.
func get(ctx context.Context, client *http.Client, rawURL, accept string) ([]byte, *url.URL, error) {
	if client == nil {
		return nil, nil, &spec.Error{File: rawURL, Err: errors.New("no HTTP client given")}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, &spec.Error{File: rawURL, Err: errors.New("not a usable URL")}
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, &spec.Error{File: rawURL, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, nil, &spec.Error{File: rawURL, Err: &StatusError{Code: resp.StatusCode}}
	}
	data, err := spec.ReadLimited(resp.Body)
	if err != nil {
		return nil, nil, &spec.Error{File: rawURL, Err: err}
	}
	return data, resp.Request.URL, nil
}

// StatusError is a fetch that the server answered with a status other than 2xx.
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("server answered %d %s", e.Code, http.StatusText(e.Code))
}

func nameFromURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return rawURL
	}
	return u.Path
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
