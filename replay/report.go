package replay

import (
	"net/http"
	"time"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/diff"
	"github.com/apitrail/apitrail/match"
	"github.com/apitrail/apitrail/spec"
)

// Outcome is what became of one recorded call.
type Outcome string

// The outcomes, from the most to the least serious for a CI run.
const (
	// Regression: the answer differs from the recorded one.
	Regression Outcome = "regression"
	// Drift: the answer is as recorded but does not fit the spec.
	Drift Outcome = "drift"
	// Infra: no usable answer: no connection, a timeout, a 5xx.
	Infra Outcome = "infra"
	// OK: the answer is as recorded and fits the spec.
	OK Outcome = "ok"
	// Skipped: the call was not sent (see Reason).
	Skipped Outcome = "skipped"
	// NotRun: the call was due but never sent: the run was interrupted, or
	// a call it depends on failed.
	NotRun Outcome = "not-run"
	// Interrupted: the call was sent, and the run was interrupted before
	// its answer came; the instance may have applied it.
	Interrupted Outcome = "interrupted"
)

// Outcomes lists every outcome in report order.
var Outcomes = []Outcome{OK, Regression, Drift, Infra, Skipped, NotRun, Interrupted}

// EntryReport is the replay of one recorded call.
type EntryReport struct {
	Seq int `json:"seq"`
	// Method and URL are what was sent (or would have been).
	Method string `json:"method"`
	URL    string `json:"url"`
	// RecordedURL is the call as recorded, before the endpoint and
	// correlated values were put in.
	RecordedURL string           `json:"recordedUrl"`
	Operation   *match.Operation `json:"operation,omitempty"`
	// Verdict is what match made of the recorded call.
	Verdict match.Verdict `json:"verdict"`
	Outcome Outcome       `json:"outcome"`
	// Reason says why a call was skipped or not run, or what the
	// infrastructure error was.
	Reason string `json:"reason,omitempty"`
	// RecordedStatus and Status are the status codes then and now.
	RecordedStatus int `json:"recordedStatus"`
	Status         int `json:"status,omitempty"`
	// Regression and Drift may both hold; Outcome names the graver.
	Regression bool `json:"regression,omitempty"`
	Drift      bool `json:"drift,omitempty"`
	// Diff compares the recorded answer with the new one.
	Diff *diff.Result `json:"diff,omitempty"`
	// SpecProblems are the ways the new answer does not fit the spec.
	SpecProblems []spec.Problem `json:"specProblems,omitempty"`
	// Substitutions are the values carried over from earlier answers.
	Substitutions []correlate.Substitution `json:"substitutions,omitempty"`
	// Learned are noise rules proposed by sending the call twice and by
	// the hints that hid values of its answer.
	Learned []diff.Rule `json:"learned,omitempty"`
	// HeldBack are learned rules that would hide most of the answer: not
	// applied, and not saved unless asked (see Options.BroadNoise).
	HeldBack []diff.Rule `json:"heldBack,omitempty"`
	// Cut is set when the answer was longer than Options.MaxBody: only its
	// start was kept, and it was compared by length and SHA-256.
	Cut *Cut `json:"cut,omitempty"`
	// Warnings are things about the call a reader should know.
	Warnings []string `json:"warnings,omitempty"`
	// Attempts counts how often the call was sent (retries included).
	Attempts   int     `json:"attempts,omitempty"`
	DurationMS float64 `json:"durationMs,omitempty"`

	// Request, Response and Recorded are the exchange, with secrets
	// redacted, for reports that attach them.
	Request  *Message `json:"-"`
	Response *Message `json:"-"`
	Recorded *Message `json:"-"`
}

// Message is a request or a response as reports show it.
type Message struct {
	Method string // requests
	URL    string // requests
	Status int    // responses
	Header http.Header
	Body   []byte
	// Cut is set on an answer of which Body is only the start.
	Cut *Cut
}

// VarReport is one value carried between calls.
type VarReport struct {
	Name     string `json:"name"`
	Recorded string `json:"recorded"`
	Replayed string `json:"replayed,omitempty"`
	// From names the call and place that produced it, or, for a value the
	// flow chose, where it first sent it ("chosen at #5 body $.name").
	From string `json:"from"`
}

// Report is the replay of one recording.
type Report struct {
	Flow     string         `json:"flow"`
	Endpoint string         `json:"endpoint"`
	Started  time.Time      `json:"started"`
	Duration time.Duration  `json:"-"`
	Entries  []*EntryReport `json:"-"`
	Vars     []VarReport    `json:"vars,omitempty"`
	// Ignored accounts for every noise rule, default and hint over the
	// whole replay: what each hid, and which rules hid nothing.
	Ignored []diff.IgnoredPath `json:"ignored,omitempty"`
	// Learned are the noise rules proposed by --learn-noise.
	Learned []diff.Rule `json:"learned,omitempty"`
	// HeldBack are learned rules the brake held back: for one answer
	// they would hide most of it.
	HeldBack []diff.Rule `json:"heldBack,omitempty"`
	// LearnWarnings say why learned rules are not to be saved as they
	// are: more than MaxLearnedRules of them.
	LearnWarnings []string `json:"learnWarnings,omitempty"`
	// Interrupted is set when the run was stopped before its end.
	Interrupted bool `json:"interrupted,omitempty"`
	// Counts are the entries per outcome.
	Counts map[Outcome]int `json:"counts"`
}

// Failed reports whether any call regressed or drifted.
func (r *Report) Failed() bool { return r.Counts[Regression]+r.Counts[Drift] > 0 }

// InfraOnly reports whether the only failures were infrastructure errors.
func (r *Report) InfraOnly() bool { return !r.Failed() && r.Counts[Infra] > 0 }

func (r *Report) count() {
	r.Counts = map[Outcome]int{}
	for _, o := range Outcomes {
		r.Counts[o] = 0
	}
	for _, e := range r.Entries {
		r.Counts[e.Outcome]++
	}
}
