package script_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/script"
)

// widgetServer is an API that answers a create with 201 and a Location
// header instead of a body, and names its objects with string ids: what
// the sandbox does not do, so that reading a value from a header and
// writing a string id into a JSON body are run for real too.
type widgetServer struct {
	mu     sync.Mutex
	next   int
	tokens map[string]bool
	seen   []string // "METHOD path body" of each authorised call
}

const widgetAPIToken = "wt-5c1e0f9a2b7d4e63"

func (s *widgetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/api/uaa/oauth/token" {
		// curl sends the vendor's multipart form, the others a urlencoded one.
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			r.ParseMultipartForm(1 << 16)
		} else {
			r.ParseForm()
		}
		if r.FormValue("grant_type") != "apitoken" || r.FormValue("token") != widgetAPIToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		b := make([]byte, 12)
		rand.Read(b)
		tok := hex.EncodeToString(b)
		s.tokens[tok] = true
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":3600}`, tok)
		return
	}
	if !s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.seen = append(s.seen, r.Method+" "+r.URL.Path+" "+string(body))
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/widget":
		s.next++
		id := fmt.Sprintf("wdg%05dx%s", s.next, "9f3c")
		w.Header().Set("Location", "/api/widget/"+id)
		w.WriteHeader(http.StatusCreated)
	case r.Method == "GET" && len(segs) == 3 && segs[1] == "widget":
		fmt.Fprintf(w, `{"id":%q,"name":"gauge"}`, segs[2])
	case r.Method == "POST" && r.URL.Path == "/api/widget/copy":
		var req struct {
			SourceID string `json:"sourceId"`
		}
		if json.Unmarshal(body, &req) != nil || !strings.HasPrefix(req.SourceID, "wdg") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"copied":%q}`, req.SourceID)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func startWidgets(t *testing.T, first int) (*widgetServer, *httptest.Server) {
	s := &widgetServer{next: first, tokens: map[string]bool{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// TestLocationAndStringIDsRunForReal records a flow whose created id
// arrives in a Location header and is then used in a path and, as a JSON
// string, in a body; every format must carry it over on a fresh server
// where the new id differs.
func TestLocationAndStringIDsRunForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real tools against a local server")
	}
	_, rec := startWidgets(t, 0)
	path := filepath.Join(t.TempDir(), "widgets.har")
	w, err := har.Create(path, har.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token := accessToken(t, rec.URL, widgetAPIToken)
	call := func(method, p string, body string) *http.Response {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, rec.URL+p, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		start := time.Now()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		respBody, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := w.Write(har.NewEntry(start, req, []byte(body), resp, respBody)); err != nil {
			t.Fatal(err)
		}
		return resp
	}
	created := call("POST", "/api/widget", `{"name":"gauge"}`)
	loc := created.Header.Get("Location")
	id := loc[strings.LastIndex(loc, "/")+1:]
	call("GET", loc, "")
	call("POST", "/api/widget/copy", `{"sourceId":"`+id+`","name":"gauge copy"}`)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	results := readRecording(t, path)

	for _, f := range script.Formats() {
		t.Run(string(f), func(t *testing.T) {
			src, err := script.Generate(f, results, script.Options{Name: "widgets"})
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(src, []byte(id)) {
				t.Errorf("the script hard-codes the recorded id %s", id)
			}
			if f == script.Bash {
				shellcheck(t, src)
			}
			srv, live := startWidgets(t, 500)
			stdout, stderr, err := runScriptEnv(t, f, src, live.URL, widgetAPIToken)
			if err != nil {
				t.Fatalf("the script failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			const newID = "wdg00501x9f3c"
			want := []string{
				"POST /api/widget ",
				"GET /api/widget/" + newID + " ",
				"POST /api/widget/copy ",
			}
			if len(srv.seen) != len(want) {
				t.Fatalf("the server saw %q", srv.seen)
			}
			for i, w := range want {
				if !strings.HasPrefix(srv.seen[i], w) {
					t.Errorf("call %d: %q, want %q...", i, srv.seen[i], w)
				}
			}
			var copyReq map[string]any
			if err := json.Unmarshal([]byte(strings.SplitN(srv.seen[2], " ", 3)[2]), &copyReq); err != nil || copyReq["sourceId"] != newID || copyReq["name"] != "gauge copy" {
				t.Errorf("the copy's body is %s, want sourceId %s as a JSON string", strings.SplitN(srv.seen[2], " ", 3)[2], newID)
			}
		})
	}
}
