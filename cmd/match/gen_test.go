package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/getkin/kin-openapi/openapi3"
)

// traffic makes calls for spec operations the way a UI makes them: path
// ids that vary from call to call, the query parameters the UI always
// sends for that call, and bodies that fill every member, as Jackson
// writes them.
type traffic struct {
	rnd  *rand.Rand
	host string
	// optional remembers, per operation, which optional query parameters
	// its UI sends.
	optional map[*openapi3.Operation]map[string]bool
}

func newTraffic(seed uint64, host string) *traffic {
	return &traffic{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b9)), host: host, optional: map[*openapi3.Operation]map[string]bool{}}
}

// call makes one call of op on path.
func (g *traffic) call(method, path string, item *openapi3.PathItem, op *openapi3.Operation) *har.Entry {
	params := append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...)
	if g.optional[op] == nil {
		g.optional[op] = map[string]bool{}
		for _, p := range params {
			if p.Value != nil && !p.Value.Required && g.rnd.IntN(3) == 0 {
				g.optional[op][p.Value.Name] = true
			}
		}
	}
	u := &url.URL{Scheme: "https", Host: g.host}
	q := url.Values{}
	for _, p := range params {
		pv := p.Value
		if pv == nil || pv.Schema == nil || pv.Schema.Value == nil {
			continue
		}
		switch pv.In {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+pv.Name+"}", url.PathEscape(g.pathValue(pv.Schema.Value)))
		case openapi3.ParameterInQuery:
			if !pv.Required && !g.optional[op][pv.Name] {
				continue
			}
			s := pv.Schema.Value
			if s.Type != nil && s.Type.Is(openapi3.TypeArray) && s.Items != nil {
				s = s.Items.Value
			}
			if s == nil || s.Type != nil && s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 {
				continue // Spring's exploded objects: not a UI's plain parameter
			}
			q.Set(pv.Name, fmt.Sprint(g.value(s, 3)))
		}
	}
	u.Path = path
	u.RawQuery = q.Encode()
	e := &har.Entry{StartedDateTime: har.FormatTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		Request: har.Request{Method: method, URL: u.String(), HTTPVersion: "HTTP/1.1"}}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		if mt := jsonMedia(rb.Value.Content); mt != nil {
			body, _ := json.Marshal(g.value(mt.Schema.Value, 0))
			e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: "Content-Type", Value: "application/json"})
			e.SetRequestBody(body, "application/json")
		}
	}
	status, resp := 200, (*openapi3.Response)(nil)
	if op.Responses != nil {
		codes := op.Responses.Map()
		keys := make([]string, 0, len(codes))
		for k := range codes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.HasPrefix(k, "2") && len(k) == 3 {
				fmt.Sscan(k, &status)
				resp = codes[k].Value
				break
			}
		}
	}
	e.Response = har.Response{Status: status, StatusText: "OK", HTTPVersion: "HTTP/1.1"}
	if resp != nil {
		if mt := jsonMedia(resp.Content); mt != nil && mt.Schema != nil {
			body, _ := json.Marshal(g.value(mt.Schema.Value, 0))
			e.Response.Headers = []har.NameValue{{Name: "Content-Type", Value: "application/json"}}
			e.SetResponseBody(body, "application/json")
		}
	}
	return e
}

// jsonMedia is the JSON (or springdoc's "*/*") content of a body.
func jsonMedia(c openapi3.Content) *openapi3.MediaType {
	for _, k := range []string{"application/json", "*/*"} {
		if mt := c[k]; mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
			return mt
		}
	}
	return nil
}

// pathValue is an id: a number of varying size for integers, a UUID, or
// a short mixed id for other strings.
func (g *traffic) pathValue(s *openapi3.Schema) string {
	switch {
	case s.Type != nil && s.Type.Is(openapi3.TypeInteger):
		return fmt.Sprint(g.rnd.Int64N(900000) + 100)
	case s.Format == "uuid":
		return g.uuid()
	}
	const letters, digits = "abcdefghjkmnpqrstuvwxyz", "0123456789"
	b := make([]byte, 10)
	for i := range b {
		if i%2 == 0 {
			b[i] = letters[g.rnd.IntN(len(letters))]
		} else {
			b[i] = digits[g.rnd.IntN(len(digits))]
		}
	}
	return string(b)
}

func (g *traffic) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", g.rnd.Uint32(), g.rnd.IntN(1<<16), g.rnd.IntN(1<<12), g.rnd.IntN(1<<12), g.rnd.Int64N(1<<48))
}

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"}

// value is a value of s; below depth 4 objects and arrays are empty, as
// the component graphs of springdoc documents nest without end.
func (g *traffic) value(s *openapi3.Schema, depth int) any {
	if s == nil {
		return "x"
	}
	if len(s.Enum) > 0 {
		return s.Enum[g.rnd.IntN(len(s.Enum))]
	}
	switch {
	case len(s.AllOf) > 0:
		out := map[string]any{}
		for _, r := range s.AllOf {
			if m, ok := g.value(r.Value, depth).(map[string]any); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		return out
	case len(s.OneOf) > 0:
		return g.value(s.OneOf[0].Value, depth)
	case len(s.AnyOf) > 0:
		return g.value(s.AnyOf[0].Value, depth)
	}
	typ := ""
	if s.Type != nil {
		for _, t := range *s.Type {
			if t != openapi3.TypeNull {
				typ = t
				break
			}
		}
	}
	if typ == "" && len(s.Properties) > 0 {
		typ = openapi3.TypeObject
	}
	switch typ {
	case openapi3.TypeObject:
		out := map[string]any{}
		if depth >= 4 {
			return out
		}
		for k, p := range s.Properties {
			out[k] = g.value(p.Value, depth+1)
		}
		if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil {
			out[fmt.Sprintf("key%d", g.rnd.IntN(1e6))] = g.value(s.AdditionalProperties.Schema.Value, depth+1)
		}
		return out
	case openapi3.TypeArray:
		if depth >= 4 || s.Items == nil {
			return []any{}
		}
		n := 1 + g.rnd.IntN(2)
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(s.Items.Value, depth+1)
		}
		return out
	case openapi3.TypeInteger:
		return g.rnd.Int64N(1_000_000)
	case openapi3.TypeNumber:
		return float64(g.rnd.IntN(10000)) + 0.5
	case openapi3.TypeBoolean:
		return g.rnd.IntN(2) == 0
	case openapi3.TypeString:
		switch s.Format {
		case "date-time":
			return time.Date(2025, 1+time.Month(g.rnd.IntN(12)), 1+g.rnd.IntN(28), g.rnd.IntN(24), 0, 0, 0, time.UTC).Format(time.RFC3339)
		case "date":
			return time.Date(2025, 1+time.Month(g.rnd.IntN(12)), 1+g.rnd.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		case "uuid":
			return g.uuid()
		}
		return words[g.rnd.IntN(len(words))] + " " + words[g.rnd.IntN(len(words))]
	}
	return words[g.rnd.IntN(len(words))]
}
