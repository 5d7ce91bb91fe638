package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// Document is one loaded spec, converted to OpenAPI 3 whatever it was
// written in, together with what was wrong with it.
type Document struct {
	// Source is the bytes the document was loaded from and their provenance.
	Source Source
	// Format is "json" or "yaml".
	Format string
	// Version is the spec version the document declares: "2.0", "3.0.3", "3.1.0"...
	Version string
	// Title and APIVersion are info.title and info.version.
	Title, APIVersion string
	// OpenAPI is the document as kin-openapi models it, with every $ref
	// resolved. Swagger 2.0 documents are converted by openapi2conv.
	OpenAPI *openapi3.T
	// Warnings lists what is invalid in the document, in document order
	// where kin-openapi gives one. A document with warnings is still usable.
	Warnings []Warning
	// PathsOnly is set when kin-openapi could not load the document even
	// after repairs, and it was loaded from its paths and parameters alone:
	// matching works, request and response bodies are not checked.
	PathsOnly bool
}

// Name is the name to show for the document: the definition name the
// instance gave it, or its title, or where it came from.
func (d *Document) Name() string {
	switch {
	case d.Source.Name != "":
		return d.Source.Name
	case d.Title != "":
		return d.Title
	}
	return d.Source.URL
}

// Warning is a problem in a document that did not stop it from loading.
type Warning struct {
	// File is the document's path or URL.
	File string
	// Place is a JSON pointer into the document ("/paths/~1pets/get"), or
	// empty when the problem is the document as a whole.
	Place string
	// Message says what is wrong, in one line.
	Message string
}

func (w Warning) String() string {
	if w.Place == "" {
		return w.File + ": " + w.Message
	}
	return w.File + ": " + w.Place + ": " + w.Message
}

// Error is a document that cannot be used at all. It prints as one line
// naming the file and the place.
type Error struct {
	// File is the document's path or URL.
	File string
	// Place is a JSON pointer or "line L, column C"; empty when the whole
	// file is at fault.
	Place string
	Err   error
}

