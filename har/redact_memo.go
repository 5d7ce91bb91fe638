package har

import (
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file makes Secrets cheap without changing what it finds. Secrets
// runs on every entry of a recording that match, replay and import read,
// and used to redact a whole copy of the entry only to collect the values
// redaction met. Now a probe walks the entry in Entry's order, calling the
// same redaction of each part but keeping no copy (collectEntry); a
// browser session sends the same Cookie, Authorization and X-Xsrf-Token
// values with every call, so what redacting a header value does is worked
// out once per distinct value and replayed (collectHeader); and a secret's
// spellings and placeholder are worked out once (Redactor.newKnownSecret).
// Every cache is bounded, so that a long recording of distinct values
// keeps a flat memory.

const (
	// maxMemoValue is the longest header value the memo keeps: longer ones
	// are rare and redacted afresh each time.
	maxMemoValue = 8 << 10
	// headerMemoBudget and knownMemoBudget bound each generation of the
	// memos, in bytes of the values they hold (see memo).
	headerMemoBudget = 2 << 20
	knownMemoBudget  = 1 << 20
	// entryCost is about what a memo entry costs besides its strings.
	entryCost = 96
)

// redactCache is what a Redactor and the probes Secrets makes from it
// share. The placeholders it holds are keyed by the Redactor's key, which
// its probes have too.
type redactCache struct {
	known   *memo[string, *knownSecret]
	headers *memo[headerKey, *secretLog]
}

func newRedactCache() *redactCache {
	return &redactCache{known: newMemo[string, *knownSecret](knownMemoBudget), headers: newMemo[headerKey, *secretLog](headerMemoBudget)}
}

func knownCost(k *knownSecret) int {
	n := entryCost + 2*len(k.phStr)
	for _, f := range k.formStrs {
		n += 2 * len(f)
	}
	return n
}

// memo is a map bounded by the cost of what it holds, in two generations:
// when the current one is full it becomes the old one and the old one is
// dropped, and a key found in the old one moves to the current one. A
// value that comes back keeps its place however many others pass by, and
// the memo never holds more than twice its budget. It is safe for
// concurrent use, and a key found in the current generation takes only
// the read lock: every core asks for the same session's headers. A nil
// memo holds nothing.
type memo[K comparable, V any] struct {
	mu       sync.RWMutex
	cur, old map[K]memoEntry[V]
	used     int
	budget   int
}

type memoEntry[V any] struct {
	v    V
	cost int
}

func newMemo[K comparable, V any](budget int) *memo[K, V] {
	return &memo[K, V]{cur: map[K]memoEntry[V]{}, budget: budget}
}

func (m *memo[K, V]) get(k K) (V, bool) {
	var zero V
	if m == nil {
		return zero, false
	}
	m.mu.RLock()
	e, ok := m.cur[k]
	m.mu.RUnlock()
	if ok {
		return e.v, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.cur[k]; ok {
		return e.v, true
	}
	if e, ok := m.old[k]; ok {
		delete(m.old, k)
		m.add(k, e)
		return e.v, true
	}
	return zero, false
}

func (m *memo[K, V]) put(k K, v V, cost int) {
	if m == nil || cost > m.budget {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.cur[k]; ok {
		return
	}
	m.add(k, memoEntry[V]{v, cost})
}

// add puts an entry in the current generation, turning generations over
// first when it is full. m.mu is held.
func (m *memo[K, V]) add(k K, e memoEntry[V]) {
	if m.used+e.cost > m.budget {
		m.old, m.cur, m.used = m.cur, map[K]memoEntry[V]{}, 0
	}
	m.cur[k] = e
	m.used += e.cost
}

// len is the number of entries held, for tests.
func (m *memo[K, V]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.cur) + len(m.old)
}

// probe returns a Redactor with r's rules, key and caches that collects
// the secret values it meets and remembers none of r's.
func (r *Redactor) probe() *Redactor {
	return &Redactor{key: r.key, names: r.names, hwords: r.hwords, oauth: r.oauth,
		isPinned: map[string]bool{}, collect: map[string]bool{}, cache: r.cache}
}

// collectEntry is Entry for a probe: the same redaction of every part, in
// the same order, so that the same secrets are met and learnt, without
// the redacted copy.
func (r *Redactor) collectEntry(e *Entry) {
	r.collectMessage(e.Request.Headers, e.Request.Cookies)
	// Entry decides whether a query parameter is an OAuth one on the
	// redacted URL.
	redURL := r.URL(e.Request.URL)
	for i := range e.Request.QueryString {
		q := &e.Request.QueryString[i]
		if secret, oauth := secretName(r, q.Name); secret || oauth && r.oauthQuery(redURL) {
			r.note(q.Value)
		} else {
			r.FreeText(q.Value)
		}
	}
	if pd := e.Request.PostData; pd != nil {
		for i := range pd.Params {
			p := &pd.Params[i]
			if secret, oauth := secretName(r, p.Name); secret || oauth && r.oauthParams(pd.Params) {
				r.note(p.Value)
			} else {
				r.FreeText(p.Value)
			}
		}
		r.collectBody(pd.MimeType, pd.Text, pd.Encoding)
	}
	r.collectMessage(e.Response.Headers, e.Response.Cookies)
	r.URL(e.Response.RedirectURL)
	ct := &e.Response.Content
	r.collectBody(ct.MimeType, ct.Text, ct.Encoding)
	if msgs, err := e.WebSocketMessages(); err == nil {
		for _, m := range msgs {
			r.Body("", []byte(m.Data))
		}
	}
	r.freeMembers(reflect.ValueOf(e).Elem(), false) // a probe: nothing copied
}

// collectMessage is message for a probe.
func (r *Redactor) collectMessage(headers []NameValue, cookies []Cookie) {
	for i := range headers {
		r.collectHeader(headers[i].Name, headers[i].Value)
	}
	for i := range cookies {
		r.note(cookies[i].Value)
	}
}

// collectBody is encodedBody for a probe: a body its bytes show to hold
// no secret is not redacted at all.
func (r *Redactor) collectBody(mimeType, text, encoding string) {
	if !strings.EqualFold(encoding, "base64") && r.quietBody(text) {
		return
	}
	r.encodedBody(mimeType, text, encoding)
}

// quietBody reports whether Body, whatever the media type, would find no
// secret in s; false says nothing. A secret is found only
//   - as a JWT, which holds "eyJ";
//   - in free text (a JSON string): in a URL, which holds "://"; in a
//     name=value pair; after Bearer or Basic, in any case (and the
//     expression's case folding knows letters beyond ASCII);
//   - in a form or a multipart part: a name=value pair again, or a
//     Content-Disposition's name="...";
//   - under a JSON member whose name is a secret one.
//
// Escapes could spell any of those, so a body with a backslash is not
// quiet. Without one, a JSON string runs from a double quote to the next,
// and a member name is such a string followed by ':' after white space:
// every name the walk asks about is among the ones looked at here.
// Secrets already learnt are only replaced, never collected.
func (r *Redactor) quietBody(s string) bool {
	if strings.IndexByte(s, '\\') >= 0 || strings.IndexByte(s, '=') >= 0 || strings.Contains(s, "eyJ") || strings.Contains(s, "://") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c|0x20 == 'b' && (hasFoldAt(s, i, "bearer") || hasFoldAt(s, i, "basic")) {
			return false
		}
	}
	for i := 0; ; {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return true
		}
		start := i + q + 1
		q = strings.IndexByte(s[start:], '"')
		if q < 0 {
			return true // the walk fails at a string that does not end
		}
		end := start + q
		i = end + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i < len(s) && s[i] == ':' && r.SecretName(s[start:end]) {
			return false
		}
	}
}

