package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"
)

// DefaultMaxBody is how much of each answer a replay keeps when
// Options.MaxBody is zero: the same as capture keeps of each recorded
// body (proxy.DefaultMaxBody), so that an answer cut when it was recorded
// is cut at the same place now.
const DefaultMaxBody = 4 << 20

// Cut describes an answer longer than the limit, of which only the start
// was kept.
type Cut struct {
	// Kept is how many bytes of the start were kept.
	Kept int64 `json:"kept"`
	// Size is the whole answer's length, after any content coding was
	// undone (a small gzip answer can be a huge body).
	Size int64 `json:"size"`
	// SHA256 is the hex digest of the whole answer.
	SHA256 string `json:"sha256"`
}

// readBounded reads a body to its end but keeps at most limit bytes of it
// (none when limit is negative). A longer body is described by a Cut: its
// length and a digest computed while it streamed by, so that two cut
// answers can still be told apart without holding either. size, when not
// negative, is the length the answer announced: the body is read straight
// into a slice of that size, with no buffer between, and only a body
// longer than the limit is hashed (from the start it kept on).
func readBounded(r io.Reader, limit, size int64) ([]byte, *Cut, error) {
	limit = max(limit, 0)
	var kept []byte
	if size > 0 {
		// One byte more, for the read that finds the end.
		kept = make([]byte, 0, min(size+1, limit))
	}
	for int64(len(kept)) < limit {
		if len(kept) == cap(kept) {
			kept = append(kept, 0)[:len(kept)] // room to grow, as io.ReadAll makes it
		}
		n, err := r.Read(kept[len(kept):min(int64(cap(kept)), limit)])
		kept = kept[:len(kept)+n]
		if err == io.EOF {
			return nonEmpty(kept), nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
	// The limit is reached: whatever follows is only counted and hashed.
	h := sha256.New()
	h.Write(kept)
	total := int64(len(kept))
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	for {
		n, err := r.Read(*bp)
		if n > 0 {
			h.Write((*bp)[:n])
			total += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if total <= limit {
		return nonEmpty(kept), nil, nil
	}
	return nonEmpty(kept), &Cut{Kept: int64(len(kept)), Size: total, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// nonEmpty is b, or nil when it holds nothing: an empty answer has no body
// in the report (JSON null, not "").
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// copyBufs hold the buffers the part of a long answer past the limit
// streams through; one per call was most of what a replay allocated.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
