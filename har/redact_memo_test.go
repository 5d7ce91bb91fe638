package har

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// secretsUncached is Secrets as it was before the memo and the collecting
// walk: a probe that redacts a copy of the whole entry, with no cache.
func secretsUncached(r *Redactor, e *Entry) []string {
	probe := r.probe()
	probe.cache = nil
	probe.Entry(e)
	return probe.collected()
}

// sameSecrets runs Secrets over the entries in order, as match's first
// pass does, and fails where it differs from the uncached path.
func sameSecrets(t *testing.T, r *Redactor, entries []*Entry) {
	t.Helper()
	for i, e := range entries {
		got, want := r.Secrets(e), secretsUncached(r, e)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("entry %d (%s): Secrets = %q, the uncached path finds %q", i+1, e.Request.URL, got, want)
		}
	}
}

func hdrEntry(url string, headers ...string) *Entry {
	e := &Entry{Request: Request{Method: "GET", URL: url}, Response: Response{Status: 200}}
	for i := 0; i+1 < len(headers); i += 2 {
		e.Request.Headers = append(e.Request.Headers, NameValue{Name: headers[i], Value: headers[i+1]})
	}
	return e
}

func TestHeaderMemoFindsWhatTheUncachedPathFinds(t *testing.T) {
	const (
		cookie = "XSRF-TOKEN=0b6c1a2e-8f0e-4c1b; SESSION=ZGVhZGJlZWYtc2Vzc2lvbg"
		xsrf   = "0b6c1a2e-8f0e-4c1b"
		jwt    = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"
		ua     = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0"
		api    = "https://testops.test/api/launch/1"
	)
	withBody := func(e *Entry, mime, body string) *Entry {
		e.SetResponseBody([]byte(body), mime)
		return e
	}
	withSetCookie := func(e *Entry, v string) *Entry {
		e.Response.Headers = append(e.Response.Headers, NameValue{Name: "Set-Cookie", Value: v})
		e.Response.Cookies = append(e.Response.Cookies, Cookie{Name: "SESSION", Value: strings.TrimPrefix(strings.Split(v, ";")[0], "SESSION=")})
		return e
	}
	manyCookies := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf("c%d=cookie-value-%04d", i, i))
		}
		return strings.Join(parts, "; ")
	}
	cases := []struct {
		name    string
		entries []*Entry
	}{
		{"one UI session sends the same cookie, token and XSRF header with every call", []*Entry{
			hdrEntry(api, "User-Agent", ua, "Cookie", cookie, "X-Xsrf-Token", xsrf, "Authorization", "Bearer "+jwt),
			hdrEntry(api+"?page=2", "User-Agent", ua, "Cookie", cookie, "X-Xsrf-Token", xsrf, "Authorization", "Bearer "+jwt),
			hdrEntry(api+"?page=3", "User-Agent", ua, "Cookie", cookie, "X-Xsrf-Token", xsrf, "Authorization", "Bearer "+jwt),
		}},
		{"a value seen first under a secret header and later under a free-text one", []*Entry{
			hdrEntry(api, "X-Xsrf-Token", "token-value-123456"),
			hdrEntry(api, "X-Trace", "token-value-123456"),
			hdrEntry(api, "X-Trace", "token-value-123456", "X-Xsrf-Token", "token-value-123456"),
		}},
		{"a value seen first under a free-text header and later under a secret one", []*Entry{
			hdrEntry(api, "X-Trace", "password=hunter2-hunter2"),
			hdrEntry(api, "X-Api-Key", "password=hunter2-hunter2"),
			hdrEntry(api, "Cookie", "password=hunter2-hunter2"),
			hdrEntry(api, "Referer", "password=hunter2-hunter2"),
		}},
		{"a session cookie rotated mid-session, and the old one sent again", []*Entry{
			hdrEntry(api, "Cookie", "SESSION=first-session-0001"),
			withSetCookie(hdrEntry(api, "Cookie", "SESSION=first-session-0001"), "SESSION=second-session-0002; Path=/; HttpOnly"),
			hdrEntry(api, "Cookie", "SESSION=second-session-0002"),
			hdrEntry(api, "Cookie", "SESSION=first-session-0001"),
		}},
		{"a secret only in a body, beside headers the memo knows", []*Entry{
			hdrEntry(api, "Cookie", cookie, "User-Agent", ua),
			withBody(hdrEntry(api, "Cookie", cookie, "User-Agent", ua), "application/json", `{"password":"body-only-secret-1","note":"see `+xsrf+`"}`),
			withBody(hdrEntry(api, "Cookie", cookie, "User-Agent", ua), "text/plain", "token="+jwt),
		}},
		{"a header value above the memo's bound", []*Entry{
			hdrEntry(api, "Cookie", "big="+strings.Repeat("b", maxMemoValue)),
			hdrEntry(api, "Cookie", "big="+strings.Repeat("b", maxMemoValue), "X-Trace", "big="+strings.Repeat("b", maxMemoValue)),
		}},
		// Free text is swept for the secrets learnt before it: with the
		// cookie learnt, the URL in this header reads token=PLACEHOLDERzz
		// and that is what the pair gives, not the cookie's value + zz.
		{"a free-text header that holds a secret an earlier header of the entry gave", []*Entry{
			hdrEntry(api, "X-Note", "see https://h.test/p;token=abcdefgh12zz"),
			hdrEntry(api, "Cookie", "sid=abcdefgh12", "X-Note", "see https://h.test/p;token=abcdefgh12zz"),
			hdrEntry(api, "X-Note", "see https://h.test/p;token=abcdefgh12zz"),
		}},
		{"a URL header whose query holds a cookie's value", []*Entry{
			hdrEntry(api, "Referer", "https://h.test/p?next=abcdefgh12&access_token="+jwt),
			hdrEntry(api, "Cookie", "sid=abcdefgh12", "Referer", "https://h.test/p?next=abcdefgh12&access_token="+jwt),
		}},
		{"a JWT in a header no rule names", []*Entry{
			hdrEntry(api, "X-Debug", "issued "+jwt+" at login"),
			hdrEntry(api, "Authorization", "Bearer "+jwt, "X-Debug", "issued "+jwt+" at login"),
		}},
		{"more secrets in one entry than a probe remembers", []*Entry{
			hdrEntry(api, "Cookie", manyCookies(70), "X-Note", "cookie-value-0001 cookie-value-0069"),
			hdrEntry(api, "X-Note", "cookie-value-0001 cookie-value-0069", "Cookie", manyCookies(70), "Cookie", manyCookies(20)),
			hdrEntry(api, "Cookie", manyCookies(20), "X-Note", "cookie-value-0001 cookie-value-0069"),
		}},
		{"quoted and percent-encoded cookies, learnt in their canonical spelling too", []*Entry{
			hdrEntry(api, "Cookie", `a="quoted-cookie-01"; b=pct%2Fcookie%2F02`),
			hdrEntry(api, "Cookie", `a="quoted-cookie-01"; b=pct%2Fcookie%2F02`, "X-Note", "quoted-cookie-01 pct/cookie/02"),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRedactor(DefaultRules())
			sameSecrets(t, r, c.entries)
			// The second time round every header value is in the memo.
			sameSecrets(t, r, c.entries)
		})
	}
}

