package har

import (
	"bytes"
	"encoding/json"
)

// File is a whole HAR document: the top-level object with its log.
// Members other than "log" that some tools add at the top level are kept in
// Extra.
type File struct {
	Log   Log   `json:"log"`
	Extra Extra `json:"-"`
	m     meta
}

// Log is the HAR "log" object. A streaming Reader leaves Entries empty and
// hands entries out one at a time instead.
type Log struct {
	Version string   `json:"version"`
	Creator Creator  `json:"creator"`
	Browser *Creator `json:"browser,omitempty"`
	Pages   []Page   `json:"pages,omitempty"`
	Entries []*Entry `json:"entries"`
	Comment string   `json:"comment,omitempty"`
	Extra   Extra    `json:"-"`
	m       meta
}

// Creator names the tool (or browser) that made the file. Some tools write
// it as a bare string; that string lands in Name and is written back as a
// string.
type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Comment string `json:"comment,omitempty"`
	Extra   Extra  `json:"-"`
	m       meta
}

// Page is one page load that entries may refer to by Pageref.
type Page struct {
	StartedDateTime string      `json:"startedDateTime"`
	ID              string      `json:"id"`
	Title           string      `json:"title"`
	PageTimings     PageTimings `json:"pageTimings"`
	Comment         string      `json:"comment,omitempty"`
	Extra           Extra       `json:"-"`
	m               meta
}

// PageTimings holds page load milestones in milliseconds; -1 means not
// available.
type PageTimings struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
	Comment       string  `json:"comment,omitempty"`
	Extra         Extra   `json:"-"`
	m             meta
}

// Entry is one HTTP exchange.
type Entry struct {
	Pageref         string   `json:"pageref,omitempty"`
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           Cache    `json:"cache"`
	Timings         Timings  `json:"timings"`
	ServerIPAddress string   `json:"serverIPAddress,omitempty"`
	Connection      string   `json:"connection,omitempty"`
	Comment         string   `json:"comment,omitempty"`
	Extra           Extra    `json:"-"`
	m               meta

	// src is where the entry came from: the HAR file's folder, where tools
	// such as Playwright keep bodies in side files (_file), its name and the
	// entry's place in it.
	src origin
}

// Request is the request half of an entry.
type Request struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []Cookie    `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	QueryString []NameValue `json:"queryString"`
	PostData    *PostData   `json:"postData,omitempty"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
	Comment     string      `json:"comment,omitempty"`
	Extra       Extra       `json:"-"`
	m           meta
}

// Response is the response half of an entry. Status 0 marks a request that
// failed before any response arrived (browsers add an _error member).
type Response struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []Cookie    `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	Content     Content     `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
	Comment     string      `json:"comment,omitempty"`
	Extra       Extra       `json:"-"`
	m           meta
}

// Cookie is a cookie sent or set.
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
	Comment  string `json:"comment,omitempty"`
	Extra    Extra  `json:"-"`
	m        meta
}

// NameValue is a header or a query string parameter.
type NameValue struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"`
	Extra   Extra  `json:"-"`
	m       meta
}

// PostData is a request body. Encoding ("base64") is not in HAR 1.2 but
// some tools write it; File is Playwright's side file holding the body.
type PostData struct {
	MimeType string  `json:"mimeType"`
	Params   []Param `json:"params,omitempty"`
	Text     string  `json:"text"`
	Encoding string  `json:"encoding,omitempty"`
	File     string  `json:"_file,omitempty"`
	Comment  string  `json:"comment,omitempty"`
	Extra    Extra   `json:"-"`
	m        meta
}