// hasFoldAt reports whether s holds word, lower-case ASCII, at i in any
// ASCII case.
func hasFoldAt(s string, i int, word string) bool {
	if len(s)-i < len(word) {
		return false
	}
	for j := 0; j < len(word); j++ {
		c := s[i+j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[j] {
			return false
		}
	}
	return true
}

// headerKey is a header as Header takes it: its name, kept as written so
// that a call the memo knows needs no look at the rules, and its value.
type headerKey struct {
	name, value string
}

// secretLog is what redacting one header value did: the values it took
// for secrets, in order (each collected and learnt by remember), and
// whether it swept any text, where a secret learnt earlier could have
// been found and replaced.
type secretLog struct {
	seen  []string
	swept bool
}

// collectHeader is Header for a probe, through the memo of header values.
//
// Redacting a header value v collects and learns the values of the log,
// in order, whatever the probe learnt before (L), unless it sweeps a text
// where a spelling of a secret of L stands: a swept text is v with parts
// replaced by placeholders, where such a spelling stands only if v holds
// it (one that overlaps a placeholder is left alone), and a log that
// swept nothing depends on nothing learnt. Nor may learning evict a
// secret midway (maxLearned). Where both hold, replaying the log is
// exactly what redacting v would do; a log is kept only when made where
// they held, which makes it the log of a probe that had learnt nothing.
func (r *Redactor) collectHeader(name, value string) {
	if len(value) > maxMemoValue || len(name) > maxMemoValue || r.cache == nil {
		r.Header(name, value)
		return
	}
	key := headerKey{name, value}
	if log, ok := r.cache.headers.get(key); ok {
		if r.replays(log, value) {
			for _, v := range log.seen {
				r.remember(v)
			}
		} else {
			r.Header(name, value)
		}
		return
	}
	holds, before := r.holdsLearnt(value), len(r.learned)
	r.rec = &secretLog{}
	r.Header(name, value)
	log := r.rec
	r.rec = nil
	if (!log.swept || !holds) && before+2*len(log.seen) <= maxLearned {
		cost := entryCost + len(name) + len(value)
		for _, v := range log.seen {
			cost += 16 + len(v)
		}
		r.cache.headers.put(key, log, cost)
	}
}

// replays reports whether replaying log is exactly redacting value now
// (see collectHeader).
func (r *Redactor) replays(log *secretLog, value string) bool {
	return len(r.learned)+2*len(log.seen) <= maxLearned && (!log.swept || !r.holdsLearnt(value))
}

// holdsLearnt reports whether s holds a spelling of a secret that Sweep
// would look for now.
func (r *Redactor) holdsLearnt(s string) bool {
	return findKnown(r.sweepSet(), s) != nil
}

// freeField is a field of a struct that freeMembers looks at: a Comment
// or Title to redact as free text, or a pointer, slice or struct to walk.
type freeField struct {
	index int
	text  bool
}

var freePlans sync.Map // reflect.Type → []freeField

// freePlan lists the fields of struct type t that freeMembers looks at,
// in order: Log.Entries is left to Entry.
func freePlan(t reflect.Type) []freeField {
	if p, ok := freePlans.Load(t); ok {
		return p.([]freeField)
	}
	var p []freeField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "Entries" {
			continue
		}
		switch k := f.Type.Kind(); {
		case k == reflect.String && (f.Name == "Comment" || f.Name == "Title"):
			p = append(p, freeField{i, true})
		case k == reflect.Pointer || k == reflect.Slice || k == reflect.Struct:
			p = append(p, freeField{i, false})
		}
	}
	freePlans.Store(t, p)
	return p
}
