package replay_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/spec"
)

// pattern is a deterministic body of n bytes: a line of JSON-ish text
// repeated, so that a cut lands inside it as it would in a real answer.
func pattern(n int64, variant byte) io.Reader {
	line := []byte(`{"id":1,"name":"launch ` + string(variant) + `","tags":["nightly","smoke"]},` + "\n")
	return io.LimitReader(&repeater{line: line}, n)
}

type repeater struct {
	line []byte
	off  int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.line[r.off:])
		n += c
		r.off = (r.off + c) % len(r.line)
	}
	return n, nil
}

func digest(r io.Reader) (string, int64) {
	h := sha256.New()
	n, _ := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n
}

// cutEntry is a recorded GET whose answer was cut as capture cuts one:
// the first kept bytes, the whole size, the _truncated mark and no digest.
func cutEntry(t *testing.T, u string, body io.Reader, kept int) *har.Entry {
	t.Helper()
	whole, _ := io.ReadAll(body)
	req, _ := http.NewRequest("GET", u, nil)
	resp := &http.Response{StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"application/json"}}}
	e := har.NewEntry(testStart, req, nil, resp, nil)
	e.SetResponseBody(whole[:kept], "application/json")
	e.Response.Content.Size = int64(len(whole))
	e.Response.Content.MarkTruncated(fmt.Sprintf("capture kept the first %d of %d bytes", kept, len(whole)))
	return e
}

// limitsServer answers /big with size bytes of the pattern (variant 'b'
// at /changed), and /bomb with a gzip-coded body that decodes to size
// zero bytes: a few kilobytes on the wire.
func limitsServer(t *testing.T, size int64) *httptest.Server {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	io.Copy(zw, io.LimitReader(zeros{}, size))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/big":
			io.Copy(w, pattern(size, 'a'))
		case "/api/changed":
			io.Copy(w, pattern(size, 'b'))
		case "/api/bomb":
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				t.Errorf("the bomb was asked for without gzip: %q", r.Header.Get("Accept-Encoding"))
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// noSpec is a matcher without a spec, as replay makes one when none is
// given: calls are told apart by their paths.
func noSpec(t *testing.T) *match.Matcher {
	ix, err := spec.NewIndex(nil, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return match.New(ix, match.Options{})
}

var testStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestLongAnswersAreCutAndComparedByDigest: an answer longer than MaxBody
// keeps only its start, is marked cut with its whole length and digest,
// and is no regression against a recording that capture cut the same way;
// one that differs only past the cut is.
func TestLongAnswersAreCutAndComparedByDigest(t *testing.T) {
	const size, limit = 8 << 20, 1 << 20
	srv := limitsServer(t, size)
	entries := []*har.Entry{
		cutEntry(t, srv.URL+"/api/big", pattern(size, 'a'), limit),
		// Recorded as the 'a' answer, answered now with the 'b' one,
		// which differs in the kept start as well.
		cutEntry(t, srv.URL+"/api/changed", pattern(size, 'a'), limit),
	}
	p := replay.NewPlan(entries, replay.PlanOptions{Matcher: noSpec(t)})
	ep, _ := url.Parse(srv.URL)
	rep, err := p.Run(context.Background(), replay.Options{Endpoint: ep, Client: srv.Client(), MaxBody: limit})
	if err != nil {
		t.Fatal(err)
	}
	wantSum, wantSize := digest(pattern(size, 'a'))
	big := rep.Entries[0]
	if big.Outcome != replay.OK {
		t.Errorf("the same long answer, cut the same way: %s\n%s", big.Outcome, text(t, rep))
	}
	if big.Cut == nil || big.Cut.Kept != limit || big.Cut.Size != wantSize || big.Cut.SHA256 != wantSum {
		t.Errorf("cut %+v, want %d kept of %d, sha256 %s", big.Cut, limit, wantSize, wantSum)
	}
	if len(big.Response.Body) != limit || big.Diff.BodyKind != "truncated" {
		t.Errorf("kept %d bytes, body compared as %q", len(big.Response.Body), big.Diff.BodyKind)
	}
	if changed := rep.Entries[1]; changed.Outcome != replay.Regression || changed.Cut == nil {
		t.Errorf("a long answer that changed: %s, cut %+v", changed.Outcome, changed.Cut)
	}
	out := text(t, rep)
	if !strings.Contains(out, fmt.Sprintf("the answer is %d bytes; only the first %d were kept", size, limit)) {
		t.Errorf("the report does not say the answer was cut:\n%s", out)
	}
}

// TestGzipBombIsCutByItsDecodedSize: a few kilobytes of gzip that decode
// to 32 MiB count against the limit by what they decode to.
func TestGzipBombIsCutByItsDecodedSize(t *testing.T) {
	const size, limit = 32 << 20, 1 << 20
	srv := limitsServer(t, size)
	req, _ := http.NewRequest("GET", srv.URL+"/api/bomb", nil)
	resp := &http.Response{StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"application/octet-stream"}}}
	e := har.NewEntry(testStart, req, nil, resp, nil)
	p := replay.NewPlan([]*har.Entry{e}, replay.PlanOptions{Matcher: noSpec(t)})
	ep, _ := url.Parse(srv.URL)
	rep, err := p.Run(context.Background(), replay.Options{Endpoint: ep, Client: &http.Client{}, MaxBody: limit})
	if err != nil {
		t.Fatal(err)
	}
	er := rep.Entries[0]
	wantSum, _ := digest(io.LimitReader(zeros{}, size))
	if er.Cut == nil || er.Cut.Size != size || er.Cut.Kept != limit || er.Cut.SHA256 != wantSum || len(er.Response.Body) != limit {
		t.Fatalf("bomb: outcome %s, cut %+v, kept %d bytes; want %d of %d kept", er.Outcome, er.Cut, len(er.Response.Body), limit, size)
	}
	if !strings.Contains(strings.Join(er.Warnings, "\n"), "only the first 1048576 were kept") {
		t.Errorf("warnings %q do not say the answer was cut", er.Warnings)
	}
}
