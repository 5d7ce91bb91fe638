package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apitrail/apitrail/internal/jsonpath"
)

// Response is one HTTP response as the differ sees it. The fields are plain
// values so that a caller can fill them from a HAR entry or an
// *http.Response alike.
type Response struct {
	Status int
	Header http.Header
	// Body is the decoded body: no content encoding, no base64.
	Body []byte
	// ContentType decides how the body is compared; when empty, the
	// Content-Type header is used, and when that is missing too the body is
	// sniffed.
	ContentType string
	// BodyUnknown says the body was not recorded, as in a HAR entry whose
	// content has no text (browsers leave some out). The bodies are then
	// not compared, and a note says so, rather than reporting a body that
	// vanished.
	BodyUnknown bool
	// Cut says Body is only the start of the body, which was cut at a size
	// limit. Size is then the whole body's length (-1 when unknown) and
	// SHA256 the hex digest of the whole body ("" when unknown). Cut
	// bodies are compared by length, by digest when both are known, and
	// otherwise by the start both kept.
	Cut    bool
	Size   int64
	SHA256 string
}

// length is the whole body's length, -1 when it is not known.
func (r Response) length() int64 {
	if r.Cut {
		return r.Size
	}
	return int64(len(r.Body))
}

// digest is the whole body's hex SHA-256, "" when it is not known.
func (r Response) digest() string {
	if r.Cut {
		return r.SHA256
	}
	sum := sha256.Sum256(r.Body)
	return hex.EncodeToString(sum[:])
}

// cutSummary describes a body of which only the start may be known, for
// the one change a cut body can show; digest is r.digest(), which the
// comparison has worked out already (a whole body's costs a SHA-256 of it).
func (r Response) cutSummary(digest string) string {
	size := "unknown length"
	if n := r.length(); n >= 0 {
		size = strconv.FormatInt(n, 10) + " bytes"
	}
	if digest != "" {
		size += ", sha256 " + digest
	}
	if r.Cut {
		size += fmt.Sprintf(", cut after the first %d", len(r.Body))
	}
	return size
}

