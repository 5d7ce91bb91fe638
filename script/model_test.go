package script

import (
	"strings"
	"testing"

	"github.com/apitrail/apitrail/match"
)

func TestEndpoint(t *testing.T) {
	results := []match.Result{result(1, match.Undocumented, "GET", "https://h.test/testops/api/launch?page=0", 200, "")}
	cases := []struct {
		reason, endpoint, want, target, err string
	}{
		{"none given: the recorded scheme and host", "", "https://h.test", "/testops/api/launch?page=0", ""},
		{"an instance under a path: calls are relative to it", "https://h.test/testops/", "https://h.test/testops", "/api/launch?page=0", ""},
		{"a path the calls are not under is kept out of them", "https://h.test/other", "https://h.test/other", "/testops/api/launch?page=0", ""},
		{"not a URL", "h.test", "", "", "not an absolute URL"},
		{"credentials never go into a script", "https://me:pw@h.test", "", "", "carries credentials"},
	}
	for _, c := range cases {
		fl, err := build(results, Options{Endpoint: c.endpoint})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "pw") {
				t.Errorf("%s: error %v, want one saying %q without the password", c.reason, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		if fl.endpoint != c.want || fl.calls[0].target.text(nil) != c.target {
			t.Errorf("%s: endpoint %s, target %s; want %s, %s", c.reason, fl.endpoint, fl.calls[0].target.text(nil), c.want, c.target)
		}
	}
}
