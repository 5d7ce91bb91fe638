package drift

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

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

// IsResponseProblem reports the problems that are the instance's doing,
// as opposed to how a recorded request differs from the spec.
func IsResponseProblem(p spec.Problem) bool {
	switch p.Kind {
	case spec.UndocumentedStatus, spec.InvalidResponseBody, spec.InvalidResponseHeader:
		return true
	case spec.UndocumentedContentType:
		return strings.HasPrefix(p.Where, "response")
	}
	return false
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
			if !IsResponseProblem(p) {
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

// WriteCalls prints what changed under each call, breaking changes first
// marked with "!".
func WriteCalls(w io.Writer, calls []Call) error {
	for _, c := range calls {
		mark := " "
		if c.Breaking {
			mark = "!"
		}
		state := "still resolves to " + c.New
		if !c.Resolves {
			state = "no longer resolves"
		}
		if len(c.Changes) == 0 {
			state += ", unchanged"
		}
		fmt.Fprintf(w, "%s #%d %s %s: %s\n", mark, c.Seq, c.Method, match.PathOf(c.URL), state)
		for _, ch := range c.Changes {
			fmt.Fprintf(w, "      %s\n", ch)
		}
	}
	return nil
}
