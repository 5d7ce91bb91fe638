package infer

import (
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// FuzzInfer feeds paths and bodies from strangers' traffic: inference
// never panics, and what it writes kin-openapi loads and validates.
func FuzzInfer(f *testing.F) {
	f.Add("/api/launch/101", "/api/launch/202/tree", `{"id":1,"tags":[{"n":"a"}],"at":null}`, `[1,"x",true,{"a":[]}]`)
	f.Add("/users/alice/repos", "/users/bob/repos;x=1", `{"password":"p","state":"open"}`, `"text"`)
	f.Add("/%7Bodd%7D/2f1c7e4a-9b3d-4c1e-8f2a-1b2c3d4e5f60", "/a//b/", `{"":{"":1e400}}`, `not json`)
	f.Fuzz(func(t *testing.T, p1, p2, b1, b2 string) {
		in := New(Options{})
		for i, p := range []string{p1, p2} {
			u, err := url.Parse("https://example.test" + p)
			if err != nil {
				continue
			}
			in.Add(Call{Method: "POST", URL: u, Status: 200 + i, RequestType: "application/json", RequestBody: []byte(b1),
				ResponseType: "application/json", ResponseBody: []byte(b2)})
		}
		res, err := in.Result()
		if err != nil {
			return
		}
		b, err := Marshal(res.Document, false)
		if err != nil {
			t.Fatal(err)
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(b)
		if err != nil {
			t.Fatalf("kin-openapi does not load the document: %v\n%s", err, b)
		}
		if err := doc.Validate(loader.Context); err != nil {
			t.Fatalf("the document does not validate: %v\n%s", err, b)
		}
	})
}
