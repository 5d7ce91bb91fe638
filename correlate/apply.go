package correlate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/apitrail/apitrail/internal/jsonpath"
)

// Extract reads the value a variable takes in a new response of the call
// that produces it.
func Extract(v *Var, header http.Header, body []byte) (string, bool) {
	nv, ok := ExtractAll([]*Var{v}, header, body)[v]
	return nv, ok
}

// ExtractAll reads the values variables take in a new response of the call
// that produces them, parsing the body once however many of them it holds.
// A variable the response does not hold is left out of the result.
func ExtractAll(vars []*Var, header http.Header, body []byte) map[*Var]string {
	out := map[*Var]string{}
	var leaves map[string]jsonpath.Leaf // by path, read at the first body variable
	for _, v := range vars {
		if v.From == nil {
			continue
		}
		pl := v.From.Place
		switch pl.In {
		case "body":
			if leaves == nil {
				leaves = map[string]jsonpath.Leaf{}
				all, _ := jsonpath.Leaves(body)
				for _, l := range all {
					if _, dup := leaves[l.Path]; !dup { // the first of repeated names, as jsonpath.Get
						leaves[l.Path] = l
					}
				}
			}
			if l, ok := leaves[pl.Path]; ok && (l.Kind == jsonpath.String || l.Kind == jsonpath.Number) {
				out[v] = l.Text
			}
		case "header":
			loc := header.Get(pl.Name)
			if loc == "" {
				continue
			}
			u, err := url.Parse(loc)
			if err != nil {
				continue
			}
			if segs := pathSegments(u); pl.Segment < len(segs) {
				out[v] = segs[pl.Segment]
			}
		}
	}
	return out
}

// Request is a request being prepared: the parts substitution changes.
type Request struct {
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// Substitution is one value replaced in a request.
type Substitution struct {
	Var   string `json:"var"`
	Old   string `json:"old"`
	New   string `json:"new"`
	Place Place  `json:"place"`
}

func (s Substitution) String() string {
	return fmt.Sprintf("%s: %s -> %s (%s)", s.Var, s.Old, s.New, s.Place)
}

// Apply writes new values into a request at the places its bindings name.
// A binding whose variable has no new value, or whose place no longer holds
// the recorded value, is left alone.
func Apply(req *Request, bindings []Binding, values map[*Var]string) []Substitution {
	var subs []Substitution
	for _, b := range bindings {
		nv, ok := values[b.Var]
		if !ok || nv == b.Var.Value {
			continue
		}
		if apply(req, b, nv) {
			subs = append(subs, Substitution{Var: b.Var.Name, Old: b.Var.Value, New: nv, Place: b.Place})
		}
	}
	return subs
}

func apply(req *Request, b Binding, nv string) bool {
	old := b.Var.Value
	if b.Place.Inside {
		return applyInside(req, b.Place, old, nv)
	}
	switch b.Place.In {
	case "path":
		segs, rebuild := splitPath(req.URL)
		k := b.Place.Segment
		if k >= len(segs) {
			return false
		}
		if cur, err := url.PathUnescape(segs[k]); err != nil || cur != old {
			return false
		}
		segs[k] = url.PathEscape(nv)
		return rebuild(segs)
	case "query":
		pairs := strings.Split(req.URL.RawQuery, "&")
		n := 0
		for i, pr := range pairs {
			k, v, _ := strings.Cut(pr, "=")
			name, err := url.QueryUnescape(k)
			if err != nil || name != b.Place.Name {
				continue
			}
			if n == b.Place.Nth {
				if cur, err := url.QueryUnescape(v); err != nil || cur != old {
					return false
				}
				pairs[i] = k + "=" + url.QueryEscape(nv)
				req.URL.RawQuery = strings.Join(pairs, "&")
				return true
			}
			n++
		}
	case "body":
		l, ok := jsonpath.Get(req.Body, b.Place.Path)
		if !ok || l.Text != old {
			return false
		}
		raw, _ := json.Marshal(nv)
		if l.Kind == jsonpath.Number && isNumber(nv) {
			raw = []byte(nv)
		}
		req.Body = jsonpath.Replace(req.Body, l, raw)
		return true
	case "header":
		if req.Header.Get(b.Place.Name) != old {
			return false
		}
		req.Header.Set(b.Place.Name, nv)
		return true
	}
	return false
}

// applyInside rewrites the occurrences of old inside the string at a place
// (see Occurrences) and reports whether there were any.
func applyInside(req *Request, pl Place, old, nv string) bool {
	switch pl.In {
	case "path":
		segs, rebuild := splitPath(req.URL)
		if pl.Segment >= len(segs) {
			return false
		}
		cur, err := url.PathUnescape(segs[pl.Segment])
		if err != nil {
			return false
		}
		next, ok := ReplaceInside(cur, old, nv)
		if !ok {
			return false
		}
		segs[pl.Segment] = url.PathEscape(next)
		return rebuild(segs)
	case "query":
		pairs := strings.Split(req.URL.RawQuery, "&")
		n := 0
		for i, pr := range pairs {
			k, v, _ := strings.Cut(pr, "=")
			name, err := url.QueryUnescape(k)
			if err != nil || name != pl.Name {
				continue
			}
			if n == pl.Nth {
				cur, err := url.QueryUnescape(v)
				if err != nil {
					return false
				}
				next, ok := ReplaceInside(cur, old, nv)
				if !ok {
					return false
				}
				pairs[i] = k + "=" + queryEscape(next, strings.Contains(v, "%20"))
				req.URL.RawQuery = strings.Join(pairs, "&")
				return true
			}
			n++
		}
	case "body":
		l, ok := jsonpath.Get(req.Body, pl.Path)
		if !ok || l.Kind != jsonpath.String {
			return false
		}
		next, ok := ReplaceInside(l.Text, old, nv)
		if !ok {
			return false
		}
		raw, _ := json.Marshal(next)
		req.Body = jsonpath.Replace(req.Body, l, raw)
		return true
	case "header":
		next, ok := ReplaceInside(req.Header.Get(pl.Name), old, nv)
		if !ok {
			return false
		}
		req.Header.Set(pl.Name, next)
		return true
	}
	return false
}

// queryEscape escapes a query value, spaces as %20 when the recorded
// value wrote them so (as browsers write a search filter), else as +.
func queryEscape(s string, pct bool) string {
	if pct {
		return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	}
	return url.QueryEscape(s)
}

// splitPath cuts a URL's escaped path into segments, and returns a
// function that puts changed segments back, keeping the leading and
// trailing slashes.
func splitPath(u *url.URL) ([]string, func([]string) bool) {
	esc := u.EscapedPath()
	lead := strings.HasPrefix(esc, "/")
	trail := strings.HasSuffix(esc, "/") && len(esc) > 1
	return strings.Split(strings.Trim(esc, "/"), "/"), func(segs []string) bool {
		p := strings.Join(segs, "/")
		if lead {
			p = "/" + p
		}
		if trail {
			p += "/"
		}
		dec, err := url.PathUnescape(p)
		if err != nil {
			return false
		}
		u.Path, u.RawPath = dec, ""
		if u.EscapedPath() != p {
			u.RawPath = p
		}
		return true
	}
}
