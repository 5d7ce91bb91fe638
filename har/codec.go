package har

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// meta remembers how an object looked when it was read, so that writing it
// back gives the same JSON value: which defined members were absent, and
// which held null or a value of an unexpected type (a number as a string, a
// creator as a bare string). Objects built in code have an empty meta and are
// written in the canonical HAR 1.2 form.
type meta struct {
	decoded bool
	absent  uint64 // bit i: field i of the plan was not in the input
	odd     []oddValue
}

type oddValue struct {
	field int
	raw   []byte // the input's JSON, written back while the value is unchanged
	val   any    // what the field held after reading; nil means its zero value
}

type metaHolder interface{ hmeta() *meta }

func (f *File) hmeta() *meta        { return &f.m }
func (l *Log) hmeta() *meta         { return &l.m }
func (c *Creator) hmeta() *meta     { return &c.m }
func (p *Page) hmeta() *meta        { return &p.m }
func (p *PageTimings) hmeta() *meta { return &p.m }
func (e *Entry) hmeta() *meta       { return &e.m }
func (r *Request) hmeta() *meta     { return &r.m }
func (r *Response) hmeta() *meta    { return &r.m }
func (c *Cookie) hmeta() *meta      { return &c.m }
func (n *NameValue) hmeta() *meta   { return &n.m }
func (p *PostData) hmeta() *meta    { return &p.m }
func (p *Param) hmeta() *meta       { return &p.m }
func (c *Content) hmeta() *meta     { return &c.m }
func (c *Cache) hmeta() *meta       { return &c.m }
func (c *CacheEntry) hmeta() *meta  { return &c.m }
func (t *Timings) hmeta() *meta     { return &t.m }

type kind uint8

const (
	kString kind = iota
	kInt
	kFloat
	kBool
	kStruct      // a struct held by value
	kPtrStruct   // *struct
	kSlice       // []struct
	kSlicePtr    // []*struct
	kNotExported // unexported or json:"-"
)

type fieldPlan struct {
	name      string
	index     int
	kind      kind
	omitEmpty bool
	header    bool // a request's or response's headers, which ReaderOptions.Headers may filter
	elem      *plan
	empty     reflect.Value // an empty slice of the field's type, shared: appending to it allocates
}

type plan struct {
	id       int // index of the plan's reused array in decodeState.scratch
	typ      reflect.Type
	fields   []fieldPlan
	byName   map[string]int
	extra    int // index of the Extra field
	all      uint64
	fromText bool // a bare JSON string is accepted as the Name field (Creator)
}

var (
	plans     sync.Map // reflect.Type -> *plan
	plansMu   sync.Mutex
	planCount int
)

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	return newPlan(t)
}

// newPlan makes the plan of t; plansMu is held.
func newPlan(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{id: planCount, typ: t, byName: map[string]int{}, extra: -1}
	planCount++
	plans.Store(t, p) // stored before recursion so that cycles terminate
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Type == reflect.TypeOf(Extra(nil)) {
			p.extra = i
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" || tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fp := fieldPlan{name: name, index: i, omitEmpty: opts == "omitempty"}
		switch ft := sf.Type; ft.Kind() {
		case reflect.String:
			fp.kind = kString
		case reflect.Int, reflect.Int64:
			fp.kind = kInt
		case reflect.Float64:
			fp.kind = kFloat
		case reflect.Bool:
			fp.kind = kBool
		case reflect.Struct:
			fp.kind, fp.elem = kStruct, newPlan(ft)
		case reflect.Pointer:
			fp.kind, fp.elem = kPtrStruct, newPlan(ft.Elem())
		case reflect.Slice:
			if ft.Elem().Kind() == reflect.Pointer {
				fp.kind, fp.elem = kSlicePtr, newPlan(ft.Elem().Elem())
			} else {
				fp.kind, fp.elem = kSlice, newPlan(ft.Elem())
			}
			fp.empty = reflect.MakeSlice(ft, 0, 0)
		default:
			panic("har: unsupported field type " + ft.String())
		}
		fp.header = name == "headers" && (t == reflect.TypeOf(Request{}) || t == reflect.TypeOf(Response{}))
		p.byName[name] = len(p.fields)
		p.fields = append(p.fields, fp)
	}
	if len(p.fields) > 64 {
		panic("har: too many fields in " + t.String())
	}
	p.all = 1<<uint(len(p.fields)) - 1
	p.fromText = t == reflect.TypeOf(Creator{})
	return p
}

