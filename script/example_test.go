package script_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
	"github.com/apitrail/apitrail/spec"
)

// Two recorded calls become a bash script: the launch's id, created by the
// first, is read from its answer and used by the second.
func ExampleGenerate() {
	// The instance's spec: for a real instance, the documents its Swagger
	// UI lists; here the two operations the calls use.
	const launches = `{"openapi":"3.0.1","info":{"title":"launches","version":"1"},"paths":{
  "/api/launch":{"post":{"tags":["launch-controller"],"operationId":"create_32",
    "requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{"name":{"type":"string"},"projectId":{"type":"integer"}}}}}},
    "responses":{"200":{"description":"the launch","content":{"application/json":{"schema":{"type":"object","properties":{"id":{"type":"integer"}}}}}}}}},
  "/api/launch/{id}":{"get":{"tags":["launch-controller"],"operationId":"findOne_23",
    "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
    "responses":{"200":{"description":"the launch"}}}}}}`
	doc, err := spec.Load(spec.NewSource("launches", "example", []byte(launches), time.Now()))
	if err != nil {
		panic(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{})
	if err != nil {
		panic(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	create, _ := http.NewRequest("POST", "https://testops.example.com/api/launch", strings.NewReader(`{"name":"nightly","projectId":7}`))
	create.Header.Set("Content-Type", "application/json")
	create.Header.Set("Cookie", "ALLURE_TESTOPS_SESSION=0f4c9b2e7d1a5c3f")
	read, _ := http.NewRequest("GET", "https://testops.example.com/api/launch/20417", nil)
	ok := &http.Response{StatusCode: 200, Header: json}
	launch := []byte(`{"id":20417,"name":"nightly","projectId":7}`)
	entries := []*har.Entry{
		har.NewEntry(time.Now(), create, []byte(`{"name":"nightly","projectId":7}`), ok, launch),
		har.NewEntry(time.Now(), read, nil, ok, launch),
	}
	m := match.New(ix, match.Options{NoChecks: true})
	var results []match.Result
	for i, e := range entries {
		m.Observe(e)
		results = append(results, m.Entry(i+1, e))
	}
	out, err := script.Generate(script.Bash, results, script.Options{Name: "launch"})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "# #") || strings.HasPrefix(line, "call ") || strings.Contains(line, "_ID=") || strings.Contains(line, "projectId") {
			fmt.Println(line)
		}
	}
	// Output:
	// PROJECT_ID="${PROJECT_ID:-7}"
	// # #1 launch-controller create_32: POST /api/launch
	//   "projectId": ${PROJECT_ID}
	// call '#1 launch-controller create_32: POST /api/launch' POST "$ENDPOINT/api/launch" \
	// LAUNCH_ID="$(pick .id)"
	// # #2 launch-controller findOne_23: GET /api/launch/{id}
	// call '#2 launch-controller findOne_23: GET /api/launch/{id}' GET "$ENDPOINT/api/launch/${LAUNCH_ID}"
}
