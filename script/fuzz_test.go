package script_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/script"
)

// FuzzGenerate feeds request bodies, queries and header values a recording
// might hold into every format: none may fail or panic, the Go program must
// parse, and no placeholder or secret may come out.
func FuzzGenerate(f *testing.F) {
	f.Add(`{"name":"nightly","projectId":1}`, "page=0&size=10", "application/json")
	f.Add(`{"password":"hunter2-hunter2","a":{"b":[1,"x$y`+"`"+`z\\"]}}`, "token=abc123def456&q=%22quoted%22", "application/json")
	f.Add("name=a%20b&password=p%26w", "rql=name+~%3D+%22x%22", "application/x-www-form-urlencoded")
	f.Add("JSON\n$HOME `id` \\ '", "", "text/plain")
	f.Add(`{"id":"REDACTED-0123456789abcdef","note":"Bearer REDACTED-fedcba9876543210"}`, "x=REDACTED-00112233aabbccdd", "application/json")
	f.Add(`[{"k":"\u00e9\u2028"}]`, "a=%ZZ", "application/json; charset=utf-8")
	f.Fuzz(func(t *testing.T, body, query, ctype string) {
		const secret = "sup3r-s3cret-cookie-value"
		req, err := http.NewRequest("POST", "https://testops.test/api/launch?"+query, strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Cookie", "ALLURE_TESTOPS_SESSION="+secret)
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}}
		e := har.NewEntry(time.Unix(0, 0), req, []byte(body), resp, []byte(`{"id":104}`))
		get, _ := http.NewRequest("GET", "https://testops.test/api/launch/104", nil)
		e2 := har.NewEntry(time.Unix(1, 0), get, nil, resp, []byte(`{"id":104}`))
		results := matchEntries(t, []*har.Entry{e, e2})
		for _, format := range script.Formats() {
			out, err := script.Generate(format, results, script.Options{})
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if placeholderRE.Match(out) || bytes.Contains(out, []byte(secret)) {
				t.Fatalf("%s: a secret or placeholder came out:\n%s", format, out)
			}
			if format == script.Go {
				if _, err := parser.ParseFile(token.NewFileSet(), "flow.go", out, 0); err != nil {
					t.Fatalf("the Go program does not parse: %v\n%s", err, out)
				}
			}
		}
	})
}
