// Package spec loads OpenAPI and Swagger documents and resolves recorded
// requests to the operations they call.
//
// It is the core of the DevTools workflow "find this request's controller
// in Swagger UI", built on github.com/getkin/kin-openapi:
//
//   - Load reads Swagger 2.0 (converted with openapi2conv), OpenAPI 3.0 and
//     3.1, in JSON or YAML. Real specs are often invalid (Allure TestOps'
//     conflicting templates, Slack's tuple items, the 3.1 Petstore's $id
//     references), so Load mends what it can and lists every problem in
//     Document.Warnings, each placed by a JSON pointer. Only a document
//     nothing can use is an *Error: one line naming the file and the place.
//   - NewIndex builds a segment trie over one or more documents, and
//     Index.Lookup resolves a method and URL to its Operation: by path
//     template, never by operationId (generators renumber those); a literal
//     segment before a template, templates by parameter type; servers,
//     Swagger 2 basePath, instance hosts and path aliases (TestOpsAliases)
//     honoured. A lookup costs one step per path segment, however many
//     operations there are. As a last resort a string parameter may hold
//     several segments (a file path), which Check reports as drift.
//   - Index.Near names the operations a request that fits none almost fits
//     (another method, a segment more or less, letter case, trailing slash).
//   - Index.Check holds one exchange to its operation with kin-openapi's
//     openapi3filter and returns Problems (kind, place, one-line message),
//     tolerating known generator artefacts (SpringdocArtefacts).
//
// A typical run:
//
//	found, err := discover.Discover(ctx, client, "https://testops.example.com", discover.Options{})
//	...
//	discover.SaveSnapshot("recording/spec", found.Sources)
//	docs, err := spec.LoadAll(found.Sources)
//	ix, err := spec.NewIndex(docs, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
//	m := ix.Lookup(req.Method, req.URL)
//	problems := ix.Check(m, req, resp)
//
// The package reads no environment, parses no flags and never exits; it
// does not reach the network at all: package spec/discover finds and
// fetches documents over HTTP.
package spec