func TestHeaderMemoHoldsRepeatedValuesOnly(t *testing.T) {
	r := NewRedactor(DefaultRules())
	small := hdrEntry("https://t.test/", "Cookie", "SESSION=session-value-01")
	big := hdrEntry("https://t.test/", "Cookie", "SESSION="+strings.Repeat("s", maxMemoValue))
	r.Secrets(small)
	r.Secrets(big)
	if _, ok := r.cache.headers.get(headerKey{"Cookie", "SESSION=session-value-01"}); !ok {
		t.Error("a Cookie value was not kept for the next call")
	}
	if _, ok := r.cache.headers.get(headerKey{"Cookie", big.Request.Headers[0].Value}); ok {
		t.Error("a value above maxMemoValue was kept")
	}
	if _, ok := r.cache.headers.get(headerKey{"X-Api-Key", "SESSION=session-value-01"}); ok {
		t.Error("a value is kept under the header it came with, not any other")
	}
}

// TestMemoStaysWithinItsBudget sends the memo far more distinct values
// than it holds, as a long recording whose tokens rotate does: it keeps
// the recent ones and never more than twice its budget.
func TestMemoStaysWithinItsBudget(t *testing.T) {
	m := newMemo[string, int](10_000)
	for i := range 100_000 {
		k := fmt.Sprintf("value-%d", i)
		m.put(k, i, entryCost+len(k))
		if i%1000 == 0 && m.len()*entryCost > 2*m.budget {
			t.Fatalf("after %d values the memo holds %d", i+1, m.len())
		}
		if i > 0 && i%7 == 0 {
			// A value that comes back keeps its place.
			if _, ok := m.get("value-0"); !ok {
				t.Fatalf("value-0, asked for every 7 values, was dropped after %d", i)
			}
		}
	}
	if _, ok := m.get("value-5"); ok {
		t.Error("an old value nobody asked for again is still held")
	}
	m.put("huge", 1, m.budget+1)
	if _, ok := m.get("huge"); ok {
		t.Error("a value costing more than the whole budget was kept")
	}
}