func (e *Error) Error() string {
	msg := "unknown error"
	if e.Err != nil {
		msg = oneLine(e.Err.Error())
	}
	if e.Place == "" {
		return e.File + ": " + msg
	}
	return e.File + ": " + e.Place + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// LoadFile reads and loads a spec document from disk.
func LoadFile(path string) (*Document, error) {
	src, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Load(src)
}

// LoadAll loads several documents, stopping at the first that cannot be used.
// The documents are loaded side by side, as most of loading one is
// kin-openapi resolving and validating it on one core; the error is the
// first document's in order that fails, as if they were loaded in turn.
func LoadAll(srcs []Source) ([]*Document, error) {
	return loadAll(srcs, runtime.GOMAXPROCS(0))
}

// sideBySide is the most bytes of documents LoadAll loads at once. A load
// takes many times its document while it runs (issue 11 holds it under 20
// times), so two large documents at once would add their peaks; past this,
// they are loaded in turn, each still decoded on every core.
const sideBySide = 16 << 20

func loadAll(srcs []Source, workers int) ([]*Document, error) {
	docs := make([]*Document, len(srcs))
	total := 0
	for _, src := range srcs {
		total += len(src.Data)
	}
	together := workers
	if total > sideBySide {
		together = 1
	}
	err := each(together, len(srcs), func(i int) (err error) {
		docs[i], err = load(srcs[i], workers)
		return err
	})
	if err != nil {
		return nil, err
	}
	return docs, nil
}

// Load parses a Swagger 2.0, OpenAPI 3.0 or 3.1 document in JSON or YAML.
//
// Real specs are often invalid, so Load mends what it can and reports it in
// Document.Warnings rather than failing: tuple "items" arrays, $id-style
// references, conflicting path templates, schemas kin-openapi's validator
// rejects. It returns an *Error only for a document nothing can use: one
// that is not JSON or YAML, not an OpenAPI document, nested deeper than
// MaxNesting, larger than MaxSpecBytes, or holding a $ref that leads nowhere
// or into another file. A $ref that comes back to itself without reaching a
// schema is dropped with a warning, and its place accepts any value.
func Load(src Source) (*Document, error) {
	return load(src, runtime.GOMAXPROCS(0))
}

// load is Load decoding the parts of a JSON document on up to workers
// goroutines; the document is the same for any number, so tests hold the
// parallel decode to workers 1.
func load(src Source, workers int) (*Document, error) {
	file := src.URL
	if file == "" {
		file = src.Name
	}
	fail := func(place, format string, args ...any) (*Document, error) {
		return nil, &Error{File: file, Place: place, Err: fmt.Errorf(format, args...)}
	}
	if len(src.Data) > MaxSpecBytes {
		return fail("", "larger than %d MB, the most a spec may be", MaxSpecBytes>>20)
	}
	defer lowerGC(len(src.Data))()
	if doc := loadFast(src, file, workers); doc != nil {
		return doc, nil
	}
	tree, format, err := decodeTree(src.Data)
	if err != nil {
		var pe placeError
		if errors.As(err, &pe) {
			return fail(pe.place, "%s", pe.msg)
		}
		return fail("", "%v", err)
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return fail("", "not an OpenAPI document: the top level is not an object")
	}
	doc := &Document{Source: src, Format: format}
	r := &repairer{ids: map[string]string{}, anchors: map[string]string{}}
	switch {
	case root["swagger"] != nil:
		v := fmt.Sprint(root["swagger"])
		if v != "2.0" && v != "2" {
			return fail("/swagger", "unsupported Swagger version %q (only 2.0 is)", v)
		}
		if _, isString := root["swagger"].(string); !isString || v != "2.0" {
			root["swagger"] = "2.0"
			r.changed = true
			r.warn("/swagger", "swagger should be the string \"2.0\"")
		}
		doc.Version = "2.0"
		r.swagger2 = true
	case root["openapi"] != nil:
		v := fmt.Sprint(root["openapi"])
		if _, isString := root["openapi"].(string); !isString {
			if v == "3" {
				v = "3.0.0"
			}
			root["openapi"] = v
			r.changed = true
			r.warn("/openapi", "openapi should be a string such as \"3.0.3\"; read it as %q", v)
		}
		if !strings.HasPrefix(v, "3.") {
			return fail("/openapi", "unsupported OpenAPI version %q (2.0, 3.0 and 3.1 are)", v)
		}
		doc.Version = v
	default:
		return fail("", "not an OpenAPI or Swagger document: it has no \"openapi\" or \"swagger\" field")
	}
	if info, ok := root["info"].(map[string]any); ok {
		doc.Title, _ = info["title"].(string)
		doc.APIVersion = fmt.Sprint(valueOr(info["version"], ""))
	}

	r.walk(root, false)
	if p := r.resolveRefs(root); p != nil {
		return fail(p.at, "%s", p.msg)
	}
	sort.SliceStable(r.warnings, func(i, j int) bool { return r.warnings[i].Place < r.warnings[j].Place })
	doc.Warnings = r.warnings

	var t *openapi3.T
	swagger2 := r.swagger2
	if swagger2 {
		t, err = loadV2(root)
	} else {
		data := src.Data
		if r.changed {
			data, err = json.Marshal(root)
		}
		// The decoded tree is several times the size of the text; letting
		// it go before kin-openapi builds its own keeps the collector from
		// scanning both, which cost a third of the load time on large specs.
		root, tree, r = nil, nil, nil
		if err == nil {
			t, err = loadV3(data, workers)
		}
	}
	if err != nil {
		doc.Warnings = append(doc.Warnings, kinLoadWarning(err))
		if root == nil {
			if root, err = repairedTree(src.Data); err != nil {
				return fail("", "%v", err)
			}
		}
		var lw []Warning
		t, lw, err = loadLenient(root, swagger2, workers)
		if err != nil {
			return fail("", "%v", err)
		}
		doc.Warnings = append(doc.Warnings, lw...)
		doc.PathsOnly = true
	} else {
		vw, _ := validationWarnings(t)
		doc.Warnings = append(doc.Warnings, vw...)
	}
	doc.Warnings = append(doc.Warnings, templateWarnings(t)...)
	for i := range doc.Warnings {
		doc.Warnings[i].File = file
	}
	doc.OpenAPI = t
	return doc, nil
}

var kinErrorPlace = regexp.MustCompile(`^(?s).*yaml error: (?:yaml: )?(?:construct errors: )?(?:line \d+: )?(.*?) in (/\S*)$`)

// kinLoadWarning reports kin-openapi's refusal of a whole document, placed
// by the JSON pointer its YAML decoder names when it names one.
func kinLoadWarning(err error) Warning {
	const then = "; loaded its paths and parameters only, so bodies are not checked"
	msg := oneLine(err.Error())
	if m := kinErrorPlace.FindStringSubmatch(err.Error()); m != nil {
		return Warning{Place: m[2], Message: "kin-openapi cannot load the document: " + oneLine(m[1]) + then}
	}
	return Warning{Message: "kin-openapi cannot load the document: " + msg + then}
}

// loadFast is Load for the common case: an OpenAPI 3 document in JSON that
// kin-openapi loads as it is. It skips decoding the document a second time
// for the repair pass (a quarter of the load time of a large spec), and
// returns nil whenever anything needs the careful path: YAML, Swagger 2.0,
// a document kin-openapi refuses, or one with a $ref it could not resolve
// (the careful path names the broken or cyclic $ref).
func loadFast(src Source, file string, workers int) *Document {
	data := bytes.TrimPrefix(src.Data, utf8BOM)
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil
	}
	version, swagger, ok := jsonHead(data)
	if !ok || swagger || !strings.HasPrefix(version, "3.") {
		return nil
	}
	t, err := loadV3(data, workers)
	if err != nil {
		return nil
	}
	warnings, unresolved := validationWarnings(t)
	if unresolved {
		return nil
	}
	warnings = append(warnings, templateWarnings(t)...)
	doc := &Document{Source: src, Format: "json", Version: version, OpenAPI: t, Warnings: warnings}
	if t.Info != nil {
		doc.Title, doc.APIVersion = t.Info.Title, t.Info.Version
	}
	for i := range doc.Warnings {
		doc.Warnings[i].File = file
	}
	return doc
}

