package spec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// Source is one spec document as fetched: its bytes and where and when they
// came from. The SHA256 lets a later run say exactly which spec version a
// recording was matched against.
type Source struct {
	// Name is the definition's name as the instance offers it ("All
	// Services"), or the file's base name.
	Name string `json:"name"`
	// URL is where the bytes came from: an http(s) URL or a file path.
	URL string `json:"url"`
	// Fetched is when the bytes were read (UTC).
	Fetched time.Time `json:"fetched"`
	// SHA256 is the hex digest of Data.
	SHA256 string `json:"sha256"`
	// Data is the document exactly as served.
	Data []byte `json:"-"`
}

// NewSource wraps bytes read elsewhere (standard input, an embedded file)
// and computes their digest.
func NewSource(name, location string, data []byte, fetched time.Time) Source {
	sum := sha256.Sum256(data)
	return Source{Name: name, URL: location, Fetched: fetched.UTC(), SHA256: hex.EncodeToString(sum[:]), Data: data}
}

// ReadFile reads a spec document from disk.
func ReadFile(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return Source{}, &Error{File: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	data, err := readLimited(f)
	if err != nil {
		return Source{}, &Error{File: path, Err: err}
	}
	return NewSource(filepath.Base(path), path, data, time.Now()), nil
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("larger than %d MB, the most a spec may be", MaxSpecBytes>>20)
	}
	return data, nil
}

// Fetch downloads a spec document with the caller's client, which decides
// timeouts, proxies and authentication (a Bearer token, for instance).
func Fetch(ctx context.Context, client *http.Client, rawURL string) (Source, error) {
	data, _, err := get(ctx, client, rawURL, "application/json, application/yaml;q=0.9, */*;q=0.8")
	if err != nil {
		return Source{}, err
	}
	return NewSource(nameFromURL(rawURL), rawURL, data, time.Now()), nil
}

// get fetches a URL and insists on a 2xx reply; the returned URL is the
// final one after redirects, which Swagger UI's page relies on.
func get(ctx context.Context, client *http.Client, rawURL, accept string) ([]byte, *url.URL, error) {
	if client == nil {
		return nil, nil, &Error{File: rawURL, Err: errors.New("no HTTP client given")}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, &Error{File: rawURL, Err: errors.New("not a usable URL")}
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, &Error{File: rawURL, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, nil, &Error{File: rawURL, Err: &StatusError{Code: resp.StatusCode}}
	}
	data, err := readLimited(resp.Body)
	if err != nil {
		return nil, nil, &Error{File: rawURL, Err: err}
	}
	return data, resp.Request.URL, nil
}

// StatusError is a fetch that the server answered with a status other than 2xx.
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("server answered %d %s", e.Code, http.StatusText(e.Code))
}

func nameFromURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return rawURL
	}
	return u.Path
}
