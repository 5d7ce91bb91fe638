package match

import (
	"fmt"
	"io"
	"regexp"
	"sort"

	"github.com/apitrail/apitrail/spec"
)

// The ways real answers miss their schemas, grouped by operation with one
// example each: the report of an instance against its spec that match
// (over a recording) and replay (over the answers now) both print.

// Observed is one call's answer checked against its operation: what a
// recording or a replay saw.
type Observed struct {
	// Operation names the operation ("launch-controller findOne_23: GET /api/launch/{id}").
	Operation string
	Seq       int
	Problems  []spec.Problem
}

// OperationDrift is how the real answers of one operation miss its schema.
type OperationDrift struct {
	Operation string `json:"operation"`
	// Calls counts the answers that missed it.
	Calls    int       `json:"calls"`
	Problems []Grouped `json:"problems"`
}

// Grouped is one kind of miss at one place, with an example.
type Grouped struct {
	Kind spec.Kind `json:"kind"`
	// Where is the place with array indexes generalised: $.content[*].id.
	Where string `json:"where"`
	Count int    `json:"count"`
	// Example is one message, from call Seq.
	Example string `json:"example"`
	Seq     int    `json:"seq"`
}

var index = regexp.MustCompile(`\[\d+\]`)

// ByOperation groups the answers' problems by operation, then by kind and
// place, keeping one example of each; operations with the most failing
// calls come first.
func ByOperation(obs []Observed) []OperationDrift {
	type acc struct {
		d     *OperationDrift
		calls map[int]bool
		by    map[string]*Grouped
	}
	ops := map[string]*acc{}
	for _, o := range obs {
		for _, p := range o.Problems {
			if !p.IsResponse() {
				continue
			}
			a := ops[o.Operation]
			if a == nil {
				a = &acc{d: &OperationDrift{Operation: o.Operation}, calls: map[int]bool{}, by: map[string]*Grouped{}}
				ops[o.Operation] = a
			}
			a.calls[o.Seq] = true
			where := index.ReplaceAllString(p.Where, "[*]")
			key := string(p.Kind) + " " + where
			g := a.by[key]
			if g == nil {
				g = &Grouped{Kind: p.Kind, Where: where, Example: p.Message, Seq: o.Seq}
				a.by[key] = g
			}
			g.Count++
		}
	}
	var out []OperationDrift
	for _, a := range ops {
		a.d.Calls = len(a.calls)
		for _, g := range a.by {
			a.d.Problems = append(a.d.Problems, *g)
		}
		sort.Slice(a.d.Problems, func(i, j int) bool {
			pi, pj := a.d.Problems[i], a.d.Problems[j]
			if pi.Count != pj.Count {
				return pi.Count > pj.Count
			}
			return pi.Where < pj.Where
		})
		out = append(out, *a.d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Calls != out[j].Calls {
			return out[i].Calls > out[j].Calls
		}
		return out[i].Operation < out[j].Operation
	})
	return out
}

// WriteByOperation prints grouped drift for people.
func WriteByOperation(w io.Writer, ds []OperationDrift) error {
	for _, d := range ds {
		fmt.Fprintf(w, "  %s: %d call(s)\n", d.Operation, d.Calls)
		for _, g := range d.Problems {
			fmt.Fprintf(w, "    %s %s (%d×), e.g. #%d: %s\n", g.Kind, g.Where, g.Count, g.Seq, g.Example)
		}
	}
	return nil
}
