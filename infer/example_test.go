package infer_test

import (
	"fmt"
	"net/url"

	"github.com/apitrail/apitrail/infer"
)

// An Inferrer learns templates and schemas from calls; the numbers that
// vary in the path become a parameter.
func ExampleInferrer() {
	in := infer.New(infer.Options{Title: "Widgets"})
	for _, id := range []string{"101", "202", "303"} {
		u, _ := url.Parse("https://example.test/api/widget/" + id + "?view=table")
		in.Add(infer.Call{Method: "GET", URL: u, Status: 200,
			ResponseType: "application/json", ResponseBody: []byte(`{"id":` + id + `,"name":"w"}`)})
	}
	res, err := in.Result()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range res.Operations {
		fmt.Println(op.Tag, op.OperationID, op.Method, op.Template, op.Calls, "calls")
		for _, p := range op.Parameters {
			fmt.Println(" ", p.In, p.Name, p.Type, p.Required)
		}
	}
	// Output:
	// widget getWidgetById GET /api/widget/{widgetId} 3 calls
	//   path widgetId integer true
	//   query view string true
}
