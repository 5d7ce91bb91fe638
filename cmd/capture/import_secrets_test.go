package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
)

// importedHAR is an export with a secret in every string member a browser
// or a tool fills with URLs and header values, and values that are no
// secrets and must come out as they went in.
const importedHAR = `{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},
"pages":[{"startedDateTime":"2026-01-01T00:00:00Z","id":"page_1","title":"https://bob:PAGETITLE-PW1@app.test/login/callback?code=PAGECODE-001&state=PAGESTATE-01","pageTimings":{},"comment":"opened with token=PAGECMT-TOK1"}],
"comment":"exported from https://u:LOGCMT-PW001@app.test/",
"entries":[{"startedDateTime":"2026-01-01T00:00:00Z","time":1,"comment":"see https://a:ENTRYCMT-PW01@x.test","pageref":"page_1",
"request":{"method":"POST","url":"https://carol:URLUSERINFO-1@app.test/api/x?code=QUERYCODE-01&state=QUERYSTATE-1&redirect_uri=https%3A%2F%2Fapp.test%2F","httpVersion":"HTTP/1.1",
"cookies":[{"name":"SID","value":"COOKIE-SID-0001"}],
"headers":[{"name":"Cookie","value":"SID=\"COOKIE-SID-0001\""},{"name":"X-Session-Id","value":"XSESSION-00001"},{"name":"Content-Type","value":"application/json"}],
"queryString":[{"name":"code","value":"QUERYCODE-01"},{"name":"state","value":"QUERYSTATE-1"},{"name":"redirect_uri","value":"https://app.test/"}],
"postData":{"mimeType":"application/json","text":"{\"payload\":\"{\\\"user\\\":\\\"bob\\\",\\\"password\\\":\\\"JSONINSTR-PW1\\\"}\"}"},"headersSize":-1,"bodySize":-1,"comment":"c https://z:REQCMT-PW0001@h.test"},
"response":{"status":302,"statusText":"Found","httpVersion":"HTTP/1.1","cookies":[{"name":"NEXT","value":"SETCOOKIE-0001"}],
"headers":[{"name":"Location","value":"https://app.test/login/callback?code=LOCCODE-0001&state=LOCSTATE-001"},{"name":"Set-Cookie","value":"NEXT=SETCOOKIE-0001; Path=/"}],
"content":{"size":0,"mimeType":"text/plain","text":""},"redirectURL":"https://app.test/login/callback?code=LOCCODE-0001&state=LOCSTATE-001","headersSize":-1,"bodySize":-1},
"cache":{},"timings":{"send":0,"wait":0,"receive":0},
"_initiator":{"type":"script","url":"https://d:INITIATOR-PW1@app.test/app.js","stack":{"callFrames":[{"url":"https://e:STACKFRAME-PW@app.test/s.js","functionName":"f","lineNumber":1}],
 "parent":{"callFrames":[{"url":"https://app.test/p.js?token=PARENTFRAME-T","functionName":"g"}]}}}},
{"startedDateTime":"2026-01-01T00:00:01Z","time":1,
"request":{"method":"GET","url":"wss://app.test/ws?session_id=WSRAND-000001&state=open","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"queryString":[{"name":"session_id","value":"WSRAND-000001"}],"headersSize":-1,"bodySize":0},
"response":{"status":101,"statusText":"Switching Protocols","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"content":{"size":0,"mimeType":"x-unknown"},"redirectURL":"","headersSize":-1,"bodySize":-1},
"cache":{},"timings":{"send":0,"wait":0,"receive":0},"_resourceType":"websocket",
"_webSocketMessages":[{"type":"send","time":1,"opcode":1,"data":"{\"op\":\"hello\",\"session_id\":\"WSRAND-000002\"}"}]}]}}`

// capture --from cleans every member of an import that can hold a URL or
// a header value, and keeps what replay needs.
func TestImportRedactsEveryMember(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "export.har"), filepath.Join(dir, "clean.har")
	if err := os.WriteFile(src, []byte(importedHAR), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCapture(t, nil, "--from", src, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data) + stderr
	for _, c := range []struct{ reason, secret string }{
		{"a password in a page title's URL", "PAGETITLE-PW1"},
		{"an OAuth code in a page title", "PAGECODE-001"},
		{"an OAuth state in a page title", "PAGESTATE-01"},
		{"a token in a page comment", "PAGECMT-TOK1"},
		{"a password in the log's comment", "LOGCMT-PW001"},
		{"a password in an entry's comment", "ENTRYCMT-PW01"},
		{"a password in a request's comment", "REQCMT-PW0001"},
		{"URL user info, user name too", "URLUSERINFO-1"},
		{"the user name of URL user info", "carol"},
		{"an OAuth code in the query", "QUERYCODE-01"},
		{"an OAuth state in the query", "QUERYSTATE-1"},
		{"a cookie", "COOKIE-SID-0001"},
		{"a header named *session*", "XSESSION-00001"},
		{"a password in JSON inside a JSON string", "JSONINSTR-PW1"},
		{"an OAuth code in a Location header", "LOCCODE-0001"},
		{"an OAuth state in a Location header", "LOCSTATE-001"},
		{"a cookie set by the answer", "SETCOOKIE-0001"},
		{"a password in _initiator.url", "INITIATOR-PW1"},
		{"a password in an initiator stack frame", "STACKFRAME-PW"},
		{"a token in a parent stack frame", "PARENTFRAME-T"},
	} {
		for _, form := range []string{c.secret, url.QueryEscape(c.secret), strings.Trim(string(mustMarshal(c.secret)), `"`)} {
			if strings.Contains(got, form) {
				t.Errorf("%s: %q is in the output", c.reason, form)
			}
		}
	}
	for _, c := range []struct{ reason, kept string }{
		{"a WebSocket session_id a browser made up, in the URL", "session_id=WSRAND-000001"},
		{"that session_id in queryString[]", `"value":"WSRAND-000001"`},
		{"a session_id in a WebSocket frame", `\"session_id\":\"WSRAND-000002\"`},
		{"a state that is no OAuth state", "state=open"},
		{"the user name in a JSON-in-string body", `\\\"user\\\":\\\"bob\\\"`},
	} {
		if !strings.Contains(got, c.kept) {
			t.Errorf("%s: %q is gone:\n%s", c.reason, c.kept, got)
		}
	}
	f, err := har.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	e := f.Log.Entries[0]
	cookie := strings.Trim(strings.TrimPrefix(e.Request.HTTPHeader().Get("Cookie"), "SID="), `"`)
	setCookie, _, _ := strings.Cut(strings.TrimPrefix(e.Response.HTTPHeader().Get("Set-Cookie"), "NEXT="), ";")
	loc, _ := url.Parse(e.Response.HTTPHeader().Get("Location"))
	red, _ := url.Parse(e.Response.RedirectURL)
	for _, c := range []struct{ reason, a, b string }{
		{"the cookie quoted in the header and bare in cookies[]", cookie, e.Request.Cookies[0].Value},
		{"Set-Cookie and the response's cookies[]", setCookie, e.Response.Cookies[0].Value},
		{"the code in Location and in redirectURL", loc.Query().Get("code"), red.Query().Get("code")},
	} {
		if c.a != c.b || !har.IsPlaceholder(c.a) {
			t.Errorf("%s: %q and %q should be one placeholder", c.reason, c.a, c.b)
		}
	}
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
