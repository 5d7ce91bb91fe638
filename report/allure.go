package report

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/report/htmlreport"
)

// The Allure 2 results format, as Allure's own adapters write it and
// allurectl uploads it: <uuid>-result.json per test, <uuid>-container.json
// grouping them, attachments beside them as <uuid>-attachment.<ext>.

type allureResult struct {
	UUID          string             `json:"uuid"`
	HistoryID     string             `json:"historyId"`
	TestCaseID    string             `json:"testCaseId"`
	FullName      string             `json:"fullName"`
	Name          string             `json:"name"`
	Description   string             `json:"description,omitempty"`
	Status        string             `json:"status"`
	StatusDetails *allureDetails     `json:"statusDetails,omitempty"`
	Stage         string             `json:"stage"`
	Start         int64              `json:"start"`
	Stop          int64              `json:"stop"`
	Labels        []allureLabel      `json:"labels"`
	Parameters    []allureParameter  `json:"parameters"`
	Attachments   []allureAttachment `json:"attachments"`
	Links         []any              `json:"links"`
	Steps         []any              `json:"steps"`
}

type allureDetails struct {
	Message string `json:"message,omitempty"`
	Trace   string `json:"trace,omitempty"`
}

type allureLabel struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type allureParameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Excluded keeps a parameter out of the history id Allure would
	// compute; the URL holds the endpoint and carried-over ids, which
	// change from run to run.
	Excluded bool `json:"excluded,omitempty"`
}

type allureAttachment struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Type   string `json:"type"`
}

type allureContainer struct {
	UUID     string   `json:"uuid"`
	Name     string   `json:"name"`
	Children []string `json:"children"`
	Befores  []any    `json:"befores"`
	Afters   []any    `json:"afters"`
	Start    int64    `json:"start"`
	Stop     int64    `json:"stop"`
}

type allureCategory struct {
	Name            string   `json:"name"`
	Description     string   `json:"description,omitempty"`
	MatchedStatuses []string `json:"matchedStatuses"`
	MessageRegex    string   `json:"messageRegex,omitempty"`
}

// Allure statuses.
const (
	allurePassed  = "passed"
	allureFailed  = "failed"
	allureBroken  = "broken"
	allureSkipped = "skipped"
)

// AllureStatus is the Allure status of a call: passed, failed for a
// regression or drift, broken for an infrastructure error or a call
// interrupted after it was sent, skipped for a call that was skipped or
// not run.
func AllureStatus(o replay.Outcome) string {
	switch o {
	case replay.OK:
		return allurePassed
	case replay.Regression, replay.Drift:
		return allureFailed
	case replay.Infra, replay.Interrupted:
		return allureBroken
	}
	return allureSkipped
}

// WriteAllure writes the reports into dir as Allure 2 results: a result per
// call (see Cases) with its diff, request and both responses attached,
// labelled by flow (suite), the operation's tag (feature), its operationId
// (story) and "METHOD /template" (operation); a container per flow; the
// endpoint in environment.properties; and categories.json, which sorts
// failures into regressions, drift and infrastructure errors.
//
// dir is created when missing. Results already in it stay, as Allure's
// adapters leave them: a call replayed again into the same folder shows as
// a retry. Every file is written through a temporary file and a rename,
// attachments before the result naming them and results before their
// container, so that `allurectl watch` never uploads half a result.
func WriteAllure(dir string, reports []*replay.Report, o Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	w := &allureWriter{dir: dir, o: o}
	for _, r := range reports {
		if err := w.flow(r); err != nil {
			return err
		}
	}
	if len(reports) > 0 {
		if err := w.environment(reports); err != nil {
			return err
		}
	}
	return w.categories()
}

type allureWriter struct {
	dir string
	o   Options
}

func (w *allureWriter) flow(r *replay.Report) error {
	start := r.Started.UnixMilli()
	c := allureContainer{UUID: newUUID(), Name: r.Flow, Children: []string{}, Befores: []any{}, Afters: []any{},
		Start: start, Stop: r.Started.Add(r.Duration).UnixMilli()}
	for _, e := range Cases(r) {
		uuid, err := w.result(r, e)
		if err != nil {
			return err
		}
		c.Children = append(c.Children, uuid)
	}
	return w.json(c.UUID+"-container.json", c)
}

func (w *allureWriter) result(r *replay.Report, e *replay.EntryReport) (string, error) {
	name := Name(e)
	op := operation(e)
	id := hashID(r.Flow, strconv.Itoa(e.Seq), op)
	start := r.Started.UnixMilli()
	res := allureResult{
		UUID:       newUUID(),
		HistoryID:  id,
		TestCaseID: id,
		FullName:   fmt.Sprintf("%s #%d %s", r.Flow, e.Seq, name),
		// The call's number tells apart the calls a flow makes to the same
		// operation; JUnit names stay without it, so CI history is kept.
		Name:   fmt.Sprintf("#%d %s", e.Seq, name),
		Status: AllureStatus(e.Outcome),
		Stage:  "finished",
		// Calls run concurrently and the report keeps only their
		// durations, so each is placed at the start of its flow.
		Start:       start,
		Stop:        start + int64(e.DurationMS),
		Labels:      w.labels(r, e, op),
		Parameters:  []allureParameter{{Name: "method", Value: e.Method}, {Name: "url", Value: e.URL, Excluded: true}},
		Attachments: []allureAttachment{},
		Links:       []any{},
		Steps:       []any{},
	}
	// A fenced block, since Allure renders the description as Markdown.
	res.Description = "```\n" + sent(e) + "```\n"
	text := details(e)
	if msg := message(e); msg != "" {
		res.StatusDetails = &allureDetails{Message: msg, Trace: text}
	}
	if text != "" && e.Outcome != replay.Skipped && e.Outcome != replay.NotRun {
		// HTML, coloured as the report colours it: Allure shows text/html
		// attachments inline.
		page, err := htmlreport.Attachment(r.Flow, e, htmlreport.Options{})
		if err != nil {
			return "", err
		}
		a, err := w.attach("diff", "text/html", "html", page)
		if err != nil {
			return "", err
		}
		res.Attachments = append(res.Attachments, a)
	}
	for _, m := range []struct {
		name string
		msg  *replay.Message
	}{{"request", e.Request}, {"replayed response", e.Response}, {"recorded response", e.Recorded}} {
		if m.msg == nil {
			continue
		}
		a, err := w.message(m.name, m.msg)
		if err != nil {
			return "", err
		}
		res.Attachments = append(res.Attachments, a)
	}
	return res.UUID, w.json(res.UUID+"-result.json", res)
}

