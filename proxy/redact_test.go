package proxy

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
)

func TestRecordingHoldsNoSecrets(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	jwt := b64([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b64([]byte(`{"sub":"alice","exp":4102444800}`)) + "." + b64([]byte("signature-bytes-here"))
	secrets := map[string]string{
		"bearer JWT":            jwt,
		"session cookie":        "cookie-secret-0001",
		"XSRF cookie/header":    "xsrf-secret-0002",
		"form password":         "pw-secret-0003",
		"JSON token":            "tok-secret-0004",
		"Set-Cookie":            "cookie-secret-0005",
		"JSON access_token":     "acc-secret-0006",
		"JSON refresh_token":    "ref-secret-0007",
		"query api_key":         "key-secret-0008",
		"custom header (flag)":  "custom-secret-0009",
		"custom JSON member":    "custom-secret-0010",
		"API token in a header": "api-secret-0011",
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.SetCookie(w, &http.Cookie{Name: "SESSION", Value: "cookie-secret-0005", HttpOnly: true})
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"acc-secret-0006","refresh_token":"ref-secret-0007","expires_in":3600,"user":"alice"}`)
	}))
	defer srv.Close()
	rules := har.DefaultRules().With(har.Rules{Names: []string{"X-Custom-Auth", "pin_code"}})
	r := startProxy(t, Options{UpstreamRoots: upstreamPool(srv)})
	r.hw.Close()
	// Swap in a writer with the extended rules, as --redact does.
	hw, err := har.Create(r.path, har.WriterOptions{Redactor: har.NewRedactor(rules)})
	if err != nil {
		t.Fatal(err)
	}
	r.hw = hw
	r.log.w = hw
	c := r.client()

	send := func(method, path, contentType, body string, headers map[string]string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if body == "" {
			req.Body = http.NoBody
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	send("POST", "/api/login/system", "application/x-www-form-urlencoded",
		url.Values{"username": {"alice"}, "password": {"pw-secret-0003"}}.Encode(), nil)
	session := map[string]string{
		"Cookie":       "SESSION=cookie-secret-0001; XSRF-TOKEN=xsrf-secret-0002",
		"X-XSRF-TOKEN": "xsrf-secret-0002",
	}
	send("POST", "/api/launch", "application/json", `{"name":"nightly","token":"tok-secret-0004","pin_code":"custom-secret-0010"}`, session)
	send("GET", "/api/project?api_key=key-secret-0008&page=0", "", "", map[string]string{
		"Authorization": "Bearer " + jwt,
		"X-Custom-Auth": "custom-secret-0009",
		"X-Api-Key":     "api-secret-0011",
	})

	data := r.bytes()
	var raw bytes.Buffer
	for _, e := range r.log.raw() {
		b, _ := e.MarshalJSON()
		raw.Write(b)
	}
	for what, s := range secrets {
		if !bytes.Contains(raw.Bytes(), []byte(s)) {
			t.Errorf("%s: the proxy never saw %q; the test does not test what it claims", what, s)
		}
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s: %q is in the recording's bytes", what, s)
		}
	}
	entries := r.entries()
	launch := find(t, entries, "POST", "/api/launch")
	var cookie string
	for _, ck := range launch.Request.Cookies {
		if ck.Name == "XSRF-TOKEN" {
			cookie = ck.Value
		}
	}
	if h := header(launch.Request.Headers, "X-XSRF-TOKEN"); !har.IsPlaceholder(h) || h != cookie {
		t.Errorf("the XSRF header %q and cookie %q should carry the same placeholder", h, cookie)
	}
	// What is not secret stays readable.
	if pd := launch.Request.PostData; pd == nil || !strings.Contains(pd.Text, `"name":"nightly"`) {
		t.Errorf("the launch body lost its name, which is not a secret: %+v", pd)
	}
	for _, keep := range []string{"alice", "expires_in", "/api/project?api_key="} {
		if !bytes.Contains(data, []byte(keep)) {
			t.Errorf("the recording lost %q, which is not a secret", keep)
		}
	}
}