// Param is a posted form field or an uploaded file.
type Param struct {
	Name        string `json:"name"`
	Value       string `json:"value,omitempty"`
	FileName    string `json:"fileName,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	Comment     string `json:"comment,omitempty"`
	Extra       Extra  `json:"-"`
	m           meta
}

// Content is a response body. Text holds it decoded as text, or in base64
// when Encoding is "base64"; File is Playwright's side file holding it.
type Content struct {
	Size        int64  `json:"size"`
	Compression int64  `json:"compression,omitempty"`
	MimeType    string `json:"mimeType"`
	Text        string `json:"text,omitempty"`
	Encoding    string `json:"encoding,omitempty"`
	File        string `json:"_file,omitempty"`
	Comment     string `json:"comment,omitempty"`
	Extra       Extra  `json:"-"`
	m           meta
}

// Cache describes the browser cache before and after the request.
type Cache struct {
	BeforeRequest *CacheEntry `json:"beforeRequest,omitempty"`
	AfterRequest  *CacheEntry `json:"afterRequest,omitempty"`
	Comment       string      `json:"comment,omitempty"`
	Extra         Extra       `json:"-"`
	m             meta
}

// CacheEntry is the state of one cache entry.
type CacheEntry struct {
	Expires    string `json:"expires,omitempty"`
	LastAccess string `json:"lastAccess"`
	ETag       string `json:"eTag"`
	HitCount   int64  `json:"hitCount"`
	Comment    string `json:"comment,omitempty"`
	Extra      Extra  `json:"-"`
	m          meta
}

// Timings splits an entry's time into phases, in milliseconds. -1 means the
// phase does not apply or was not measured.
type Timings struct {
	Blocked float64 `json:"blocked,omitempty"`
	DNS     float64 `json:"dns,omitempty"`
	Connect float64 `json:"connect,omitempty"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl,omitempty"`
	Comment string  `json:"comment,omitempty"`
	Extra   Extra   `json:"-"`
	m       meta
}

// NotAvailable is the value HAR uses for a size or timing that is unknown.
const NotAvailable = -1

// Member is one object member that the HAR format does not define, such as
// Chrome's _initiator or WebPageTest's _ttfb_ms, kept as raw JSON.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Extra holds the members of an object that HAR 1.2 does not define, in the
// order they were read, so that a read and a write lose nothing.
type Extra []Member

// Get returns the raw JSON of the member called name, or nil.
func (x Extra) Get(name string) json.RawMessage {
	for i := len(x) - 1; i >= 0; i-- {
		if x[i].Name == name {
			return x[i].Value
		}
	}
	return nil
}

// Set stores v, marshalled to JSON, as the member called name, replacing an
// earlier one.
func (x *Extra) Set(name string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	x.SetRaw(name, raw)
	return nil
}

// SetRaw stores raw JSON as the member called name, replacing an earlier one.
func (x *Extra) SetRaw(name string, raw json.RawMessage) {
	for i := range *x {
		if (*x)[i].Name == name {
			(*x)[i].Value = raw
			return
		}
	}
	*x = append(*x, Member{Name: name, Value: raw})
}

// Delete removes the member called name.
func (x *Extra) Delete(name string) {
	out := (*x)[:0]
	for _, m := range *x {
		if m.Name != name {
			out = append(out, m)
		}
	}
	*x = out
}

// String returns the member's value when it is a JSON string.
func (x Extra) String(name string) (string, bool) {
	raw := x.Get(name)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func (x Extra) clone() Extra {
	if x == nil {
		return nil
	}
	out := make(Extra, len(x))
	for i, m := range x {
		out[i] = Member{Name: m.Name, Value: bytes.Clone(m.Value)}
	}
	return out
}

// WebSocketMessage is one frame of a WebSocket exchange, as Chrome records
// them in an entry's _webSocketMessages member.
type WebSocketMessage struct {
	Type   string  `json:"type"` // "send" or "receive"
	Time   float64 `json:"time"` // seconds since the Unix epoch
	Opcode int     `json:"opcode"`
	Data   string  `json:"data"`
}

// WebSocketMessages returns the entry's recorded WebSocket frames, if any.
func (e *Entry) WebSocketMessages() ([]WebSocketMessage, error) {
	raw := e.Extra.Get("_webSocketMessages")
	if raw == nil {
		return nil, nil
	}
	var msgs []WebSocketMessage
	err := json.Unmarshal(raw, &msgs)
	return msgs, err
}

// SetWebSocketMessages records WebSocket frames on the entry the way Chrome
// does.
func (e *Entry) SetWebSocketMessages(msgs []WebSocketMessage) error {
	return e.Extra.Set("_webSocketMessages", msgs)
}

// BaseDir is the folder that side files named by _file are read from.
func (e *Entry) BaseDir() string { return e.src.dir }

// SetBaseDir sets the folder that side files named by _file are read from.
// Readers opened on a path set it to the file's folder.
func (e *Entry) SetBaseDir(dir string) { e.src.dir = dir }

// NetworkError returns the network error a browser recorded for a failed
// request (Chrome's response._error), or "". It is not named Error, which
// would make every *Entry an error.
func (e *Entry) NetworkError() string {
	s, _ := e.Response.Extra.String("_error")
	return s
}
