package sandboxtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// AccessToken is the Bearer token a Server hands out for any API token.
const AccessToken = "sandboxtest-bearer-token"

// Hit is one request a Server received.
type Hit struct {
	Method string
	// Path is the path as sent, escapes and dot segments kept.
	Path          string
	Host          string
	Authorization string
	Body          string
}

// Server is a bare instance on loopback, for tests of what a client sends
// and of answers the local instance does not give (redirects, a request
// held open): it exchanges any API token at /api/uaa/oauth/token as
// TestOps does, logs every other request and hands it to the test's
// handler. Unlike the local instance it serves no spec.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	hits []Hit
}

// NewServer starts a Server that the test closes when it ends; h answers
// after the request is logged, body and all (nil answers 200 empty).
func NewServer(t testing.TB, h http.HandlerFunc) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/uaa/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+AccessToken+`","token_type":"bearer","expires_in":3600}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.hits = append(s.hits, Hit{Method: r.Method, Path: r.URL.EscapedPath(), Host: r.Host, Authorization: r.Header.Get("Authorization"), Body: string(body)})
		s.mu.Unlock()
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// Hits returns the requests received so far, the token exchanges left out.
func (s *Server) Hits() []Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Hit(nil), s.hits...)
}

// Paths returns "METHOD /path" for each request received so far.
func (s *Server) Paths() []string {
	var out []string
	for _, h := range s.Hits() {
		out = append(out, h.Method+" "+h.Path)
	}
	return out
}
