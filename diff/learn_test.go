package diff

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestLearn(t *testing.T) {
	op := Operation{Method: "GET", Path: "/api/launch", Hints: []Hint{{Path: "$.content[*].startTime", Reason: "format: date-time"}}}
	first := Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Date": {"a"}, "X-Node": {"node-1"}},
		Body: []byte(`{"content":[{"id":1,"createdDate":10,"startTime":"t1","name":"a"},{"id":2,"createdDate":20,"startTime":"t2","name":"b"}],"stamp":"s1","tags":["x"],"flag":null}`)}
	second := Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Date": {"b"}, "X-Node": {"node-2"}},
		Body: []byte(`{"content":[{"id":1,"createdDate":11,"startTime":"t1","name":"a"},{"id":2,"createdDate":21,"startTime":"t3","name":"b"}],"stamp":"s2","tags":["x","y"],"debug":{"ms":4}}`)}

	d := mustDiffer(t, "ignore body $.stamp", Config{NameHints: true})
	l := d.Learn(op, first, second)
	var buf bytes.Buffer
	WriteRules(&buf, l.Rules)
	want := `GET /api/launch: ignore header X-Node  # learned: differed between two replies
GET /api/launch: ignore body $.content[*].createdDate  # learned: differed between two replies (hint: field name)
GET /api/launch: ignore body $.content[*].startTime  # learned: differed between two replies (hint: format: date-time)
GET /api/launch: ignore body $.debug  # learned: differed between two replies
GET /api/launch: ignore body $.flag  # learned: differed between two replies
`
	if buf.String() != want {
		t.Errorf("learned rules:\n%s\nwant:\n%s", buf.String(), want)
	}
	// What Learn proposes must parse back and must make the two replies equal.
	rules, err := ParseRules("learned", strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	rules = append(rules, Rule{Action: IgnoreAction, Target: BodyTarget, Expr: "$.stamp"}, Rule{Action: IgnoreAction, Target: BodyTarget, Expr: "$.tags"})
	if r := mustDiffer(t, "", Config{Rules: rules}).Compare(op, first, second); !r.Equal {
		t.Errorf("the learned rules leave differences:\n%s", r.Report())
	}
	wantSkipped := []string{"array $.tags has a different length in the two replies; not learned, as ignoring its elements would hide the whole list"}
	if !reflect.DeepEqual(l.Skipped, wantSkipped) {
		t.Errorf("Skipped = %q, want %q", l.Skipped, wantSkipped)
	}
}

func TestLearnDoesNotGuess(t *testing.T) {
	d := mustDiffer(t, "", Config{NameHints: true})
	for _, tc := range []struct {
		name, reason string
		a, b         Response
		skipped      string
	}{
		{
			"status", "replies with different statuses are not comparable",
			jsonResp(`{"a":1}`), Response{Status: 503, Body: []byte(`{"a":2}`)},
			"status differs between the two replies (200, 503): nothing learned",
		},
		{
			"text", "a text body that differs could only be ignored whole",
			Response{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>1</p>")},
			Response{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>2</p>")},
			`the text bodies differ as a whole; only "ignore body $" would hide that, so it is left to you`,
		},
		{
			"hint alone", "a hinted value that was equal in both replies is not noise",
			jsonResp(`{"createdDate":1,"uuid":"u"}`), jsonResp(`{"createdDate":1,"uuid":"u"}`), "",
		},
	} {
		l := d.Learn(Operation{ID: "op"}, tc.a, tc.b)
		if len(l.Rules) != 0 {
			t.Errorf("%s (%s): learned %+v", tc.name, tc.reason, l.Rules)
		}
		if got := strings.Join(l.Skipped, "\n"); got != tc.skipped {
			t.Errorf("%s (%s): Skipped = %q, want %q", tc.name, tc.reason, got, tc.skipped)
		}
	}
	// Learned rules are scoped by operationId when no path template is known.
	l := d.Learn(Operation{ID: "getLaunch"}, jsonResp(`{"a":1}`), jsonResp(`{"a":2}`))
	if len(l.Rules) != 1 || l.Rules[0].String() != "getLaunch: ignore body $.a" {
		t.Errorf("rules = %+v", l.Rules)
	}
}
