package diff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/internal/jsonpath"
	"github.com/apitrail/apitrail/internal/pathtemplate"
)

// Action says what a rule does.
type Action string

// Target says which part of a response a rule is about.
type Target string

const (
	// IgnoreAction skips a header or the values at a JSON path, and reports how many it hid.
	IgnoreAction Action = "ignore"
	// CompareAction checks a header that is ignored by default (see DefaultIgnoredHeaders).
	CompareAction Action = "compare"

	// HeaderTarget rules name a response header; one * matches any run of characters.
	HeaderTarget Target = "header"
	// BodyTarget rules hold a JSON path; $ stands for the whole body of any kind.
	BodyTarget Target = "body"
)

// Scope limits a rule to one operation. The zero Scope makes a rule global.
// Method and Path (a path template as in the spec) key the operation, since
// operationIds change between spec versions; OperationID is the alternative.
type Scope struct {
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	OperationID string `json:"operationId,omitempty"`
}

// IsGlobal reports whether the scope covers every operation.
func (s Scope) IsGlobal() bool { return s == Scope{} }

// String returns the scope as written before the colon in a rules file.
func (s Scope) String() string {
	if s.OperationID != "" {
		return s.OperationID
	}
	if s.IsGlobal() {
		return ""
	}
	return s.Method + " " + s.Path
}

// covers reports whether the scope includes op. Path templates match with
// their parameter names erased, so {id} and {launchId} are the same place.
func (s Scope) covers(op Operation) bool {
	switch {
	case s.IsGlobal():
		return true
	case s.OperationID != "":
		return s.OperationID == op.ID
	}
	return strings.EqualFold(s.Method, op.Method) && pathtemplate.Shape(s.Path) == pathtemplate.Shape(op.Path)
}

// Pos is where a rule was read: a file and a line, 1-based.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

