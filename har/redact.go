package har

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Rules say what counts as a secret. Names are compared after lower-casing
// and dropping '-', '_' and '.', so "X-Api-Key", "api_key" and "apiKey" are
// one name.
type Rules struct {
	// Headers whose whole value is a secret. The scheme of an Authorization
	// value ("Bearer") and the names in Cookie and Set-Cookie are kept.
	Headers []string
	// Names of query parameters, form fields, JSON members and headers whose
	// values are secrets.
	Names []string
	// Suffixes of such names: "token" covers csrfToken and X-Refresh-Token.
	Suffixes []string
	// HeaderWords are parts of header names that make a header's value a
	// secret: "session" covers X-Session-Id and Session-Token. They apply
	// to headers only: a WebSocket session_id that a browser made up, in a
	// query or a JSON body, is no credential, and replay needs it as it was.
	HeaderWords []string
	// OAuth names query and form parameters that are secrets only in an
	// OAuth or OpenID Connect exchange (code, state): elsewhere ?state=open
	// is a filter and replay needs it. They count as secrets where the same
	// query or form carries another OAuth parameter (redirect_uri,
	// client_id, grant_type...) or the URL's path is an authorization one
	// (oauth, callback, login, sso...).
	OAuth []string
	// Values that are secrets wherever they appear, such as the API token
	// the user passed to the tool.
	Values []string
}

// DefaultRules returns the secrets every recording, report and script is
// cleaned of unless the user asks to keep them. All cookie values count as
// secrets too, and so does any JWT-shaped value wherever it appears.
func DefaultRules() Rules {
	return Rules{
		Headers: []string{
			"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
			"X-XSRF-TOKEN", "X-CSRF-Token", "X-CSRFToken", "X-Api-Key", "Api-Key",
			"X-Auth-Token", "X-Access-Token", "X-Amz-Security-Token", "X-Goog-Api-Key",
			"Private-Token", "X-Vault-Token",
		},
		Names: []string{
			"token", "access_token", "refresh_token", "id_token", "auth_token", "api_token",
			"password", "passwd", "pwd", "passphrase", "secret", "client_secret",
			"api_key", "apikey", "private_key", "session", "jsessionid", "phpsessid",
			"authorization", "credentials", "otp", "code_verifier",
		},
		Suffixes:    []string{"token", "secret", "password", "passwd", "apikey", "privatekey"},
		HeaderWords: []string{"session"},
		OAuth:       []string{"code", "state"},
	}
}

// With returns the rules extended by more.
func (r Rules) With(more Rules) Rules {
	return Rules{
		Headers:     append(append([]string(nil), r.Headers...), more.Headers...),
		Names:       append(append([]string(nil), r.Names...), more.Names...),
		Suffixes:    append(append([]string(nil), r.Suffixes...), more.Suffixes...),
		HeaderWords: append(append([]string(nil), r.HeaderWords...), more.HeaderWords...),
		OAuth:       append(append([]string(nil), r.OAuth...), more.OAuth...),
		Values:      append(append([]string(nil), r.Values...), more.Values...),
	}
}

// PlaceholderPrefix starts every value that redaction put in place of a
// secret.
const PlaceholderPrefix = "REDACTED-"

// maxLearned bounds the secret values a Redactor remembers and looks for
// everywhere, so that a long recording does not slow down.
const maxLearned = 64

// Redactor replaces secrets with placeholders. A placeholder is a keyed hash
// of the secret under a random key that lives only in memory: equal secrets
// get equal placeholders within one Redactor (one file), so a reader can
// still see that two requests used the same token, but nobody can turn a
// placeholder back into its secret or test a guess against it.
type Redactor struct {
	key    [32]byte
	names  *secretNames // the rules' Headers, Names and Suffixes
	hwords []string
	oauth  map[string]bool

	mu       sync.Mutex
	pinned   []*knownSecret  // secret values pinned for good, looked for everywhere
	isPinned map[string]bool // the values of pinned
	learned  []*knownSecret  // secret values met so far, looked for everywhere
	// sweep is pinned and learned in Sweep's order with a filter of their
	// spellings, made when Sweep first needs it after they change (nil).
	sweep atomic.Pointer[sweepSet]

	// collect, when set, receives every secret value redaction meets
	// instead of only replacing it (see Secrets).
	collect map[string]bool
	// rec, when set, logs what a probe does while it redacts one header
	// value, for the memo of headers' secrets (see collectHeader).
	rec *secretLog

	// cache holds what is worked out once per distinct value and shared
	// with the probes Secrets makes: secrets' spellings and placeholders,
	// headers' secrets.
	cache *redactCache
}

// knownSecret is a secret value that Sweep looks for, with its spellings and
// placeholder worked out once: Sweep runs on every header and body of every
// entry, for every value remembered.
type knownSecret struct {
	value    string
	forms    [][]byte // the value raw, JSON-escaped and URL-encoded, each once
	formStrs []string // forms as strings, for looking into strings
	ph       []byte
	phStr    string
}

