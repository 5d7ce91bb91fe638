// Package spec loads OpenAPI and Swagger documents, finds them on a running
// instance, and resolves recorded requests to the operations they call.
package spec
