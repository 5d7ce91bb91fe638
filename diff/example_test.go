package diff_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/apitrail/apitrail/diff"
)

func ExampleCompare() {
	h := http.Header{"Content-Type": {"application/json"}}
	recorded := diff.Response{Status: 200, Header: h, Body: []byte(`{"id": 9007199254740993, "name": "nightly", "tags": ["a"]}`)}
	replayed := diff.Response{Status: 200, Header: h, Body: []byte(`{"tags": ["a"], "name": "nightly run", "id": 9007199254740993}`)}

	r := diff.Compare(recorded, replayed)
	fmt.Print(r.Report())
	// Output:
	// $.name  "nightly" -> "nightly run"
	// --- recorded
	// +++ replayed
	// @@ -1,5 +1,5 @@
	//  {
	//    "id": 9007199254740993,
	// -  "name": "nightly",
	// +  "name": "nightly run",
	//    "tags": [...],
	//  }
}

func ExampleParseRules() {
	rules, err := diff.ParseRules("launches.noise", strings.NewReader(`
# volatile everywhere
ignore header X-Trace-Id
ignore body $.content[*].createdDate
GET /api/launch/{id}: ignore body $.lastModifiedDate
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := diff.New(diff.Config{Rules: rules})
	if err != nil {
		fmt.Println(err)
		return
	}
	op := diff.Operation{Method: "GET", Path: "/api/launch/{id}"}
	r := d.Compare(op,
		diff.Response{Status: 200, Body: []byte(`{"id": 1, "lastModifiedDate": 1700000000000}`)},
		diff.Response{Status: 200, Body: []byte(`{"id": 1, "lastModifiedDate": 1700000009999}`)})
	fmt.Println("equal:", r.Equal)
	fmt.Print(r.Report())

	_, err = diff.ParseRules("broken.noise", strings.NewReader("ignore body /content/0/name\n"))
	fmt.Println(err)
	// Output:
	// equal: true
	// ignored:
	//   ignore header X-Trace-Id                              launches.noise:3  matched nothing
	//   ignore body $.content[*].createdDate                  launches.noise:4  matched nothing
	//   GET /api/launch/{id}: ignore body $.lastModifiedDate  launches.noise:5  hid 1, 1 differed
	// broken.noise:1: "/content/0/name" looks like a JSON Pointer; write a JSON path such as $.content[0].name
}

func ExampleDiffer_Learn() {
	d, _ := diff.New(diff.Config{NameHints: true})
	op := diff.Operation{Method: "GET", Path: "/api/launch"}
	first := diff.Response{Status: 200, Body: []byte(`{"content": [{"id": 1, "createdDate": 100, "name": "a"}], "requestNo": 7}`)}
	second := diff.Response{Status: 200, Body: []byte(`{"content": [{"id": 1, "createdDate": 101, "name": "a"}], "requestNo": 8}`)}

	learned := d.Learn(op, first, second)
	diff.WriteRules(os.Stdout, learned.Rules)
	// Output:
	// GET /api/launch: ignore body $.content[*].createdDate  # learned: differed between two replies (hint: field name)
	// GET /api/launch: ignore body $.requestNo  # learned: differed between two replies
}

func ExampleTally() {
	rules, _ := diff.ParseRules("flow.noise", strings.NewReader("ignore body $.at\nignore body $.typo\n"))
	d, _ := diff.New(diff.Config{Rules: rules})
	tally := diff.NewTally(rules)
	for _, at := range []string{"1", "2", "3"} {
		tally.Add(d.Compare(diff.Operation{},
			diff.Response{Status: 200, Body: []byte(`{"at": 1}`)},
			diff.Response{Status: 200, Body: []byte(`{"at": ` + at + `}`)}))
	}
	fmt.Print(tally.Report())
	// Output:
	//   ignore body $.at    flow.noise:1  hid 3, 2 differed in 3 comparisons
	//   ignore body $.typo  flow.noise:2  matched nothing in 3 comparisons
}
