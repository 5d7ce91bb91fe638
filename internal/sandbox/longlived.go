package sandbox

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/atomicfile"
)

// This file makes an instance behave like a long-lived, shared one: its
// Report Service data survives a restart (Options.DataFile), and other
// users write launches of their own while a suite runs (Knobs.OtherUsers).
// Regression fixtures that only hold on a fresh, empty instance hold
// nowhere real; these two are what the fixture tests run against.

// OtherUsernames are the users the OtherUsers knob writes as. They have
// their own API tokens, so their writes reach the request log as theirs.
var OtherUsernames = []string{"alice", "bob"}

// OtherUsersProject is where other users write when the knob names no
// project: the seed project the bundled flows work in.
const OtherUsersProject int64 = 1

// ---- launch patch and delete, which other users need and TestOps has

type launchPatch struct {
	Name      *string `json:"name"`
	Autoclose *bool   `json:"autoclose"`
}

func (in *Instance) handleLaunchPatch(w http.ResponseWriter, r *http.Request, u *user) {
	var body launchPatch
	if !readJSON(w, r, &body) {
		return
	}
	if body.Name != nil && strings.TrimSpace(*body.Name) == "" {
		writeError(w, http.StatusBadRequest, "Validation failed: name must not be blank")
		return
	}
	in.withLaunch(w, r, func(l *launch) {
		if body.Name != nil {
			l.Name = *body.Name
		}
		if body.Autoclose != nil {
			l.Autoclose = *body.Autoclose
		}
		l.Modified = nowMS()
		writeJSON(w, http.StatusOK, launchView(in.v2())(l))
	})
}

func (in *Instance) handleLaunchDelete(w http.ResponseWriter, r *http.Request, u *user) {
	in.withLaunch(w, r, func(l *launch) {
		in.db.deleteLaunch(l.ID)
		w.WriteHeader(http.StatusNoContent)
	})
}

// deleteLaunch removes a launch and the test results that belong to it,
// as deleting a launch does on a real instance.
func (s *store) deleteLaunch(id int64) {
	keep := s.launches[:0]
	for _, l := range s.launches {
		if l.ID != id {
			keep = append(keep, l)
		}
	}
	s.launches = keep
	res := s.results[:0]
	for _, t := range s.results {
		if t.LaunchID != id {
			res = append(res, t)
		}
	}
	s.results = res
}

// ---- the data file

// dataFile is the on-disk form of a store: every kind of object and every
// id counter, so a restarted instance hands out ids after the old ones.
type dataFile struct {
	Format   int              `json:"format"`
	Projects []*project       `json:"projects"`
	Launches []*launch        `json:"launches"`
	Cases    []*testCase      `json:"testCases"`
	Results  []*testResult    `json:"testResults"`
	JobRuns  []*jobRun        `json:"jobRuns"`
	Sessions []*uploadSession `json:"uploadSessions"`
	Next     map[string]int64 `json:"next"`
}

const dataFormat = 1

func (s *store) file() dataFile {
	return dataFile{Format: dataFormat, Projects: s.projects, Launches: s.launches, Cases: s.cases, Results: s.results,
		JobRuns: s.jobRuns, Sessions: s.sessions, Next: map[string]int64{
			"project": s.nextProject, "launch": s.nextLaunch, "testCase": s.nextCase, "testResult": s.nextResult,
			"step": s.nextStep, "job": s.nextJob, "jobRun": s.nextJobRun, "session": s.nextSession}}
}

// loadStore reads a data file written by saveData. A missing file is not
// an error: the instance starts from the seed data and creates it.
func loadStore(path string) (*store, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("data file %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f dataFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("data file %s: %s", path, decodeErrorPlace(b, err))
	}
	if f.Format != dataFormat {
		return nil, fmt.Errorf("data file %s: format %d, this sandbox reads format %d", path, f.Format, dataFormat)
	}
	s := &store{projects: f.Projects, launches: f.Launches, cases: f.Cases, results: f.Results, jobRuns: f.JobRuns, sessions: f.Sessions}
	for name, dst := range map[string]*int64{"project": &s.nextProject, "launch": &s.nextLaunch, "testCase": &s.nextCase,
		"testResult": &s.nextResult, "step": &s.nextStep, "job": &s.nextJob, "jobRun": &s.nextJobRun, "session": &s.nextSession} {
		n, ok := f.Next[name]
		if !ok || n < 1 {
			return nil, fmt.Errorf("data file %s: next.%s is missing or not a positive id", path, name)
		}
		*dst = n
	}
	return s, nil
}