func (p Pos) String() string {
	if p.File == "" && p.Line == 0 {
		return ""
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// Rule is one line of a rules file.
type Rule struct {
	Scope  Scope  `json:"scope,omitzero"`
	Action Action `json:"action"`
	Target Target `json:"target"`
	Expr   string `json:"expr"` // a header name or a JSON path
	// By, on a compare body rule, says how the array at Expr pairs its
	// items: by a member ("id") or "index"; empty on a rule that makes a
	// count strict (see collections.go).
	By      string `json:"by,omitempty"`
	Comment string `json:"comment,omitempty"` // text after # on the rule's line
	Pos     Pos    `json:"pos,omitzero"`      // where it was read; zero when built in code
}

// String returns the rule as a line of a rules file, without its comment.
func (r Rule) String() string {
	s := string(r.Action) + " " + string(r.Target) + " " + r.Expr
	if r.By != "" {
		s += " by " + r.By
	}
	if r.Scope.IsGlobal() {
		return s
	}
	return r.Scope.String() + ": " + s
}

// source says where a rule came from, for reports.
func (r Rule) source() string {
	if s := r.Pos.String(); s != "" {
		return s
	}
	return "config"
}

// ParseError is a mistake in a rules file, at a line.
type ParseError struct {
	Pos Pos
	Msg string
}

func (e *ParseError) Error() string { return e.Pos.String() + ": " + e.Msg }

// maxErrors bounds how many mistakes ParseRules lists before it stops.
const maxErrors = 10

// ParseRules reads a rules file; name is used in error positions. The
// format, one rule a line:
//
//	# comments start with #, at the start of a line or after a space
//	ignore header X-Trace-Id
//	ignore header X-B3-*                     # * matches any characters
//	compare header ETag                      # check a header ignored by default
//	ignore body $.content[*].createdDate
//	ignore body $..lastModifiedDate          # at any depth
//	GET /api/launch/{id}: ignore body $.lastModifiedDate
//	getLaunch: ignore header X-Cache         # keyed by operationId
//	GET /api/launch/__search: compare body $.content by id
//	compare body $.items by index            # pair by position after all
//	compare body $.totalElements             # a count that must not change
//	GET /api/launch/{id}: compare body $.startTime  # no hint hides it
//
// A scope before the colon limits a rule to one operation; path templates
// match whatever their parameters are named. A compare rule wins over the
// default ignored headers and over ignore rules, so an operation can check
// a header that is ignored everywhere else, and "compare body PATH" keeps
// the values at PATH strict against every hint. JSON paths are JSONPath: $,
// .name, ['name'], [n], [*], .* and ..name (at any depth). On any mistake
// ParseRules returns no rules and an error with a "file:line: message" line
// for each mistake (the first ten, then a count), so a typo never leaves a
// rule out unnoticed.
func ParseRules(name string, r io.Reader) ([]Rule, error) {
	var (
		rules []Rule
		errs  []error
		seen  = map[string]int{} // rule key → line
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	line := 0
	more := 0 // mistakes past maxErrors, counted but not listed
	fail := func(pos Pos, msg string) {
		if len(errs) < maxErrors {
			errs = append(errs, &ParseError{Pos: pos, Msg: msg})
		} else {
			more++
		}
	}
	for sc.Scan() {
		line++
		pos := Pos{File: name, Line: line}
		rule, ok, err := parseRuleLine(sc.Text())
		if err != nil {
			fail(pos, err.Error())
			continue
		}
		if !ok {
			continue
		}
		rule.Pos = pos
		key := rule.String()
		if prev, dup := seen[key]; dup {
			fail(pos, fmt.Sprintf("%q repeats line %d", key, prev))
			continue
		}
		if rule.Target == HeaderTarget {
			other := rule
			other.Action = map[Action]Action{IgnoreAction: CompareAction, CompareAction: IgnoreAction}[rule.Action]
			if prev, clash := seen[other.String()]; clash {
				fail(pos, fmt.Sprintf("%q contradicts line %d", key, prev))
				continue
			}
		}
		seen[key] = line
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		fail(Pos{File: name, Line: line + 1}, err.Error())
	}
	if more > 0 {
		errs = append(errs, fmt.Errorf("%s: %d more mistakes not listed", name, more))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

// parseRuleLine parses one line; ok is false for blank and comment lines.
func parseRuleLine(text string) (rule Rule, ok bool, err error) {
	body, comment := splitComment(text)
	rule.Comment = comment
	body = strings.TrimSpace(body)
	if body == "" {
		return Rule{}, false, nil
	}
	rest := body
	first, after := cutField(rest)
	switch {
	case first == string(IgnoreAction) || first == string(CompareAction):
		// global
	case strings.HasSuffix(first, ":") && !strings.HasPrefix(first, "/"):
		rule.Scope.OperationID = strings.TrimSuffix(first, ":")
		if rule.Scope.OperationID == "" || strings.ContainsAny(rule.Scope.OperationID, "{}") {
			return Rule{}, false, fmt.Errorf("bad operationId %q before the colon", first)
		}
		rest = after
	default:
		path, after2 := cutField(after)
		if !strings.HasPrefix(path, "/") {
			if knownMethods[strings.ToUpper(first)] {
				return Rule{}, false, fmt.Errorf("want a path template starting with / after %s, not %q", first, path)
			}
			return Rule{}, false, fmt.Errorf("want ignore, compare or a scope such as \"GET /api/launch/{id}:\" or \"getLaunch:\", not %q", first)
		}
		if !isMethod(first) {
			return Rule{}, false, fmt.Errorf("%q is not an HTTP method", first)
		}
		switch {
		case strings.HasSuffix(path, ":"):
			path = strings.TrimSuffix(path, ":")
		case strings.HasPrefix(after2, ":"):
			after2 = strings.TrimSpace(after2[1:])
		default:
			return Rule{}, false, fmt.Errorf("want a colon after %q", first+" "+path)
		}
		rule.Scope.Method, rule.Scope.Path = strings.ToUpper(first), path
		rest = after2
	}
	verb, rest := cutField(rest)
	target, expr := cutField(rest)
	rule.Action, rule.Target = Action(verb), Target(target)
	if err := rule.check(expr); err != nil {
		return Rule{}, false, err
	}
	return rule, true, nil
}

// check validates the action, target and expression and stores the
// expression in its canonical spelling.
func (r *Rule) check(expr string) error {
	switch r.Action {
	case IgnoreAction, CompareAction:
	case "":
		return errors.New("want ignore or compare after the colon")
	default:
		return fmt.Errorf("unknown action %q; want ignore or compare", r.Action)
	}
	switch r.Target {
	case HeaderTarget:
		name, err := canonicalHeaderPattern(expr)
		if err != nil {
			return err
		}
		r.Expr = name
	case BodyTarget:
		if r.Action == CompareAction {
			// "compare body PATH by KEY" pairs an array's items; "compare
			// body PATH" makes a count beside an item array strict.
			if strings.HasSuffix(expr, " by") {
				expr += " "
			}
			if path, by, ok := strings.Cut(expr, " by "); ok {
				by = strings.TrimSpace(by)
				if by == "" || strings.ContainsAny(by, " .[]$*'\"") {
					return fmt.Errorf("want a member name or index after \"by\", not %q", by)
				}
				expr, r.By = strings.TrimSpace(path), by
			}
		} else if strings.Contains(expr, " by ") {
			return errors.New("\"by\" belongs to compare rules: compare body PATH by KEY")
		}
		p, err := jsonpath.Parse(expr)
		if err != nil {
			return err
		}
		r.Expr = p.String()
	case "":
		return fmt.Errorf("want header or body after %s", r.Action)
	default:
		return fmt.Errorf("unknown target %q; want header or body", r.Target)
	}
	return nil
}

// canonicalHeaderPattern checks a header name, which may hold one * that
// stands for any run of characters (X-B3-*, *-Request-Id), and returns it in
// Go's canonical case.
func canonicalHeaderPattern(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("want a header name")
	case strings.Trim(s, "*") == "":
		return "", errors.New("header * would ignore every header; name the headers instead")
	case strings.Count(s, "*") > 1:
		return "", fmt.Errorf("%q has more than one *", s)
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return "", fmt.Errorf("%q is not a header name", s)
		}
	}
	// * is a token character, so the whole pattern canonicalises as a name.
	return textproto.CanonicalMIMEHeaderKey(s), nil
}

// isTokenChar reports whether c may appear in a header name (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "OPTIONS": true, "TRACE": true, "CONNECT": true,
}

// isMethod accepts any method made of letters: APIs may define their own.
func isMethod(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// cutField splits off the first space-separated field.
func cutField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// splitComment separates a trailing comment: a # at the start of the line or
// after a space, outside the quotes of a JSON path name.
func splitComment(s string) (body, comment string) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '\'' || c == '"') && i > 0 && s[i-1] == '[':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i], strings.TrimSpace(s[i+1:])
		}
	}
	return s, ""
}