func (w *allureWriter) labels(r *replay.Report, e *replay.EntryReport, op string) []allureLabel {
	ls := []allureLabel{{"suite", r.Flow}}
	if e.Operation != nil && e.Operation.Tag != "" {
		ls = append(ls, allureLabel{"feature", e.Operation.Tag})
	}
	if e.Operation != nil && e.Operation.OperationID != "" {
		ls = append(ls, allureLabel{"story", e.Operation.OperationID})
	}
	ls = append(ls, allureLabel{"operation", op}, allureLabel{"framework", "apitrail"})
	if w.o.Host != "" {
		ls = append(ls, allureLabel{"host", w.o.Host})
	}
	return ls
}

// message attaches a request or response: as JSON when its body is JSON,
// so that Allure shows it as a tree, else as text with the headers first.
func (w *allureWriter) message(name string, m *replay.Message) (allureAttachment, error) {
	head := map[string]string{}
	for k, vs := range m.Header {
		head[http.CanonicalHeaderKey(k)] = strings.Join(vs, ", ")
	}
	if body := bytes.TrimSpace(m.Body); len(body) > 0 && json.Valid(body) {
		doc := struct {
			Method  string            `json:"method,omitempty"`
			URL     string            `json:"url,omitempty"`
			Status  int               `json:"status,omitempty"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		}{m.Method, m.URL, m.Status, head, body}
		data, err := marshal(doc)
		if err != nil {
			return allureAttachment{}, err
		}
		return w.attach(name, "application/json", "json", data)
	}
	var b strings.Builder
	switch {
	case m.Method != "":
		fmt.Fprintf(&b, "%s %s\n", m.Method, m.URL)
	case m.Status != 0:
		fmt.Fprintf(&b, "%d %s\n", m.Status, http.StatusText(m.Status))
	}
	keys := make([]string, 0, len(head))
	for k := range head {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, head[k])
	}
	switch {
	case len(m.Body) == 0:
	case utf8.Valid(m.Body):
		fmt.Fprintf(&b, "\n%s", m.Body)
	default:
		fmt.Fprintf(&b, "\n(%d bytes of binary data)\n", len(m.Body))
	}
	return w.attach(name, "text/plain", "txt", []byte(b.String()))
}

func (w *allureWriter) attach(name, typ, ext string, data []byte) (allureAttachment, error) {
	source := newUUID() + "-attachment." + ext
	if err := atomicfile.Write(filepath.Join(w.dir, source), data, 0o644); err != nil {
		return allureAttachment{}, err
	}
	return allureAttachment{Name: name, Source: source, Type: typ}, nil
}

func (w *allureWriter) json(name string, v any) error {
	data, err := marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(w.dir, name), data, 0o644)
}

// marshal indents JSON and leaves <, > and & as they are: these files are
// read by people and Allure, never pasted into HTML.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return b.Bytes(), err
}

// environment writes what Allure shows as the environment: the instance
// replayed against (without any user info in its URL) and the flows.
func (w *allureWriter) environment(reports []*replay.Report) error {
	var flows []string
	for _, r := range reports {
		flows = append(flows, r.Flow)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "endpoint=%s\n", propertyValue(endpoint(reports[0].Endpoint)))
	fmt.Fprintf(&b, "flows=%s\n", propertyValue(strings.Join(flows, ", ")))
	return atomicfile.Write(filepath.Join(w.dir, "environment.properties"), []byte(b.String()), 0o644)
}

func (w *allureWriter) categories() error {
	return w.json("categories.json", []allureCategory{
		{Name: "Response regressions", Description: "the answer differs from the recorded one",
			MatchedStatuses: []string{allureFailed}, MessageRegex: "(?s)regression: .*"},
		{Name: "Spec drift", Description: "the answer no longer fits the spec",
			MatchedStatuses: []string{allureFailed}, MessageRegex: "(?s)drift: .*"},
		{Name: "Infrastructure errors", Description: "no usable answer: no connection, a timeout, a 5xx",
			MatchedStatuses: []string{allureBroken}, MessageRegex: "(?s)infrastructure error: .*"},
		{Name: "Interrupted after sending", Description: "the run was stopped after the call was sent and before its answer: the instance may have applied it",
			MatchedStatuses: []string{allureBroken}, MessageRegex: "(?s)interrupted after sending.*"},
	})
}

// endpoint drops user info from a URL, which could hold a password.
func endpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// propertyValue escapes a value for a Java properties file, which Allure
// reads as ISO 8859-1 with \u escapes.
func propertyValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		case r < 0x20 || r > 0x7e:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hashID is a stable id for the same call of the same flow, run after run,
// so that Allure and TestOps keep its history.
func hashID(parts ...string) string {
	sum := md5.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
