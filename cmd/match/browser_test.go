package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
)

// browserFixture is what a browser adds to an API flow: a jQuery
// cache-buster on a documented call, a WebSocket, and a listing one
// segment short of a documented template.
func browserFixture(t *testing.T) (specPath, cleanHAR, rootHAR string) {
	t.Helper()
	dir := t.TempDir()
	specPath = writeSandboxSpec(t, dir)
	now := time.Now()
	launch := `{"id":104,"name":"n","projectId":1,"closed":false,"autoclose":false,"external":false,"createdDate":1764320000000,"lastModifiedDate":1764320000000,"tags":[],"links":[],"issues":[]}`
	busted := &har.Entry{StartedDateTime: har.FormatTime(now), Request: har.Request{Method: "GET", HTTPVersion: "HTTP/1.1",
		URL: "http://testops.test/api/launch/104?_=" + strconv.FormatInt(now.UnixMilli(), 10)}, Response: har.Response{Status: 200}}
	busted.SetResponseBody([]byte(launch), "application/json")
	ws := &har.Entry{StartedDateTime: har.FormatTime(now), Request: har.Request{Method: "GET", HTTPVersion: "HTTP/1.1",
		URL: "http://testops.test/api/launch/104/live", Headers: []har.NameValue{{Name: "Upgrade", Value: "websocket"}}}, Response: har.Response{Status: 101}}
	_ = ws.SetWebSocketMessages([]har.WebSocketMessage{{Type: "receive", Opcode: 1, Data: "{}"}})
	root := &har.Entry{StartedDateTime: har.FormatTime(now), Request: har.Request{Method: "GET", HTTPVersion: "HTTP/1.1",
		URL: "http://testops.test/api/launch/104/statistic/extra"}, Response: har.Response{Status: 200}}
	write := func(name string, entries ...*har.Entry) string {
		p := filepath.Join(dir, name)
		f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "test", Version: "1"}, Entries: entries}}
		if err := har.WriteFile(p, f, har.WriterOptions{}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return specPath, write("clean.har", busted, ws), write("near.har", busted, root)
}

func TestStrictIgnoresCacheBustersAndWebSockets(t *testing.T) {
	specPath, clean, _ := browserFixture(t)
	code, out, errOut := runMatch(t, "--strict", "--spec", specPath, "--host", "testops.test", clean)
	if code != 0 {
		t.Fatalf("--strict exited %d on a cache-buster and a WebSocket:\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"note: cache-buster _=", "websocket  101", "WebSocket: 0 frame(s) sent, 1 received", "1 websocket"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := runMatch(t, "--strict", "--no-cache-busters", "--spec", specPath, "--host", "testops.test", clean); code != 1 || !strings.Contains(out, "undocumented-query query._") {
		t.Errorf("--no-cache-busters --strict: exit %d, want 1 with the _ parameter as drift:\n%s", code, out)
	}
}

func TestJSONNamesTheClosestOperations(t *testing.T) {
	specPath, _, near := browserFixture(t)
	code, out, errOut := runMatch(t, "--json", "--spec", specPath, "--host", "testops.test", near)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	found := false
	for sc.Scan() {
		var line struct {
			Kind    string `json:"kind"`
			Verdict string `json:"verdict"`
			Query   []struct {
				Name        string `json:"name"`
				CacheBuster bool   `json:"cacheBuster"`
			} `json:"query"`
			Closest []struct {
				Method string `json:"method"`
				Path   string `json:"path"`
				Why    string `json:"why"`
			} `json:"closest"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if line.Kind != "entry" {
			continue
		}
		for _, q := range line.Query {
			if q.Name == "_" && !q.CacheBuster {
				t.Errorf("the _ parameter is not marked a cache-buster: %s", sc.Text())
			}
		}
		if line.Verdict == "undocumented" {
			found = true
			if len(line.Closest) == 0 || line.Closest[0].Path != "/api/launch/{id}/statistic" || line.Closest[0].Why != "one segment less" {
				t.Errorf("closest %+v, want GET /api/launch/{id}/statistic (one segment less): %s", line.Closest, sc.Text())
			}
		}
	}
	if !found {
		t.Errorf("no undocumented call:\n%s", out)
	}
}
