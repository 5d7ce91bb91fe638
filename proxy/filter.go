package proxy

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/apitrail/apitrail/har"
)

// HostPattern matches host names, with or without a port. "*" stands for
// any run of characters, so "*.example.com" matches every subdomain of
// example.com (but not example.com itself) and "localhost:*" matches
// localhost on any port. A pattern without a port matches any port.
type HostPattern struct {
	raw      string
	host     string // lower case, brackets removed from IPv6
	port     string // "" for any
	wildHost bool
}

// ParseHostPattern checks a pattern as a user types it for --host.
func ParseHostPattern(s string) (HostPattern, error) {
	p := strings.TrimSpace(s)
	if p == "" {
		return HostPattern{}, errors.New("empty host pattern")
	}
	if strings.Contains(p, "://") {
		return HostPattern{}, fmt.Errorf("host pattern %q is a URL: give the host name only, such as %q", s, hostOfURL(p))
	}
	for _, r := range p {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("/?#@\\\"'", r) {
			return HostPattern{}, fmt.Errorf("host pattern %q holds %q, which no host name has", s, r)
		}
	}
	host, port := p, ""
	if strings.HasPrefix(p, "[") {
		end := strings.Index(p, "]")
		if end < 0 {
			return HostPattern{}, fmt.Errorf("host pattern %q opens an IPv6 address with [ and never closes it", s)
		}
		host, port = p[1:end], p[end+1:]
		if port != "" {
			if !strings.HasPrefix(port, ":") || port == ":" {
				return HostPattern{}, fmt.Errorf("host pattern %q has %q after the IPv6 address; write [address]:port", s, port)
			}
			port = port[1:]
		}
	} else if strings.Count(p, ":") == 1 {
		i := strings.Index(p, ":")
		host, port = p[:i], p[i+1:]
		if port == "" {
			return HostPattern{}, fmt.Errorf("host pattern %q ends with a colon and no port", s)
		}
	}
	// More than one colon without brackets is a bare IPv6 address.
	if host == "" {
		return HostPattern{}, fmt.Errorf("host pattern %q has no host name", s)
	}
	if port == "*" {
		port = ""
	} else if port != "" {
		for _, r := range port {
			if r < '0' || r > '9' {
				return HostPattern{}, fmt.Errorf("host pattern %q has port %q: a port is a number or *", s, port)
			}
		}
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return HostPattern{}, fmt.Errorf("host pattern %q has no host name", s)
	}
	if !strings.Contains(host, ":") && (strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..")) {
		return HostPattern{}, fmt.Errorf("host pattern %q has an empty part between dots", s)
	}
	return HostPattern{raw: p, host: host, port: port, wildHost: strings.Contains(host, "*")}, nil
}

// HostPort returns a URL's host with its port, the scheme's default port
// when the URL names none.
func HostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func hostOfURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Host
	}
	return "example.com"
}

// String returns the pattern as it was given.
func (p HostPattern) String() string { return p.raw }

// Match reports whether hostport (a host, or host:port as in a URL or a
// CONNECT request) matches the pattern. Callers add the scheme's default
// port (see HostPort) so that "example.com:443" matches
// https://example.com/ too.
func (p HostPattern) Match(hostport string) bool {
	host, port := splitHostPort(hostport)
	if p.port != "" && port != p.port {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !p.wildHost {
		return host == p.host
	}
	return glob(p.host, host)
}

// splitHostPort splits host:port, [v6]:port, [v6] or a bare host; the port
// is "" when there is none.
func splitHostPort(hostport string) (string, string) {
	if h, port, err := net.SplitHostPort(hostport); err == nil {
		return h, port
	}
	if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		return hostport[1 : len(hostport)-1], ""
	}
	return hostport, ""
}

// glob matches s against a pattern whose only special character is *,
// which matches any run of characters, in time linear in len(s) times the
// number of stars.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return len(parts) > 1 && strings.HasSuffix(s, last) || len(parts) == 1 && s == ""
}

// Filter decides what is recorded. Traffic it turns down still passes
// through the proxy; it only stays out of the recording.
type Filter struct {
	// Hosts limits the recording to matching hosts; none means all hosts.
	Hosts []HostPattern
	// KeepAssets records scripts, styles, images, fonts and media too.
	KeepAssets bool
}

// RecordsHost reports whether traffic to hostport may be recorded, before
// anything else is known about it. A CONNECT to a host it turns down is
// tunnelled without being decrypted.
func (f *Filter) RecordsHost(hostport string) bool {
	if f == nil || len(f.Hosts) == 0 {
		return true
	}
	for _, p := range f.Hosts {
		if p.Match(hostport) {
			return true
		}
	}
	return false
}

func (f *Filter) keepsAssets() bool { return f != nil && f.KeepAssets }

// assetExtensions are the file name extensions of static assets: scripts,
// styles, images, fonts, media and source maps.
var assetExtensions = map[string]bool{
	".js": true, ".mjs": true, ".cjs": true, ".map": true, ".css": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".ico": true,
	".webp": true, ".avif": true, ".bmp": true, ".apng": true, ".cur": true, ".tif": true, ".tiff": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true,
	".mp4": true, ".webm": true, ".ogg": true, ".mp3": true, ".wav": true, ".m4a": true, ".m4v": true,
}

// assetDestinations are the Sec-Fetch-Dest values browsers send when they
// load an asset rather than call an API or open a page.
var assetDestinations = map[string]bool{
	"script": true, "style": true, "image": true, "font": true, "audio": true,
	"video": true, "track": true, "manifest": true, "paintworklet": true, "audioworklet": true,
	"xslt": true,
}

// assetResourceTypes are Chrome's _resourceType values for assets.
var assetResourceTypes = map[string]bool{
	"script": true, "stylesheet": true, "image": true, "font": true, "media": true, "manifest": true,
}

// AssetRequest reports whether a request is for a static asset by what is
// known before the answer: its path's extension or its Sec-Fetch-Dest.
func AssetRequest(u *url.URL, h http.Header) bool {
	if assetDestinations[strings.ToLower(h.Get("Sec-Fetch-Dest"))] {
		return true
	}
	return assetPath(u.Path)
}

func assetPath(p string) bool {
	return assetExtensions[strings.ToLower(path.Ext(p))]
}

// AssetType reports whether a Content-Type is that of a static asset.
func AssetType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	switch {
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "font/"),
		strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "audio/"):
		return true
	}
	switch mt {
	case "text/css", "text/javascript", "application/javascript", "application/x-javascript",
		"application/ecmascript", "text/ecmascript", "application/font-woff", "application/font-woff2",
		"application/x-font-woff", "application/x-font-ttf", "application/x-font-otf",
		"application/x-font-opentype", "application/vnd.ms-fontobject", "application/font-sfnt":
		return true
	}
	return false
}

// Keep reports whether an entry from another tool's HAR belongs in a
// recording: the same host and asset rules the proxy applies, plus
// Chrome's own _resourceType.
func (f *Filter) Keep(e *har.Entry) bool {
	u, err := url.Parse(e.Request.URL)
	if err != nil || u.Host == "" {
		return false
	}
	if !f.RecordsHost(HostPort(u)) {
		return false
	}
	if f.keepsAssets() {
		return true
	}
	if rt, ok := e.Extra.String("_resourceType"); ok && assetResourceTypes[strings.ToLower(rt)] {
		return false
	}
	if AssetRequest(u, e.Request.HTTPHeader()) {
		return false
	}
	return !AssetType(e.Response.ContentType())
}
