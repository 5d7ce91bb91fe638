package match_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apitrail/apitrail/internal/shareddata"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestTestOpsEveryOperationNamesItself sends one call to every operation of
// both real TestOps documents through the matcher: each names its own
// operation, whatever its verdict (the /api/login/... sign-ins stay auth,
// uploads stay upload), and together they cover every operation.
func TestTestOpsEveryOperationNamesItself(t *testing.T) {
	dir := shareddata.Dir(t, "realworld", "testops")
	logins := 0
	for _, name := range []string{"allure-testops-service-25.4.1.openapi.json", "allure-testops-service-26.1.1.openapi.json"} {
		doc, err := spec.LoadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
		if err != nil {
			t.Fatal(err)
		}
		m := match.New(ix, match.Options{Hosts: []string{"testops.example.com"}, NoChecks: true})
		tally := match.NewTally(ix)
		for i, op := range ix.Operations() {
			r := m.Entry(i+1, entry(op.Method, "https://testops.example.com"+concrete(op), 200, "", ""))
			tally.Add(r)
			if r.Operation == nil || r.Operation.Method != op.Method || r.Operation.Path != op.Path {
				t.Errorf("%s: %s %s is %s (%s), operation %v", name, op.Method, concrete(op), r.Verdict, r.Reason, r.Operation)
			}
			if strings.HasPrefix(op.Path, "/api/login/") {
				logins++
				if r.Verdict != match.Auth {
					t.Errorf("%s: %s is %s, want auth", name, op, r.Verdict)
				}
			}
		}
		c := tally.Summary().Coverage
		t.Logf("%s: %d of %d operations covered", name, c.Exercised, c.Operations)
		if c.Exercised != c.Operations {
			t.Errorf("%s: coverage %d of %d, want all", name, c.Exercised, c.Operations)
		}
	}
	if logins == 0 {
		t.Error("no /api/login/ operation in either document: the test no longer covers sign-ins")
	}
}

// concrete fills an operation's path template with values its
// parameters' schemas accept.
func concrete(op *spec.Operation) string {
	out := op.Path
	for {
		open := strings.IndexByte(out, '{')
		end := strings.IndexByte(out, '}')
		if open < 0 || end < open {
			return out
		}
		name := out[open+1 : end]
		out = out[:open] + valueFor(op, name) + out[end+1:]
	}
}

func valueFor(op *spec.Operation, name string) string {
	for _, list := range []openapi3.Parameters{op.OpenAPI.Parameters, op.PathItem.Parameters} {
		for _, p := range list {
			if p == nil || p.Value == nil || p.Value.In != openapi3.ParameterInPath || p.Value.Name != name || p.Value.Schema == nil || p.Value.Schema.Value == nil {
				continue
			}
			s := p.Value.Schema.Value
			switch {
			case len(s.Enum) > 0:
				if v, ok := s.Enum[0].(string); ok {
					return v
				}
			case s.Type.Is(openapi3.TypeInteger):
				return "7"
			case s.Type.Is(openapi3.TypeNumber):
				return "1.5"
			case s.Type.Is(openapi3.TypeBoolean):
				return "true"
			case s.Format == "uuid":
				return "0b6e2a52-3f1c-4a8e-9d2b-5c7e1f0a9b3d"
			}
		}
	}
	return "somename"
}
