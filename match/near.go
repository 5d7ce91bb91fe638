package match

import (
	"net/url"
	"sync"

	"github.com/apitrail/apitrail/spec"
)

// nearMemoSize bounds the memo: a recording's undocumented calls are a
// few paths asked again and again (a polled endpoint the spec forgot),
// and one whose paths all differ (ids in them) must not grow it without
// end.
const nearMemoSize = 4096

// nearMemo keeps spec.Index.Near's answer per method and path. Near walks
// every operation of the documents, which for a large API costs as much
// as matching a hundred calls, and its answer depends on nothing else.
type nearMemo struct {
	mu sync.Mutex
	m  map[string][]spec.NearMiss
}

func (n *nearMemo) get(ix *spec.Index, method string, u *url.URL) []spec.NearMiss {
	if u.Opaque != "" {
		return nil // Near has nothing for an opaque URL
	}
	key := method + " " + u.EscapedPath()
	n.mu.Lock()
	near, ok := n.m[key]
	n.mu.Unlock()
	if ok {
		return near
	}
	near = ix.Near(method, u)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil || len(n.m) >= nearMemoSize {
		n.m = map[string][]spec.NearMiss{}
	}
	n.m[key] = near
	return near
}
