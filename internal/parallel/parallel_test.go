package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestForCallsEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		procs int
	}{
		{"nothing to do", 0, 4},
		{"one iteration runs on the caller", 1, 4},
		{"more iterations than cores", 1000, 4},
		{"one core runs them in order", 50, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.procs))
			counts := make([]atomic.Int32, tc.n)
			var order []int
			For(tc.n, func(i int) {
				counts[i].Add(1)
				if tc.procs == 1 {
					order = append(order, i)
				}
			})
			for i := range counts {
				if c := counts[i].Load(); c != 1 {
					t.Errorf("index %d ran %d times", i, c)
				}
			}
			for i, v := range order {
				if v != i {
					t.Fatalf("with one core, call %d was for index %d", i, v)
				}
			}
		})
	}
}
