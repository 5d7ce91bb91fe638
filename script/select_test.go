package script

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/match"
)

func result(seq int, v match.Verdict, method, url string, status int, body string) match.Result {
	e := &har.Entry{Request: har.Request{Method: method, URL: url}, Response: har.Response{Status: status}}
	if body != "" {
		e.SetRequestBody([]byte(body), "application/json")
		e.Request.Headers = []har.NameValue{{Name: "Content-Type", Value: "application/json"}}
	}
	return match.Result{Seq: seq, Method: method, URL: url, Status: status, Verdict: v, Entry: e}
}

func TestChoose(t *testing.T) {
	const api = "https://testops.test/api"
	cases := []struct {
		reason  string
		results []match.Result
		want    []omission // one per result
	}{
		{"a matched call goes in",
			[]match.Result{result(1, match.Matched, "GET", api+"/launch/1", 200, "")},
			[]omission{keep}},
		{"drift and undocumented calls still go in: they are the API",
			[]match.Result{result(1, match.Drift, "GET", api+"/launch/1", 200, ""), result(2, match.Undocumented, "GET", api+"/widgets", 200, "")},
			[]omission{keep, keep}},
		{"pages, assets and other hosts are not the API",
			[]match.Result{result(1, match.NotAPI, "GET", "https://testops.test/", 200, ""), result(2, match.NotAPI, "GET", "https://cdn.test/app.js", 200, "")},
			[]omission{omitNotAPI, omitNotAPI}},
		{"the UI's login and token calls are left out: the script gets its own token",
			[]match.Result{result(1, match.Auth, "POST", api+"/login/system", 200, ""), result(2, match.Auth, "POST", api+"/uaa/oauth/token", 200, "")},
			[]omission{omitAuth, omitAuth}},
		{"an upload is never scripted, even when it succeeded",
			[]match.Result{result(1, match.Upload, "POST", api+"/upload/start", 200, `{"launchId":1}`)},
			[]omission{omitUpload}},
		{"an upload that failed is still an upload",
			[]match.Result{result(1, match.Upload, "POST", api+"/upload/start", 0, "")},
			[]omission{omitUpload}},
		{"a call with no answer (status 0) failed",
			[]match.Result{result(1, match.Matched, "GET", api+"/launch/1", 0, "")},
			[]omission{omitFailed}},
		{"a call answered 4xx or 5xx would stop a script",
			[]match.Result{result(1, match.Matched, "GET", api+"/launch/1", 404, ""), result(2, match.Matched, "GET", api+"/launch/2", 503, "")},
			[]omission{omitError, omitError}},
		{"a redirect is an answer, not a failure",
			[]match.Result{result(1, match.Undocumented, "GET", api+"/go", 302, "")},
			[]omission{keep}},
		{"the same GET fired twice keeps the first",
			[]match.Result{result(1, match.Matched, "GET", api+"/project?page=0", 200, ""), result(2, match.Matched, "GET", api+"/project?page=0", 200, "")},
			[]omission{keep, omitDuplicate}},
		{"a fragment never reaches the server, so it does not tell calls apart",
			[]match.Result{result(1, match.Matched, "GET", api+"/project", 200, ""), result(2, match.Matched, "GET", api+"/project#top", 200, "")},
			[]omission{keep, omitDuplicate}},
		{"another query is another call",
			[]match.Result{result(1, match.Matched, "GET", api+"/project?page=0", 200, ""), result(2, match.Matched, "GET", api+"/project?page=1", 200, "")},
			[]omission{keep, keep}},
		{"the same POST with another body is another call",
			[]match.Result{result(1, match.Matched, "POST", api+"/launch", 200, `{"name":"a"}`), result(2, match.Matched, "POST", api+"/launch", 200, `{"name":"b"}`)},
			[]omission{keep, keep}},
		{"the same POST with the same body twice is a duplicate",
			[]match.Result{result(1, match.Matched, "POST", api+"/launch", 200, `{"name":"a"}`), result(2, match.Matched, "POST", api+"/launch", 200, `{"name":"a"}`)},
			[]omission{keep, omitDuplicate}},
		{"another method on the same URL is another call",
			[]match.Result{result(1, match.Matched, "GET", api+"/launch/1", 200, ""), result(2, match.Matched, "DELETE", api+"/launch/1", 204, "")},
			[]omission{keep, keep}},
		{"a repeat of a failed call is not a duplicate: the failed one is not in the script",
			[]match.Result{result(1, match.Matched, "GET", api+"/launch/1", 0, ""), result(2, match.Matched, "GET", api+"/launch/1", 200, "")},
			[]omission{omitFailed, keep}},
		{"a multipart body cannot be written into a script",
			[]match.Result{func() match.Result {
				r := result(1, match.Undocumented, "POST", api+"/attachment", 200, "")
				r.Entry.SetRequestBody([]byte("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b--\r\n"), "multipart/form-data; boundary=b")
				r.Entry.Request.Headers = []har.NameValue{{Name: "Content-Type", Value: "multipart/form-data; boundary=b"}}
				return r
			}()},
			[]omission{omitBody}},
		{"a result without its entry cannot be scripted",
			[]match.Result{{Seq: 1, Verdict: match.Matched}},
			[]omission{omitNotAPI}},
	}
	for _, c := range cases {
		bodyOf := func(r match.Result) string {
			b, _ := r.Entry.RequestBody()
			return string(b)
		}
		var got []omission
		for _, ch := range choose(c.results, bodyOf) {
			got = append(got, ch.why)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.reason, got, c.want)
		}
	}
}

