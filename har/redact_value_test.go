package har_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
)

func TestReportURL(t *testing.T) {
	cases := []struct {
		reason, in string
		gone       []string // must not be in the result
		kept       []string // must be
	}{
		{"user info is dropped whole, user name too", "https://bob:Pa55word-9@testops.test/api/x", []string{"bob", "Pa55word-9", "@"}, []string{"https://testops.test/api/x"}},
		{"a user name alone is dropped (it may be a token)", "https://ghp_TOKENTOKENTOKEN@git.test/r", []string{"ghp_TOKENTOKENTOKEN"}, []string{"https://git.test/r"}},
		{"secret query parameters get placeholders", "https://h.test/p?page=2&token=tok-11112222&api_key=k-33334444", []string{"tok-11112222", "k-33334444"}, []string{"page=2", "token=REDACTED-", "api_key=REDACTED-"}},
		{"an @ in the query is not user info", "https://h.test/p?mail=a@b.test", nil, []string{"https://h.test/p?mail=a@b.test"}},
		{"a JWT anywhere is replaced", "https://h.test/p/" + jwt1, []string{jwt1}, []string{"https://h.test/p/REDACTED-"}},
		{"a relative URL keeps its form", "/api/launch?password=hunter2hunter2", []string{"hunter2hunter2"}, []string{"/api/launch?password=REDACTED-"}},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got := har.NewRedactor(har.DefaultRules()).ReportURL(c.in)
			for _, g := range c.gone {
				if strings.Contains(got, g) {
					t.Errorf("ReportURL(%q) = %q, still holds %q", c.in, got, g)
				}
			}
			for _, k := range c.kept {
				if !strings.Contains(got, k) {
					t.Errorf("ReportURL(%q) = %q, lost %q", c.in, got, k)
				}
			}
		})
	}
}

func TestReportTextFindsURLsInMessages(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules())
	msg := `Get "https://bob:hunter2hunter2@h.test/spec.json?token=abc12345": connection refused`
	got := r.ReportText(msg)
	for _, g := range []string{"bob", "hunter2hunter2", "abc12345"} {
		if strings.Contains(got, g) {
			t.Errorf("ReportText kept %q: %s", g, got)
		}
	}
	if !strings.Contains(got, `"https://h.test/spec.json?token=REDACTED-`) || !strings.HasSuffix(got, `": connection refused`) {
		t.Errorf("ReportText changed more than the secrets: %s", got)
	}
}

func TestPinSecretsHidesRecordedValuesByValue(t *testing.T) {
	r := har.NewRedactor(har.DefaultRules())
	r.PinSecrets(secretEntries())
	cases := []struct{ reason, secret string }{
		{"a cookie value", session},
		{"an XSRF token", xsrf},
		{"the API token posted in a form", apiToken},
		{"a query parameter's value", "qkey-aaaaaaaa"},
		{"a URL password", "hunter2hunter2"},
	}
	for _, c := range cases {
		for _, form := range []string{c.secret, url.QueryEscape(c.secret)} {
			text := "the answer repeats " + form + " without its name"
			if got := r.Text(text); strings.Contains(got, c.secret) || !strings.Contains(got, har.PlaceholderPrefix) {
				t.Errorf("%s: Text(%q) = %q", c.reason, text, got)
			}
		}
	}
	// Short values are not worth shredding every text that holds them.
	s := har.NewRedactor(har.DefaultRules())
	s.PinSecrets([]*har.Entry{{Request: har.Request{Method: "GET", URL: "https://h.test/", Cookies: []har.Cookie{{Name: "lang", Value: "en"}}}}})
	if got := s.Text("lang en, token en"); got != "lang en, token en" {
		t.Errorf("a 2-character cookie was swept: %q", got)
	}
}

