package match_test

import (
	"testing"

	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

func TestByOperationGroupsWithOneExample(t *testing.T) {
	obs := []match.Observed{
		{Operation: "GET /api/launch", Seq: 3, Problems: []spec.Problem{
			{Kind: spec.InvalidResponseBody, Where: "$.content[0].id", Message: "value must be an integer"},
			{Kind: spec.InvalidResponseBody, Where: "$.content[1].id", Message: "value must be an integer"},
			{Kind: spec.UndocumentedQuery, Where: "query.x", Message: "the recording's doing, not the instance's"},
		}},
		{Operation: "GET /api/launch", Seq: 5, Problems: []spec.Problem{{Kind: spec.UndocumentedStatus, Where: "status", Message: "404 is not documented"}}},
		{Operation: "GET /api/project", Seq: 4, Problems: []spec.Problem{{Kind: spec.InvalidResponseBody, Where: "$.name", Message: "missing"}}},
	}
	got := match.ByOperation(obs)
	if len(got) != 2 || got[0].Operation != "GET /api/launch" || got[0].Calls != 2 {
		t.Fatalf("%+v", got)
	}
	first := got[0].Problems[0]
	if first.Where != "$.content[*].id" || first.Count != 2 || first.Seq != 3 || len(got[0].Problems) != 2 {
		t.Errorf("grouped %+v", got[0].Problems)
	}
}