func TestLeftOutSaysHowManyAndWhy(t *testing.T) {
	const api = "https://testops.test/api"
	results := []match.Result{
		result(1, match.NotAPI, "GET", "https://testops.test/", 200, ""),
		result(2, match.Auth, "POST", api+"/login/system", 200, ""),
		result(3, match.Matched, "GET", api+"/project", 200, ""),
		result(4, match.Matched, "GET", api+"/project", 200, ""),
		result(5, match.Matched, "GET", api+"/project", 200, ""),
		result(6, match.Upload, "POST", api+"/upload/start", 200, ""),
		result(7, match.Matched, "GET", api+"/launch/1", 0, ""),
	}
	got := leftOut(choose(results, func(match.Result) string { return "" }))
	want := []string{
		"1 call is not the API (pages, assets, other hosts, preflights): #1",
		"1 call is authentication (the script gets its own token): #2",
		"2 calls repeat earlier ones (the same method, URL and body, as a UI fires twice): #4, #5",
		"1 call failed in the recording (no answer arrived): #7",
		"1 call is an upload (never scripted: see below): #6",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("left out:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNothingToScript(t *testing.T) {
	results := []match.Result{
		result(1, match.Auth, "POST", "https://testops.test/api/login/system", 200, ""),
		result(2, match.Upload, "POST", "https://testops.test/api/upload/start", 200, ""),
	}
	for _, f := range Formats() {
		_, err := Generate(f, results, Options{})
		if !errors.Is(err, ErrNothingToScript) {
			t.Fatalf("%s: %v, want ErrNothingToScript", f, err)
		}
		if !strings.Contains(err.Error(), "upload") || !strings.Contains(err.Error(), "authentication") {
			t.Errorf("%s: the error does not say what was left out: %v", f, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	cases := []struct {
		reason, in string
		want       Format
		wantErr    bool
	}{
		{"the format's own name", "bash", Bash, false},
		{"sh is what people type for a shell script", "sh", Bash, false},
		{"case and spaces do not matter", " HTTP ", HTTP, false},
		{"go", "go", Go, false},
		{"newman names the collection it runs", "newman", Postman, false},
		{"an unknown name", "python", "", true},
	}
	for _, c := range cases {
		got, err := ParseFormat(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("%s: ParseFormat(%q) = %q, %v", c.reason, c.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "bash, http, go, postman") {
			t.Errorf("%s: the error does not list the formats: %v", c.reason, err)
		}
	}
	if _, err := Generate("python", nil, Options{}); err == nil {
		t.Error("Generate takes an unknown format")
	}
}

func TestParsePath(t *testing.T) {
	cases := []struct {
		reason, in string
		want       []any
		jq         string
	}{
		{"a top-level member", "$.id", []any{"id"}, ".id"},
		{"a member of an array element", "$.content[0].id", []any{"content", 0, "id"}, ".content[0].id"},
		{"a name that is no identifier", "$['odd name'].id", []any{"odd name", "id"}, `.["odd name"].id`},
		{"an escaped quote in a name", `$['it\'s']`, []any{"it's"}, `.["it's"]`},
		{"an array at the top", "$[2]", []any{2}, ".[2]"},
	}
	for _, c := range cases {
		got, err := jsonpath.Split(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: parsePath(%q) = %v, %v; want %v", c.reason, c.in, got, err, c.want)
			continue
		}
		if jq := jqFilter(got); jq != c.jq {
			t.Errorf("%s: jq filter %s, want %s", c.reason, jq, c.jq)
		}
	}
	for _, bad := range []string{"id", "$.a[x]", "$['open", "$.a[1"} {
		if _, err := jsonpath.Split(bad); err == nil {
			t.Errorf("parsePath(%q) took a malformed path", bad)
		}
	}
}

func TestNames(t *testing.T) {
	cases := []struct {
		reason, in, shell, goName string
	}{
		{"a spec parameter", "launchId", "LAUNCH_ID", "launchID"},
		{"a numbered twin", "launchId2", "LAUNCH_ID2", "launchID2"},
		{"Id inside a word stays", "idea", "IDEA", "idea"},
		{"Ident is no initialism", "launchIdent", "LAUNCH_IDENT", "launchIdent"},
		{"one word", "password", "PASSWORD", "password"},
	}
	for _, c := range cases {
		if got := shellStyle(c.in); got != c.shell {
			t.Errorf("%s: shellStyle(%q) = %q, want %q", c.reason, c.in, got, c.shell)
		}
		if got := goStyle(c.in); got != c.goName {
			t.Errorf("%s: goStyle(%q) = %q, want %q", c.reason, c.in, got, c.goName)
		}
	}
	// Parameters must not meet the scaffolding's names or each other.
	ps := []*param{{name: "endpoint"}, {name: "user"}, {name: "url"}, {name: "launchId"}}
	sh := namer(ps, shellStyle, shellReserved...)
	if sh[ps[0]] == "ENDPOINT" || sh[ps[1]] == "USER" {
		t.Errorf("shell names meet the script's own: %v", sh)
	}
	g := namer(ps, goStyle, goReserved...)
	if g[ps[2]] == "url" || g[ps[0]] == "endpoint" {
		t.Errorf("Go names shadow a package or a local: %v", g)
	}
	if g[ps[3]] != "launchID" {
		t.Errorf("a free name changed: %v", g)
	}
	if id := goIdent("launch-controller create_32"); id != "launchControllerCreate32" {
		t.Errorf("goIdent = %s", id)
	}
	if id := goIdent("main"); id != "mainCall" {
		t.Errorf("a function named main would not build: %s", id)
	}
}