// WriteRules writes rules in the format ParseRules reads, one a line, each
// followed by its comment.
func WriteRules(w io.Writer, rules []Rule) error {
	bw := bufio.NewWriter(w)
	for _, r := range rules {
		bw.WriteString(r.String())
		if c := oneLine(r.Comment); c != "" {
			bw.WriteString("  # ")
			bw.WriteString(c)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// RulesFileFor names the rules file kept next to a recording:
// flows/login.har has its rules in flows/login.noise.
func RulesFileFor(recording string) string {
	return strings.TrimSuffix(recording, filepath.Ext(recording)) + ".noise"
}

// LoadRules reads a rules file. A missing file is an error that satisfies
// errors.Is(err, fs.ErrNotExist), so a caller can treat it as "no rules".
func LoadRules(path string) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseRules(path, bytes.NewReader(data))
}

// rulesFileHeader opens a rules file that AddRules creates.
const rulesFileHeader = `# Noise rules for apitrail replay: one rule a line, # starts a comment.
#   ignore header NAME                 skip a header (one * matches any characters)
#   compare header NAME                check a header that is ignored by default
#   ignore body JSONPATH               skip values: $.a.b, $.list[*].id, $..createdDate
#   compare body JSONPATH              keep values strict that a hint would hide
#   METHOD /path/{template}: RULE      only for one operation (or operationId: RULE)
# Every rule is reported with the number of values it hid.
`

// AddRules appends to the rules file at path those rules it does not hold
// yet, and returns them. The file's own text, comments included, is kept as
// it is; a missing file is created. The file is replaced in one rename, so a
// crash leaves either the old file or the new one. A file that does not
// parse is left alone and its errors returned.
func AddRules(path string, rules []Rule) ([]Rule, error) {
	old, err := os.ReadFile(path)
	mode := fs.FileMode(0o644)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = []byte(rulesFileHeader)
	case err != nil:
		return nil, err
	default:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	have, err := ParseRules(path, bytes.NewReader(old))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range have {
		seen[r.String()] = true
	}
	var added []Rule
	for _, r := range rules {
		if err := r.check(r.Expr); err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.String(), err)
		}
		if !seen[r.String()] {
			seen[r.String()] = true
			added = append(added, r)
		}
	}
	if len(added) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	buf.Write(old)
	if len(old) > 0 && old[len(old)-1] != '\n' {
		buf.WriteByte('\n')
	}
	if err := WriteRules(&buf, added); err != nil {
		return nil, err
	}
	return added, atomicfile.Write(path, buf.Bytes(), mode)
}
