package har

import (
	"reflect"
	"strings"
	"sync"

	"github.com/apitrail/apitrail/internal/parallel"
)

// This file holds what reports need from redaction beyond a HAR entry: a
// URL as a report prints it, URLs inside free text, the secret values a
// whole recording holds, and a sweep over every string of a report value.

// ReportURL returns a URL as a report may print it: the rules applied as
// the HAR writer applies them (secret query and fragment parameters, JWTs,
// known secret values), and the user info dropped whole. A HAR keeps the
// user name beside a redacted password so that a recording still says who
// signed in; a report line has no need for either, and a user name is
// sometimes a token itself (https://TOKEN@host).
func (r *Redactor) ReportURL(raw string) string {
	if raw == "" {
		return raw
	}
	return r.URL(dropUserinfo(raw))
}

// dropUserinfo removes "user:password@" from an absolute URL, keeping the
// rest of it exactly as written.
func dropUserinfo(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return raw
	}
	return raw[:i+3] + rest[at+1:]
}

// ReportText returns free text (an error message, a warning, a reason)
// as a report may print it: every URL in it as ReportURL prints it, and
// JWTs and known secret values replaced.
func (r *Redactor) ReportText(s string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "://") {
		s = textURLRE.ReplaceAllStringFunc(s, r.ReportURL)
	}
	return r.Text(s)
}

var reportRedactor = sync.OnceValue(func() *Redactor { return NewRedactor(DefaultRules()) })

// RedactURL is ReportURL under the default rules, for reports that have
// no Redactor of their own at hand. Its placeholders are stable for the
// life of the process.
func RedactURL(raw string) string { return reportRedactor().ReportURL(raw) }

// RedactText is ReportText under the default rules (see RedactURL).
func RedactText(s string) string { return reportRedactor().ReportText(s) }

// PinSecrets makes every secret value the entries hold (see Secrets) a
// secret wherever it appears, for as long as the Redactor lives. A report
// about a recording then also hides a recorded cookie or password that an
// answer, a diff or a message repeats without its name. Values shorter than
// 8 characters are left alone: a "lang=en" cookie is not worth shredding
// every body that says "en". The secrets are found on every core and
// pinned in the entries' order.
func (r *Redactor) PinSecrets(entries []*Entry) {
	secrets := make([][]string, len(entries))
	parallel.For(len(entries), func(i int) { secrets[i] = r.Secrets(entries[i]) })
	for _, s := range secrets {
		for _, v := range s {
			r.Pin(v)
		}
	}
}

// SweepValue replaces JWTs and known secret values in every string the
// value v points to would show when marshalled to JSON: exported fields
// not tagged json:"-", slices, arrays, maps and pointers, byte slices as
// text. Reports run it over what they print, so that a value that reached a
// reason, a warning, a diff or a spec problem by any road leaves as a
// placeholder. v must be a pointer.
func (r *Redactor) SweepValue(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	r.sweepValue(rv.Elem(), map[uintptr]bool{}, 0)
}

var bytesType = reflect.TypeFor[[]byte]()

func (r *Redactor) sweepValue(v reflect.Value, seen map[uintptr]bool, depth int) {
	if depth > maxDepth {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if t := r.Text(s); t != s {
					v.SetString(t)
				}
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type().ConvertibleTo(bytesType) && v.Type().Elem().Kind() == reflect.Uint8 {
			if v.CanSet() {
				b := v.Bytes()
				if out := r.Sweep(append([]byte(nil), b...)); string(out) != string(b) {
					v.SetBytes(out)
				}
			}
			return
		}
		for i := 0; i < v.Len(); i++ {
			r.sweepValue(v.Index(i), seen, depth+1)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			r.sweepValue(v.Index(i), seen, depth+1)
		}
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		r.sweepValue(v.Elem(), seen, depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		// The value inside an interface cannot be set in place: sweep a
		// copy and put it back. A path parameter's number holds no
		// string, and a string is copied only when it changes.
		inner := v.Elem()
		switch {
		case !holdsStrings(inner.Type()):
			return
		case inner.Kind() == reflect.String:
			if s := inner.String(); s != "" {
				if t := r.Text(s); t != s && v.CanSet() {
					cp := reflect.New(inner.Type()).Elem()
					cp.SetString(t)
					v.Set(cp)
				}
			}
			return
		}
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		r.sweepValue(cp, seen, depth+1)
		if v.CanSet() {
			v.Set(cp)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var changed []kv
		for iter.Next() {
			k, val := iter.Key(), iter.Value()
			cp := reflect.New(val.Type()).Elem()
			cp.Set(val)
			r.sweepValue(cp, seen, depth+1)
			changed = append(changed, kv{k, cp})
		}
		for _, c := range changed {
			v.SetMapIndex(c.k, c.v)
		}
	case reflect.Struct:
		for _, i := range sweptFields(v.Type()) {
			r.sweepValue(v.Field(i), seen, depth+1)
		}
	}
}

// sweptFields lists the fields of struct type t that SweepValue looks
// into: exported, not tagged json:"-", of a type that can hold a string.
// Reports sweep every result they print, and a type's fields are worked
// out once.
func sweptFields(t reflect.Type) []int {
	if p, ok := sweepPlans.Load(t); ok {
		return p.([]int)
	}
	var p []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && f.Tag.Get("json") != "-" && holdsStrings(f.Type) {
			p = append(p, i)
		}
	}
	sweepPlans.Store(t, p)
	return p
}

var sweepPlans, stringHolders sync.Map // reflect.Type → []int, bool

// holdsStrings reports whether a value of type t can hold a string that
// SweepValue would sweep; false for numbers, booleans and what is made of
// them only.
func holdsStrings(t reflect.Type) bool {
	if h, ok := stringHolders.Load(t); ok {
		return h.(bool)
	}
	// A type that holds itself is taken to hold strings while it is
	// being worked out.
	stringHolders.Store(t, true)
	h := false
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		h = true
	case reflect.Slice, reflect.Array, reflect.Pointer, reflect.Map:
		h = t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 || holdsStrings(t.Elem())
	case reflect.Struct:
		h = len(sweptFields(t)) > 0
	}
	stringHolders.Store(t, h)
	return h
}

// Param returns the value of a query parameter, form field or other named
// value as the rules leave it: a placeholder when the name holds a
// secret, else the value with JWTs and known secrets replaced.
func (r *Redactor) Param(name, value string) string {
	if r.SecretName(name) {
		return r.secret(value)
	}
	return r.Text(value)
}