// TestSecretsMatchesUncachedOnRecordings runs every recording at hand
// (the leak corpus, the test fixtures, the shared real-world exports)
// through Secrets twice, as match's two passes do, beside the uncached
// path.
func TestSecretsMatchesUncachedOnRecordings(t *testing.T) {
	files := []string{filepath.Join("..", "testdata", "leak", "recording.har")}
	if root, ok := shareddata.Root(); ok {
		_ = filepath.WalkDir(filepath.Join(root, "realworld", "har"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".har") {
				files = append(files, p)
			}
			return nil
		})
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := ReadFile(f)
			if err != nil {
				t.Skipf("not a whole recording: %v", err)
			}
			r := NewRedactor(DefaultRules())
			sameSecrets(t, r, doc.Log.Entries)
			sameSecrets(t, r, doc.Log.Entries)
		})
	}
}

// TestSecretsConcurrently is match's ObserveAll: probes on every core
// sharing the memo.
func TestSecretsConcurrently(t *testing.T) {
	r := NewRedactor(DefaultRules())
	var entries []*Entry
	for i := range 64 {
		entries = append(entries, hdrEntry(fmt.Sprintf("https://t.test/api/%d?token=query-token-%d", i, i%5),
			"Cookie", fmt.Sprintf("SESSION=session-%04d", i%3), "Authorization", "Bearer token-"+fmt.Sprint(i%4)+"-abcdefgh"))
	}
	var wg sync.WaitGroup
	got := make([][]string, len(entries))
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(entries); i += 4 {
				got[i] = r.Secrets(entries[i])
			}
		})
	}
	wg.Wait()
	for i, e := range entries {
		if want := secretsUncached(r, e); !reflect.DeepEqual(got[i], want) {
			t.Errorf("entry %d: Secrets = %q, want %q", i, got[i], want)
		}
	}
}

// quietCases are bodies quietBody must or must not let a probe skip.
var quietCases = []struct {
	name, body string
	quiet      bool
}{
	{"a plain JSON answer", `{"id":1,"name":"nightly","tags":["a","b"],"ok":true}`, true},
	{"plain text", "hello world, nothing to see", true},
	{"JSON that stops inside a string", `{"id":1,"name":"nigh`, true},
	{"a secret name as a value, not a member", `{"field":"password","kind":"token"}`, true},
	{"a secret-named member", `{"id":1,"password":"pa55word-1"}`, false},
	{"a secret name in camel case, ending in a secret suffix", `{"csrfToken":"abcdefgh1"}`, false},
	{"a secret name split by separators", `{"Refresh-Tok_en":"x"}`, false},
	{"white space before a member's colon", "{\"token\" \n:\"abcdefgh1\"}", false},
	{"a secret member deep inside", `[{"a":{"b":[{"client_secret":"cs-abcdefgh"}]}}]`, false},
	{"an escape, which may spell a secret name", `{"t\u006fken":"abcdefgh1"}`, false},
	{"JSON held in a string", `{"doc":"{\"token\":\"abcdefgh1\"}"}`, false},
	{"a JWT", `{"v":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"}`, false},
	{"a URL, whose query may hold a token", `{"next":"https://x.test/cb"}`, false},
	{"a name=value pair", `{"q":"token=abcdefgh"}`, false},
	{"a form", "user=a&password=hunter2hunter2", false},
	{"a multipart body", "--X\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2hunter2\r\n--X--\r\n", false},
	{"a Bearer credential in upper case", `{"note":"use BEARER abcdefghijk"}`, false},
	{"a Basic credential", `{"note":"basic dXNlcjpwYXNzd29yZA"}`, false},
	{"letters beyond ASCII, which the expressions fold", `{"note":"baſic dXNlcjpwYXNzd29yZA"}`, false},
}

var bodyTypes = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=X", "text/plain", ""}

