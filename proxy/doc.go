// Package proxy records HTTP and HTTPS traffic as HAR while it passes
// through, as a forward proxy built on martian. HTTPS is decrypted with
// certificates made on the fly by a local CA (package ca), and upstream
// certificates are verified as any client would.
//
// Each exchange goes to the HAR writer as soon as its response has ended,
// so a recording grows entry by entry and survives a crash. Bodies stream
// through: the proxy keeps at most MaxBody bytes of each in memory for the
// recording, whatever its size, and counts the rest.
//
// # What a recording holds
//
// An entry has the request as the client sent it, the response as the
// server sent it, the body decoded (gzip and deflate are undone; the proxy
// asks servers for nothing else on recorded requests), and real timings
// measured with net/http/httptrace on the upstream round trip: blocked,
// dns, connect, ssl, send, wait and receive, with -1 where a phase did not
// happen (a reused connection has no dns, connect or ssl). serverIPAddress
// is the address the proxy connected to; connection is its local port.
//
// A cut body is marked, never silently short:
//
//   - response.content and request.postData get "_truncated": true and a
//     comment saying how many bytes were kept; content.size and the
//     bodySize fields still give the real sizes (content.size is -1 when a
//     compressed body was cut before its decoded size could be known);
//   - an entry whose WebSocket messages went past the limit gets
//     "_truncated": true and a comment saying how many were kept.
//
// An exchange that did not end well is still recorded, marked the way
// Chrome marks it, with response._error: status 0 when no response came
// (a refused certificate, a refused connection), or the status and the
// part of the body that arrived when the client went away or the
// recording stopped first.
//
// # What passes through unrecorded
//
// Filter decides. Hosts it turns down are tunnelled without being
// decrypted, and static assets (scripts, styles, images, fonts, media) are
// passed on without being stored, unless Filter.KeepAssets is set.
//
// # Imports
//
// Import brings a HAR that a browser or another proxy exported through the
// same filter and body limit, so a user who cannot put the proxy in the
// way still gets a recording like the proxy's, redacted by the same
// writer; ImportHeader gives that writer the export's header with the
// importing tool as its creator and a comment naming where it came from.
//
// # Streams
//
// Server-sent events (text/event-stream) are passed on as each piece
// arrives. WebSocket connections are relayed frame by frame and their
// messages recorded as Chrome records them, in the entry's
// _webSocketMessages; the proxy does not offer permessage-deflate to
// recorded servers, so messages are stored as they were meant.
package proxy
