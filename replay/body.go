package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
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
// answers can still be told apart without holding either.
func readBounded(r io.Reader, limit int64) ([]byte, *Cut, error) {
	limit = max(limit, 0)
	h := sha256.New()
	var kept []byte
	buf := make([]byte, 64<<10)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if room := limit - int64(len(kept)); room > 0 {
				kept = append(kept, buf[:min(int64(n), room)]...)
			}
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
		return kept, nil, nil
	}
	return kept, &Cut{Kept: int64(len(kept)), Size: total, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
