package har_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
)

// The default rules in both directions: what must go, and what must stay
// because replay needs it and it is no credential.
func TestDefaultRulesBothWays(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules())
	tests := []struct {
		reason string
		redact func() string
		gone   []string
		kept   []string
	}{
		{"an OAuth callback's code and state in a Location header are the login",
			func() string {
				return r.Header("Location", "https://app.test/login/callback?code=AUTHCODE-0001&state=STATE-00001")
			},
			[]string{"AUTHCODE-0001", "STATE-00001"}, []string{"https://app.test/login/callback?code=REDACTED-"}},
		{"code and state together mark an OAuth answer, whatever the path",
			func() string { return r.URL("https://app.test/cb?code=AUTHCODE-0002&state=STATE-00002&x=1") },
			[]string{"AUTHCODE-0002", "STATE-00002"}, []string{"&x=1"}},
		{"a code beside redirect_uri in a token exchange form is the login",
			func() string {
				return r.Form("grant_type=authorization_code&code=AUTHCODE-0003&redirect_uri=https%3A%2F%2Fapp.test%2Fcb&code_verifier=VERIFIER-0003")
			},
			[]string{"AUTHCODE-0003", "VERIFIER-0003"}, []string{"grant_type=authorization_code"}},
		{"a lone code on an OAuth path is the login",
			func() string { return r.URL("https://idp.test/oauth2/authorize/resume?code=AUTHCODE-0004") },
			[]string{"AUTHCODE-0004"}, nil},
		{"the implicit flow's fragment carries the token and the state",
			func() string {
				return r.URL("https://app.test/#access_token=ACCESS-00005&token_type=bearer&state=STATE-00005")
			},
			[]string{"ACCESS-00005", "STATE-00005"}, []string{"token_type=bearer"}},
		{"a header whose name holds 'session' is a session",
			func() string { return r.Header("X-Session-Id", "XSESSION-0006") },
			[]string{"XSESSION-0006"}, nil},
		{"a password in JSON encoded into a JSON string",
			func() string {
				return string(r.JSON([]byte(`{"payload":"{\"user\":\"bob\",\"password\":\"PWINSTRING-07\"}","id":7}`)))
			},
			[]string{"PWINSTRING-07"}, []string{`\"user\":\"bob\"`, `"id":7`}},
		{"a token in a URL inside a JSON string",
			func() string { return string(r.JSON([]byte(`{"next":"https://x.test/a?token=TOKINURL-0008&page=2"}`))) },
			[]string{"TOKINURL-0008"}, []string{"page=2"}},
		{"user info in a URL, user name too",
			func() string { return r.URL("https://bob-login:USERINFO-PW-09@x.test/path") },
			[]string{"USERINFO-PW-09", "bob-login"}, []string{"@x.test/path"}},
		{"a user name alone in a URL",
			func() string { return r.URL("ftp://alice-login-10@x.test/") },
			[]string{"alice-login-10"}, nil},
		{"a name=value secret in free text",
			func() string { return r.FreeText("retried with token=TOKINTEXT-0011 at noon") },
			[]string{"TOKINTEXT-0011"}, []string{"retried with token=", " at noon"}},
		{"a Bearer credential quoted in free text",
			func() string { return r.FreeText("curl -H 'Authorization: Bearer BEARERTEXT-012' https://x.test") },
			[]string{"BEARERTEXT-012"}, []string{"curl -H 'Authorization: Bearer "}},

		{"a WebSocket session_id a browser made up, in a query, is no credential",
			func() string { return r.URL("wss://app.test/ws?session_id=WSRAND-000101&v=2") },
			nil, []string{"session_id=WSRAND-000101"}},
		{"a WebSocket session_id in a JSON frame is no credential",
			func() string { return string(r.JSON([]byte(`{"op":"hello","session_id":"WSRAND-000102"}`))) },
			nil, []string{`"session_id":"WSRAND-000102"`}},
		{"a filter named state is no OAuth state",
			func() string { return r.URL("https://app.test/api/launch?state=RUNNING-0103&page=1") },
			nil, []string{"state=RUNNING-0103&page=1"}},
		{"a code parameter of an API that is not OAuth is data",
			func() string { return r.URL("https://app.test/api/project?code=PRJCODE-0104") },
			nil, []string{"code=PRJCODE-0104"}},
		{"code and state members of a JSON answer are data",
			func() string { return string(r.JSON([]byte(`{"code":"NOT_FOUND_0105","state":"RUNNING_0105"}`))) },
			nil, []string{"NOT_FOUND_0105", "RUNNING_0105"}},
		{"a header without a secret word keeps its value",
			func() string { return r.Header("X-Request-Id", "REQID-000106") },
			nil, []string{"REQID-000106"}},
		{"JSON in a string with nothing secret stays as it was",
			func() string { return string(r.JSON([]byte(`{"payload":"{\"name\":\"nightly-0107\"}"}`))) },
			nil, []string{`{"payload":"{\"name\":\"nightly-0107\"}"}`}},
		{"a URL without secrets in free text stays as it was",
			func() string { return r.FreeText("see https://app.test/api/launch?page=1&size=0108") },
			nil, []string{"see https://app.test/api/launch?page=1&size=0108"}},
	}
	for _, tc := range tests {
		got := tc.redact()
		for _, g := range tc.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: %q is still in %s", tc.reason, g, got)
			}
		}
		for _, k := range tc.kept {
			if !strings.Contains(got, k) {
				t.Errorf("%s: %q is gone from %s", tc.reason, k, got)
			}
		}
	}
}