// newKnownSecret works a secret value's spellings and placeholder out, or
// takes them from the cache: a session sends the same cookie and token
// with every call, and each call's probe (see Secrets) meets them afresh.
func (r *Redactor) newKnownSecret(v string) *knownSecret {
	var cache *memo[string, *knownSecret]
	if r.cache != nil {
		cache = r.cache.known
	}
	if k, ok := cache.get(v); ok {
		return k
	}
	ph := r.Placeholder(v)
	k := &knownSecret{value: v, forms: [][]byte{[]byte(v)}, formStrs: []string{v}, ph: []byte(ph), phStr: ph}
	if esc := string(appendString(nil, v)); esc[1:len(esc)-1] != v {
		k.forms = append(k.forms, []byte(esc[1:len(esc)-1]))
		k.formStrs = append(k.formStrs, esc[1:len(esc)-1])
	}
	if q := url.QueryEscape(v); q != v {
		k.forms = append(k.forms, []byte(q))
		k.formStrs = append(k.formStrs, q)
	}
	cache.put(v, k, knownCost(k))
	return k
}

// NewRedactor returns a Redactor with its own random key.
func NewRedactor(rules Rules) *Redactor {
	r := &Redactor{names: &secretNames{is: map[string]bool{}}, isPinned: map[string]bool{}, oauth: map[string]bool{},
		cache: newRedactCache()}
	if _, err := rand.Read(r.key[:]); err != nil {
		panic("har: no randomness for the redaction key: " + err.Error())
	}
	for _, n := range append(append([]string(nil), rules.Headers...), rules.Names...) {
		r.names.add(normName(n))
	}
	for _, s := range rules.Suffixes {
		r.names.addSuffix(normName(s))
	}
	for _, w := range rules.HeaderWords {
		r.hwords = append(r.hwords, normName(w))
	}
	for _, n := range rules.OAuth {
		r.oauth[normName(n)] = true
	}
	for _, v := range rules.Values {
		r.learn(v, true)
	}
	return r
}

func normName(s string) string {
	// Header and member names are ASCII and checked for every header of
	// every call: those are folded in one pass, and not copied at all when
	// already in normal form.
	ascii, same := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.' {
			same = false
		}
	}
	if ascii {
		if same {
			return s
		}
		return string(appendNorm(make([]byte, 0, len(s)), s))
	}
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, s)
}

// Placeholder returns the placeholder for a secret. It is keyed on the
// secret's canonical form (see canonicalSecret), so that one cookie gets one
// placeholder whether a tool wrote it quoted in the Cookie header or
// unquoted in cookies[], and one token whether it came percent-encoded in a
// query or raw in a header.
func (r *Redactor) Placeholder(secret string) string {
	m := hmac.New(sha256.New, r.key[:])
	m.Write([]byte(canonicalSecret(secret)))
	return PlaceholderPrefix + hex.EncodeToString(m.Sum(nil)[:8])
}

// canonicalSecret is the spelling of a secret that its placeholder is keyed
// on: without surrounding white space or double quotes, percent-escapes
// decoded.
func canonicalSecret(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if strings.Contains(s, "%") {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
	}
	return s
}

