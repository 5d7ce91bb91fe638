// Package readcmp holds what har's streaming reader is measured against,
// for har's in-process benchmark and the fresh processes of bench read
// alike: the struct a user would decode a HAR into with encoding/json,
// and the sampling of the Go heap's peak.
package readcmp

import (
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// UserHAR is what a user would write to read a HAR with encoding/json:
// the side the streaming reader is measured against.
type UserHAR struct {
	Log struct {
		Version string `json:"version"`
		Entries []struct {
			StartedDateTime string  `json:"startedDateTime"`
			Time            float64 `json:"time"`
			Request         struct {
				Method   string `json:"method"`
				URL      string `json:"url"`
				Headers  []struct{ Name, Value string }
				PostData *struct {
					MimeType string `json:"mimeType"`
					Text     string `json:"text"`
				} `json:"postData"`
			} `json:"request"`
			Response struct {
				Status  int `json:"status"`
				Headers []struct{ Name, Value string }
				Content struct {
					Size     int64  `json:"size"`
					MimeType string `json:"mimeType"`
					Text     string `json:"text"`
				} `json:"content"`
			} `json:"response"`
		} `json:"entries"`
	} `json:"log"`
}

// PeakHeap samples the Go heap while fn runs and returns its maximum in
// bytes. runtime/metrics does not stop the world as ReadMemStats would.
func PeakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	return peak.Load()
}