// decodeErrorPlace names where a JSON error is, as line:column, since
// "invalid character" alone does not help anyone find it.
func decodeErrorPlace(b []byte, err error) string {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err.Error()
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	// Offsets count the bytes read, so the one at fault is the last of them.
	col := max(1, off-1-int64(bytes.LastIndexByte(b[:off], '\n')))
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// saveData writes the store to the data file, atomically, so a crash or a
// kill leaves the previous state rather than half of the new one. saveMu
// is held across the snapshot and the write, so a later state is never
// overwritten by an earlier one.
func (in *Instance) saveData() error {
	if in.dataPath == "" {
		return nil
	}
	in.saveMu.Lock()
	defer in.saveMu.Unlock()
	in.mu.Lock()
	b, err := json.MarshalIndent(in.db.file(), "", " ")
	in.mu.Unlock()
	if err != nil {
		return err
	}
	return atomicfile.Write(in.dataPath, append(b, '\n'), 0o600)
}

func (in *Instance) noteSave(err error) {
	if err != nil {
		in.saveMu.Lock()
		if in.saveErr == nil {
			in.saveErr = err
		}
		in.saveMu.Unlock()
	}
}

// DataError is the first error met saving the data file, nil when every
// save succeeded (or there is no data file).
func (in *Instance) DataError() error {
	in.saveMu.Lock()
	defer in.saveMu.Unlock()
	return in.saveErr
}

// writes reports whether a logged request may have changed the store: a
// successful /api/ request other than a read or the token exchange.
func writes(r Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return strings.HasPrefix(r.Path, "/api/") && r.Status > 0 && r.Status < 400 && r.Path != "/api/uaa/oauth/token"
}

// ---- other users

func (in *Instance) addOtherUsers() {
	for i, name := range OtherUsernames {
		in.users[name] = &user{ID: int64(2 + i), Username: name, Password: name, Email: name + "@sandbox.test",
			FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Other", Roles: []string{"ROLE_USER"}}
		in.otherTokens = append(in.otherTokens, in.newAPITokenLocked(name, "background").value)
	}
}

// otherUsers is the background goroutine behind Knobs.OtherUsers. It goes
// through the instance's own HTTP API, as another person's browser would,
// so its writes are logged, authenticated and shaped like anyone's.
func (in *Instance) otherUsers() {
	defer close(in.bgDone)
	hc := in.Client()
	hc.Timeout = 10 * time.Second
	for turn := 0; ; turn++ {
		wait := in.Knobs().OtherUsers
		if wait <= 0 {
			wait = 50 * time.Millisecond // off: look at the knob again soon
		}
		select {
		case <-in.done:
			return
		case <-in.bgStop:
			return
		case <-time.After(wait):
		}
		if k := in.Knobs(); k.OtherUsers > 0 {
			in.otherUserTurn(hc, turn, cmp.Or(k.OtherUsersProject, OtherUsersProject))
		}
	}
}

// otherUserTurn makes one write as one of the other users: it creates a
// launch while the user has fewer than two, otherwise creates, renames or
// deletes one of that user's own launches. It never touches a launch the
// user did not create, so a flow's own objects stay as the flow left them.
func (in *Instance) otherUserTurn(hc *http.Client, turn int, projectID int64) {
	i := turn % len(OtherUsernames)
	name, tok := OtherUsernames[i], in.otherTokens[i]
	in.mu.Lock()
	var own []int64
	for _, l := range in.db.launches {
		if l.CreatedBy == name && l.ProjectID == projectID {
			own = append(own, l.ID)
		}
	}
	in.mu.Unlock()
	bearer, err := in.exchangeOver(hc, tok)
	if err != nil {
		return // the instance is closing or faulting; try again next turn
	}
	action := 0
	if len(own) >= 2 {
		action = in.rng2(3)
	}
	stamp := time.Now().UTC().Format("15:04:05.000")
	switch action {
	case 0:
		// Named like everyone's nightly launches, so searches find them.
		in.send(hc, bearer, "POST", "/api/launch", map[string]any{"name": "Nightly by " + name + " " + stamp, "projectId": projectID})
	case 1:
		id := own[in.rng2(len(own))]
		in.send(hc, bearer, "PATCH", "/api/launch/"+strconv.FormatInt(id, 10), map[string]any{"name": "Nightly by " + name + ", renamed " + stamp})
	default:
		in.send(hc, bearer, "DELETE", "/api/launch/"+strconv.FormatInt(own[0], 10), nil)
	}
}

func (in *Instance) rng2(n int) int {
	in.knobMu.Lock()
	defer in.knobMu.Unlock()
	return in.rng.IntN(n)
}

func (in *Instance) exchangeOver(hc *http.Client, apiToken string) (string, error) {
	form := url.Values{"grant_type": {"apitoken"}, "scope": {"openid"}, "token": {apiToken}}
	res, err := hc.PostForm(in.url+"/api/uaa/oauth/token", form)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token exchange: %d", res.StatusCode)
	}
	return tok.AccessToken, nil
}

func (in *Instance) send(hc *http.Client, bearer, method, path string, body any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, in.url+path, rd)
	if err != nil {
		return
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if res, err := hc.Do(req); err == nil {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
