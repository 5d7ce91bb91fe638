package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// cutResp is a JSON answer of which only the first kept bytes were kept,
// with the whole body's length and, when withDigest, its SHA-256.
func cutResp(whole string, kept int, withDigest bool) Response {
	r := jsonResp(whole[:kept])
	r.Cut, r.Size = true, int64(len(whole))
	if withDigest {
		sum := sha256.Sum256([]byte(whole))
		r.SHA256 = hex.EncodeToString(sum[:])
	}
	return r
}

func TestCutBodies(t *testing.T) {
	whole := `{"items":["` + strings.Repeat("a", 100) + `"]}`
	tail := `{"items":["` + strings.Repeat("a", 99) + `b"]}` // same start and length, differs past the cut
	longer := `{"items":["` + strings.Repeat("a", 101) + `"]}`
	tests := []struct {
		why       string
		rec, now  Response
		equal     bool
		wantNote  string
		wantInOld string
	}{
		{"both cut the same way with equal digests: the same answer", cutResp(whole, 20, true), cutResp(whole, 20, true), true, "compared by length and SHA-256", ""},
		{"a recording capture cut, without a digest, and the same answer now: equal by start and length",
			cutResp(whole, 20, false), cutResp(whole, 20, true), true, "first 20 bytes", ""},
		{"kept starts of different lengths compare over the shorter", cutResp(whole, 10, false), cutResp(whole, 30, true), true, "first 10 bytes", ""},
		{"a difference past the cut shows in the digest", cutResp(whole, 20, true), cutResp(tail, 20, true), false, "compared by length and SHA-256", "sha256"},
		{"a difference past the cut without a digest cannot be seen, and the note says how it was compared",
			cutResp(whole, 20, false), cutResp(tail, 20, true), true, "as one has no SHA-256", ""},
		{"a longer answer differs whatever was kept", cutResp(whole, 20, false), cutResp(longer, 20, true), false, "cut after the first 20 of 114 bytes", "114 bytes"},
		{"a cut recording against a whole answer compares by the whole answer's digest", cutResp(whole, 20, true), jsonResp(whole), true, "compared by length and SHA-256", ""},
		{"a different start is a difference", cutResp(whole, 20, false), cutResp(`{"other":"`+whole[10:], 20, true), false, "first 20 bytes", "cut after the first 20"},
	}
	for _, tt := range tests {
		res := Compare(tt.rec, tt.now)
		if res.Equal != tt.equal {
			t.Errorf("%s: Equal = %v, want %v (notes %q, diff %q)", tt.why, res.Equal, tt.equal, res.Notes, res.Diff)
		}
		if res.BodyKind != "truncated" {
			t.Errorf("%s: BodyKind %q, want truncated", tt.why, res.BodyKind)
		}
		if !strings.Contains(strings.Join(res.Notes, "; "), tt.wantNote) {
			t.Errorf("%s: notes %q lack %q", tt.why, res.Notes, tt.wantNote)
		}
		if (res.Diff == "") != tt.equal {
			t.Errorf("%s: diff %q should be empty exactly when equal", tt.why, res.Diff)
		}
		if !tt.equal && (len(res.Body) != 1 || !strings.Contains(res.Body[0].Old, tt.wantInOld)) {
			t.Errorf("%s: body changes %+v, want one at $ whose old value says %q", tt.why, res.Body, tt.wantInOld)
		}
	}
}

// A rule for the whole body hides a cut body that differs, and counts it.
func TestCutBodyUnderWholeBodyRule(t *testing.T) {
	whole := strings.Repeat("x", 64)
	d := mustDiffer(t, "ignore body $\n", Config{})
	res := d.Compare(Operation{}, cutResp(whole, 8, true), cutResp(strings.Repeat("y", 64), 8, true))
	if !res.Equal || len(res.Ignored) == 0 || res.Ignored[0].Differed != 1 {
		t.Errorf("Equal %v, ignored %+v", res.Equal, res.Ignored)
	}
}
