// Package diff compares a recorded HTTP response with a replayed one and
// says what changed: the status, the headers that matter, and the body.
//
// JSON bodies are compared as JSON: key order does not matter, numbers are
// compared by their exact value (a 64-bit id never passes through float64),
// arrays are compared element by element by index, except item arrays of
// lists and pages, which pair their items by id (see collections.go and
// docs/collections.md), and each changed, added
// or removed value is listed by its path, like $.content[3].name. A unified
// line diff of the pretty-printed bodies, made with go-diff, follows. Other
// text bodies get a line diff, and binary bodies are compared by size and
// sha256.
//
// # Noise
//
// Some values differ on every reply: dates, request ids, cookies. Rules,
// kept in a small file next to the recording (see ParseRules), ignore them
// by header name or JSON path, for every operation or for one. A set of
// volatile headers is ignored by default (see DefaultIgnoredHeaders). Hints,
// from the spec's formats, from member names like createdDate, or from the
// values themselves (two ISO 8601 times, two UUIDs: see package values and
// Config.ValueHints), hide a value only when it actually differs; "compare
// body PATH" makes the values at PATH strict again. Learn proposes rules
// from two replies to the same request, LearnHints from what hints hid,
// and Coverage says how much of an answer a set of rules would hide.
//
// Ignoring is never silent: every Result lists each rule, default and hint
// that hid something, with how many values it hid and how many of those
// differed, and each rule for the operation that matched nothing; a Tally
// adds these up over a whole replay.
//
// # Speed
//
// The bodies are compared structurally first, and go-diff only sees a
// pretty-print in which the unchanged parts are collapsed, under a time
// limit, so a 10 MB body with a few changes diffs in a fraction of a second
// (see docs/benchmarks-diff.md).
package diff
