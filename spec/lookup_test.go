package spec

import (
	"net/url"
	"strings"
	"testing"
)

func shopIndex(t testing.TB, opts Options) *Index {
	t.Helper()
	d, err := LoadFile(specFile("shop-3.0.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex([]*Document{d}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestLookup(t *testing.T) {
	ix := shopIndex(t, Options{
		Hosts:   []string{"eu.shop.example", "https://us.shop.example:443", "localhost:8080"},
		Aliases: []Alias{{From: "/api/v1", To: "/api"}, {From: "/legacy/", To: "/api/"}},
	})
	tests := []struct {
		reason  string
		method  string
		url     string
		outcome Outcome
		opID    string // operationId found (or of the fitting path)
		params  string
		allowed string
		flags   string // a=alias, g=via GET, s=trailing slash, u=untyped, p=a parameter spans segments
	}{
		{"a plain operation under the server's /api prefix", "GET", "https://eu.shop.example/api/orders", Found, "listOrders", "", "", ""},
		{"methods are case-insensitive", "post", "https://eu.shop.example/api/orders", Found, "createOrder", "", "", ""},
		{"the literal segment beats the int64 template", "GET", "/api/orders/search", Found, "searchOrders", "", "", ""},
		{"digits go to the int64 template, typed", "GET", "/api/orders/42", Found, "getOrder", "orderId=42(int64)", "", ""},
		{"an int64 parameter does not take letters, so they fit only once types are ignored", "GET", "/api/orders/abc", Found, "getOrder", "orderId=abc(string)", "", "u"},
		{"a literal still wins over an untyped fit", "GET", "/api/orders/search/", Found, "searchOrders", "", "", "s"},
		{"a wrongly typed value through an alias", "GET", "/api/v1/orders/abc", Found, "getOrder", "orderId=abc(string)", "", "au"},
		{"a negative id is still an integer", "GET", "/api/orders/-7", Found, "getOrder", "orderId=-7(int64)", "", ""},
		{"path-item parameters apply to every method", "DELETE", "/api/orders/9", Found, "deleteOrder", "orderId=9(int64)", "", ""},
		{"two parameters, one a uuid", "GET", "/api/orders/1/items/0e8b8d1e-1c2b-4f3a-9d5e-123456789abc", Found, "getOrderItem", "orderId=1(int64),itemId=0e8b8d1e-1c2b-4f3a-9d5e-123456789abc(string)", "", ""},
		{"a uuid parameter refuses what is not one, but the template still fits untyped", "GET", "/api/orders/1/items/nope", Found, "getOrderItem", "orderId=1(int64),itemId=nope(string)", "", "u"},
		{"an id past int64 still routes by its digits", "GET", "/api/orders/99999999999999999999", Found, "getOrder", "orderId=99999999999999999999(string)", "", ""},
		{"a method the path does not declare", "PUT", "/api/orders/5", MethodNotAllowed, "deleteOrder", "orderId=5(int64)", "DELETE,GET", ""},
		{"HEAD is answered by GET", "HEAD", "/api/orders/5", Found, "getOrder", "orderId=5(int64)", "", "g"},
		{"OPTIONS on a path without one is a preflight", "OPTIONS", "/api/orders/5", Preflight, "deleteOrder", "orderId=5(int64)", "DELETE,GET", ""},
		{"a declared OPTIONS is an operation", "OPTIONS", "/api/files/readme", Found, "fileOptions", "path=readme(string)", "", ""},
		{"conflicting templates: me is a literal", "GET", "/api/users/me", Found, "whoAmI", "", "", ""},
		{"conflicting templates: GET by name takes the object-typed {id}", "GET", "/api/users/alice", Found, "getUser", "id=alice(string)", "", ""},
		{"conflicting templates: GET by number still GET's {id}", "GET", "/api/users/12", Found, "getUser", "id=12(string)", "", ""},
		{"conflicting templates: PATCH by number goes to the int64 {userId}", "PATCH", "/api/users/12", Found, "patchUser", "userId=12(int64)", "", ""},
		{"PATCH by name fits no template that has PATCH", "PATCH", "/api/users/alice", MethodNotAllowed, "getUser", "id=alice(string)", "GET", ""},
		{"an enum value beats a free string", "GET", "/api/reports/daily", Found, "getReportKind", "kind=daily(string)", "", ""},
		{"other values take the free string", "GET", "/api/reports/q3-sales", Found, "getReportByName", "reportName=q3-sales(string)", "", ""},
		{"a mixed segment beats a whole parameter", "GET", "/api/files/notes.json", Found, "getFileJSON", "name=notes(string)", "", ""},
		{"the mixed segment needs its suffix", "GET", "/api/files/notes.txt", Found, "getFile", "path=notes.txt(string)", "", ""},
		{"percent-encoding is decoded before matching and in values", "GET", "/api/files/a%20b%2Fc", Found, "getFile", "path=a b/c(string)", "", ""},
		{"an encoded literal still matches", "GET", "/api/orders/%73earch", Found, "searchOrders", "", "", ""},
		{"a trailing slash is ignored when the path has none", "GET", "/api/orders/", Found, "listOrders", "", "", "s"},
		{"a declared trailing slash matches as written", "GET", "/api/health/", Found, "health", "", "", ""},
		{"matrix parameters are dropped", "GET", "/api/orders/5;jsessionid=XYZ", Found, "getOrder", "orderId=5(int64)", "", ""},
		{"the server prefix is required", "GET", "/orders", NotFound, "", "", "", ""},
		{"an alias maps an old prefix", "GET", "/api/v1/orders/5", Found, "getOrder", "orderId=5(int64)", "", "a"},
		{"an alias written with a trailing slash", "GET", "/legacy/orders", Found, "listOrders", "", "", "a"},
		{"an alias applies at segment boundaries only", "GET", "/api/v1x/orders", NotFound, "", "", "", ""},
		{"the host is one of the instance's, port and case aside", "GET", "https://US.shop.example:443/api/orders", Found, "listOrders", "", "", ""},
		{"another host is not the instance", "GET", "https://cdn.example.net/api/orders", OtherHost, "", "", "", ""},
		{"a path without a host is looked up", "GET", "/api/orders", Found, "listOrders", "", "", ""},
		{"the query is ignored", "GET", "/api/orders?page=1&sort=a,asc&sort=b,desc", Found, "listOrders", "", "", ""},
		{"nothing at all", "GET", "/api/nothing/here", NotFound, "", "", "", ""},
		{"a file path spans the segments of a string parameter", "GET", "/api/files/docs/2026/notes.txt", Found, "getFile", "path=docs/2026/notes.txt(string)", "", "p"},
		{"each spanned segment is decoded", "GET", "/api/files/my%20docs/a%2Fb", Found, "getFile", "path=my docs/a/b(string)", "", "p"},
		{"an empty segment is no file path", "GET", "/api/files/docs//notes.txt", NotFound, "", "", "", ""},
		{"an int64 parameter never spans", "GET", "/api/orders/5/6", NotFound, "", "", "", ""},
		{"a spanned value with the wrong method finds nothing", "DELETE", "/api/files/docs/notes.txt", NotFound, "", "", "", ""},
		{"the root", "GET", "/", NotFound, "", "", "", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		m := ix.Lookup(tt.method, u)
		opID := ""
		if m.Operation != nil {
			opID = m.Operation.OperationID
		}
		var params []string
		for _, p := range m.Params {
			params = append(params, p.Name+"="+p.Raw+"("+typeName(p.Value)+")")
		}
		flags := ""
		if m.Alias != nil {
			flags += "a"
		}
		if m.ViaGET {
			flags += "g"
		}
		if m.TrailingSlash {
			flags += "s"
		}
		if m.Untyped {
			flags += "u"
		}
		if m.Spanning != "" {
			flags += "p"
		}
		got := []string{m.Outcome.String(), opID, strings.Join(params, ","), strings.Join(m.Allowed, ","), flags}
		want := []string{tt.outcome.String(), tt.opID, tt.params, tt.allowed, tt.flags}
		if strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("%s: %s %s\n got %q\nwant %q", tt.reason, tt.method, tt.url, got, want)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case int64:
		return "int64"
	case float64:
		return "float64"
	case bool:
		return "bool"
	case string:
		return "string"
	}
	return "?"
}

func TestNewIndexOptions(t *testing.T) {
	tests := []struct {
		reason string
		opts   Options
		want   string
	}{
		{"an alias must be two paths", Options{Aliases: []Alias{{From: "api/rs", To: "/api"}}}, `alias "api/rs=/api" is not of the form /FROM=/TO`},
		{"a host must be a host", Options{Hosts: []string{"https://"}}, `host "https://" is not a host name or URL`},
		{"a host has no path", Options{Hosts: []string{"example.com/api"}}, `host "example.com/api" is not a host name or URL`},
	}
	d, err := LoadFile(specFile("shop-3.0.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		_, err := NewIndex([]*Document{d}, tt.opts)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.reason, err, tt.want)
		}
	}
}

func TestParseAlias(t *testing.T) {
	tests := []struct {
		reason, in string
		want       Alias
		err        bool
	}{
		{"the TestOps report service form", "/api/rs=/api", Alias{From: "/api/rs", To: "/api"}, false},
		{"mapping onto the root", "/v2=", Alias{From: "/v2"}, false},
		{"no equals sign", "/api/rs", Alias{}, true},
		{"relative paths are not prefixes", "api=/x", Alias{}, true},
	}
	for _, tt := range tests {
		got, err := ParseAlias(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: ParseAlias(%q) = %v, %v", tt.reason, tt.in, got, err)
		}
	}
}

func TestServerPrefixes(t *testing.T) {
	for _, tt := range []struct {
		reason string
		file   string
		path   string
	}{
		{"Swagger 2 host and basePath", "petshop-2.0.json", "/v2/pets/3"},
		{"a relative 3.1 server", "anchors-3.1.yaml", "/api/v31/things/3"},
	} {
		d, err := LoadFile(specFile(tt.file))
		if err != nil {
			t.Fatal(err)
		}
		ix, err := NewIndex([]*Document{d}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m := ix.Lookup("GET", &url.URL{Path: tt.path}); m.Outcome != Found {
			t.Errorf("%s: GET %s: %v", tt.reason, tt.path, m.Outcome)
		}
	}
}

func TestServerHosts(t *testing.T) {
	tests := []struct{ reason, file, want string }{
		{"server variables expand to every enum value", "shop-3.0.yaml", "eu.shop.example us.shop.example"},
		{"Swagger 2's host", "petshop-2.0.json", "petshop.example"},
		{"a relative server names no host", "anchors-3.1.yaml", ""},
	}
	for _, tt := range tests {
		d, err := LoadFile(specFile(tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(d.ServerHosts(), " "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.reason, got, tt.want)
		}
	}
}

func TestNear(t *testing.T) {
	ix := shopIndex(t, Options{Aliases: []Alias{{From: "/api/v1", To: "/api"}}})
	tests := []struct {
		reason, method, url string
		want                string // "operationId (why)", closest first
	}{
		{"a template one segment longer: the call left a parameter out", "GET", "/api/orders/5/items", "getOrderItem (one segment more), getOrder (one segment less)"},
		{"a template one segment shorter", "GET", "/api/orders/5/history", "getOrder (one segment less)"},
		{"other methods on the same path", "PUT", "/api/orders/5", "deleteOrder (another method), getOrder (another method)"},
		{"letter case", "GET", "/API/Orders", "listOrders (letter case)"},
		{"a trailing slash the template has and the call lacks", "GET", "/api/health", "health (trailing slash)"},
		{"through an alias", "GET", "/api/v1/orders/5/items", "getOrderItem (one segment more), getOrder (one segment less)"},
		{"nothing near", "GET", "/api/nothing/here/at/all", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if m := ix.Lookup(tt.method, u); m.Outcome == Found {
			t.Errorf("%s: %s %s is found, so it is no near miss", tt.reason, tt.method, tt.url)
		}
		var got []string
		for _, nm := range ix.Near(tt.method, u) {
			got = append(got, nm.Operation.OperationID+" ("+nm.Why+")")
		}
		if strings.Join(got, ", ") != tt.want {
			t.Errorf("%s: %s %s: near %q, want %q", tt.reason, tt.method, tt.url, strings.Join(got, ", "), tt.want)
		}
	}
}
