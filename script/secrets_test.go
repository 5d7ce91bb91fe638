package script_test

import (
	"bytes"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/script"
)

// The secrets of the recording secretEntries makes, one in every place a
// browser puts one.
const (
	secretSession     = "0f4c9b2e7d1a5c3f8e6b4a2d9c7e5f31"
	secretXSRF        = "5b8e2c4f-7a1d-4e9b-8c3f-2d6a9e1b7c40"
	secretJWT         = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6NDEwMjQ0NDgwMH0.q2v9nY0cQfJ1t3m7x8Kp4sLwR6uHbZeA5gDiVoTjN1c"
	secretLogin       = "Corr3ct-Horse-Battery"
	secretIntegration = "jira-Passw0rd-7781"
	secretQueryToken  = "qt-9a8b7c6d5e4f3a2b1c0d"
	secretUpload      = "upload-only-value-42"
)

var allSecrets = []string{secretSession, secretXSRF, secretJWT, secretLogin, secretIntegration, secretQueryToken}

// secretEntries is a recording as a browser exports it, secrets and all:
// a session cookie and XSRF cookie on every call, a Bearer token, the XSRF
// header, a login password in a form, a password in a JSON body, a token in
// a query, an upload call, a call that never got an answer and one that
// failed.
func secretEntries(t *testing.T) []*har.Entry {
	t.Helper()
	const host = "https://testops.example.com"
	start := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	var out []*har.Entry
	add := func(method, path, reqType, reqBody string, status int, respBody string, respHeader http.Header) *har.Entry {
		var rd *strings.Reader
		if reqBody != "" {
			rd = strings.NewReader(reqBody)
		}
		req, err := http.NewRequest(method, host+path, nil)
		if rd != nil {
			req, err = http.NewRequest(method, host+path, rd)
		}
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 HeadlessChrome/131.0.0.0")
		req.Header.Set("Sec-Fetch-Mode", "cors")
		req.Header.Set("Cookie", "ALLURE_TESTOPS_SESSION="+secretSession+"; XSRF-TOKEN="+secretXSRF)
		req.Header.Set("Authorization", "Bearer "+secretJWT)
		if method != http.MethodGet {
			req.Header.Set("X-XSRF-TOKEN", secretXSRF)
		}
		if reqType != "" {
			req.Header.Set("Content-Type", reqType)
		}
		var resp *http.Response
		if status > 0 {
			if respHeader == nil {
				respHeader = http.Header{}
			}
			respHeader.Set("Content-Type", "application/json")
			resp = &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: respHeader}
		}
		var body []byte
		if reqBody != "" {
			body = []byte(reqBody)
		}
		e := har.NewEntry(start.Add(time.Duration(len(out))*time.Second), req, body, resp, []byte(respBody))
		out = append(out, e)
		return e
	}
	add("GET", "/", "", "", 200, "<html></html>", http.Header{})
	out[0].Response.Headers = []har.NameValue{{Name: "Content-Type", Value: "text/html"}}
	out[0].Response.Content.MimeType = "text/html"
	add("POST", "/api/login/system", "application/x-www-form-urlencoded", "username=admin&password="+secretLogin, 200, "",
		http.Header{"Set-Cookie": {"ALLURE_TESTOPS_SESSION=" + secretSession + "; Path=/; HttpOnly"}})
	add("GET", "/api/project?page=0&size=10&sort=name,ASC", "", "", 200,
		`{"content":[{"id":7,"name":"Demo Project","abbr":"DEMO","isPublic":false,"favorite":false}],"totalElements":1,"totalPages":1,"size":10,"number":0,"numberOfElements":1,"first":true,"last":true,"empty":false}`, nil)
	add("POST", "/api/launch", "application/json", `{"name":"nightly","projectId":7,"autoclose":false,"tags":[]}`, 200,
		`{"id":20417,"name":"nightly","projectId":7,"closed":false,"autoclose":false,"external":false,"createdDate":1795860000000,"lastModifiedDate":1795860000000,"tags":[],"links":[],"issues":[]}`, nil)
	add("POST", "/api/integration", "application/json", `{"name":"Jira","url":"https://jira.example.com","username":"bot","password":"`+secretIntegration+`","launchId":20417}`, 200, `{"id":3}`, nil)
	add("GET", "/api/launch/20417?token="+secretQueryToken, "", "", 200,
		`{"id":20417,"name":"nightly","projectId":7,"closed":false,"autoclose":false,"external":false,"createdDate":1795860000000,"lastModifiedDate":1795860000000,"tags":[],"links":[],"issues":[]}`, nil)
	add("POST", "/api/upload/start", "application/json", `{"launchId":20417,"uploadToken":"`+secretUpload+`"}`, 200, `{"id":1}`, nil)
	failed := add("GET", "/api/launch/20417/statistic", "", "", 0, "", nil)
	failed.Extra.Set("_error", "net::ERR_CONNECTION_RESET")
	add("GET", "/api/launch?projectId=7&page=0&size=10", "", "", 500, `{"status":500,"message":"Internal Server Error"}`, nil)
	return out
}