// Equal secrets get equal placeholders within a file, however each place
// spells them.
func TestEqualSecretsEqualPlaceholders(t *testing.T) {
	// What the proxy records: Go's parser hands cookies[] the cookie
	// without the quotes the Cookie and Set-Cookie headers have.
	req := httptest.NewRequest("GET", "https://app.test/api/x?api_key=abc%2Bdef%2Fgh%3D%3D99", nil)
	req.Header.Set("Cookie", `SID="quoted-session-01"; lang=en`)
	req.Header.Set("X-Api-Key", "abc+def/gh==99")
	resp := &http.Response{StatusCode: 200, Proto: "HTTP/1.1", Header: http.Header{"Set-Cookie": {`NEXT="quoted-session-02"; Path=/`}}, Body: io.NopCloser(bytes.NewReader(nil))}
	e := har.NewEntry(time.Now(), req, nil, resp, nil)
	r := har.NewRedactor(har.DefaultRules())
	c := r.Entry(e)
	cookieIn := func(h, name string) string {
		for _, p := range strings.Split(h, ";") {
			if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); k == name {
				return v
			}
		}
		return ""
	}
	query := func(name string) string {
		for _, q := range c.Request.QueryString {
			if q.Name == name {
				return q.Value
			}
		}
		return ""
	}
	setCookie, _, _ := strings.Cut(strings.TrimPrefix(c.Response.HTTPHeader().Get("Set-Cookie"), "NEXT="), ";")
	tests := []struct {
		reason string
		a, b   string
	}{
		{"a cookie quoted in the Cookie header and bare in cookies[]", cookieIn(c.Request.HTTPHeader().Get("Cookie"), "SID"), c.Request.Cookies[0].Value},
		{"a cookie quoted in Set-Cookie and bare in the response's cookies[]", setCookie, c.Response.Cookies[0].Value},
		{"a token raw in a header and percent-encoded in the URL", c.Request.HTTPHeader().Get("X-Api-Key"), strings.TrimPrefix(c.Request.URL[strings.Index(c.Request.URL, "api_key="):], "api_key=")},
		{"a token in a header and decoded in queryString[]", c.Request.HTTPHeader().Get("X-Api-Key"), query("api_key")},
	}
	for _, tc := range tests {
		if tc.a != tc.b || !har.IsPlaceholder(tc.a) {
			t.Errorf("%s: %q and %q should be one placeholder", tc.reason, tc.a, tc.b)
		}
	}
	if c.Request.Cookies[0].Value == c.Response.Cookies[0].Value {
		t.Error("two different cookies got one placeholder")
	}
}
