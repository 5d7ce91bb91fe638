package main

import (
	"net"
	"testing"

	"github.com/apitrail/apitrail/har/hartest"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
)

// TestBadRecordingsNameFileAndPlace replays each crafted broken recording
// of testdata/har/bad: exit 2, the one error line its entry in errors.txt
// names, nothing on standard output, and no call sent.
func TestBadRecordingsNameFileAndPlace(t *testing.T) {
	in := sandboxtest.NewServer(t, nil)
	for _, b := range hartest.BadHARs(t) {
		code, out, errOut := runReplay(t, env("my-api-token"), "--endpoint", in.URL, b.Path)
		if want := "replay: error: " + b.Want + "\n"; code != 2 || out != "" || errOut != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", b.Name, code, out, errOut, want)
		}
	}
	if hits := in.Paths(); len(hits) != 0 {
		t.Errorf("calls were sent: %v", hits)
	}
}

// TestBadRecordingIsNamedWhenTheInstanceIsDown: the recording is read
// before the sign-in, so a broken one is a usage error (exit 2) naming its
// place, not the infrastructure error (exit 3) of an instance that is down.
func TestBadRecordingIsNamedWhenTheInstanceIsDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close() // nobody listens there now
	for _, b := range hartest.BadHARs(t) {
		code, out, errOut := runReplay(t, env("my-api-token"), "--endpoint", down, "--retries", "0", b.Path)
		if want := "replay: error: " + b.Want + "\n"; code != 2 || out != "" || errOut != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", b.Name, code, out, errOut, want)
		}
	}
}