var placeholderRE = regexp.MustCompile(`REDACTED-[0-9a-fA-F]{16}`)

// TestNoSecretReachesAScript generates every format from the recording
// with its secrets in place (a browser's export) and from the same
// recording written through a redacting har.Writer, and looks for every
// secret and every placeholder in the scripts.
func TestNoSecretReachesAScript(t *testing.T) {
	raw := secretEntries(t)
	path := filepath.Join(t.TempDir(), "secrets.har")
	w, err := har.Create(path, har.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range raw {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	redacted, err := har.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var placeholders []string
	for _, e := range redacted.Log.Entries {
		data, _ := e.MarshalJSON()
		placeholders = append(placeholders, placeholderRE.FindAllString(string(data), -1)...)
	}
	if len(placeholders) < 5 {
		t.Fatalf("the redacted recording holds only %d placeholders; the test needs its secrets redacted", len(placeholders))
	}
	for name, entries := range map[string][]*har.Entry{"as exported": raw, "redacted": redacted.Log.Entries} {
		results := matchEntries(t, entries)
		for _, f := range script.Formats() {
			out, err := script.Generate(f, results, script.Options{Name: "secrets"})
			if err != nil {
				t.Fatalf("%s, %s: %v", name, f, err)
			}
			for _, s := range append(append([]string{secretUpload, "REDACTED-"}, allSecrets...), placeholders...) {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("%s, %s: the script carries %q", name, f, s)
				}
			}
			for _, s := range []string{"ALLURE_TESTOPS_SESSION", "XSRF", "Cookie", "/api/upload", "uploadToken", "/api/login", "statistic", "Internal Server Error"} {
				if bytes.Contains(bytes.ToLower(out), bytes.ToLower([]byte(s))) {
					t.Errorf("%s, %s: the script mentions %q, which belongs to a call or header it must leave out", name, f, s)
				}
			}
			for _, s := range []string{"allurectl", "https://docs.qameta.io/allurectl/", "1 call is an upload (never scripted", "1 call failed in the recording (no answer arrived): #8", "1 call was answered with an error (a script would stop there): #9", "1 call is authentication"} {
				if !bytes.Contains(out, []byte(s)) {
					t.Errorf("%s, %s: the script does not say %q", name, f, s)
				}
			}
			// The password the integration call needs becomes a parameter
			// with no default; the token in the query too.
			for _, want := range map[script.Format][]string{
				script.Bash:    {`: "${PASSWORD:?set PASSWORD to the secret sent in body \$.password of #5}"`, `$(json_string "$PASSWORD")`, `token=$(urlencode "$TOKEN")`},
				script.HTTP:    {"@password = {{$processEnv PASSWORD}}", `"password": "{{password}}"`, "token={{token}}"},
				script.Go:      {`password := need("PASSWORD", "body $.password of #5")`, `jsonString(password)`, `url.QueryEscape(token)`},
				script.Postman: {`"key": "password"`, `\"password\": \"{{password}}\"`, "token={{token}}"},
			}[f] {
				if !bytes.Contains(out, []byte(want)) {
					t.Errorf("%s, %s: no %s in\n%s", name, f, want, out)
				}
			}
		}
	}
}
