// Package recorder records the calls an http.Client makes as HAR entries,
// and drives the local instance's UI flow the way its page does, so that
// tests meet recordings with real ids, real cookies and real timestamps.
package recorder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/apitrail/apitrail/har"
)

// Recorder is an http.RoundTripper that keeps every exchange as an entry.
type Recorder struct {
	Base http.RoundTripper

	mu      sync.Mutex
	entries []*har.Entry
}

// RoundTrip sends the request and records it with its answer.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	base := r.Base
	if base == nil {
		base = http.DefaultTransport
	}
	start := time.Now()
	resp, err := base.RoundTrip(req)
	if err != nil {
		e := har.NewEntry(start, req, reqBody, nil, nil)
		e.Response.Extra.Set("_error", err.Error())
		r.add(e)
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	e := har.NewEntry(start, req, reqBody, resp, body)
	e.Time = float64(time.Since(start).Microseconds()) / 1000
	e.Timings.Wait = e.Time
	// Headers the browser adds that a Go client does not, so that
	// recordings look like a browser's.
	e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0"})
	r.add(e)
	return resp, nil
}

func (r *Recorder) add(e *har.Entry) {
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
}

// Entries returns the recorded entries in the order their answers came.
func (r *Recorder) Entries() []*har.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*har.Entry(nil), r.entries...)
}

// File returns the recorded entries as a HAR document.
func (r *Recorder) File() *har.File {
	return &har.File{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "apitrail recorder", Version: "test"}, Entries: r.Entries()}}
}

// Browser is a client that behaves like the instance's page: a cookie jar
// for the session and the XSRF cookie echoed in X-XSRF-TOKEN on every call
// that changes state.
type Browser struct {
	Base   string
	Client *http.Client
	Rec    *Recorder
}

// NewBrowser returns a recording browser-like client for the instance at
// base, sending through transport (nil for the default).
func NewBrowser(base string, transport http.RoundTripper) *Browser {
	jar, _ := cookiejar.New(nil)
	rec := &Recorder{Base: transport}
	return &Browser{Base: strings.TrimSuffix(base, "/"), Client: &http.Client{Jar: jar, Transport: rec}, Rec: rec}
}

// Call sends one call as the page's api() function does and decodes a
// JSON answer into out when out is not nil.
func (b *Browser) Call(ctx context.Context, method, path string, body any, form url.Values, out any) error {
	var payload io.Reader
	hdr := http.Header{"Accept": {"application/json"}}
	switch {
	case form != nil:
		payload = strings.NewReader(form.Encode())
		hdr.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != nil:
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(data)
		hdr.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequestWithContext(ctx, method, b.Base+path, payload)
	if err != nil {
		return err
	}
	req.Header = hdr
	if method != http.MethodGet {
		u, _ := url.Parse(b.Base)
		for _, c := range b.Client.Jar.Cookies(u) {
			if c.Name == "XSRF-TOKEN" {
				req.Header.Set("X-XSRF-TOKEN", c.Value)
			}
		}
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, data)
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// UIFlow runs the flow of the instance's page: log in, who am I, list
// projects, create a launch, open it with its results, search for it. It
// returns the id of the launch it created.
func (b *Browser) UIFlow(ctx context.Context, launchName string) (int64, error) {
	if err := b.Call(ctx, "POST", "/api/login/system", nil, url.Values{"username": {"admin"}, "password": {"admin"}}, nil); err != nil {
		return 0, err
	}
	if err := b.Call(ctx, "GET", "/api/uaa/me", nil, nil, nil); err != nil {
		return 0, err
	}
	var page struct {
		Content []struct {
			ID int64 `json:"id"`
		} `json:"content"`
	}
	if err := b.Call(ctx, "GET", "/api/project?page=0&size=10&sort=name,ASC", nil, nil, &page); err != nil {
		return 0, err
	}
	if len(page.Content) == 0 {
		return 0, fmt.Errorf("no projects")
	}
	project := page.Content[0].ID
	var launch struct {
		ID int64 `json:"id"`
	}
	if err := b.Call(ctx, "POST", "/api/launch", map[string]any{"name": launchName, "projectId": project, "autoclose": false, "tags": []any{}}, nil, &launch); err != nil {
		return 0, err
	}
	id := fmt.Sprint(launch.ID)
	if err := b.Call(ctx, "GET", "/api/launch/"+id, nil, nil, nil); err != nil {
		return 0, err
	}
	if err := b.Call(ctx, "GET", "/api/testresult?launchId="+id+"&page=0&size=10", nil, nil, nil); err != nil {
		return 0, err
	}
	rql := url.QueryEscape(`name ~= "` + launchName + `"`)
	if err := b.Call(ctx, "GET", fmt.Sprintf("/api/launch/__search?projectId=%d&rql=%s&page=0&size=10&sort=created_date,DESC", project, rql), nil, nil, nil); err != nil {
		return 0, err
	}
	return launch.ID, nil
}

// SearchFlow runs a flow whose searches name the launch it created: it
// creates a launch called name in project 1, searches for it by name and
// id (name = "..." and id = N), renames it to name + " (renamed)" and
// searches for the name again (name ~= "..."). It returns the launch's id.
func (b *Browser) SearchFlow(ctx context.Context, name string) (int64, error) {
	if err := b.Call(ctx, "POST", "/api/login/system", nil, url.Values{"username": {"admin"}, "password": {"admin"}}, nil); err != nil {
		return 0, err
	}
	var launch struct {
		ID int64 `json:"id"`
	}
	if err := b.Call(ctx, "POST", "/api/launch", map[string]any{"name": name, "projectId": 1}, nil, &launch); err != nil {
		return 0, err
	}
	search := func(rql string) error {
		// Spaces as %20, as the page's encodeURIComponent writes them.
		q := strings.ReplaceAll(url.QueryEscape(rql), "+", "%20")
		return b.Call(ctx, "GET", "/api/launch/__search?projectId=1&rql="+q+"&page=0&size=10&sort=created_date,DESC", nil, nil, nil)
	}
	if err := search(fmt.Sprintf(`name = "%s" and id = %d`, name, launch.ID)); err != nil {
		return 0, err
	}
	if err := b.Call(ctx, "PATCH", fmt.Sprintf("/api/launch/%d", launch.ID), map[string]any{"name": name + " (renamed)"}, nil, nil); err != nil {
		return 0, err
	}
	if err := search(fmt.Sprintf(`name ~= "%s"`, name)); err != nil {
		return 0, err
	}
	return launch.ID, nil
}
