package match

import (
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
)

func TestNearMemoAnswersAsNear(t *testing.T) {
	ix := sandboxtest.Index(t, false)
	var memo nearMemo
	cases := []struct{ reason, method, url string }{
		{"another method", "DELETE", "http://x/api/launch"},
		{"one segment more", "GET", "http://x/api/launch/1/extra"},
		{"letter case", "GET", "http://x/API/launch"},
		{"near nothing", "GET", "http://x/nothing/here"},
		{"an opaque URL is not kept", "GET", "mailto:a@b"},
	}
	// Twice each, then past the bound and once more: a kept answer and a
	// fresh one must both be what Near says.
	for round := range 3 {
		if round == 2 {
			for i := range nearMemoSize {
				u, _ := url.Parse(fmt.Sprintf("http://x/filler/%d", i))
				memo.get(ix, "GET", u)
			}
		}
		for _, c := range cases {
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			want := ix.Near(c.method, u)
			if c.reason == "another method" && len(want) == 0 {
				t.Fatalf("%s: Near finds nothing for %s %s: the case tests nothing", c.reason, c.method, c.url)
			}
			if got := memo.get(ix, c.method, u); !reflect.DeepEqual(got, want) {
				t.Errorf("%s, round %d: memo gives %v, Near %v", c.reason, round, got, want)
			}
		}
	}
	if n := len(memo.m); n > nearMemoSize {
		t.Errorf("memo holds %d answers, more than its bound %d", n, nearMemoSize)
	}
}
