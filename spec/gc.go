package spec

import (
	"runtime/debug"
	"sync"
)

// Loading a large document is mostly short-lived garbage (each schema is
// decoded twice by kin-openapi) laid over a live model of 10 times the
// text. With Go's default GOGC of 100 the heap grows to twice the live
// model before the collector runs, which put a 4.8 MB spec at 26 times its
// size in RSS; collecting at 15% over the live heap keeps it under 20
// (25% left it at 20.1) for about half as much CPU time again while
// loading. Small documents are left alone: their headroom is a few
// megabytes.
const (
	lowGCFrom    = 1 << 20
	lowGCPercent = 15
)

// lowGC holds the collector at lowGCPercent while any large load runs and
// gives the program's own setting back when the last one ends, so that
// concurrent loads neither fight over it nor leave it lowered.
var lowGC struct {
	sync.Mutex
	loads int
	prev  int
}

// lowerGC lowers GOGC for a load of size bytes and returns what restores it.
func lowerGC(size int) (restore func()) {
	if size < lowGCFrom {
		return func() {}
	}
	lowGC.Lock()
	defer lowGC.Unlock()
	if lowGC.loads == 0 {
		lowGC.prev = debug.SetGCPercent(lowGCPercent)
		if lowGC.prev < lowGCPercent {
			// Already lower, or off (negative): the program knows better.
			debug.SetGCPercent(lowGC.prev)
		}
	}
	lowGC.loads++
	return func() {
		lowGC.Lock()
		defer lowGC.Unlock()
		if lowGC.loads--; lowGC.loads == 0 {
			debug.SetGCPercent(lowGC.prev)
		}
	}
}
