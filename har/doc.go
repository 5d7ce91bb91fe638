// Package har reads and writes HTTP Archive (HAR) files, the format browsers
// and proxies export network traffic in, and cleans them of secrets.
//
// # Reading
//
// Reader streams a HAR one entry at a time, in memory bounded by the largest
// entry, so a recording of several gigabytes reads like a small one. It
// reads what real tools export, not only what the HAR 1.2 text allows: a
// UTF-8 byte order mark, versions 1.1 and 1.3, a creator given as a bare
// string, null where a number or a string belongs, numbers written as
// strings, any httpVersion text, failed requests with status 0, HTTP/2
// pseudo-headers, base64 bodies (also in the non-standard
// postData.encoding), and Playwright's bodies in side files (_file).
//
// Nothing is lost on a round trip: members that HAR does not define
// (Chrome's _initiator, WebPageTest's _ttfb_ms, ...) are kept in each
// object's Extra, and a value read as null or with an unexpected type is
// written back as it was unless it was changed.
//
// With ReaderOptions.Decoders above one, one goroutine finds where each
// entry begins and ends (a scan that looks only at quotes, brackets and
// commas) while the others decode the entries on as many cores; Next
// returns the same entries in the same order with the same errors, and
// reads only a few chunks of about 256 KiB ahead. ReadFile does so with a
// decoder per core.
//
// A file that ends early, such as a recording whose process was killed,
// yields every complete entry and then a *TruncatedError. Malformed input
// gives a *SyntaxError naming the file, line and column.
//
// # Writing
//
// Writer appends entries to a HAR as they come. Each entry reaches the file
// in one write, so a crash leaves a file that Reader reads back up to the
// last complete entry.
//
// # Secrets
//
// Writers redact by default. The secrets are the values of the headers in
// DefaultRules (Authorization, Cookie, Set-Cookie, X-XSRF-TOKEN, X-Api-Key
// and the like), every cookie value, query parameters, form fields,
// multipart fields and JSON members whose names mean secrets (token,
// access_token, password, client_secret, api_key, names ending in "token"
// or "secret", ...), a password in a URL, and any JWT-shaped value wherever
// it appears, even in a body or an unknown member. Each becomes a
// placeholder "REDACTED-" followed by 16 hex digits: an HMAC of the secret
// under a key that is random for each Redactor and never written anywhere.
// Equal secrets in one file get equal placeholders, so a reader can still
// see that two requests carried the same token, but no placeholder can be
// turned back into its secret. Rules.With extends the list; KeepSecrets in
// WriterOptions turns redaction off for users who ask for it.
package har
