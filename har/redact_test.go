package har_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
)

const (
	jwt1     = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLW9uZQ"
	jwt2     = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLXR3bw"
	session  = "sess-0123456789abcdef"
	xsrf     = "xsrf-5555-6666-7777"
	apiToken = "api-token-0000-1111-2222"
)

// secretEntries builds a recording with a secret in every place a secret
// can hide. The map says which secrets must get the same placeholder.
func secretEntries() []*har.Entry {
	login := &har.Entry{
		StartedDateTime: "2026-11-28T10:00:00.000Z",
		Request: har.Request{Method: "POST", URL: "https://user:hunter2hunter2@testops.test/api/uaa/oauth/token", HTTPVersion: "HTTP/1.1",
			Headers: []har.NameValue{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}, {Name: "Proxy-Authorization", Value: "Basic dXNlcjpwYXNzd29yZA=="}}},
		Response: har.Response{Status: 200, Headers: []har.NameValue{{Name: "Set-Cookie", Value: "ALLURE_TESTOPS_SESSION=" + session + "; Path=/; HttpOnly"}},
			Cookies: []har.Cookie{{Name: "ALLURE_TESTOPS_SESSION", Value: session, Path: "/"}}},
	}
	login.SetRequestBody([]byte("grant_type=apitoken&scope=openid&token="+apiToken), "application/x-www-form-urlencoded")
	login.SetResponseBody([]byte(`{"access_token":"`+jwt1+`","refresh_token":"rt-12345678","expires_in":3600,"token_type":"bearer"}`), "application/json")

	call := &har.Entry{
		StartedDateTime: "2026-11-28T10:00:01.000Z",
		Request: har.Request{Method: "POST", URL: "https://testops.test/api/launch?projectId=1&api_key=qkey-aaaaaaaa&access_token=" + jwt2, HTTPVersion: "HTTP/1.1",
			Headers: []har.NameValue{
				{Name: "Authorization", Value: "Bearer " + jwt1},
				{Name: "Cookie", Value: "ALLURE_TESTOPS_SESSION=" + session + "; XSRF-TOKEN=" + xsrf},
				{Name: "X-XSRF-TOKEN", Value: xsrf},
				{Name: "X-CSRF-Token", Value: "csrf-abcdefgh"},
				{Name: "X-Api-Key", Value: "key-1234567890"},
				{Name: "Referer", Value: "https://testops.test/launches?token=ref-token-777777"},
			},
			Cookies:     []har.Cookie{{Name: "ALLURE_TESTOPS_SESSION", Value: session}, {Name: "XSRF-TOKEN", Value: xsrf}},
			QueryString: []har.NameValue{{Name: "projectId", Value: "1"}, {Name: "api_key", Value: "qkey-aaaaaaaa"}, {Name: "access_token", Value: jwt2}},
		},
		Response: har.Response{Status: 200},
	}
	call.SetRequestBody([]byte(`{"name":"nightly","projectId":1,"password":"pa55word-secret","nested":{"client_secret":"cs-abcdefgh","list":[{"refresh_token":"rt-12345678"}]}}`), "application/json")
	call.SetResponseBody([]byte("debug: the token was "+jwt2+"\n"), "text/plain")
	call.Extra.SetRaw("_initiator", json.RawMessage(`{"type":"script","url":"https://testops.test/app.js#`+jwt1+`"}`))
	_ = call.SetWebSocketMessages([]har.WebSocketMessage{{Type: "send", Opcode: 1, Data: `{"token":"ws-secret-123456","op":"subscribe"}`}})

	upload := &har.Entry{
		StartedDateTime: "2026-11-28T10:00:02.000Z",
		Request:         har.Request{Method: "POST", URL: "https://testops.test/api/login/system", HTTPVersion: "HTTP/1.1"},
		Response:        har.Response{Status: 200},
	}
	mp := "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nmultipart-pass-42\r\n--XyZ--\r\n"
	upload.SetRequestBody([]byte(mp), "multipart/form-data; boundary=XyZ")
	upload.Request.PostData.Params = []har.Param{{Name: "username", Value: "admin"}, {Name: "password", Value: "multipart-pass-42"}}
	upload.SetResponseBody([]byte(`{"token":"`+apiToken+`"}`), "application/json")
	return []*har.Entry{login, call, upload}
}

var secrets = []string{jwt1, jwt2, session, xsrf, apiToken, "hunter2hunter2", "dXNlcjpwYXNzd29yZA==", "rt-12345678",
	"qkey-aaaaaaaa", "csrf-abcdefgh", "key-1234567890", "ref-token-777777", "pa55word-secret", "cs-abcdefgh",
	"ws-secret-123456", "multipart-pass-42"}