// IsPlaceholder reports whether s is a placeholder that redaction wrote.
func IsPlaceholder(s string) bool {
	if !strings.HasPrefix(s, PlaceholderPrefix) || len(s) != len(PlaceholderPrefix)+16 {
		return false
	}
	// Lower-case hex only, as Placeholder writes it: anything else is
	// someone's value, and may be a secret.
	for _, c := range s[len(PlaceholderPrefix):] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// SecretName reports whether a query, form, JSON or header name holds a
// secret.
func (r *Redactor) SecretName(name string) bool {
	secret, _ := secretName(r, name)
	return secret
}

// secretMember is SecretName of a JSON member's name as the scanner gives
// it: every member of every body is asked.
func (r *Redactor) secretMember(name []byte) bool {
	secret, _ := secretName(r, name)
	return secret
}

// secretName says whether a name holds a secret, and whether it is one of
// the OAuth names (code, state...) whose secrecy the rest of the call
// decides: the name is normalised once, without a copy, for both.
func secretName[T string | []byte](r *Redactor, name T) (secret, oauth bool) {
	var buf [64]byte
	n := appendNorm(buf[:0], name)
	return r.secretNorm(n), r.oauth[string(n)]
}

// appendNorm appends normName(s) to dst: in place for an ASCII name, so
// that asking about a name copies nothing.
func appendNorm[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, normName(string(s))...)
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || c == '_' || c == '.':
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// secretNorm is SecretName of a name already through normName.
func (r *Redactor) secretNorm(n []byte) bool {
	return r.names.has(n)
}

// secretNames are the rules' names and suffixes through normName, with a
// filter that answers most names without looking them up: a name of
// length l ending in c is one only if bit l%64 of ends[c] is set, and has
// one of the suffixes only if suffixEnd[c] is. Every member name of every
// JSON body is asked about.
type secretNames struct {
	is        map[string]bool
	ends      [256]uint64
	suffixes  []string
	suffixEnd [256]bool
}

func (s *secretNames) add(n string) {
	s.is[n] = true
	if n != "" {
		s.ends[n[len(n)-1]] |= 1 << (len(n) % 64)
	}
}

func (s *secretNames) addSuffix(n string) {
	s.suffixes = append(s.suffixes, n)
	for c := range s.suffixEnd {
		// The empty suffix ends every name.
		s.suffixEnd[c] = s.suffixEnd[c] || n == "" || n[len(n)-1] == byte(c)
	}
}

func (s *secretNames) has(n []byte) bool {
	var c byte
	if len(n) > 0 {
		c = n[len(n)-1]
	}
	if (len(n) == 0 || s.ends[c]&(1<<(len(n)%64)) != 0) && s.is[string(n)] {
		return true
	}
	if len(n) > 0 && !s.suffixEnd[c] {
		return false
	}
	for _, sf := range s.suffixes {
		if len(n) >= len(sf) && string(n[len(n)-len(sf):]) == sf {
			return true
		}
	}
	return false
}

// secretHeader reports whether a header's value is a secret: its name is a
// secret one, or holds one of the rules' header words.
func (r *Redactor) secretHeader(name string) bool {
	var buf [64]byte
	n := appendNorm(buf[:0], name)
	if r.secretNorm(n) {
		return true
	}
	for _, w := range r.hwords {
		if bytes.Contains(n, []byte(w)) {
			return true
		}
	}
	return false
}

// AddSecret makes value a secret wherever it appears. Short values are
// ignored: replacing every "1" in a file would destroy it.
func (r *Redactor) AddSecret(value string) {
	r.learn(value, false)
}

// Pin makes value a secret wherever it appears for as long as the
// Redactor lives, as Rules.Values does; AddSecret's values may be forgotten
// in a long run.
func (r *Redactor) Pin(value string) {
	r.learn(value, true)
}

// Secrets lists the secret values an entry holds (cookies, credentials,
// secret-named query, form and JSON members, JWTs), found exactly as Entry
// finds them. A caller that reads a whole file first can Pin them, so that
// a secret is also swept where it appears without its name.
func (r *Redactor) Secrets(e *Entry) []string {
	probe := r.probe()
	probe.collectEntry(e)
	return probe.collected()
}

// collected lists what a probe collected, sorted.
func (r *Redactor) collected() []string {
	out := make([]string, 0, len(r.collect))
	for v := range r.collect {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// learn remembers a secret value. Pinned values stay; others are kept most
// recently seen first, so that a session id that comes back now and then
// in a long recording is not forgotten.
func (r *Redactor) learn(value string, pin bool) {
	if len(value) < 8 || IsPlaceholder(value) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isPinned[value] {
		return
	}
	if pin {
		r.sweep.Store(nil)
		r.isPinned[value] = true
		r.pinned = append(r.pinned, r.newKnownSecret(value))
		for i, k := range r.learned {
			if k.value == value {
				r.learned = append(r.learned[:i], r.learned[i+1:]...)
				break
			}
		}
		return
	}
	for i, k := range r.learned {
		if k.value == value {
			if i < len(r.learned)-1 {
				r.sweep.Store(nil)
				copy(r.learned[i:], r.learned[i+1:])
				r.learned[len(r.learned)-1] = k
			}
			return
		}
	}
	r.sweep.Store(nil)
	if len(r.learned) == maxLearned {
		r.learned = r.learned[1:]
	}
	r.learned = append(r.learned, r.newKnownSecret(value))
}

// secret returns the placeholder of a secret value and remembers the value
// so that stray copies elsewhere are found too.
func (r *Redactor) secret(v string) string {
	if v == "" || IsPlaceholder(v) {
		return v
	}
	r.remember(v)
	return r.newKnownSecret(v).phStr
}

// note is secret for a caller that has no use for the placeholder: a
// probe collecting an entry's secrets.
func (r *Redactor) note(v string) {
	if v != "" && !IsPlaceholder(v) {
		r.remember(v)
	}
}

// remember is what secret does besides returning the placeholder: it
// collects v (in a probe) and learns it.
func (r *Redactor) remember(v string) {
	if r.rec != nil {
		r.rec.seen = append(r.rec.seen, v)
	}
	if r.collect != nil {
		r.collect[v] = true
	}
	r.AddSecret(v)
	// The canonical spelling is swept too: a cookie quoted in one place
	// may stand bare in another.
	if c := canonicalSecret(v); c != v {
		if r.collect != nil {
			r.collect[c] = true
		}
		r.AddSecret(c)
	}
}

var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)

// Text replaces JWTs and known secret values in free text.
func (r *Redactor) Text(s string) string {
	if s == "" {
		return s
	}
	if r.rec != nil {
		r.rec.swept = true
	}
	if !strings.Contains(s, "eyJ") && findKnown(r.sweepSet(), s) == nil {
		return s
	}
	return string(r.Sweep([]byte(s)))
}

// Sweep replaces JWTs and known secret values (raw, JSON-escaped or
// URL-encoded) in b, which may be a whole encoded entry.
func (r *Redactor) Sweep(b []byte) []byte {
	if r.rec != nil && len(b) > 0 {
		r.rec.swept = true
	}
	if bytes.Contains(b, []byte("eyJ")) {
		b = jwtRE.ReplaceAllFunc(b, func(m []byte) []byte {
			return []byte(r.secret(string(m)))
		})
	}
	// Only the secrets b holds before any is replaced are replaced: a
	// replacement puts a placeholder in, and a spelling that only stands
	// across a placeholder is left alone (replaceOutsidePlaceholders).
	set := r.sweepSet()
	for _, i := range findKnown(set, b) {
		k := set.known[i]
		for _, f := range k.forms {
			if bytes.Contains(b, f) {
				b = replaceOutsidePlaceholders(b, f, k.ph)
			}
		}
	}
	return b
}

// sweepSet is what Sweep looks for: the known secrets in order (pinned,
// then learned, oldest first), and a filter that finds the ones a text
// holds in one pass over it, where looking for each spelling in turn
// would pass over it once per spelling.
type sweepSet struct {
	known []*knownSecret
	// bits has a bit set for the hash of the first filterWidth bytes of
	// every spelling; all are at least that long (learn keeps none
	// shorter). heads lists the spellings by that hash in headBuckets
	// buckets, bucket b being heads[starts[b+1]:starts[b+2]]: made in two
	// passes over the spellings, nearly as cheap to make as the filter,
	// for a long recording pins new secrets again and again. All are nil,
	// and the spellings looked for one by one, when a spelling is too
	// short for them and when there are at most fewForms: the probe of one
	// entry (see Secrets) knows a handful, changing with every secret it
	// meets, and making the filter afresh each time cost more than the
	// looking.
	bits   []uint64
	starts []int32
	heads  []formRef
}

// formRef is a spelling, known[k].forms[f], and the hash of its start.
type formRef struct {
	h    uint32
	k, f int32
}

const (
	filterWidth = 4
	filterBits  = 1 << 18
	headBuckets = 1 << 12 // buckets of heads: a hash's top 12 of 18 bits
	fewForms    = 12
)

func filterHash[T string | []byte](b T, i int) uint32 {
	v := uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24
	return (v * 2654435761) >> (32 - 18)
}

// sweepSet returns the set in force, making it if the secrets changed.
// Every string a report prints asks for it, from every core: it is read
// without the lock.
func (r *Redactor) sweepSet() *sweepSet {
	if set := r.sweep.Load(); set != nil {
		return set
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if set := r.sweep.Load(); set != nil {
		return set
	}
	set := &sweepSet{known: append(append(make([]*knownSecret, 0, len(r.pinned)+len(r.learned)), r.pinned...), r.learned...)}
	forms := 0
	for _, k := range set.known {
		forms += len(k.forms)
	}
	if forms > fewForms {
		set.makeFilter(forms)
	}
	r.sweep.Store(set)
	return set
}

// makeFilter makes bits and heads for set.known, which hold forms
// spellings.
func (set *sweepSet) makeFilter(forms int) {
	bits, starts := make([]uint64, filterBits/64), make([]int32, headBuckets+2)
	for _, k := range set.known {
		for _, f := range k.forms {
			if len(f) < filterWidth {
				return // cannot happen; then every text is swept in full
			}
			h := filterHash(f, 0)
			bits[h/64] |= 1 << (h % 64)
			starts[h>>6+1]++
		}
	}
	// starts[b+1] is where bucket b ends, then, counting down as the
	// bucket is filled from its end, where it starts.
	for b := 2; b <= headBuckets+1; b++ {
		starts[b] += starts[b-1]
	}
	heads := make([]formRef, forms)
	for i, k := range set.known {
		for j, f := range k.forms {
			h := filterHash(f, 0)
			starts[h>>6+1]--
			heads[starts[h>>6+1]] = formRef{h, int32(i), int32(j)}
		}
	}
	set.bits, set.starts, set.heads = bits, starts, heads
}

// findKnown returns the places in set.known, in order, of the secrets
// that b holds a spelling of, or nil when it holds none.
func findKnown[T string | []byte](set *sweepSet, b T) []int {
	var out []int
	if set.bits == nil {
		for i, k := range set.known {
			for j := range k.forms {
				if holdsForm(b, k, j) {
					out = append(out, i)
					break
				}
			}
		}
		return out
	}
	var found []bool
	for i := 0; i+filterWidth <= len(b); i++ {
		h := filterHash(b, i)
		if set.bits[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, ref := range set.heads[set.starts[h>>6+1]:set.starts[h>>6+2]] {
			if ref.h == h && (found == nil || !found[ref.k]) {
				if f := set.known[ref.k].formStrs[ref.f]; hasAt(b, i, f) {
					if found == nil {
						found = make([]bool, len(set.known))
					}
					found[ref.k] = true
				}
			}
		}
	}
	for i, ok := range found {
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// hasAt reports whether b holds f at i.
func hasAt[T string | []byte](b T, i int, f string) bool {
	if len(b)-i < len(f) {
		return false
	}
	for j := 0; j < len(f); j++ {
		if b[i+j] != f[j] {
			return false
		}
	}
	return true
}

// replaceOutsidePlaceholders replaces old with ph in b, except where old
// overlaps a placeholder already there: a secret of hex digits, or one
// such as "REDACTED", must not break the placeholder of another.
func replaceOutsidePlaceholders(b, old, ph []byte) []byte {
	if !bytes.Contains(b, []byte(PlaceholderPrefix)) {
		return bytes.ReplaceAll(b, old, ph)
	}
	out := make([]byte, 0, len(b))
	i := 0
	for {
		j := bytes.Index(b[i:], old)
		if j < 0 {
			break
		}
		j += i
		if overlapsPlaceholder(b, j, len(old)) {
			out = append(out, b[i:j+1]...)
			i = j + 1
			continue
		}
		out = append(append(out, b[i:j]...), ph...)
		i = j + len(old)
	}
	return append(out, b[i:]...)
}

// placeholderLen is the length of every placeholder.
const placeholderLen = len(PlaceholderPrefix) + 16

// overlapsPlaceholder reports whether b[j:j+n] overlaps a placeholder.
func overlapsPlaceholder(b []byte, j, n int) bool {
	for k := max(0, j-placeholderLen+1); k < j+n && k+placeholderLen <= len(b); k++ {
		if b[k] == PlaceholderPrefix[0] && IsPlaceholder(string(b[k:k+placeholderLen])) {
			return true
		}
	}
	return false
}

var authSchemes = []string{"Bearer ", "Basic ", "Token ", "Digest ", "Negotiate ", "ApiKey ", "Api-Token "}

// Header returns the value of a header with its secrets replaced.
func (r *Redactor) Header(name, value string) string {
	switch {
	case lowerIs(name, "cookie"):
		return r.cookieHeader(value)
	case lowerIs(name, "set-cookie"):
		return r.setCookie(value)
	case lowerIs(name, "referer"), lowerIs(name, "location"), lowerIs(name, "content-location"), lowerIs(name, "origin"):
		return r.URL(value)
	}
	if r.secretHeader(name) {
		for _, s := range authSchemes {
			if len(value) > len(s) && strings.EqualFold(value[:len(s)], s) {
				return value[:len(s)] + r.secret(strings.TrimSpace(value[len(s):]))
			}
		}
		return r.secret(value)
	}
	return r.FreeText(value)
}

// lowerIs reports whether strings.ToLower(s) is want, a lower-case ASCII
// word, without lowering a copy of s when s is ASCII.
func lowerIs(s, want string) bool {
	if len(s) != len(want) {
		// ToLower keeps an ASCII string's length, and a string with
		// other letters is not want after lowering either unless it
		// changes length: let ToLower decide those.
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return strings.ToLower(s) == want
			}
		}
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s) == want
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

func (r *Redactor) cookieHeader(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		parts[i] = name + "=" + r.secret(val)
	}
	return strings.Join(parts, ";")
}

func (r *Redactor) setCookie(v string) string {
	// Chrome's exporters join several Set-Cookie lines into one value,
	// one cookie per line.
	if strings.Contains(v, "\n") {
		lines := strings.Split(v, "\n")
		for i, l := range lines {
			lines[i] = r.setCookie(l)
		}
		return strings.Join(lines, "\n")
	}
	first, rest, _ := strings.Cut(v, ";")
	name, val, ok := strings.Cut(first, "=")
	if !ok {
		return r.Text(v)
	}
	out := name + "=" + r.secret(val)
	if rest != "" || strings.Contains(v, ";") {
		out += ";" + rest
	}
	return out
}

// URL returns a URL with the values of secret query (and fragment)
// parameters, a password in its user info, and JWTs replaced. The rest of
// the URL keeps its exact form.
func (r *Redactor) URL(raw string) string {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		// User info is never kept, user name included: it is often the
		// login of the password beside it. The password is remembered on
		// its own too, to be swept where it shows up alone.
		if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
			if _, pass, ok := strings.Cut(rest[:at], ":"); ok {
				r.secret(pass)
			}
			s = s[:i+3] + r.secret(rest[:at]) + rest[at:]
		}
	}
	base, frag, hasFrag := strings.Cut(s, "#")
	path, query, hasQuery := strings.Cut(base, "?")
	oauth := oauthPath(path)
	q, f := query, frag
	if hasQuery {
		q = r.form(query, oauth)
	}
	// OAuth's implicit flow hands its tokens over in the fragment.
	if hasFrag && strings.Contains(frag, "=") {
		f = r.form(frag, oauth)
	}
	out := s // what is put back together when nothing changed
	if q != query || f != frag {
		out = path
		if hasQuery {
			out += "?" + q
		}
		if hasFrag {
			out += "#" + f
		}
	}
	return r.Text(out)
}

// oauthPathWords mark a URL path where OAuth and OpenID Connect hand over
// their codes: a login callback, an authorization endpoint, single sign-on.
var oauthPathWords = []string{"oauth", "oidc", "openid", "authorize", "callback", "login", "signin", "sign-in", "sso", "saml", "/auth"}

func oauthPath(path string) bool {
	if i := strings.Index(path, "://"); i >= 0 {
		path = path[i+3:]
		if j := strings.IndexByte(path, '/'); j >= 0 {
			path = path[j:]
		} else {
			path = ""
		}
	}
	p := strings.ToLower(path)
	for _, w := range oauthPathWords {
		if strings.Contains(p, w) {
			return true
		}
	}
	return false
}

// oauthMarkers are parameters that only an OAuth or OpenID Connect request
// or answer carries; beside one, code and state are its secrets.
var oauthMarkers = map[string]bool{"redirecturi": true, "redirecturl": true, "clientid": true, "granttype": true,
	"responsetype": true, "responsemode": true, "sessionstate": true, "codeverifier": true, "codechallenge": true,
	"accesstoken": true, "idtoken": true, "tokentype": true}

// oauthForm reports whether a query or form is part of an OAuth exchange:
// it carries an OAuth-only parameter, or both a code and a state.
func (r *Redactor) oauthForm(pairs []string) bool {
	var seen oauthSeen
	for _, p := range pairs {
		var buf [64]byte
		seen.add(formName(buf[:0], p))
	}
	return seen.oauth()
}

// oauthSeen is what oauthForm has seen of a query's or form's names.
type oauthSeen struct{ marker, code, state bool }

// add takes a name through normName.
func (o *oauthSeen) add(n []byte) {
	o.marker = o.marker || oauthMarkers[string(n)]
	o.code = o.code || string(n) == "code"
	o.state = o.state || string(n) == "state"
}

func (o oauthSeen) oauth() bool { return o.marker || o.code && o.state }

// formName appends the name of a query's or form's name=value pair to
// dst, decoded and through normName.
func formName(dst []byte, pair string) []byte {
	k, _, _ := strings.Cut(pair, "=")
	if name, err := url.QueryUnescape(k); err == nil {
		k = name
	}
	return appendNorm(dst, k)
}

// Form returns a query string or an application/x-www-form-urlencoded body
// with the values of secret fields replaced, keeping everything else as it
// was written.
func (r *Redactor) Form(s string) string { return r.form(s, false) }

// form is Form; oauth says the URL's path already marks an OAuth exchange.
func (r *Redactor) form(s string, oauth bool) string {
	// One pass finds the pairs whose values are secrets by their names,
	// or are OAuth's code or state, and whether the form is an OAuth
	// exchange (oauthForm): a form with none is not split up.
	type hit struct {
		i         int
		oauthOnly bool
	}
	var hits []hit
	var seen oauthSeen
	for i, rest, more := 0, s, true; more; i++ {
		var p string
		p, rest, more = strings.Cut(rest, "&")
		var buf [64]byte
		n := formName(buf[:0], p)
		seen.add(n)
		if _, v, ok := strings.Cut(p, "="); ok && v != "" {
			if r.secretNorm(n) {
				hits = append(hits, hit{i, false})
			} else if r.oauth[string(n)] {
				hits = append(hits, hit{i, true})
			}
		}
	}
	oauth = len(r.oauth) > 0 && (oauth || seen.oauth())
	var pairs []string
	for _, h := range hits {
		if h.oauthOnly && !oauth {
			continue
		}
		if pairs == nil {
			pairs = strings.Split(s, "&")
		}
		k, v, _ := strings.Cut(pairs[h.i], "=")
		// The placeholder is keyed on the value as written, '+' kept, as
		// the same token stands in a header; the form-decoded spelling is
		// swept too.
		if val, err := url.QueryUnescape(v); err == nil && val != v {
			r.secret(val)
		}
		pairs[h.i] = k + "=" + r.secret(v)
	}
	if pairs != nil {
		s = strings.Join(pairs, "&")
	}
	return r.Text(s)
}

// JSON returns a JSON document with the values of secret members replaced,
// keeping its formatting. Input that is not JSON is swept as text.
func (r *Redactor) JSON(b []byte) []byte { return r.jsonValue(b, false) }

// jsonValue is JSON; secret says the whole value is a secret's.
func (r *Redactor) jsonValue(b []byte, secret bool) []byte {
	w := jsonRedaction{r: r, s: scanner{data: b}}
	if err := w.value(secret, 0); err != nil || w.s.peek() != 0 {
		return r.Sweep(b)
	}
	if len(w.edits) == 0 {
		return r.Sweep(b)
	}
	out := make([]byte, 0, len(b))
	last := 0
	for _, e := range w.edits {
		out = append(out, b[last:e.start]...)
		out = appendString(out, e.text)
		last = e.end
	}
	out = append(out, b[last:]...)
	return r.Sweep(out)
}

type jsonEdit struct {
	start, end int
	text       string
}

type jsonRedaction struct {
	r     *Redactor
	s     scanner
	edits []jsonEdit
}

// value walks one JSON value; inside a secret member every string and
// number is replaced.
func (w *jsonRedaction) value(secret bool, depth int) error {
	if depth > maxDepth {
		return w.s.errorf("too deep")
	}
	switch c := w.s.peek(); {
	case c == '{':
		w.s.pos++
		for i := 0; w.s.peek() != '}'; i++ {
			if i > 0 {
				if err := w.s.expect(','); err != nil {
					return err
				}
			}
			k, err := w.s.str()
			if err != nil {
				return err
			}
			if err := w.s.expect(':'); err != nil {
				return err
			}
			if err := w.value(secret || w.r.secretMember(k), depth+1); err != nil {
				return err
			}
		}
		w.s.pos++
	case c == '[':
		w.s.pos++
		for i := 0; w.s.peek() != ']'; i++ {
			if i > 0 {
				if err := w.s.expect(','); err != nil {
					return err
				}
			}
			if err := w.value(secret, depth+1); err != nil {
				return err
			}
		}
		w.s.pos++
	case c == '"':
		start := w.s.pos
		v, err := w.s.str()
		if err != nil {
			return err
		}
		if secret && len(v) > 0 {
			w.edits = append(w.edits, jsonEdit{start, w.s.pos, w.r.secret(string(v))})
		} else if red := w.r.jsonString(string(v)); red != string(v) {
			w.edits = append(w.edits, jsonEdit{start, w.s.pos, red})
		}
	case c == '-' || (c >= '0' && c <= '9'):
		start := w.s.pos
		v, err := w.s.number()
		if err != nil {
			return err
		}
		if secret {
			w.edits = append(w.edits, jsonEdit{start, w.s.pos, w.r.secret(string(v))})
		}
	default:
		_, err := w.s.skip(depth)
		return err
	}
	return nil
}

// jsonString redacts a JSON string that is not a secret by its name but
// may hold one: JSON encoded into a string (an API that posts a document
// as a string member), a URL, or text with name=value pairs.
func (r *Redactor) jsonString(v string) string {
	if t := strings.TrimSpace(v); looksLikeJSON([]byte(t)) {
		return string(r.JSON([]byte(v)))
	}
	return r.FreeText(v)
}

var (
	textURLRE  = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>\x60]+`)
	textPairRE = regexp.MustCompile(`([A-Za-z0-9_.-]+)=([^\s&;,"'<>]+)`)
	textAuthRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})`)
)

// mayHoldAuth reports whether textAuthRE can match s: an ASCII text must
// hold "bearer" or "basic" in any case. The regular expression's case
// folding knows more letters than ASCII's (the long s, the Kelvin sign),
// so other texts are left to it. User-Agent values hold a b in nearly
// every header of every call, and this spares them the expression.
func mayHoldAuth(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return containsFoldASCII(s, "bearer") || containsFoldASCII(s, "basic")
}

// containsFoldASCII reports whether s, ASCII, holds word, lower-case
// ASCII, in any case.
func containsFoldASCII(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		if hasFoldAt(s, i, word) {
			return true
		}
	}
	return false
}

// FreeText redacts text that may quote URLs or credentials: a comment, a
// page title, a log line, a header that no rule names. Every URL in it is
// redacted as URL does, a secret-named name=value pair loses its value, a
// Bearer or Basic credential is replaced, and then JWTs and known secret
// values are, as Text does.
func (r *Redactor) FreeText(s string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "://") {
		s = textURLRE.ReplaceAllStringFunc(s, r.URL)
	}
	if strings.Contains(s, "=") {
		s = textPairRE.ReplaceAllStringFunc(s, func(m string) string {
			k, v, _ := strings.Cut(m, "=")
			if !r.SecretName(k) {
				return m
			}
			return k + "=" + r.secret(v)
		})
	}
	if strings.ContainsAny(s, "bB") && mayHoldAuth(s) {
		s = textAuthRE.ReplaceAllStringFunc(s, func(m string) string {
			sub := textAuthRE.FindStringSubmatch(m)
			return m[:len(m)-len(sub[2])] + r.secret(sub[2])
		})
	}
	return r.Text(s)
}

// Body returns a request or response body with its secrets replaced, by its
// media type: JSON members, form fields, multipart fields, or text.
func (r *Redactor) Body(mimeType string, body []byte) []byte {
	mt, params, _ := mime.ParseMediaType(mimeType)
	switch {
	case isJSONType(mt) || looksLikeJSON(body):
		return r.JSON(body)
	case mt == "application/x-www-form-urlencoded":
		return []byte(r.Form(string(body)))
	case strings.HasPrefix(mt, "multipart/") && params["boundary"] != "":
		return r.multipart(body, params["boundary"])
	}
	return r.Sweep(body)
}

func isJSONType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
}

func looksLikeJSON(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 1 && (t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']')
}

// multipart replaces the bodies of parts whose field name is a secret.
func (r *Redactor) multipart(body []byte, boundary string) []byte {
	delim := []byte("--" + boundary)
	parts := bytes.Split(body, delim)
	for i := 1; i < len(parts); i++ {
		p := parts[i]
		hdrEnd := bytes.Index(p, []byte("\r\n\r\n"))
		sep := 4
		if hdrEnd < 0 {
			hdrEnd, sep = bytes.Index(p, []byte("\n\n")), 2
		}
		if hdrEnd < 0 {
			continue
		}
		name := ""
		for _, line := range strings.Split(string(p[:hdrEnd]), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if ok && strings.EqualFold(k, "Content-Disposition") {
				if _, ps, err := mime.ParseMediaType(strings.TrimSpace(v)); err == nil {
					name = ps["name"]
				}
			}
		}
		if name == "" || !r.SecretName(name) {
			continue
		}
		val := p[hdrEnd+sep:]
		trail := 0
		if bytes.HasSuffix(val, []byte("\r\n")) {
			trail = 2
		} else if bytes.HasSuffix(val, []byte("\n")) {
			trail = 1
		}
		secret := string(val[:len(val)-trail])
		np := append([]byte(nil), p[:hdrEnd+sep]...)
		np = append(np, r.secret(secret)...)
		np = append(np, val[len(val)-trail:]...)
		parts[i] = np
	}
	return r.Sweep(bytes.Join(parts, delim))
}

// Entry returns a copy of e with every secret replaced. e is not changed.
func (r *Redactor) Entry(e *Entry) *Entry {
	c := e.clone()
	r.message(&c.Request.Headers, c.Request.Cookies)
	c.Request.URL = r.URL(c.Request.URL)
	for i := range c.Request.QueryString {
		q := &c.Request.QueryString[i]
		if secret, oauth := secretName(r, q.Name); secret || oauth && r.oauthQuery(c.Request.URL) {
			q.Value = r.secret(q.Value)
		} else {
			q.Value = r.FreeText(q.Value)
		}
	}
	if pd := c.Request.PostData; pd != nil {
		for i := range pd.Params {
			p := &pd.Params[i]
			if secret, oauth := secretName(r, p.Name); secret || oauth && r.oauthParams(pd.Params) {
				p.Value = r.secret(p.Value)
			} else {
				p.Value = r.FreeText(p.Value)
			}
		}
		pd.Text = r.encodedBody(pd.MimeType, pd.Text, pd.Encoding)
	}
	r.message(&c.Response.Headers, c.Response.Cookies)
	c.Response.RedirectURL = r.URL(c.Response.RedirectURL)
	ct := &c.Response.Content
	ct.Text = r.encodedBody(ct.MimeType, ct.Text, ct.Encoding)
	if msgs, err := c.WebSocketMessages(); err == nil && len(msgs) > 0 {
		for i := range msgs {
			msgs[i].Data = string(r.Body("", []byte(msgs[i].Data)))
		}
		_ = c.SetWebSocketMessages(msgs)
	}
	r.freeMembers(reflect.ValueOf(c).Elem(), true)
	return c
}

// oauthQuery reports whether a request URL's query is part of an OAuth
// exchange, as URL decides it.
func (r *Redactor) oauthQuery(rawURL string) bool {
	base, _, _ := strings.Cut(rawURL, "#")
	path, query, _ := strings.Cut(base, "?")
	return oauthPath(path) || r.oauthForm(strings.Split(query, "&"))
}

func (r *Redactor) oauthParams(ps []Param) bool {
	pairs := make([]string, len(ps))
	for i, p := range ps {
		pairs[i] = url.QueryEscape(p.Name) + "="
	}
	return r.oauthForm(pairs)
}

var extraType = reflect.TypeOf(Extra(nil))

// freeMembers redacts, in the struct v, every member HAR leaves to free
// text and every member it does not define: comments, page titles, and
// exporters' own members such as Chrome's _initiator, whose URLs and stack
// frames carry what the page's URL carried. Pointers and slices on the way
// are copied, so the caller's entry is not changed. Log.Entries is left to
// Entry. Without set, for a probe (Secrets), the same members are redacted
// in the same order, so their secrets are found, and nothing is copied or
// written.
func (r *Redactor) freeMembers(v reflect.Value, set bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if set {
			c := reflect.New(v.Type().Elem())
			c.Elem().Set(v.Elem())
			v.Set(c)
			v = c
		}
		r.freeMembers(v.Elem(), set)
	case reflect.Slice:
		if v.Len() == 0 {
			return
		}
		if v.Type() == extraType {
			x := v.Interface().(Extra)
			var c Extra
			if set {
				c = append(Extra(nil), x...)
			}
			for i, m := range x {
				if m.Name != "_webSocketMessages" && len(m.Value) > 0 { // Entry redacts those frames
					if value := r.extraJSON(m.Name, m.Value); set {
						c[i].Value = value
					}
				}
			}
			if set {
				v.Set(reflect.ValueOf(c))
			}
			return
		}
		if set {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(c, v)
			v.Set(c)
			v = c
		}
		for i := range v.Len() {
			r.freeMembers(v.Index(i), set)
		}
	case reflect.Struct:
		for _, f := range freePlan(v.Type()) {
			switch fv := v.Field(f.index); {
			case !f.text:
				r.freeMembers(fv, set)
			case set:
				fv.SetString(r.FreeText(fv.String()))
			default:
				r.FreeText(fv.String())
			}
		}
	}
}

// extraJSON redacts the value of a member HAR does not define: all of it
// when its name is a secret one, otherwise as a JSON body.
func (r *Redactor) extraJSON(name string, raw []byte) []byte {
	return r.jsonValue(raw, r.SecretName(name))
}

// fileHeader returns a copy of a HAR document's header (all but its
// entries) with the secrets of its free-text and unknown members replaced.
func (r *Redactor) fileHeader(f *File) *File {
	c := *f
	r.freeMembers(reflect.ValueOf(&c).Elem(), true)
	return &c
}

func (r *Redactor) message(headers *[]NameValue, cookies []Cookie) {
	for i := range *headers {
		h := &(*headers)[i]
		h.Value = r.Header(h.Name, h.Value)
	}
	for i := range cookies {
		cookies[i].Value = r.secret(cookies[i].Value)
	}
}

// encodedBody redacts a body held as text or base64; a base64 body is only
// looked into when it decodes to text.
func (r *Redactor) encodedBody(mimeType, text, encoding string) string {
	if text == "" {
		return text
	}
	if strings.EqualFold(encoding, "base64") {
		raw, err := decodeBase64(text)
		if err != nil || !looksLikeText(raw) {
			return text
		}
		red := r.Body(mimeType, raw)
		if bytes.Equal(red, raw) {
			return text
		}
		return base64.StdEncoding.EncodeToString(red)
	}
	return string(r.Body(mimeType, []byte(text)))
}

// clone copies the parts of an entry that redaction changes.
func (e *Entry) clone() *Entry {
	c := *e
	c.Request.Headers = append([]NameValue(nil), e.Request.Headers...)
	c.Request.Cookies = append([]Cookie(nil), e.Request.Cookies...)
	c.Request.QueryString = append([]NameValue(nil), e.Request.QueryString...)
	if e.Request.PostData != nil {
		pd := *e.Request.PostData
		pd.Params = append([]Param(nil), pd.Params...)
		c.Request.PostData = &pd
	}
	c.Response.Headers = append([]NameValue(nil), e.Response.Headers...)
	c.Response.Cookies = append([]Cookie(nil), e.Response.Cookies...)
	c.Extra = e.Extra.clone()
	return &c
}

// holdsForm reports whether b holds the i-th spelling of k.
func holdsForm[T string | []byte](b T, k *knownSecret, i int) bool {
	switch v := any(b).(type) {
	case string:
		return strings.Contains(v, k.formStrs[i])
	case []byte:
		return bytes.Contains(v, k.forms[i])
	}
	return true
}
