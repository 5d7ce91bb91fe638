package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
)

// Discovery is what Discover fetched and every place it looked.
type Discovery struct {
	// Sources are the spec documents found, in the order the instance
	// lists them.
	Sources []Source
	// Probes are the URLs fetched, in order, and what each gave.
	Probes []Probe
}

// Probe is one URL Discover fetched.
type Probe struct {
	URL string
	// Result is "spec", "config", "page", "not a spec", or the error.
	Result string
}

// Places Discover tries, relative to the instance's base URL.
const (
	springdocConfigPath = "/v3/api-docs/swagger-config"
	springfoxPath       = "/swagger-resources"
)

var (
	swaggerUIPages = []string{"/swagger-ui.html", "/swagger-ui/index.html"}
	plainSpecPaths = []string{"/v3/api-docs", "/openapi.json", "/v2/api-docs", "/api/v2/api-docs", "/swagger.json", "/openapi.yaml"}
)

// Discover finds an instance's spec documents from its base URL the way
// Swagger UI does, and fetches them with the caller's client (which may add
// a Bearer token). It tries, stopping at the first that yields a spec:
//
//  1. springdoc's /v3/api-docs/swagger-config, with its "urls" list of named
//     definitions (TestOps' "Report Service", "UAA Service", "All Services")
//     or its single "url";
//  2. springfox's /swagger-resources list;
//  3. the Swagger UI page (/swagger-ui.html, /swagger-ui/index.html): the
//     configUrl or url in its address after redirects, in its inline
//     scripts or in the scripts it loads (swagger-initializer.js);
//  4. the plain locations /v3/api-docs, /openapi.json, /v2/api-docs,
//     /api/v2/api-docs, /swagger.json and /openapi.yaml.
//
// The base URL may carry a context path (https://host/testops) or be the
// Swagger UI page's own address, which is then read first. Discover returns
// an error naming every place tried when none gave a spec.
func Discover(ctx context.Context, client *http.Client, baseURL string) (*Discovery, error) {
	base, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, &Error{File: baseURL, Err: errors.New("not an http(s) base URL")}
	}
	base.RawQuery, base.Fragment = "", ""
	d := &discoverer{ctx: ctx, client: client, base: base, seen: map[string]bool{}, out: &Discovery{}, pages: swaggerUIPages}
	if strings.HasSuffix(base.Path, ".html") {
		// The address of the Swagger UI page itself: read it first, and
		// look for the rest from the application root it sits under.
		page := base.Path
		root, _, found := strings.Cut(page, "/swagger-ui")
		if !found {
			root = path.Dir(page)
		}
		base.Path, base.RawPath = strings.TrimRight(root, "/"), ""
		d.pages = append([]string{strings.TrimPrefix(page, base.Path)}, swaggerUIPages...)
	}

	stages := []func() error{d.springdoc, d.springfox, d.page, d.plain}
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
	tried := make([]string, 0, len(d.out.Probes))
	for _, p := range d.out.Probes {
		tried = append(tried, p.URL+" ("+p.Result+")")
	}
	return d.out, &Error{File: base.String(), Err: fmt.Errorf("no spec found; tried %s", strings.Join(tried, ", "))}
}

type discoverer struct {
	ctx    context.Context
	client *http.Client
	base   *url.URL
	seen   map[string]bool
	out    *Discovery
	pages  []string // Swagger UI pages to read, relative to base
}

// at joins a path under the base URL, keeping the base's own path (an
// instance served under /testops/ has its docs under /testops/v3/...).
func (d *discoverer) at(p string) *url.URL {
	u := *d.base
	u.Path = strings.TrimRight(u.Path, "/") + p
	u.RawPath = ""
	return &u
}

func (d *discoverer) probe(u, result string) {
	d.out.Probes = append(d.out.Probes, Probe{URL: u, Result: result})
}

// fetch gets a URL, recording the probe; failures are results, not errors,
// except when the context is done.
func (d *discoverer) fetch(u *url.URL, accept string) ([]byte, *url.URL, error) {
	data, final, err := get(d.ctx, d.client, u.String(), accept)
	if err != nil {
		var e *Error
		msg := err.Error()
		if errors.As(err, &e) && e.Err != nil {
			msg = oneLine(e.Err.Error())
		}
		d.probe(u.String(), msg)
		if ctxErr := d.ctx.Err(); ctxErr != nil {
			return nil, nil, ctxErr
		}
		return nil, nil, nil
	}
	return data, final, nil
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

func (d *discoverer) springdoc() error {
	return d.config(d.at(springdocConfigPath), 0)
}

// config reads a Swagger UI configuration document and fetches the specs it
// names, following configUrl once.
func (d *discoverer) config(u *url.URL, depth int) error {
	data, final, err := d.fetch(u, "application/json")
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
	return d.specs(final, defs)
}

func (d *discoverer) springfox() error {
	u := d.at(springfoxPath)
	data, _, err := d.fetch(u, "application/json")
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
		// under the base URL's path when the instance has a context path.
		if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
			ref = strings.TrimRight(d.base.Path, "/") + ref
		}
		defs = append(defs, definition{URL: ref, Name: r.Name})
	}
	return d.specs(d.base, defs)
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
	bundleScript = regexp.MustCompile(`(?i)swagger-ui(-bundle|-standalone-preset|-es-bundle(-core)?)?(\.min)?\.js|jquery|polyfill`)
)

// The most scripts of a page Discover reads, and the most it reads of each.
const (
	maxPageScripts = 4
	maxPageBytes   = 2 << 20
)

func (d *discoverer) page() error {
	for _, p := range d.pages {
		u := d.at(p)
		if d.seen[u.String()] {
			continue
		}
		d.seen[u.String()] = true
		data, final, err := d.fetch(u, "text/html")
		if err != nil {
			return err
		}
		if data == nil {
			continue
		}
		d.probe(u.String(), "page")
		if len(data) > maxPageBytes {
			data = data[:maxPageBytes]
		}
		// springdoc redirects swagger-ui.html to index.html?configUrl=...
		q := final.Query()
		c := uiConfig{ConfigURL: q.Get("configUrl"), URL: q.Get("url")}
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
			js, _, err := d.fetch(su, "*/*")
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
			if err := d.specs(final, defs); err != nil || len(d.out.Sources) > 0 {
				return err
			}
		}
		if c.ConfigURL != "" {
			cu, err := final.Parse(c.ConfigURL)
			if err == nil {
				if err := d.config(cu, 0); err != nil || len(d.out.Sources) > 0 {
					return err
				}
			}
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

func (d *discoverer) plain() error {
	for _, p := range plainSpecPaths {
		if err := d.specs(d.base, []definition{{URL: d.at(p).String()}}); err != nil || len(d.out.Sources) > 0 {
			return err
		}
	}
	return nil
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
		if d.seen[key] {
			continue
		}
		d.seen[key] = true
		data, _, err := d.fetch(u, "application/json, application/yaml;q=0.9, */*;q=0.8")
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
		d.out.Sources = append(d.out.Sources, NewSource(def.Name, key, data, time.Now()))
	}
	return nil
}

var specHeader = regexp.MustCompile(`(?m)(^|[{,\s])["']?(openapi|swagger)["']?\s*:`)

// looksLikeSpec tells a spec from an HTML error page or a login form
// served with 200, by the openapi/swagger field near the top.
func looksLikeSpec(data []byte) bool {
	head := bytes.TrimPrefix(data, utf8BOM)
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	return specHeader.Match(head)
}
