package sandbox_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/spec"
	"github.com/apitrail/apitrail/spec/discover"
)

// TestEveryRouteResolvesInTheDocuments loads the instance's own documents
// with spec/, found the way Swagger UI finds them, and resolves every route
// the instance serves: the documented ones to their own operation, the
// others (token exchange, login, UI) to nothing, as on a real instance.
func TestEveryRouteResolvesInTheDocuments(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		in, err := sandbox.Start(sandbox.Options{Knobs: sandbox.Knobs{V2: v2}})
		if err != nil {
			t.Fatal(err)
		}
		d, err := discover.Discover(context.Background(), in.Client(), in.URL(), discover.Options{})
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		docs, err := spec.LoadAll(d.Sources)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			if len(doc.Warnings) > 0 || doc.PathsOnly {
				t.Errorf("v2=%v: %s loads with warnings: %v", v2, doc.Name(), doc.Warnings)
			}
		}
		var names []string
		for _, doc := range docs {
			names = append(names, doc.Name())
		}
		if got := strings.Join(names, ","); got != "Report Service,UAA Service,All Services" {
			t.Errorf("discovered %s", got)
		}
		ix, err := spec.NewIndex(docs, spec.Options{Aliases: spec.TestOpsAliases})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range sandbox.Routes() {
			concrete := strings.NewReplacer("{id}", "104", "{launchId}", "104", "{testCaseId}", "1001", "{group}", "report-service", "{name}", "x").Replace(r.Path)
			if strings.Contains(concrete, "{") {
				t.Fatalf("route %s has a parameter this test does not fill", r.Path)
			}
			m := ix.Lookup(r.Method, &url.URL{Path: concrete})
			switch {
			case r.Spec == "":
				if m.Outcome == spec.Found && !strings.HasPrefix(r.Path, "/api/uaa/") {
					t.Errorf("v2=%v: %s %s is in no document but resolves to %s", v2, r.Method, r.Path, m.Operation)
				}
			case r.RemovedInV2 && v2:
				if m.Outcome == spec.Found {
					t.Errorf("v2: %s %s is removed but still resolves", r.Method, r.Path)
				}
			default:
				if m.Outcome != spec.Found || m.Operation.Path != r.Path || m.Operation.Method != r.Method || m.Operation.OperationID != r.OperationID {
					t.Errorf("v2=%v: %s %s resolves to %v (%s)", v2, r.Method, r.Path, m.Operation, m.Outcome)
				}
				if r.RSAlias {
					rs := ix.Lookup(r.Method, &url.URL{Path: "/api/rs" + strings.TrimPrefix(concrete, "/api")})
					if rs.Operation != m.Operation {
						t.Errorf("v2=%v: the /api/rs form of %s %s resolves to %v", v2, r.Method, r.Path, rs.Operation)
					}
				}
			}
		}
	}
}
