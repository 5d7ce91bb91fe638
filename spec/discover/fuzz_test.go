package discover

import (
	"strings"
	"testing"
)

// FuzzScriptConfig feeds page and script text to the reader of Swagger UI
// configurations: it never panics, and every URL it finds is text of the
// input, not something it made up.
func FuzzScriptConfig(f *testing.F) {
	for _, seed := range []string{
		"window.ui = SwaggerUIBundle({urls: [{url: \"/a.json\", name: \"A\"}, {name: 'B', url: '/b.json'}], dom_id: '#x'})",
		"const ui = SwaggerUIBundle({ url: '/openapi.json', configUrl: \"/v3/api-docs/swagger-config\" })",
		`<redoc spec-url="../specs/api.yaml"></redoc>`,
		`<rapi-doc spec-url = "/static/openapi.json"></rapi-doc>`,
		`Redoc.init('/openapi.yaml', {}, el)`,
		"urls: [{url: }, {url: \"\"}]",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, js string) {
		c := scriptConfig([]byte(js))
		found := []string{c.URL, c.ConfigURL}
		for _, d := range c.URLs {
			found = append(found, d.URL, d.Name)
		}
		for _, re := range [...]func([]byte) [][]byte{specURLAttr.FindSubmatch, redocInit.FindSubmatch} {
			if m := re([]byte(js)); m != nil {
				found = append(found, string(m[1]))
			}
		}
		for _, u := range found {
			if !strings.Contains(js, u) {
				t.Errorf("found %q, which the input does not hold", u)
			}
		}
		looksLikeSpec([]byte(js))
		looksLikeHTML([]byte(js))
	})
}