// decoder fills HAR structs from JSON with a scanner. path names the value
// being decoded for error messages ("response.status").
type decoder struct {
	scanner
	path []pathPart
	st   *decodeState
	// headers are the only headers kept (ReaderOptions.Headers), or nil
	// for all of them.
	headers [][]byte
}

// pathPart is one step of a decoder's path: a member's name, an array
// element's index, or both ("entries[3]"). The text is made only for an
// error message, since making it for every value read was a good part of
// the reading's allocations.
type pathPart struct {
	name  string
	index int // -1: none
}

func member(name string) pathPart { return pathPart{name: name, index: -1} }

func (p pathPart) String() string {
	if p.index < 0 {
		return p.name
	}
	return p.name + "[" + strconv.Itoa(p.index) + "]"
}

// decodeState is what decoding one entry after another reuses: the room
// for escaped strings, the path, and the arrays that each array of
// objects is decoded into before it is copied out at its length.
type decodeState struct {
	esc     []byte
	path    []pathPart
	scratch []reflect.Value // by plan id
	// strs holds short strings already made, so that the header names and
	// values every call repeats are made once rather than once a call.
	strs *[internSlots]string
}

// strs is a cache of one slot per hash of the text, each slot holding the
// last string made with that hash: a lookup is a hash and one comparison,
// cheaper than a map's, and a string met once only takes the place of
// another until that comes again.
const (
	internLen   = 128
	internSlots = 4096
)

var internSeed = maphash.MakeSeed()

