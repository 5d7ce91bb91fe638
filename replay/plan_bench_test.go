package replay

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/apitrail/apitrail/internal/planbench"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/match"
)

// BenchmarkPlan plans and prints (as --dry-run does) flows of 2,000 and
// 20,000 calls whose searches name what they created: the time per call
// should stay flat as the flow grows.
func BenchmarkPlan(b *testing.B) {
	ix := sandboxtest.Index(b, false)
	for _, n := range []int{2000, 20000} {
		entries := planbench.Flow(n, "testops.example.com", time.Date(2026, 11, 28, 10, 33, 37, 0, time.UTC))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				p := NewPlan(entries, PlanOptions{Matcher: match.New(ix, match.Options{Hosts: []string{"testops.example.com"}}), Unsafe: true})
				if err := WritePlan(io.Discard, "bench", p, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/call")
		})
	}
}
