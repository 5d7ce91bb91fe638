package script_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/script"
	"github.com/apitrail/apitrail/spec"
)

// Two recorded calls become a bash script: the launch's id, created by the
// first, is read from its answer and used by the second.
func ExampleGenerate() {
	// The instance's spec: here the sandbox's; for a real instance, the
	// documents its Swagger UI lists.
	data, err := sandbox.Document(sandbox.AllServices, false)
	if err != nil {
		panic(err)
	}
	doc, err := spec.Load(spec.NewSource("All Services", "sandbox", data, time.Now()))
	if err != nil {
		panic(err)
	}
	ix, err := spec.NewIndex([]*spec.Document{doc}, spec.Options{Aliases: spec.TestOpsAliases, Artefacts: spec.SpringdocArtefacts})
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