// bodySecrets is what redacting body as each media type collects.
func bodySecrets(r *Redactor, body string) map[string]bool {
	found := map[string]bool{}
	for _, mt := range bodyTypes {
		p := r.probe()
		p.Body(mt, []byte(body))
		for v := range p.collect {
			found[v] = true
		}
	}
	return found
}

func TestQuietBodySkipsOnlyBodiesWithoutSecrets(t *testing.T) {
	r := NewRedactor(DefaultRules())
	for _, c := range quietCases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.quietBody(c.body); got != c.quiet {
				t.Errorf("quietBody = %v, want %v", got, c.quiet)
			}
			if found := bodySecrets(r, c.body); c.quiet && len(found) > 0 {
				t.Errorf("a body said to be quiet holds %v", found)
			}
		})
	}
}

// FuzzQuietBody holds quietBody to its promise: a body it lets a probe
// skip is one that redaction, as any media type, finds no secret in.
func FuzzQuietBody(f *testing.F) {
	for _, c := range quietCases {
		f.Add(c.body)
	}
	r := NewRedactor(DefaultRules())
	f.Fuzz(func(t *testing.T, body string) {
		if r.quietBody(body) {
			if found := bodySecrets(r, body); len(found) > 0 {
				t.Fatalf("quietBody(%q) is true, yet redaction finds %v", body, found)
			}
		}
	})
}

// TestSweepFindsEachOfManySecrets sweeps texts with more secrets known
// than are looked for one by one, many sharing their first bytes (one
// bucket of the filter's index), in every spelling.
func TestSweepFindsEachOfManySecrets(t *testing.T) {
	r := NewRedactor(DefaultRules())
	var pinned []string
	for i := range 300 {
		v := fmt.Sprintf(`same-start-%04d"x y`, i)
		pinned = append(pinned, v)
		r.Pin(v)
	}
	cases := []struct {
		name, text string
		want       []int // the pinned secrets the text holds
	}{
		{"none of them", "same-start-but-no-secret and more", nil},
		{"one raw", `a same-start-0007"x y b`, []int{7}},
		{"one URL-encoded", "?q=same-start-0123%22x+y&z", []int{123}},
		{"one JSON-escaped", `{"v":"same-start-0299\"x y"}`, []int{299}},
		{"several, last one first", `same-start-0250"x y same-start-0001"x y`, []int{1, 250}},
		{"one inside a longer word", `xxsame-start-0042"x yyy`, []int{42}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if set := r.sweepSet(); set.bits == nil {
				t.Fatal("the filter is not in use")
			}
			got := r.Text(c.text)
			for i, v := range pinned {
				held := false
				for _, w := range c.want {
					held = held || w == i
				}
				ph := r.Placeholder(v)
				if held != strings.Contains(got, ph) {
					t.Errorf("Text(%q) = %q: placeholder of secret %d there: %v, want %v", c.text, got, i, !held, held)
				}
			}
			if len(c.want) == 0 && got != c.text {
				t.Errorf("Text(%q) = %q, want it unchanged", c.text, got)
			}
		})
	}
}

// TestSecretNameFilter holds the filter in front of the rules' names to
// what the rules say, for names it must pass and names it may stop.
func TestSecretNameFilter(t *testing.T) {
	long := strings.Repeat("x", 64) + "ab" // as long as "ab" modulo 64
	rules := Rules{Headers: []string{"X-Secret"}, Names: []string{"pin", long}, Suffixes: []string{"key"}}
	cases := []struct {
		name  string
		rules Rules
		asked string
		want  bool
	}{
		{"a name of the rules", rules, "PIN", true},
		{"a header name of the rules, separators dropped", rules, "x_secret", true},
		{"a name ending like one but longer", rules, "spin", false},
		{"a suffix of the rules", rules, "monkey", true},
		{"a name ending in a suffix's last letter only", rules, "day", false},
		{"a long name of the rules", rules, long, true},
		{"a short name as long modulo 64 as a long one", rules, "ab", false},
		{"the empty name", rules, "", false},
		{"the empty suffix makes every name a secret", Rules{Suffixes: []string{""}}, "anything", true},
		{"the empty suffix covers the empty name", Rules{Suffixes: []string{""}}, "", true},
		{"a default name, in camel case", DefaultRules(), "clientSecret", true},
		{"a default suffix", DefaultRules(), "csrfToken", true},
		{"an everyday member", DefaultRules(), "projectId", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NewRedactor(c.rules).SecretName(c.asked); got != c.want {
				t.Errorf("SecretName(%q) = %v, want %v", c.asked, got, c.want)
			}
		})
	}
}
