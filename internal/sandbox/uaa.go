package sandbox

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"log"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// errorBody is the TestOps error shape: {"status":401,"message":"..."}.
type errorBody struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Status: status, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"message":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

// authed wraps a handler that needs a user. A Bearer token wins over a
// session cookie, and only session requests face the CSRF check: API
// clients never hold the XSRF cookie, so Spring exempts token requests.
func (in *Instance) authed(h func(http.ResponseWriter, *http.Request, *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, status, msg := in.authenticate(r)
		if u == nil {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="testops"`)
			}
			writeError(w, status, msg)
			return
		}
		if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
			st.user = u.Username
		}
		h(w, r, u)
	}
}

func (in *Instance) authenticate(r *http.Request) (*user, int, string) {
	if tok, ok := bearer(r); ok {
		in.mu.Lock()
		key := in.key
		in.mu.Unlock()
		c, err := verifyJWT(key, tok, time.Now())
		switch {
		case errors.Is(err, errExpired):
			return nil, http.StatusUnauthorized, "Access token expired"
		case errors.Is(err, errMalformed):
			return nil, http.StatusUnauthorized, "Malformed access token"
		case err != nil:
			return nil, http.StatusUnauthorized, "Invalid access token"
		}
		in.mu.Lock()
		defer in.mu.Unlock()
		if u := in.users[c.UserName]; u != nil {
			return u, 0, ""
		}
		return nil, http.StatusUnauthorized, "Invalid access token"
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		in.mu.Lock()
		u := in.users[in.sessions[c.Value]]
		in.mu.Unlock()
		if u == nil {
			return nil, http.StatusUnauthorized, "Full authentication is required to access this resource"
		}
		if unsafeMethod(r.Method) && !xsrfMatches(r) {
			return nil, http.StatusForbidden, "Invalid CSRF token"
		}
		return u, 0, ""
	}
	return nil, http.StatusUnauthorized, "Full authentication is required to access this resource"
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// xsrfMatches is Spring's double-submit check: the header must repeat the
// cookie, and neither may be empty.
func xsrfMatches(r *http.Request) bool {
	c, err := r.Cookie(XSRFCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return r.Header.Get(XSRFHeader) == c.Value
}

func (in *Instance) setXSRFCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: XSRFCookie, Value: randomHex(16), Path: "/",
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// handleToken is the OAuth2 token endpoint. Both grant types a TestOps
// client uses are here: apitoken (personal API token) and password.
func (in *Instance) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the form: "+err.Error())
		return
	}
	var username string
	switch grant := r.PostFormValue("grant_type"); grant {
	case "apitoken":
		tok := r.PostFormValue("token")
		in.mu.Lock()
		t := in.tokens[tok]
		in.mu.Unlock()
		if tok == "" || t == nil {
			writeError(w, http.StatusUnauthorized, "Invalid API token")
			return
		}
		username = t.Username
	case "password":
		in.mu.Lock()
		u := in.users[r.PostFormValue("username")]
		in.mu.Unlock()
		if u == nil || u.Password != r.PostFormValue("password") {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		username = u.Username
	case "":
		writeError(w, http.StatusBadRequest, "Missing grant type")
		return
	default:
		writeError(w, http.StatusBadRequest, "Unsupported grant type: "+grant)
		return
	}
	k := in.Knobs()
	validity := k.TokenValidity
	if validity <= 0 {
		validity = time.Hour
	}
	now := time.Now()
	in.mu.Lock()
	u, key := in.users[username], in.key
	in.mu.Unlock()
	jti := randomHex(12)
	// exp is rounded up to the next whole second, so the token never dies
	// before the expires_in the client was told.
	exp := int64(math.Ceil(float64(now.Add(validity).UnixNano()) / 1e9))
	tok := signJWT(key, claims{Subject: u.Username, UserName: u.Username, UserID: u.ID,
		Authorities: u.Roles, Scope: []string{"openid"}, IssuedAt: now.Unix(), Expires: exp, ID: jti})
	body := tokenResponse{AccessToken: tok, TokenType: "bearer", Scope: "openid", JTI: jti}
	secs := int64(validity / time.Second)
	switch k.ExpiresIn {
	case ExpiresInNumber:
		body.ExpiresIn = secs
	case ExpiresInString:
		body.ExpiresIn = strconv.FormatInt(secs, 10)
	}
	writeJSON(w, http.StatusOK, body)
}

// tokenResponse keeps Spring OAuth2's field order.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   any    `json:"expires_in,omitempty"` // a number, a string, or absent
	Scope       string `json:"scope"`
	JTI         string `json:"jti"`
}

// parseForm reads urlencoded and multipart forms alike: clients send both.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}

// userAccount is the UserAccount schema of the real documents.
type userAccount struct {
	ID            int64    `json:"id"`
	Username      string   `json:"username"`
	Email         string   `json:"email"`
	FirstName     string   `json:"firstName"`
	LastName      string   `json:"lastName"`
	Authorities   []string `json:"authorities"`
	Approved      bool     `json:"approved"`
	Enabled       bool     `json:"enabled"`
	EmailVerified bool     `json:"emailVerified"`
	UserRef       string   `json:"userRef"`
}

func (in *Instance) handleMe(w http.ResponseWriter, r *http.Request, u *user) {
	writeJSON(w, http.StatusOK, userAccount{ID: u.ID, Username: u.Username, Email: u.Email,
		FirstName: u.FirstName, LastName: u.LastName, Authorities: u.Roles,
		Approved: true, Enabled: true, EmailVerified: true, UserRef: "user:" + strconv.FormatInt(u.ID, 10)})
}

// handleLogin is the UI's form login. When the browser already holds an
// XSRF cookie the header must match it, as Spring checks; a client with no
// cookie at all (a first curl) is let through so the path is scriptable.
func (in *Instance) handleLogin(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(XSRFCookie); err == nil && c.Value != "" && !xsrfMatches(r) {
		writeError(w, http.StatusForbidden, "Invalid CSRF token")
		return
	}
	if err := parseForm(r); err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the form: "+err.Error())
		return
	}
	name := r.PostFormValue("username")
	in.mu.Lock()
	u := in.users[name]
	ok := u != nil && u.Password == r.PostFormValue("password")
	sid := randomHex(20)
	if ok {
		in.sessions[sid] = u.Username
	}
	in.mu.Unlock()
	if !ok {
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		st.user = u.Username
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	in.setXSRFCookie(w, r) // Spring issues a fresh CSRF token on login
	w.WriteHeader(http.StatusOK)
}

func (in *Instance) handleLogout(w http.ResponseWriter, r *http.Request, u *user) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		in.mu.Lock()
		delete(in.sessions, c.Value)
		in.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

type apiTokenDto struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token,omitempty"`
}

func (in *Instance) handleTokenList(w http.ResponseWriter, r *http.Request, u *user) {
	in.mu.Lock()
	out := []apiTokenDto{}
	for _, t := range in.tokens {
		if t.Username == u.Username {
			out = append(out, apiTokenDto{ID: t.ID, Name: t.Name})
		}
	}
	in.mu.Unlock()
	slices.SortFunc(out, func(a, b apiTokenDto) int { return cmp.Compare(a.ID, b.ID) })
	writeJSON(w, http.StatusOK, out)
}

func (in *Instance) handleTokenCreate(w http.ResponseWriter, r *http.Request, u *user) {
	var body struct {
		Name string `json:"name"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	in.mu.Lock()
	t := in.newAPITokenLocked(u.Username, body.Name)
	in.mu.Unlock()
	writeJSON(w, http.StatusOK, apiTokenDto{ID: t.id, Name: body.Name, Token: t.value})
}

func (in *Instance) handleTokenDelete(w http.ResponseWriter, r *http.Request, u *user) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	in.mu.Lock()
	found := false
	for v, t := range in.tokens {
		if t.ID == id && t.Username == u.Username {
			delete(in.tokens, v)
			found = true
		}
	}
	in.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Api token not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