// text returns b as a string, the same string each time for short ones.
func (d *decoder) text(b []byte) string {
	if len(b) > keepEscaped && cap(d.esc) > 0 && unsafe.SliceData(b) == unsafe.SliceData(d.esc) {
		// An unescaped answer of many megabytes: the string takes the
		// room it was unescaped into, which the scanner then gives up,
		// rather than hold a copy of it beside the room.
		d.esc = nil
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	st := d.st
	if st == nil || len(b) == 0 || len(b) > internLen {
		return string(b)
	}
	if st.strs == nil {
		st.strs = new([internSlots]string)
	}
	slot := &st.strs[maphash.Bytes(internSeed, b)&(internSlots-1)]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

// decoder returns a decoder of data whose path starts at root. The caller
// hands it back with done when it has finished.
func (st *decodeState) decoder(data []byte, root pathPart) decoder {
	return decoder{scanner: scanner{data: data, esc: st.esc}, path: append(st.path[:0], root), st: st}
}

func (st *decodeState) done(d *decoder) {
	st.esc, st.path = d.esc, d.path[:0]
	if cap(st.esc) > keepEscaped {
		// Kept, the room one answer of many megabytes needed would stay
		// with each decoding goroutine for the rest of the recording.
		st.esc = nil
	}
}

// keepEscaped is the most room for unescaping a string a decodeState
// keeps from one entry to the next.
const keepEscaped = 1 << 20

func (d *decoder) typeError(want string, got []byte) error {
	parts := make([]string, len(d.path))
	for i, p := range d.path {
		parts[i] = p.String()
	}
	return d.errorf("%s: expected %s, got %s", strings.Join(parts, "."), want, snippet(got))
}

// snippet shortens input quoted in an error to one short, printable line.
func snippet(b []byte) string {
	if len(b) > 40 {
		b = append(b[:37:37], "..."...)
	}
	s := strings.ToValidUTF8(string(b), "\ufffd")
	var sb strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(&sb, "\\u%04x", r)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// object decodes a JSON object into the struct v, whose plan is p.
func (d *decoder) object(v reflect.Value, p *plan, depth int) error {
	if depth > maxDepth {
		return d.errorf("nesting deeper than %d levels", maxDepth)
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	m := v.Addr().Interface().(metaHolder).hmeta()
	m.decoded = true
	var present uint64
	if d.peek() == '}' {
		d.pos++
		m.absent = p.all
		return nil
	}
	next := 0 // the field expected next: members mostly come in the plan's order
	for {
		key, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		fi, ok := next, next < len(p.fields) && p.fields[next].name == string(key)
		if !ok {
			fi, ok = p.byName[string(key)]
		}
		if ok {
			next = fi + 1
			present |= 1 << uint(fi)
			d.path = append(d.path, member(p.fields[fi].name))
			err := d.field(v, p, fi, m, depth)
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
		} else {
			name := string(key)
			raw, err := d.skip(depth + 1)
			if err != nil {
				return err
			}
			if p.extra >= 0 {
				x := v.Field(p.extra).Addr().Interface().(*Extra)
				*x = append(*x, Member{Name: name, Value: bytes.Clone(raw)})
			}
		}
		if d.peek() == ',' {
			d.pos++
			continue
		}
		if err := d.expect('}'); err != nil {
			return err
		}
		break
	}
	m.absent = p.all &^ present
	return nil
}

func (m *meta) addOdd(field int, raw []byte, val any) {
	for i := range m.odd {
		if m.odd[i].field == field {
			m.odd[i] = oddValue{field, bytes.Clone(raw), val}
			return
		}
	}
	m.odd = append(m.odd, oddValue{field, bytes.Clone(raw), val})
}

func (m *meta) dropOdd(field int) {
	for i := range m.odd {
		if m.odd[i].field == field {
			m.odd = append(m.odd[:i], m.odd[i+1:]...)
			return
		}
	}
}

// field decodes the value of field fi of the struct v.
func (d *decoder) field(v reflect.Value, p *plan, fi int, m *meta, depth int) error {
	fp := &p.fields[fi]
	f := v.Field(fp.index)
	m.dropOdd(fi) // a repeated member replaces the earlier one
	c := d.peek()
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		f.SetZero()
		m.addOdd(fi, []byte("null"), nil)
		return nil
	}
	switch fp.kind {
	case kString:
		switch {
		case c == '"':
			s, err := d.str()
			if err != nil {
				return err
			}
			f.SetString(d.text(s))
		case c == '{' || c == '[':
			raw, err := d.skip(depth + 1)
			if err != nil {
				return err
			}
			return d.typeError("a string", raw)
		default: // a number or a boolean where text belongs: keep its text
			raw, err := d.skip(depth + 1)
			if err != nil {
				return err
			}
			f.SetString(string(raw))
			m.addOdd(fi, raw, string(raw))
		}
	case kInt, kFloat:
		var text []byte
		var err error
		quoted := c == '"'
		start := d.pos
		if quoted {
			text, err = d.str()
		} else if c == '{' || c == '[' || c == 't' || c == 'f' {
			raw, err := d.skip(depth + 1)
			if err != nil {
				return err
			}
			return d.typeError("a number", raw)
		} else {
			text, err = d.number()
		}
		if err != nil {
			return err
		}
		raw := d.data[start:d.pos]
		t := strings.TrimSpace(string(text))
		if quoted && t == "" {
			f.SetZero()
			m.addOdd(fi, raw, nil)
			return nil
		}
		if fp.kind == kInt {
			n, err := strconv.ParseInt(t, 10, 64)
			exact := err == nil
			if err != nil {
				fl, ferr := strconv.ParseFloat(t, 64)
				if ferr != nil {
					d.pos = start
					return d.typeError("a number", raw)
				}
				n = int64(fl)
				exact = float64(n) == fl
			}
			f.SetInt(n)
			if quoted || !exact {
				m.addOdd(fi, raw, f.Interface())
			}
		} else {
			fl, err := strconv.ParseFloat(t, 64)
			if err != nil {
				d.pos = start
				return d.typeError("a number", raw)
			}
			f.SetFloat(fl)
			if quoted {
				m.addOdd(fi, raw, fl)
			}
		}
	case kBool:
		switch c {
		case 't':
			if err := d.literal("true"); err != nil {
				return err
			}
			f.SetBool(true)
		case 'f':
			if err := d.literal("false"); err != nil {
				return err
			}
			f.SetBool(false)
		default:
			raw, err := d.skip(depth + 1)
			if err != nil {
				return err
			}
			switch string(raw) {
			case `"true"`, "1":
				f.SetBool(true)
			case `"false"`, "0", `""`:
				f.SetBool(false)
			default:
				return d.typeError("true or false", raw)
			}
			m.addOdd(fi, raw, f.Bool())
		}
	case kStruct:
		if c == '"' && fp.elem.fromText {
			start := d.pos
			s, err := d.str()
			if err != nil {
				return err
			}
			f.Field(0).SetString(string(s)) // Creator.Name
			m.addOdd(fi, d.data[start:d.pos], creatorText(s))
			return nil
		}
		if c != '{' {
			return d.wrongShape("an object", depth)
		}
		return d.object(f, fp.elem, depth+1)
	case kPtrStruct:
		if c != '{' {
			return d.wrongShape("an object", depth)
		}
		ptr := reflect.New(fp.elem.typ)
		if err := d.object(ptr.Elem(), fp.elem, depth+1); err != nil {
			return err
		}
		f.Set(ptr)
	case kSlice, kSlicePtr:
		if c != '[' {
			return d.wrongShape("an array", depth)
		}
		d.pos++
		if d.peek() == ']' {
			d.pos++
			f.Set(fp.empty)
			return nil
		}
		// The elements are decoded into a reused array and copied out at
		// their number: growing the slice element by element allocated
		// more than the elements' own strings.
		t := f.Type()
		sp := d.takeScratch(fp.elem.id, t)
		s := sp.Elem() // settable, so that its length changes without an allocation
		filter := fp.header && d.headers != nil
		n := 0 // elements kept
		for i := 0; d.peek() != ']'; i++ {
			if i > 0 {
				if err := d.expect(','); err != nil {
					return err
				}
			}
			if d.peek() != '{' {
				return d.wrongShape("an object", depth)
			}
			d.path = append(d.path, pathPart{index: i})
			if n < s.Cap() {
				s.SetLen(n + 1) // cleared when last used
			} else {
				s.Set(reflect.Append(s, reflect.Zero(t.Elem())))
			}
			elem := s.Index(n)
			if fp.kind == kSlicePtr {
				elem.Set(reflect.New(fp.elem.typ))
				elem = elem.Elem()
			}
			if fp.elem == nameValuePlan && !noPlainPairs.Load() {
				got := d.plainNameValue((*NameValue)(elem.Addr().UnsafePointer()), filter)
				if got != pairOther {
					d.path = d.path[:len(d.path)-1]
					if got == pairKept {
						n++
					}
					continue
				}
			}
			// Any other shape is rare: decoded whole, then judged by name.
			err := d.object(elem, fp.elem, depth+1)
			if err == nil && filter && !d.keepHeader([]byte(elem.Addr().Interface().(*NameValue).Name)) {
				elem.SetZero()
				d.path = d.path[:len(d.path)-1]
				continue
			}
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
			n++
		}
		d.pos++
		if n == 0 { // every header dropped: empty, as "[]" reads
			f.Set(fp.empty)
		} else {
			f.SetZero()
			f.Grow(n) // f, a field, is set in place: no slice header to allocate
			f.SetLen(n)
			reflect.Copy(f, s)
		}
		// Cleared, the room kept for the next array holds nothing of
		// this entry's (its strings may be an answer of megabytes).
		s.Clear()
		s.SetLen(0)
		d.putScratch(fp.elem.id, sp)
	}
	return nil
}

// noPlainPairs turns plainNameValue off; tests set it to hold the
// short way to the general decoder.
var noPlainPairs atomic.Bool

// nameValuePlan is the plan of a header, a query parameter or a form field.
var nameValuePlan = planFor(reflect.TypeOf(NameValue{}))

// nameValuePresent are the members of a plain name-value pair, as
// meta.absent counts them.
var nameValuePresent = uint64(1)<<uint(nameValuePlan.byName["name"]) | uint64(1)<<uint(nameValuePlan.byName["value"])

// What plainNameValue made of a pair.
const (
	pairOther   = iota // another shape: nothing read
	pairKept           // decoded into the NameValue
	pairDropped        // a header the filter does not keep: read, nothing made
)

// plainNameValue decodes the shape nearly every header and query
// parameter has, {"name":"…","value":"…"} and nothing more, straight into
// nv, which is zero: a recording is mostly headers, and the general
// decoder's reflection was most of the time they took. With filter, a
// header whose name ReaderOptions.Headers does not keep is read past, its
// strings checked as the general decoder checks them but not made. For
// any other shape, or a string the scanner refuses, it moves nothing and
// returns pairOther, and the general decoder reads the pair, with its own
// errors.
func (d *decoder) plainNameValue(nv *NameValue, filter bool) int {
	start := d.pos
	if d.peek() != '{' {
		return pairOther
	}
	d.pos++
	if !d.plainKey(`"name"`) {
		d.pos = start
		return pairOther
	}
	name, err := d.str()
	if err != nil || d.peek() != ',' {
		d.pos = start
		return pairOther
	}
	d.pos++
	keep := !filter || d.keepHeader(name)
	var nameText string
	if keep {
		// Made before the value is read, which may reuse the room an
		// escaped name was unescaped into.
		nameText = d.text(name)
	}
	if !d.plainKey(`"value"`) {
		d.pos = start
		return pairOther
	}
	value, err := d.str()
	if err != nil || d.peek() != '}' {
		d.pos = start
		return pairOther
	}
	d.pos++
	if !keep {
		return pairDropped
	}
	nv.Name, nv.Value = nameText, d.text(value)
	nv.m.decoded = true
	nv.m.absent = nameValuePlan.all &^ nameValuePresent
	return pairKept
}

// plainKey reads a member's key, given with its quotes, and the colon
// after it, when they come next; a string value must follow.
func (d *decoder) plainKey(key string) bool {
	if d.peek() != '"' || !bytes.HasPrefix(d.data[d.pos:], []byte(key)) {
		return false
	}
	d.pos += len(key)
	if d.peek() != ':' {
		return false
	}
	d.pos++
	return d.peek() == '"'
}

// keepHeader reports whether a header of this name is kept.
func (d *decoder) keepHeader(name []byte) bool {
	for _, h := range d.headers {
		if bytes.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// takeScratch returns a pointer to the reused array for slices of type t,
// whose elements' plan is id, empty. An array of the same type nested
// inside its own elements gets one of its own.
func (d *decoder) takeScratch(id int, t reflect.Type) reflect.Value {
	if d.st != nil && id < len(d.st.scratch) {
		if s := d.st.scratch[id]; s.IsValid() {
			d.st.scratch[id] = reflect.Value{}
			return s
		}
	}
	sp := reflect.New(t)
	sp.Elem().Set(reflect.MakeSlice(t, 0, 8))
	return sp
}

func (d *decoder) putScratch(id int, s reflect.Value) {
	if d.st == nil {
		return
	}
	for len(d.st.scratch) <= id {
		d.st.scratch = append(d.st.scratch, reflect.Value{})
	}
	d.st.scratch[id] = s
}

func (d *decoder) wrongShape(want string, depth int) error {
	start := d.pos
	raw, err := d.skip(depth + 1)
	if err != nil {
		return err
	}
	d.pos = start
	return d.typeError(want, raw)
}

// encoder writes HAR structs as compact JSON.
type encoder struct {
	b []byte
	// skipEntries leaves Log.Entries out, for a streaming writer that writes
	// entries one at a time after the header.
	skipEntries bool
}

func (e *encoder) object(v reflect.Value, p *plan) {
	m := v.Addr().Interface().(metaHolder).hmeta()
	e.b = append(e.b, '{')
	first := true
	for fi := range p.fields {
		fp := &p.fields[fi]
		if e.skipEntries && p.typ == logType && fp.name == "entries" {
			continue
		}
		f := v.Field(fp.index)
		if raw, ok := m.unchangedOdd(fi, f); ok {
			e.key(&first, fp.name)
			e.b = append(e.b, raw...)
			continue
		}
		if m.decoded {
			if m.absent&(1<<uint(fi)) != 0 && f.IsZero() {
				continue
			}
		} else if fp.omitEmpty && f.IsZero() {
			continue
		}
		e.key(&first, fp.name)
		e.value(f, fp)
	}
	if p.extra >= 0 {
		e.extra(&first, v.Field(p.extra).Interface().(Extra), p)
	}
	e.b = append(e.b, '}')
}

// extra writes the members of x that the object's plan p does not define.
func (e *encoder) extra(first *bool, x Extra, p *plan) {
	for _, mem := range x {
		if _, known := p.byName[mem.Name]; known {
			continue // a defined member wins over a stray copy
		}
		e.key(first, mem.Name)
		if len(mem.Value) == 0 {
			e.b = append(e.b, "null"...)
		} else {
			e.b = append(e.b, mem.Value...)
		}
	}
}

var logType = reflect.TypeOf(Log{})

// creatorText marks a creator that was read from a bare JSON string.
type creatorText string

// unchangedOdd returns the input's JSON for a field that held null or an
// unexpected type, when the field still has the value it was read as.
func (m *meta) unchangedOdd(fi int, f reflect.Value) ([]byte, bool) {
	for _, o := range m.odd {
		if o.field != fi {
			continue
		}
		if o.val == nil {
			return o.raw, f.IsZero()
		}
		if s, ok := o.val.(creatorText); ok {
			c := f.Addr().Interface().(*Creator)
			return o.raw, c.Name == string(s) && c.Version == "" && c.Comment == "" && len(c.Extra) == 0
		}
		return o.raw, f.Interface() == o.val
	}
	return nil, false
}

func (e *encoder) key(first *bool, name string) {
	if !*first {
		e.b = append(e.b, ',')
	}
	*first = false
	e.b = appendString(e.b, name)
	e.b = append(e.b, ':')
}

func (e *encoder) value(f reflect.Value, fp *fieldPlan) {
	switch fp.kind {
	case kString:
		e.b = appendString(e.b, f.String())
	case kInt:
		e.b = strconv.AppendInt(e.b, f.Int(), 10)
	case kFloat:
		e.b = appendFloat(e.b, f.Float())
	case kBool:
		e.b = strconv.AppendBool(e.b, f.Bool())
	case kStruct:
		e.object(f, fp.elem)
	case kPtrStruct:
		if f.IsNil() {
			e.b = append(e.b, "null"...)
			return
		}
		e.object(f.Elem(), fp.elem)
	case kSlice, kSlicePtr:
		e.b = append(e.b, '[')
		for i := 0; i < f.Len(); i++ {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			el := f.Index(i)
			if fp.kind == kSlicePtr {
				if el.IsNil() {
					e.b = append(e.b, "null"...)
					continue
				}
				el = el.Elem()
			}
			e.object(el, fp.elem)
		}
		e.b = append(e.b, ']')
	}
}

// marshal encodes one HAR struct (pointer) as JSON.
func marshal(v any) []byte {
	rv := reflect.ValueOf(v).Elem()
	e := encoder{b: make([]byte, 0, 1024)}
	e.object(rv, planFor(rv.Type()))
	return e.b
}

// unmarshal decodes data into one HAR struct (pointer).
func unmarshal(data []byte, v any, what string) error {
	rv := reflect.ValueOf(v).Elem()
	d := decoder{scanner: scanner{data: data}, path: []pathPart{member(what)}}
	if err := d.object(rv, planFor(rv.Type()), 0); err != nil {
		return err
	}
	if d.peek() != 0 {
		return d.unexpected("the end of the value")
	}
	return nil
}

// MarshalJSON encodes the entry as HAR JSON, keeping unknown members.
func (e *Entry) MarshalJSON() ([]byte, error) { return marshal(e), nil }

// UnmarshalJSON decodes HAR JSON into the entry, keeping unknown members.
func (e *Entry) UnmarshalJSON(data []byte) error {
	*e = Entry{src: e.src}
	return unmarshal(data, e, "entry")
}

// MarshalJSON encodes the whole document as HAR JSON.
func (f *File) MarshalJSON() ([]byte, error) { return marshal(f), nil }

// UnmarshalJSON decodes a whole HAR document held in memory.
func (f *File) UnmarshalJSON(data []byte) error {
	got, err := NewReader(bytes.NewReader(data), ReaderOptions{}).ReadAll()
	if err != nil {
		return err
	}
	*f = *got
	return nil
}

// Normalize forgets how the entry looked when it was read, so that it is
// written in the canonical HAR 1.2 form: a null or oddly typed value
// becomes its HAR type, and a member the input lacked is written. Members
// the format does not define (_initiator and the like) are kept. Reading
// and writing alone keep the input as it was; an import that promises a
// clean HAR calls this.
func (e *Entry) Normalize() { normalize(reflect.ValueOf(e).Elem()) }

func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Slice:
		if k := v.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Pointer {
			return
		}
		for i := 0; i < v.Len(); i++ {
			normalize(v.Index(i))
		}
	case reflect.Struct:
		if h, ok := v.Addr().Interface().(metaHolder); ok {
			*h.hmeta() = meta{}
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				normalize(v.Field(i))
			}
		}
	}
}
