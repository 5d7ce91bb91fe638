// Package auth signs requests to an instance and keeps every secret it
// handles out of every output.
//
// It is shaped like golang.org/x/oauth2: a Source per sign-in scheme gives
// a Credential (the headers to set), and one Transport sets them on the
// requests to the instance's origin only, so a redirect to another host
// never carries them. The schemes:
//
//   - *Authenticator, the TestOps exchange: POST {endpoint}/api/uaa/oauth/token
//     with grant_type=apitoken, scope=openid, token=<API token>, for a
//     short-lived Bearer token that is cached until shortly before it
//     expires, shared among concurrent callers, and renewed once when a
//     call still comes back 401;
//   - Bearer, Basic and Headers: a fixed credential, no exchange;
//   - *ClientCredentials: the OAuth 2.0 client-credentials grant, cached
//     and renewed by golang.org/x/oauth2/clientcredentials.
//
// Where the tokens come from is the caller's business: this package never
// reads the environment or a command's flags.
//
// A Token prints as its fingerprint ("sha256:1a2b3c4d") under every fmt
// verb, in JSON and in slog, and a Credential prints as its header names,
// so a secret that reaches an error, a log line or a report shows only
// that. Errors are *Error values that wrap ErrSignIn and one of the other
// sentinels (ErrWrongEndpoint, ErrTokenRejected, ErrUnreachable, ErrTLS,
// ...), for callers to test with errors.Is.
package auth