// repairedTree decodes and repairs a document again, for the rare fallback
// after kin-openapi refused what Load gave it.
func repairedTree(data []byte) (map[string]any, error) {
	tree, _, err := decodeTree(data)
	if err != nil {
		return nil, err
	}
	root, _ := tree.(map[string]any)
	r := &repairer{ids: map[string]string{}, anchors: map[string]string{}, swagger2: root["swagger"] != nil}
	r.walk(root, false)
	if p := r.resolveRefs(root); p != nil {
		return nil, errors.New(p.msg)
	}
	return root, nil
}

func valueOr(v, def any) any {
	if v == nil {
		return def
	}
	return v
}

// loadV3 hands the document to kin-openapi's own loader: its YAML-node path
// is faster than decoding JSON into openapi3.T, and it resolves every $ref.
func loadV3(data []byte, workers int) (t *openapi3.T, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("kin-openapi panicked: %v", p)
		}
	}()
	l := openapi3.NewLoader()
	if t := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n"); len(t) > 0 && t[0] == '{' {
		// kin-openapi reads JSON with its YAML parser, whose token queue
		// grows with the document: a 53 MB TestOps-sized spec took 5.7
		// GB. Decoded as JSON, the same document takes a fraction.
		doc, ok := decodeV3(t, workers)
		if !ok {
			doc = &openapi3.T{}
			ok = json.Unmarshal(t, doc) == nil
		}
		if ok {
			if err = l.ResolveRefsIn(doc, nil); err == nil && doc.Paths == nil {
				doc.Paths = openapi3.NewPaths()
			}
			return doc, err
		}
	}
	t, err = l.LoadFromData(data)
	if err == nil && t.Paths == nil {
		t.Paths = openapi3.NewPaths()
	}
	return t, err
}

func loadV2(root map[string]any) (t *openapi3.T, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, fmt.Errorf("kin-openapi panicked: %v", p)
		}
	}()
	data, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	var d2 openapi2.T
	if err := json.Unmarshal(data, &d2); err != nil {
		return nil, err
	}
	t, err = openapi2conv.ToV3(&d2)
	if err == nil && t.Paths == nil {
		t.Paths = openapi3.NewPaths()
	}
	return t, err
}

