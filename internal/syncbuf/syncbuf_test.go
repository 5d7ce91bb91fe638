package syncbuf

import (
	"strings"
	"sync"
	"testing"
)

// Run with -race: writers and a reader at once must neither race nor lose
// a write.
func TestConcurrentWritesAreAllKept(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Write([]byte("x\n"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "x\n"); n != 800 {
		t.Fatalf("kept %d of 800 writes", n)
	}
}