func TestRedactionRemovesEverySecret(t *testing.T) {
	var buf bytes.Buffer
	w, err := har.NewWriter(&buf, har.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	entries := secretEntries()
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("secret %q is in the written file", s)
		}
	}
	if entries[1].Request.Headers[0].Value != "Bearer "+jwt1 {
		t.Error("writing changed the caller's entry")
	}

	f, err := har.NewReader(strings.NewReader(out), har.ReaderOptions{}).ReadAll()
	if err != nil {
		t.Fatalf("the redacted file does not read back: %v", err)
	}
	login, call, form := f.Log.Entries[0], f.Log.Entries[1], f.Log.Entries[2]
	header := func(e *har.Entry, name string) string { return e.Request.HTTPHeader().Get(name) }
	var loginResp, callReq, formResp map[string]any
	body, _ := login.ResponseBody()
	json.Unmarshal(body, &loginResp)
	body, _ = call.RequestBody()
	json.Unmarshal(body, &callReq)
	body, _ = form.ResponseBody()
	json.Unmarshal(body, &formResp)
	cookie := func(h, name string) string {
		for _, p := range strings.Split(h, ";") {
			if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); k == name {
				return v
			}
		}
		return ""
	}
	loginBody, _ := login.RequestBody()
	same := []struct {
		reason string
		a, b   string
	}{
		{"the bearer token and the access_token that issued it", strings.TrimPrefix(header(call, "Authorization"), "Bearer "), loginResp["access_token"].(string)},
		{"the XSRF cookie and the X-XSRF-TOKEN header", cookie(header(call, "Cookie"), "XSRF-TOKEN"), header(call, "X-XSRF-TOKEN")},
		{"the session cookie in the header and in the cookie list", cookie(header(call, "Cookie"), "ALLURE_TESTOPS_SESSION"), call.Request.Cookies[0].Value},
		{"the session set and the session sent", login.Response.Cookies[0].Value, call.Request.Cookies[0].Value},
		{"the refresh token in two bodies", loginResp["refresh_token"].(string), callReq["nested"].(map[string]any)["list"].([]any)[0].(map[string]any)["refresh_token"].(string)},
		{"the API token in a form and in a JSON body", strings.TrimPrefix(string(loginBody[strings.Index(string(loginBody), "token="):]), "token="), formResp["token"].(string)},
	}
	for _, c := range same {
		if c.a != c.b || !har.IsPlaceholder(c.a) {
			t.Errorf("%s: %q and %q should be one placeholder", c.reason, c.a, c.b)
		}
	}
	if strings.TrimPrefix(header(call, "Authorization"), "Bearer ") == header(call, "X-XSRF-TOKEN") {
		t.Error("different secrets got the same placeholder")
	}
	kept := []struct{ reason, got, want string }{
		{"the auth scheme is kept", header(call, "Authorization")[:7], "Bearer "},
		{"plain query values are kept", call.Request.QueryString[0].Value, "1"},
		{"plain JSON values are kept", callReq["name"].(string), "nightly"},
		{"numbers that are not secrets are kept", string(mustJSON(loginResp["expires_in"])), "3600"},
		{"the token type is not a secret", loginResp["token_type"].(string), "bearer"},
		{"plain form fields are kept", string(loginBody[:len("grant_type=apitoken&scope=openid")]), "grant_type=apitoken&scope=openid"},
		{"the URL's user info, user name too, gives way to one placeholder", regexp.MustCompile(`^https://REDACTED-[0-9a-f]{16}@testops\.test/`).FindString(login.Request.URL), login.Request.URL[:len("https://REDACTED-0123456789abcdef@testops.test/")]},
		{"multipart fields that are not secrets are kept", form.Request.PostData.Params[0].Value, "admin"},
	}
	for _, c := range kept {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.reason, c.got, c.want)
		}
	}
	if n := len(regexp.MustCompile(har.PlaceholderPrefix+`[0-9a-f]{16}`).FindAllString(out, -1)); n < len(secrets) {
		t.Errorf("only %d placeholders for %d secrets", n, len(secrets))
	}
}

// Members some tools add beside "log" are written after the entries, and
// must be cleaned like every other part of the file.
func TestTopLevelMembersAreRedacted(t *testing.T) {
	f := &har.File{Log: har.Log{Version: "1.2", Entries: secretEntries()}}
	f.Extra.SetRaw("_exportedBy", json.RawMessage(`{"user":"admin","auth":"Bearer `+jwt1+`","session":"`+session+`"}`))
	f.Extra.SetRaw("_unset", nil)
	var buf bytes.Buffer
	if err := har.Encode(&buf, f, har.WriterOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{jwt1, session} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("secret %q is in the written file", s)
		}
	}
	back, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
	if err != nil {
		t.Fatalf("the written file does not read back: %v", err)
	}
	if got := string(back.Extra.Get("_unset")); got != "null" {
		t.Errorf("a member without a value: got %s, want null as in every other object", got)
	}
}

