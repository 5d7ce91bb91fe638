// Package script writes runnable scripts from a matched recording: the calls
// a person made once in a web UI, repeated through the API, signed in the
// way Options.SignIn says: TestOps' exchange for a Bearer token by default,
// or a Bearer token, HTTP Basic, header templates, OAuth 2.0 client
// credentials or nothing, with no exchange the scheme does not need. It
// writes four formats: a bash script of curl and jq calls in the
// vendor's documented style, a .http file (JetBrains HTTP Client syntax, as
// httpyac runs it), a Go program that needs only the standard library, and a
// Postman collection v2.1 that newman runs.
//
// Every format carries the same flow. Each call names its operation
// ("launch-controller create_32: POST /api/launch") so a reader can find it
// in Swagger UI. A value one call creates and a later call uses becomes a
// variable read from the earlier response, named after the spec's parameter
// (launchId); values of the recording's context (a project id) become
// parameters with the recorded value as default. Both come from package
// correlate, the analysis replay uses too.
//
// No secret of the recording reaches a script: the entries are redacted
// again before anything is written, cookies, tokens and XSRF headers are
// dropped, and a secret the flow needs (a password in a body) becomes a
// parameter with no default that the user must supply. Pages, assets,
// logins, WebSockets, duplicates the UI fired, calls that failed and upload
// endpoints are left out, and the script says how many and why; uploads
// belong to allurectl, never to a home-made script. A cache-buster is
// written to take the time of the run, not the recorded value.
package script
