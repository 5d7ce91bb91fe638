package replay

import (
	"net/http"

	"github.com/apitrail/apitrail/diff"
)

// A browser revalidates what it has cached: it sends If-None-Match or
// If-Modified-Since and records 304 Not Modified with no body. Replay does
// not send those headers (replayHeaders keeps none of them), so it gets the
// full answer. A recorded 304 stands for "the answer the browser already
// had", so it is compared with the full answer by status (200 or 304) and
// by the headers the 304 carried, never by body: there is none to compare.

// notModified adjusts a recorded 304 and the answer got now for that
// comparison; other pairs are returned as they are.
func notModified(rec, now diff.Response) (diff.Response, diff.Response) {
	if rec.Status != http.StatusNotModified || (now.Status != http.StatusOK && now.Status != http.StatusNotModified) {
		return rec, now
	}
	rec.Status = now.Status
	rec.Body, rec.BodyUnknown = nil, true
	kept := http.Header{}
	for name := range rec.Header {
		if v, ok := now.Header[http.CanonicalHeaderKey(name)]; ok {
			kept[http.CanonicalHeaderKey(name)] = v
		}
	}
	// A header the 304 had and the answer lacks is still reported missing.
	now.Header = kept
	return rec, now
}
