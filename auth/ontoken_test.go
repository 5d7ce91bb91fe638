package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apitrail/apitrail/auth"
)

// TestOnTokenSeesEveryTokenFirst: a report writer told of each access
// token can hide it before any answer that echoes it comes back, so the
// hook runs for every exchange, a renewal included, before a caller has
// the token.
func TestOnTokenSeesEveryTokenFirst(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-token-%d", n.Add(1)), "expires_in": 3600})
	}))
	defer srv.Close()
	var mu sync.Mutex
	var told []string
	a, err := auth.New(auth.Config{Endpoint: srv.URL, APIToken: auth.NewToken("api-token-0123456789"),
		OnToken: func(t auth.Token) { mu.Lock(); told = append(told, t.Reveal()); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := a.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(told) != 1 || told[0] != first.Reveal() {
		t.Errorf("after the first exchange OnToken was told %v, want %s", told, first.Reveal())
	}
	mu.Unlock()
	second, err := a.Refresh(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 2 || told[1] != second.Reveal() || second.Reveal() == first.Reveal() {
		t.Errorf("after a renewal OnToken was told %v, want %s then %s", told, first.Reveal(), second.Reveal())
	}
}
