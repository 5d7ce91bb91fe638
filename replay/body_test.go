package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadBounded: whatever length the answer announced (right, too
// short, too long, none) and however the reader hands out its bytes, the
// body kept is the start up to the limit, a body past the limit is cut
// with the length and SHA-256 of all of it, and an empty body is nil.
func TestReadBounded(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	for _, tc := range []struct {
		name        string
		size, limit int64
		announced   int64
		oneByte     bool
	}{
		{"announced length, under the limit", 1000, 4096, 1000, false},
		{"announced length, exactly the limit", 4096, 4096, 4096, false},
		{"announced length, one past the limit", 4097, 4096, 4097, false},
		{"announced length, far past the limit", int64(len(body)), 1000, int64(len(body)), false},
		{"no length announced (chunked or decoded gzip)", 3000, 4096, -1, false},
		{"no length announced, past the limit", 9000, 4096, -1, false},
		{"an announced length shorter than the body", 3000, 4096, 10, false},
		{"an announced length longer than the body", 300, 4096, 5000, false},
		{"a reader that gives one byte at a time", 2000, 1500, 2000, true},
		{"empty body with a length of 0", 0, 4096, 0, false},
		{"empty body with no length", 0, 4096, -1, false},
		{"keep nothing (negative limit)", 500, -1, 500, false},
		{"keep nothing of an empty body", 0, -1, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader(body[:tc.size])
			if tc.oneByte {
				r = iotest.OneByteReader(r)
			}
			kept, cut, err := readBounded(r, tc.limit, tc.announced)
			if err != nil {
				t.Fatal(err)
			}
			limit := max(tc.limit, 0)
			want := body[:min(tc.size, limit)]
			if len(want) == 0 {
				if kept != nil {
					t.Errorf("kept %d bytes (non-nil), want nil", len(kept))
				}
			} else if !bytes.Equal(kept, want) {
				t.Errorf("kept %d bytes, want the first %d", len(kept), len(want))
			}
			if tc.size <= limit {
				if cut != nil {
					t.Errorf("cut %+v, want none", cut)
				}
				return
			}
			sum := sha256.Sum256(body[:tc.size])
			if cut == nil || cut.Size != tc.size || cut.Kept != limit || cut.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("cut %+v, want size %d, kept %d, sha256 %x", cut, tc.size, limit, sum)
			}
		})
	}
}

// TestReadBoundedError: a body that breaks off is an error, before and
// after the limit.
func TestReadBoundedError(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64
	}{
		{"breaks off before the limit", 4096},
		{"breaks off past the limit", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := io.MultiReader(bytes.NewReader(make([]byte, 100)), iotest.ErrReader(io.ErrUnexpectedEOF))
			if _, _, err := readBounded(r, tc.limit, 200); err != io.ErrUnexpectedEOF {
				t.Errorf("error %v, want %v", err, io.ErrUnexpectedEOF)
			}
		})
	}
}