func TestKeepSecretsWritesThemAsGiven(t *testing.T) {
	var buf bytes.Buffer
	f := &har.File{Log: har.Log{Version: "1.2", Entries: secretEntries()}}
	if err := har.Encode(&buf, f, har.WriterOptions{KeepSecrets: true}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{jwt1, session, apiToken} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("with KeepSecrets, %q should be in the file", s)
		}
	}
}

func TestPlaceholdersDifferBetweenRedactors(t *testing.T) {
	a, b := har.NewRedactor(har.DefaultRules()), har.NewRedactor(har.DefaultRules())
	if a.Placeholder("s3cret-value") == b.Placeholder("s3cret-value") {
		t.Error("two files share a key: a placeholder could be matched across files or guessed")
	}
	if first := a.Placeholder("s3cret-value"); a.Placeholder("s3cret-value") != first {
		t.Error("one file must give equal secrets equal placeholders")
	}
}

func TestRulesCanBeExtended(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules().With(har.Rules{Names: []string{"pin"}, Values: []string{"literal-secret-9"}}))
	got := string(r.JSON([]byte(`{"pin":"1234","note":"uses literal-secret-9","id":7}`)))
	if strings.Contains(got, "1234") || strings.Contains(got, "literal-secret-9") || !strings.Contains(got, `"id":7`) {
		t.Errorf("extended rules: %s", got)
	}
	for _, c := range []struct {
		name   string
		secret bool
	}{
		{"X-Auth-Token", true}, {"csrfToken", true}, {"client_secret", true}, {"apiKey", true},
		{"projectId", false}, {"token_type", false}, {"expires_in", false}, {"name", false},
	} {
		if got := r.SecretName(c.name); got != c.secret {
			t.Errorf("SecretName(%q) = %v", c.name, got)
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Chrome DevTools and chrome-har write every Set-Cookie line of a
// response into one header value, separated by newlines.
func TestSetCookieLinesJoinedByNewline(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules())
	v := "DYN_USER_ID=user-0001; path=/; Secure\nJSESSIONID=6BjnsN6uNVGO9bcG; path=/\nlang=en"
	got := r.Header("Set-Cookie", v)
	for _, secret := range []string{"user-0001", "6BjnsN6uNVGO9bcG"} {
		if strings.Contains(got, secret) {
			t.Errorf("Set-Cookie %q kept %q", got, secret)
		}
	}
	if lines := strings.Split(got, "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "JSESSIONID="+har.PlaceholderPrefix) || !strings.HasSuffix(lines[0], "; path=/; Secure") {
		t.Errorf("Set-Cookie lines = %q", lines)
	}
}

func TestRecentSecretsAreNotForgotten(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules().With(har.Rules{Values: []string{"pinned-api-token-1"}}))
	r.AddSecret("session-id-000000")
	for i := 0; i < 200; i++ {
		r.AddSecret(fmt.Sprintf("other-secret-%06d", i))
		if i%10 == 0 {
			r.AddSecret("session-id-000000") // seen again now and then
		}
	}
	got := r.Text("/x?sid=session-id-000000&t=pinned-api-token-1&o=other-secret-000000")
	if strings.Contains(got, "session-id-000000") {
		t.Errorf("a secret seen again recently was forgotten: %s", got)
	}
	if strings.Contains(got, "pinned-api-token-1") {
		t.Errorf("a secret the rules name was forgotten: %s", got)
	}
	if !strings.Contains(got, "other-secret-000000") {
		t.Errorf("the memory is meant to be bounded; the oldest secret should be gone: %s", got)
	}
}

func TestSecretsListsWhatEntryReplaces(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules())
	got := r.Secrets(secretEntries()[1])
	for _, want := range []string{jwt1, jwt2, session, xsrf, "qkey-aaaaaaaa", "pa55word-secret", "cs-abcdefgh", "ws-secret-123456"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("Secrets lacks %q: %v", want, got)
		}
	}
	for _, v := range got {
		r.Pin(v)
	}
	for i := 0; i < 200; i++ {
		r.AddSecret(fmt.Sprintf("other-secret-%06d", i))
	}
	if out := r.Text("echo " + session + " " + xsrf); strings.Contains(out, session) || strings.Contains(out, xsrf) {
		t.Errorf("pinned secrets must outlast the learned ones: %s", out)
	}
}