// validationWarnings runs kin-openapi's validator over the whole document and
// turns each finding into a warning placed by the validator's context.
// Examples and defaults are not validated: that doubles the cost on large
// specs and says nothing about whether traffic matches.
// It also reports whether kin-openapi left a $ref unresolved.
func validationWarnings(t *openapi3.T) (out []Warning, unresolved bool) {
	defer func() {
		if p := recover(); p != nil {
			out = append(out, Warning{Message: fmt.Sprintf("kin-openapi's validator panicked: %v", p)})
		}
	}()
	err := t.Validate(context.Background(), openapi3.EnableMultiError(),
		openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation())
	if err != nil {
		var ur *openapi3.UnresolvedRefError
		unresolved = errors.As(err, &ur)
		collectValidation(err, nil, &out)
	}
	return append(out, defaultWarnings(t)...), unresolved
}

var componentSections = map[string]string{
	"schema": "schemas", "parameter": "parameters", "header": "headers",
	"request body": "requestBodies", "response": "responses", "security scheme": "securitySchemes",
	"example": "examples", "link": "links", "callback": "callbacks",
}

func collectValidation(err error, at []string, out *[]Warning) {
	with := func(tokens ...string) []string { return append(append([]string(nil), at...), tokens...) }
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			collectValidation(inner, at, out)
		}
	case *openapi3.SectionValidationError:
		section := e.Section
		if section == "external docs" {
			section = "externalDocs"
		}
		collectValidation(e.Cause, with(section), out)
	case *openapi3.PathValidationError:
		collectValidation(e.Cause, with(e.Path), out)
	case *openapi3.OperationValidationError:
		collectValidation(e.Cause, with(strings.ToLower(e.Method)), out)
	case *openapi3.ComponentValidationError:
		section := componentSections[e.Section]
		if section == "" {
			section = e.Section
		}
		collectValidation(e.Cause, with(section, e.Name), out)
	case *openapi3.WebhookValidationError:
		collectValidation(e.Cause, with(e.Name), out)
	case *openapi3.ConflictingPathsError:
		// kin-openapi names the pair in map order; sort it so runs agree.
		first, second := e.Path1, e.Path2
		if second < first {
			first, second = second, first
		}
		*out = append(*out, Warning{Place: pointer("paths", second),
			Message: fmt.Sprintf("conflicting paths %q and %q name one parameter differently; both are kept and matched by method and parameter type", first, second)})
	default:
		*out = append(*out, Warning{Place: pointer(at...), Message: oneLine(err.Error())})
	}
}

// defaultWarnings reports parameter defaults that do not fit their schema
// (TestOps: a string parameter "offset" with default 0). kin-openapi's own
// check of every default in every schema costs more than the load itself on
// large specs; parameters are where a wrong default misleads a script writer.
func defaultWarnings(t *openapi3.T) []Warning {
	var out []Warning
	for _, path := range t.Paths.InMatchingOrder() {
		item := t.Paths.Value(path)
		if item == nil {
			continue
		}
		for _, method := range sortedMethods(item) {
			op := item.GetOperation(method)
			for i, pr := range op.Parameters {
				if pr == nil || pr.Value == nil || pr.Value.Schema == nil || pr.Value.Schema.Value == nil {
					continue
				}
				s := pr.Value.Schema.Value
				if s.Default == nil {
					continue
				}
				if err := s.VisitJSON(s.Default); err != nil {
					out = append(out, Warning{Place: pointer("paths", path, strings.ToLower(method), "parameters", fmt.Sprint(i), "schema", "default"),
						Message: fmt.Sprintf("default of parameter %q does not fit its schema: %s", pr.Value.Name, oneLine(err.Error()))})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Place < out[j].Place })
	return out
}

func sortedMethods(item *openapi3.PathItem) []string {
	ops := item.Operations()
	methods := make([]string, 0, len(ops))
	for m, op := range ops {
		if op != nil {
			methods = append(methods, m)
		}
	}
	sort.Strings(methods)
	return methods
}
