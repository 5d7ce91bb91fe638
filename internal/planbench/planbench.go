// Package planbench makes long recordings for measuring how replay's
// planning (matching, correlation, ordering) grows with the number of
// calls: a flow that creates launches with names holding the time they were
// typed, opens them, searches for each by name and id inside the search
// filter, and renames it, repeated as often as asked.
package planbench

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
)

// CallsPerLaunch is how many calls Flow makes per launch it creates.
const CallsPerLaunch = 5

// Flow returns n recorded calls against host, the first at start.
func Flow(n int, host string, start time.Time) []*har.Entry {
	var out []*har.Entry
	add := func(at time.Time, method, path, reqBody, respBody string) {
		if len(out) >= n {
			return
		}
		u, _ := url.Parse("https://" + host + path)
		req := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", Header: http.Header{"Accept": {"application/json"}}}
		if reqBody != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp := &http.Response{StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Content-Type": {"application/json"}}}
		out = append(out, har.NewEntry(at, req, []byte(reqBody), resp, []byte(respBody)))
	}
	for k := 0; len(out) < n; k++ {
		at := start.Add(time.Duration(k) * time.Second)
		name := "UI launch " + at.UTC().Format("2006-01-02T15:04:05.000Z")
		id := 1000 + k
		launch := func(name string) string {
			return fmt.Sprintf(`{"id":%d,"name":%q,"projectId":1,"tags":[],"links":[],"issues":[],"autoclose":false,"closed":false,"external":false,"createdDate":%d,"lastModifiedDate":%d}`,
				id, name, at.UnixMilli(), at.UnixMilli())
		}
		page := func(items ...string) string {
			return fmt.Sprintf(`{"content":[%s],"totalElements":%d,"totalPages":1,"number":0,"size":10,"first":true,"last":true,"empty":%v}`,
				strings.Join(items, ","), len(items), len(items) == 0)
		}
		add(at, "POST", "/api/launch", fmt.Sprintf(`{"name":%q,"projectId":1,"autoclose":false,"tags":[]}`, name), launch(name))
		add(at.Add(100*time.Millisecond), "GET", fmt.Sprintf("/api/launch/%d", id), "", launch(name))
		add(at.Add(200*time.Millisecond), "GET", fmt.Sprintf("/api/testresult?launchId=%d&page=0&size=10", id), "", page())
		rql := strings.ReplaceAll(url.QueryEscape(fmt.Sprintf(`name ~= "%s" and id = %d`, name, id)), "+", "%20")
		add(at.Add(300*time.Millisecond), "GET", "/api/launch/__search?projectId=1&rql="+rql+"&page=0&size=10&sort=created_date,DESC", "", page(launch(name)))
		add(at.Add(400*time.Millisecond), "PATCH", fmt.Sprintf("/api/launch/%d", id), fmt.Sprintf(`{"name":%q}`, name+" (renamed)"), launch(name+" (renamed)"))
	}
	return out
}

// WriteFolder writes a recording of n calls (recording.har) and the local
// instance's API document (openapi.json) into dir, the two files
// replay --dry-run needs.
func WriteFolder(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries := Flow(n, "testops.example.com", time.Date(2026, 11, 28, 10, 33, 37, 997e6, time.UTC))
	f := &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "planbench", Version: "1"}, Entries: entries}}
	if err := har.WriteFile(filepath.Join(dir, "recording.har"), f, har.WriterOptions{}); err != nil {
		return err
	}
	doc, err := sandbox.Document(sandbox.AllServices, false)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "openapi.json"), doc, 0o644)
}