func (r Response) contentType() string {
	if r.ContentType != "" {
		return r.ContentType
	}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Content-Type") && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// Operation says which operation a response belongs to, so that rules
// scoped to it apply.
type Operation struct {
	Method string // "GET"
	Path   string // the path template from the spec, "/api/launch/{id}"
	ID     string // the operationId, if known
	// Hints are JSON paths that the operation's response schema marks as
	// volatile (format date-time or uuid, say). See Hint.
	Hints []Hint
	// Deleted are the ids of items the flow itself deleted before this
	// call: a recorded item with one of them missing from a collection is
	// expected, not a regression (see collections.go).
	Deleted []string
	// Recorded is when the recorded answer was made. Value hints (see
	// Config.ValueHints) read a number as a Unix time only within
	// values.EpochWindow of it; zero reads no number as a time.
	Recorded time.Time
	// Own are the ids of items that are the flow's: those it created (the
	// values replay carried) and those its recording holds. When set, a
	// recorded item of a collection that is not among them (one a baseline
	// caught that others made) is someone else's: its values may change
	// under the flow, and only a change of its shape (a member gone or
	// added, a value of another type) is a regression. Empty means every
	// item is the flow's.
	Own []string
}

// Hint marks a JSON path whose values are likely to change between two
// replies, such as a property with format date-time. A hint hides a value
// only when it differs between the two responses, and only when both are
// strings or both numbers: a value that disappears, turns null or changes
// type is still reported. Every value a hint hid is counted
// in the report like a rule's.
type Hint struct {
	Path   string `json:"path"`   // a JSON path, as in rules
	Reason string `json:"reason"` // shown in the report, e.g. "format: date-time"
}

// Config sets up a Differ. The zero Config compares everything except the
// default ignored headers.
type Config struct {
	// Rules are noise rules, as read by ParseRules; global ones apply to
	// every comparison, scoped ones to their operation.
	Rules []Rule
	// IgnoreHeaders replaces DefaultIgnoredHeaders when it is not nil; an
	// empty, non-nil list compares every header.
	IgnoreHeaders []string
	// NameHints treats member names that usually hold timestamps and ids
	// as hints (see Hint): createdDate, lastModifiedDate and any name ending
	// in Date or At (camelCase) or _date or _at, plus timestamp and uuid
	// and names ending in Timestamp or Uuid. Off by default, so that
	// nothing is hidden unless asked for.
	NameHints bool
	// ValueHints treats two differing values that package values
	// recognises as the same form (two ISO 8601 timestamps, two epoch
	// milliseconds near Operation.Recorded, two UUIDs, two entity tags) as
	// hints, whatever their member is called. A "compare body PATH" rule
	// makes the values at PATH strict again, against every hint.
	ValueHints bool
	// Context is the number of unchanged lines around each hunk of Diff; 3
	// when zero, none when negative.
	Context int
	// MaxChanges bounds Result.Body; the rest are counted in BodyOmitted.
	// 1000 when zero.
	MaxChanges int
	// MaxValueLen cuts the Old and New values of a change for display; 80
	// when zero.
	MaxValueLen int
	// DiffTimeout bounds the time go-diff spends on one line diff. When it
	// runs out the diff is still correct but may be longer than needed, and
	// a note says so. 500ms when zero.
	DiffTimeout time.Duration
}

// Differ compares responses under one set of rules. It is safe for
// concurrent use.
type Differ struct {
	cfg           Config
	rules         []*compiledRule
	ignoreHeaders []string
	// byIndex pairs every array by index: the symmetric comparison the
	// fuzz tests hold to (pairing by identity is one-sided on purpose).
	byIndex bool
}

type compiledRule struct {
	Rule
	pat pattern // for body rules
}

// New checks the configuration and returns a Differ.
func New(cfg Config) (*Differ, error) {
	if cfg.Context == 0 {
		cfg.Context = 3
	}
	if cfg.Context < 0 {
		cfg.Context = 0
	}
	if cfg.MaxChanges <= 0 {
		cfg.MaxChanges = 1000
	}
	if cfg.MaxValueLen <= 0 {
		cfg.MaxValueLen = 80
	}
	if cfg.DiffTimeout <= 0 {
		cfg.DiffTimeout = 500 * time.Millisecond
	}
	d := &Differ{cfg: cfg, ignoreHeaders: defaultIgnoredHeaders}
	if cfg.IgnoreHeaders != nil {
		d.ignoreHeaders = nil
		for _, h := range cfg.IgnoreHeaders {
			name, err := canonicalHeaderPattern(h)
			if err != nil {
				return nil, fmt.Errorf("ignored header: %w", err)
			}
			d.ignoreHeaders = append(d.ignoreHeaders, name)
		}
	}
	var errs []error
	for _, r := range cfg.Rules {
		if err := r.check(r.Expr); err != nil {
			errs = append(errs, ruleError(r, err))
			continue
		}
		cr := &compiledRule{Rule: r}
		if r.Target == BodyTarget {
			cr.pat, _ = jsonpath.Parse(r.Expr) // check has parsed it already
		}
		d.rules = append(d.rules, cr)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

func ruleError(r Rule, err error) error {
	if r.Pos != (Pos{}) {
		return &ParseError{Pos: r.Pos, Msg: err.Error()}
	}
	return fmt.Errorf("rule %q: %w", r.String(), err)
}

var defaultDiffer, _ = New(Config{})

// Compare compares two responses with the default configuration: every
// header but the default ignored ones, and the whole body.
func Compare(recorded, replayed Response) *Result {
	return defaultDiffer.Compare(Operation{}, recorded, replayed)
}

// session holds the state of one comparison.
type session struct {
	d     *Differ
	res   *Result
	nz    *noise
	rules []*compiledRule // those whose scope covers the operation
	// hints, when not nil, may hide differing values; Learn leaves it nil
	// and asks its own hinter which proposals a hint covers.
	hints *hinter
	// onChange, when set, replaces the recording of body changes in the
	// result; Learn uses it to see every change with its path.
	onChange func(kind ChangeKind, path []step)
	// onHint, when set, is told of each value a hint hid; LearnHints
	// turns them into rules.
	onHint func(path []step, reason string)
	// deleted and own are Operation.Deleted and Operation.Own, as sets.
	deleted, own map[string]bool
}

// Compare compares a recorded response with a replayed one for operation op.
func (d *Differ) Compare(op Operation, recorded, replayed Response) *Result {
	s := d.newSession(op)
	s.hints = s.newHinter(op)
	s.compare(recorded, replayed)
	return s.finish()
}

func (d *Differ) newSession(op Operation) *session {
	s := &session{d: d, res: &Result{}, nz: newNoise(), deleted: map[string]bool{}, own: map[string]bool{}}
	for _, id := range op.Deleted {
		s.deleted[id] = true
	}
	for _, id := range op.Own {
		s.own[id] = true
	}
	for _, r := range d.rules {
		if r.Scope.covers(op) {
			s.rules = append(s.rules, r)
			if r.Action == IgnoreAction {
				s.nz.rule(r) // listed even if it hides nothing
			}
		}
	}
	return s
}

func (s *session) compare(a, b Response) {
	if a.Status != b.Status {
		s.res.Status = &StatusChange{Recorded: a.Status, Replayed: b.Status}
	}
	s.d.compareHeaders(s.res, s.nz, s.rules, a.Header, b.Header)
	s.compareBody(a, b)
}

func (s *session) finish() *Result {
	r := s.res
	r.Ignored = s.nz.result()
	r.Equal = r.Status == nil && len(r.Headers) == 0 && len(r.Body) == 0 && r.BodyOmitted == 0
	return r
}

func (s *session) note(format string, args ...any) {
	s.res.Notes = append(s.res.Notes, fmt.Sprintf(format, args...))
}

// bodyMatcher returns a matcher over the body rules and path hints, and
// the body rules, whose patterns come first in it.
func (s *session) bodyMatcher() (*matcher, []*compiledRule) {
	m := &matcher{}
	var rules []*compiledRule
	for _, r := range s.rules {
		if r.Target == BodyTarget && r.Action == IgnoreAction { // compare rules are read by collections.go
			m.pats = append(m.pats, r.pat)
			rules = append(rules, r)
		}
	}
	if s.hints != nil {
		m.pats = append(m.pats, s.hints.pats...)
	}
	return m, rules
}

// parallelParse is the body size from which the two bodies are parsed
// concurrently; below it a goroutine costs more than it saves.
const parallelParse = 1 << 20

type bodyKind uint8

const (
	kindEmpty bodyKind = iota
	kindJSON
	kindText
	kindBinary
)

func (k bodyKind) String() string {
	return [...]string{"empty", "json", "text", "binary"}[k]
}

// classify decides how a body is compared, parsing it when it is JSON.
func classify(contentType string, body []byte) (bodyKind, *jtree, error) {
	if len(body) == 0 {
		return kindEmpty, nil, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(contentType), ";")
		mt = strings.TrimSpace(mt)
	}
	claimsJSON := isJSONType(mt)
	if first := bytes.TrimLeft(body, " \t\r\n"); claimsJSON || mt == "" && len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		// RFC 8259 lets a parser ignore a byte order mark; some servers send one.
		t, perr := parseJSON(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
		if perr == nil {
			return kindJSON, t, nil
		}
		if claimsJSON {
			err = perr
		}
	} else {
		err = nil
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || binaryType(mt) {
		return kindBinary, nil, err
	}
	return kindText, nil, err
}

// isJSONType reports whether a media type (lower case, no parameters) is JSON.
func isJSONType(mt string) bool {
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// binaryType reports media types whose bodies are compared as bytes even
// when they happen to be valid UTF-8.
func binaryType(mt string) bool {
	if mt == "image/svg+xml" {
		return false
	}
	for _, p := range []string{"image/", "audio/", "video/", "font/"} {
		if strings.HasPrefix(mt, p) {
			return true
		}
	}
	switch mt {
	case "application/octet-stream", "application/pdf", "application/zip", "application/gzip",
		"application/x-gzip", "application/x-tar", "application/protobuf", "application/x-protobuf":
		return true
	}
	return false
}

func (s *session) compareBody(a, b Response) {
	if a.BodyUnknown || b.BodyUnknown {
		s.res.BodyKind = "unknown"
		which := "recorded"
		if !a.BodyUnknown {
			which = "replayed"
		}
		s.note("the %s body is not known, so the bodies were not compared", which)
		return
	}
	m, rules := s.bodyMatcher()
	if a.Cut || b.Cut {
		s.compareCut(m, rules, a, b)
		return
	}
	if len(rules) == 0 && bytes.Equal(a.Body, b.Body) {
		// Nothing to count and nothing to find: skip parsing.
		kind := kindEmpty
		if len(a.Body) > 0 {
			kind = sniffKind(a.contentType(), a.Body)
		}
		s.res.BodyKind = kind.String()
		return
	}
	var (
		ka, kb     bodyKind
		ta, tb     *jtree
		erra, errb error
	)
	if len(a.Body) >= parallelParse && len(b.Body) >= parallelParse {
		// Two big bodies parse at the same time: a user waiting on one
		// 10 MB diff gets it in little more than the time of one parse.
		done := make(chan struct{})
		go func() {
			kb, tb, errb = classify(b.contentType(), b.Body)
			close(done)
		}()
		ka, ta, erra = classify(a.contentType(), a.Body)
		<-done
	} else {
		ka, ta, erra = classify(a.contentType(), a.Body)
		kb, tb, errb = classify(b.contentType(), b.Body)
	}
	if erra != nil {
		s.note("recorded body is not valid JSON (%v); compared as %s", erra, ka)
	}
	if errb != nil {
		s.note("replayed body is not valid JSON (%v); compared as %s", errb, kb)
	}
	if ka == kindJSON && kb == kindJSON {
		s.res.BodyKind = kindJSON.String()
		s.compareJSON(m, rules, ta, tb)
		return
	}
	kind := max(ka, kb) // empty < json < text < binary: the most general wins
	if kind == kindJSON {
		kind = kindText // JSON against an empty body
	}
	s.res.BodyKind = kind.String()
	if ka != kb && ka != kindEmpty && kb != kindEmpty {
		s.note("recorded body is %s, replayed body is %s", ka, kb)
	}
	// Only a rule for $ (or ..* style rules that match the top) can apply
	// to a body that is not JSON.
	differed := !bytes.Equal(a.Body, b.Body)
	if s.wholeBodyRule(m, rules, differed) {
		return
	}
	if !differed {
		return
	}
	if s.onChange != nil {
		s.onChange(Changed, nil)
		return
	}
	if kind == kindBinary {
		old, new := binarySummary(a.Body), binarySummary(b.Body)
		s.res.Body = append(s.res.Body, Change{Kind: Changed, Path: "$", Old: old, New: new})
		s.res.Diff = s.unified(old+"\n", new+"\n")
		return
	}
	old, new := firstDifferentLine(a.Body, b.Body, s.d.cfg.MaxValueLen)
	s.res.Body = append(s.res.Body, Change{Kind: Changed, Path: "$", Old: old, New: new})
	s.res.Diff = s.unified(string(a.Body), string(b.Body))
}

// wholeBodyRule counts the rules for the whole body ($, or ..* style rules
// that match the top) against a body that cannot be walked member by
// member, and reports whether one applied.
func (s *session) wholeBodyRule(m *matcher, rules []*compiledRule, differed bool) bool {
	hit := m.done(nil, m.start())
	for _, i := range hit {
		if i < len(rules) {
			s.nz.hit(s.nz.rule(rules[i]), differed, func() string { return "$" })
		}
	}
	return len(hit) > 0
}

// compareCut compares two bodies of which one or both were cut at a size
// limit. Neither can be parsed, so they are equal when their lengths agree
// and then their digests, or, where a digest is missing (capture keeps
// none for a body it decoded only in part), the start both kept.
func (s *session) compareCut(m *matcher, rules []*compiledRule, a, b Response) {
	s.res.BodyKind = "truncated"
	for _, side := range []struct {
		name string
		r    Response
	}{{"recorded", a}, {"replayed", b}} {
		if !side.r.Cut {
			continue
		}
		if side.r.Size >= 0 {
			s.note("the %s body was cut after the first %d of %d bytes", side.name, len(side.r.Body), side.r.Size)
		} else {
			s.note("the %s body was cut after the first %d bytes", side.name, len(side.r.Body))
		}
	}
	la, lb := a.length(), b.length()
	da, db := a.digest(), b.digest()
	var differed bool
	switch {
	case la >= 0 && lb >= 0 && la != lb:
		differed = true
	case da != "" && db != "":
		differed = da != db
		s.note("the bodies were compared by length and SHA-256")
	default:
		kept := min(len(a.Body), len(b.Body))
		differed = !bytes.Equal(a.Body[:kept], b.Body[:kept])
		s.note("the bodies were compared by length and their first %d bytes, as one has no SHA-256", kept)
	}
	// Only a rule for the whole body can apply to one that cannot be parsed.
	if s.wholeBodyRule(m, rules, differed) {
		return
	}
	if !differed {
		return
	}
	if s.onChange != nil {
		s.onChange(Changed, nil)
		return
	}
	old, new := a.cutSummary(da), b.cutSummary(db)
	s.res.Body = append(s.res.Body, Change{Kind: Changed, Path: "$", Old: old, New: new})
	s.res.Diff = s.unified(old+"\n", new+"\n")
}

// sniffKind classifies an unparsed body cheaply, for bodies that are equal.
func sniffKind(contentType string, body []byte) bodyKind {
	mt, _, _ := mime.ParseMediaType(contentType)
	first := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case isJSONType(mt),
		mt == "" && len(first) > 0 && (first[0] == '{' || first[0] == '['):
		return kindJSON
	case !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || binaryType(mt):
		return kindBinary
	}
	return kindText
}

func binarySummary(b []byte) string {
	sum := sha256.Sum256(b)
	return strconv.Itoa(len(b)) + " bytes, sha256 " + hex.EncodeToString(sum[:])
}

// firstDifferentLine describes the first line at which two texts differ.
func firstDifferentLine(a, b []byte, max int) (old, new string) {
	line := 1
	for len(a) > 0 || len(b) > 0 {
		la, ra, oka := bytes.Cut(a, []byte("\n"))
		lb, rb, okb := bytes.Cut(b, []byte("\n"))
		if !bytes.Equal(la, lb) || oka != okb {
			onlyNewline := bytes.Equal(la, lb)
			show := func(l []byte, present, newline bool) string {
				if !present {
					return fmt.Sprintf("line %d: end of body", line)
				}
				s := fmt.Sprintf("line %d: %s", line, truncate([]byte(strconv.Quote(string(l))), max, false))
				if onlyNewline && !newline {
					s += " (no newline at end)"
				}
				return s
			}
			return show(la, len(a) > 0, oka), show(lb, len(b) > 0, okb)
		}
		a, b = ra, rb
		line++
	}
	return "", ""
}