func TestSweepValue(t *testing.T) {
	type inner struct {
		Note   string
		Hidden string `json:"-"`
		Body   []byte
	}
	type report struct {
		Reason  string
		Lines   []string
		Header  map[string][]string
		Any     any
		Inner   *inner
		private string
	}
	const secret = "s3cret-value-0001"
	r := har.NewRedactor(har.DefaultRules())
	r.Pin(secret)
	in := &inner{Note: "n " + secret, Hidden: secret, Body: []byte("b " + secret)}
	v := &report{Reason: "r " + secret, Lines: []string{secret, "jwt " + jwt2}, Header: map[string][]string{"X-Echo": {secret}},
		Any: "any " + secret, Inner: in, private: secret}
	r.SweepValue(v)
	shown := fmt.Sprint(v.Reason, v.Lines, v.Header, v.Any, v.Inner.Note, string(v.Inner.Body))
	if strings.Contains(shown, secret) || strings.Contains(shown, jwt2) {
		t.Errorf("SweepValue left a secret: %s", shown)
	}
	if strings.Count(shown, har.PlaceholderPrefix) != 7 {
		t.Errorf("want 7 placeholders, got: %s", shown)
	}
	// What JSON would not show is not a report's: left as it was.
	if in.Hidden != secret || v.private != secret {
		t.Errorf("SweepValue changed a field no report shows")
	}
}

func FuzzReportURL(f *testing.F) {
	for _, s := range []string{
		"https://bob:Pa55word-9@testops.test/api/x?token=abc12345#frag",
		"http://u@h/p?api_key=1234567890&x=y",
		"/relative?password=hunter2hunter2",
		"https://h.test/" + jwt1,
		"mailto:a@b.test",
		"https://[::1]:8443/p?code=c0de-c0de",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := har.NewRedactor(har.DefaultRules()).ReportURL(raw)
		// No user info survives in an absolute URL that parses.
		if u, err := url.Parse(got); err == nil && u.Scheme != "" && u.Host != "" && u.User != nil {
			if before, err := url.Parse(raw); err == nil && before.User != nil && (u.User.Username() == before.User.Username() && before.User.Username() != "") {
				t.Errorf("ReportURL(%q) = %q keeps the user info", raw, got)
			}
		}
		// A secret query value that was there is not there after.
		if u, err := url.Parse(raw); err == nil {
			for _, name := range []string{"token", "password", "api_key"} {
				if v := u.Query().Get(name); len(v) >= 8 && !har.IsPlaceholder(v) && strings.Contains(got, name+"="+url.QueryEscape(v)) {
					t.Errorf("ReportURL(%q) = %q keeps %s", raw, got, name)
				}
			}
		}
	})
}

// TestSweepValueInsideInterfaces covers what a Result's path parameters
// hold (numbers, strings, named strings, structures) now that a value
// that holds no string is passed over.
func TestSweepValueInsideInterfaces(t *testing.T) {
	type named string
	type pair struct {
		N int
		S string
	}
	const secret = "s3cret-value-0002"
	cases := []struct {
		name string
		in   any
		want any
	}{
		{"a number holds no string and stays", 42.5, 42.5},
		{"a boolean stays", true, true},
		{"a string without a secret stays", "plain", "plain"},
		{"a string with a secret is swept", "id " + secret, "id PH"},
		{"a named string is swept and keeps its type", named("id " + secret), named("id PH")},
		{"a structure is swept through", pair{7, secret}, pair{7, "PH"}},
		{"a pointer to numbers stays", &[]int{1, 2}, &[]int{1, 2}},
	}
	r := har.NewRedactor(har.DefaultRules())
	r.Pin(secret)
	ph := r.Placeholder(secret)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &struct{ Value any }{c.in}
			r.SweepValue(v)
			want := c.want
			switch w := want.(type) {
			case string:
				want = strings.ReplaceAll(w, "PH", ph)
			case named:
				want = named(strings.ReplaceAll(string(w), "PH", ph))
			case pair:
				want = pair{w.N, strings.ReplaceAll(w.S, "PH", ph)}
			}
			if !reflect.DeepEqual(v.Value, want) {
				t.Errorf("SweepValue gave %#v, want %#v", v.Value, want)
			}
		})
	}
}
