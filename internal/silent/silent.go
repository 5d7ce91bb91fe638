// Package silent starts a loopback server that accepts connections and
// never answers, as a hung server does, for tests of time limits.
package silent

import (
	"net"
	"testing"
)

// Start listens on a free loopback port and returns its http:// base URL.
// Connections are held open, never read or written, until the test ends.
func Start(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}
