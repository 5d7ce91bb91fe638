// Package auth gets and keeps the Bearer token a TestOps instance wants,
// from a personal API token, and keeps both tokens out of every output.
//
// The exchange is the vendor's: POST {endpoint}/api/uaa/oauth/token with
// the form grant_type=apitoken, scope=openid, token=<API token>. The access
// token it returns is short-lived, so an Authenticator caches it until
// shortly before it expires, shares one exchange among concurrent callers,
// and, when a call still comes back 401, exchanges again once and retries
// that call once.
//
// Where the API token comes from is the caller's business (this package
// never reads the environment): LoadAPIToken takes the value of the
// TESTOPS_TOKEN or ALLURE_TOKEN environment variable, a --token-file path
// ("-" for standard input) or a --token value, and says which it used.
//
// A Token prints as its fingerprint ("sha256:1a2b3c4d") under every fmt
// verb, in JSON and in slog, so a token that reaches an error, a log line
// or a report shows only that. Errors are *Error values that wrap one of
// the sentinels (ErrWrongEndpoint, ErrTokenRejected, ErrUnreachable,
// ErrTLS, ...) and carry a hint, for a command's "error:" and "hint:"
// lines.
package auth
