package sandbox

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func nowMS() int64 { return ms(time.Now()) }

func (in *Instance) v2() bool { return in.Knobs().V2 }

// ---- projects

type projectDto struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	Abbr             string `json:"abbr,omitempty"`
	Description      string `json:"description,omitempty"`
	IsPublic         bool   `json:"isPublic"`
	Favorite         bool   `json:"favorite"`
	CreatedBy        string `json:"createdBy"`
	CreatedDate      int64  `json:"createdDate"`
	LastModifiedBy   string `json:"lastModifiedBy"`
	LastModifiedDate int64  `json:"lastModifiedDate"`
	Archived         *bool  `json:"archived,omitempty"` // v2 only
}

func projectView(v2 bool) func(*project) projectDto {
	return func(p *project) projectDto {
		d := projectDto{ID: p.ID, Name: p.Name, Abbr: p.Abbr, Description: p.Desc, IsPublic: p.IsPublic, Favorite: p.Favorite,
			CreatedBy: p.CreatedBy, CreatedDate: p.Created, LastModifiedBy: p.CreatedBy, LastModifiedDate: p.Modified}
		if v2 {
			d.Archived = new(bool)
		}
		return d
	}
}

var projectOrder = comparators[*project]{
	"id":               func(a, b *project) int { return cmp.Compare(a.ID, b.ID) },
	"name":             func(a, b *project) int { return strings.Compare(a.Name, b.Name) },
	"createddate":      func(a, b *project) int { return cmp.Compare(a.Created, b.Created) },
	"lastmodifieddate": func(a, b *project) int { return cmp.Compare(a.Modified, b.Modified) },
}

func (in *Instance) handleProjectList(w http.ResponseWriter, r *http.Request, u *user) {
	q := strings.ToLower(r.URL.Query().Get("query"))
	servePage(in, w, parsePageRequest(r, 10, "name,ASC"), func(db *store) []*project { return db.projects },
		func(p *project) bool {
			return q == "" || strings.Contains(strings.ToLower(p.Name), q) || strings.Contains(strings.ToLower(p.Abbr), q)
		}, projectOrder, "Project", projectView(in.v2()))
}

func (in *Instance) handleProjectCreate(w http.ResponseWriter, r *http.Request, u *user) {
	var body struct {
		Name        string `json:"name"`
		Abbr        string `json:"abbr"`
		Description string `json:"description"`
		IsPublic    bool   `json:"isPublic"`
		Favorite    bool   `json:"favorite"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if strings.TrimSpace(body.Name) == "" {
		writeError(w, http.StatusBadRequest, "Validation failed: name must not be blank")
		return
	}
	now := nowMS()
	in.mu.Lock()
	p := &project{ID: in.db.nextProject, Name: body.Name, Abbr: body.Abbr, Desc: body.Description, IsPublic: body.IsPublic,
		Favorite: body.Favorite, CreatedBy: u.Username, Created: now, Modified: now}
	in.db.nextProject++
	in.db.projects = append(in.db.projects, p)
	d := projectView(in.v2())(p)
	in.mu.Unlock()
	writeJSON(w, http.StatusOK, d)
}

func (in *Instance) handleProjectGet(w http.ResponseWriter, r *http.Request, u *user) {
	withItem(in, w, r, "id", "Project", (*store).project, func(p *project) { writeJSON(w, http.StatusOK, projectView(in.v2())(p)) })
}

// ---- launches

type launchDto struct {
	ID               int64   `json:"id"`
	Name             string  `json:"name"`
	ProjectID        int64   `json:"projectId"`
	Tags             []tag   `json:"tags"`
	Links            []link  `json:"links"`
	Issues           []issue `json:"issues"`
	Autoclose        bool    `json:"autoclose"`
	Closed           *bool   `json:"closed,omitempty"`   // v1
	IsClosed         *bool   `json:"isClosed,omitempty"` // v2: the same value, renamed
	External         bool    `json:"external"`
	CreatedDate      int64   `json:"createdDate"`
	LastModifiedDate int64   `json:"lastModifiedDate"`
}

func launchView(v2 bool) func(*launch) launchDto {
	return func(l *launch) launchDto {
		closed := l.Closed
		d := launchDto{ID: l.ID, Name: l.Name, ProjectID: l.ProjectID, Tags: nonNil(l.Tags), Links: nonNil(l.Links),
			Issues: nonNil(l.Issues), Autoclose: l.Autoclose, External: l.External, CreatedDate: l.Created, LastModifiedDate: l.Modified}
		if v2 {
			d.IsClosed = &closed
		} else {
			d.Closed = &closed
		}
		return d
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var launchOrder = comparators[*launch]{
	"id":               func(a, b *launch) int { return cmp.Compare(a.ID, b.ID) },
	"name":             func(a, b *launch) int { return strings.Compare(a.Name, b.Name) },
	"createddate":      func(a, b *launch) int { return cmp.Compare(a.Created, b.Created) },
	"lastmodifieddate": func(a, b *launch) int { return cmp.Compare(a.Modified, b.Modified) },
	"closed":           func(a, b *launch) int { return cmpBool(a.Closed, b.Closed) },
}

var launchFields = map[string]bool{"id": true, "name": true, "closed": true, "tag": true, "createdDate": true, "createdBy": true, "lastModifiedDate": true}

func launchRecord(l *launch) record {
	return func(f string) fieldValue {
		switch f {
		case "id":
			return l.ID
		case "name":
			return l.Name
		case "closed":
			return l.Closed
		case "tag":
			return tagNames(l.Tags)
		case "createdDate":
			return l.Created
		case "createdBy":
			return l.CreatedBy
		case "lastModifiedDate":
			return l.Modified
		}
		return nil
	}
}

func (in *Instance) handleLaunchList(w http.ResponseWriter, r *http.Request, u *user) {
	pid, ok := queryID(w, r, "projectId")
	if !ok {
		return
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	servePage(in, w, parsePageRequest(r, 10, "created_date,DESC"), func(db *store) []*launch { return db.launches },
		func(l *launch) bool {
			return l.ProjectID == pid && (search == "" || strings.Contains(strings.ToLower(l.Name), search))
		}, launchOrder, "Launch", launchView(in.v2()))
}

func (in *Instance) handleLaunchSearch(w http.ResponseWriter, r *http.Request, u *user) {
	pid, q, ok := searchParams(w, r, launchFields)
	if !ok {
		return
	}
	servePage(in, w, parsePageRequest(r, 10, "created_date,DESC"), func(db *store) []*launch { return db.launches },
		func(l *launch) bool { return l.ProjectID == pid && q(launchRecord(l)) }, launchOrder, "Launch", launchView(in.v2()))
}

type launchCreate struct {
	Name      string  `json:"name"`
	ProjectID int64   `json:"projectId"`
	Autoclose bool    `json:"autoclose"`
	External  bool    `json:"external"`
	Tags      []tag   `json:"tags"`
	Links     []link  `json:"links"`
	Issues    []issue `json:"issues"`
}

func (in *Instance) handleLaunchCreate(w http.ResponseWriter, r *http.Request, u *user) {
	var body launchCreate
	if !readJSON(w, r, &body) {
		return
	}
	if strings.TrimSpace(body.Name) == "" || body.ProjectID == 0 {
		writeError(w, http.StatusBadRequest, "Validation failed: name and projectId are required")
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.noProject(w, body.ProjectID) {
		return
	}
	l := in.db.addLaunch(&launch{ProjectID: body.ProjectID, Name: body.Name, Tags: body.Tags, Links: body.Links,
		Issues: body.Issues, Autoclose: body.Autoclose, External: body.External, CreatedBy: u.Username}, nowMS())
	writeJSON(w, http.StatusOK, launchView(in.v2())(l))
}

func (in *Instance) withLaunch(w http.ResponseWriter, r *http.Request, f func(*launch)) {
	withItem(in, w, r, "id", "Launch", (*store).launch, f)
}

func (in *Instance) handleLaunchGet(w http.ResponseWriter, r *http.Request, u *user) {
	in.withLaunch(w, r, func(l *launch) { writeJSON(w, http.StatusOK, launchView(in.v2())(l)) })
}

// closeLaunch is close (true) and reopen (false); both answer 204.
func closeLaunch(closed bool) authedFunc {
	return func(in *Instance, w http.ResponseWriter, r *http.Request, u *user) {
		in.withLaunch(w, r, func(l *launch) {
			l.Closed, l.Modified = closed, nowMS()
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

type statusCount struct {
	Status string `json:"status"`
	Count  int64  `json:"count"`
}

var resultStatuses = []string{"failed", "broken", "passed", "skipped", "unknown"}

// handleLaunchStatistic is the operation version 2 removes; it answers as
// an unknown route would then, so clients meet a real 404.
func (in *Instance) handleLaunchStatistic(w http.ResponseWriter, r *http.Request, u *user) {
	if in.v2() {
		writeError(w, http.StatusNotFound, http.StatusText(http.StatusNotFound))
		return
	}
	in.withLaunch(w, r, func(l *launch) {
		counts := map[string]int64{}
		for _, res := range in.db.results {
			if res.LaunchID == l.ID {
				counts[res.Status]++
			}
		}
		out := []statusCount{}
		for _, s := range resultStatuses {
			if counts[s] > 0 {
				out = append(out, statusCount{s, counts[s]})
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// ---- test cases

type testCaseDto struct {
	ID               int64   `json:"id"`
	ProjectID        int64   `json:"projectId"`
	Name             string  `json:"name"`
	FullName         string  `json:"fullName,omitempty"`
	Description      string  `json:"description,omitempty"`
	Precondition     string  `json:"precondition,omitempty"`
	ExpectedResult   string  `json:"expectedResult,omitempty"`
	Automated        bool    `json:"automated"`
	External         bool    `json:"external"`
	Deleted          bool    `json:"deleted"`
	Editable         bool    `json:"editable"`
	Status           *status `json:"status,omitempty"`
	Tags             []tag   `json:"tags"`
	Links            []link  `json:"links"`
	CreatedBy        string  `json:"createdBy"`
	CreatedDate      int64   `json:"createdDate"`
	LastModifiedBy   string  `json:"lastModifiedBy"`
	LastModifiedDate int64   `json:"lastModifiedDate"`
}

func testCaseView(c *testCase) testCaseDto {
	return testCaseDto{ID: c.ID, ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, Precondition: c.Precondition,
		ExpectedResult: c.ExpectedResult, Automated: c.Automated, External: c.External, Deleted: c.Deleted, Editable: true,
		Status: statusByID(c.StatusID), Tags: nonNil(c.Tags), Links: nonNil(c.Links),
		CreatedBy: c.CreatedBy, CreatedDate: c.Created, LastModifiedBy: c.ModifiedBy, LastModifiedDate: c.Modified}
}

type testCaseRowDto struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Automated bool    `json:"automated"`
	Status    *status `json:"status,omitempty"`
}

func testCaseRow(c *testCase) testCaseRowDto {
	return testCaseRowDto{ID: c.ID, Name: c.Name, Automated: c.Automated, Status: statusByID(c.StatusID)}
}

var testCaseOrder = comparators[*testCase]{
	"id":               func(a, b *testCase) int { return cmp.Compare(a.ID, b.ID) },
	"name":             func(a, b *testCase) int { return strings.Compare(a.Name, b.Name) },
	"createddate":      func(a, b *testCase) int { return cmp.Compare(a.Created, b.Created) },
	"lastmodifieddate": func(a, b *testCase) int { return cmp.Compare(a.Modified, b.Modified) },
}

var testCaseFields = map[string]bool{"id": true, "name": true, "automated": true, "tag": true, "status": true, "createdDate": true, "createdBy": true}

func testCaseRecord(c *testCase) record {
	return func(f string) fieldValue {
		switch f {
		case "id":
			return c.ID
		case "name":
			return c.Name
		case "automated":
			return c.Automated
		case "tag":
			return tagNames(c.Tags)
		case "status":
			if s := statusByID(c.StatusID); s != nil {
				return s.Name
			}
		case "createdDate":
			return c.Created
		case "createdBy":
			return c.CreatedBy
		}
		return nil
	}
}

func (in *Instance) handleTestCaseList(w http.ResponseWriter, r *http.Request, u *user) {
	pid, ok := queryID(w, r, "projectId")
	if !ok {
		return
	}
	servePage(in, w, parsePageRequest(r, 10, "id,DESC"), func(db *store) []*testCase { return db.cases },
		func(c *testCase) bool { return c.ProjectID == pid && !c.Deleted }, testCaseOrder, "TestCase", testCaseRow)
}

func (in *Instance) handleTestCaseSearch(w http.ResponseWriter, r *http.Request, u *user) {
	pid, q, ok := searchParams(w, r, testCaseFields)
	if !ok {
		return
	}
	deleted := r.URL.Query().Get("deleted") == "true"
	servePage(in, w, parsePageRequest(r, 10, "id,DESC"), func(db *store) []*testCase { return db.cases },
		func(c *testCase) bool { return c.ProjectID == pid && c.Deleted == deleted && q(testCaseRecord(c)) },
		testCaseOrder, "TestCase", testCaseView)
}

// testCaseFieldsIn is the writable part of TestCaseCreateV2Dto and
// TestCasePatchV2Dto; pointers tell "absent" from "empty" for PATCH.
type testCaseFieldsIn struct {
	Name           *string          `json:"name"`
	ProjectID      int64            `json:"projectId"`
	Description    *string          `json:"description"`
	Precondition   *string          `json:"precondition"`
	ExpectedResult *string          `json:"expectedResult"`
	Automated      *bool            `json:"automated"`
	External       *bool            `json:"external"`
	Deleted        *bool            `json:"deleted"`
	StatusID       *int64           `json:"statusId"`
	Tags           *[]tag           `json:"tags"`
	Links          *[]link          `json:"links"`
	Scenario       *scenarioV2Input `json:"scenario"`
}

type scenarioV2Input struct {
	Steps []struct {
		Type           string `json:"type"`
		Body           string `json:"body"`
		ExpectedResult string `json:"expectedResult"`
	} `json:"steps"`
}

func (s *scenarioV2Input) steps() []step {
	out := make([]step, 0, len(s.Steps))
	for _, st := range s.Steps {
		out = append(out, step{Body: st.Body, ExpectedResult: st.ExpectedResult})
	}
	return out
}

func (f *testCaseFieldsIn) apply(c *testCase) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.Name, f.Name)
	set(&c.Description, f.Description)
	set(&c.Precondition, f.Precondition)
	set(&c.ExpectedResult, f.ExpectedResult)
	if f.Automated != nil {
		c.Automated = *f.Automated
	}
	if f.External != nil {
		c.External = *f.External
	}
	if f.Deleted != nil {
		c.Deleted = *f.Deleted
	}
	if f.StatusID != nil && statusByID(*f.StatusID) != nil {
		c.StatusID = *f.StatusID
	}
	if f.Tags != nil {
		c.Tags = *f.Tags
	}
	if f.Links != nil {
		c.Links = *f.Links
	}
	if f.Scenario != nil {
		c.Steps = f.Scenario.steps()
	}
}

func (in *Instance) handleTestCaseCreate(w http.ResponseWriter, r *http.Request, u *user) {
	var body testCaseFieldsIn
	if !readJSON(w, r, &body) {
		return
	}
	if body.Name == nil || strings.TrimSpace(*body.Name) == "" || body.ProjectID == 0 {
		writeError(w, http.StatusBadRequest, "Validation failed: name and projectId are required")
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.noProject(w, body.ProjectID) {
		return
	}
	now := nowMS()
	c := &testCase{ID: in.db.nextCase, ProjectID: body.ProjectID, StatusID: 1, CreatedBy: u.Username, ModifiedBy: u.Username, Created: now, Modified: now}
	in.db.nextCase++
	body.apply(c)
	in.db.cases = append(in.db.cases, c)
	writeJSON(w, http.StatusOK, testCaseView(c))
}

func (in *Instance) withTestCase(w http.ResponseWriter, r *http.Request, f func(*testCase)) {
	withItem(in, w, r, "id", "Test case", (*store).testCase, f)
}

func (in *Instance) handleTestCaseGet(w http.ResponseWriter, r *http.Request, u *user) {
	in.withTestCase(w, r, func(c *testCase) { writeJSON(w, http.StatusOK, testCaseView(c)) })
}

func (in *Instance) handleTestCasePatch(w http.ResponseWriter, r *http.Request, u *user) {
	var body testCaseFieldsIn
	if !readJSON(w, r, &body) {
		return
	}
	if body.Name != nil && strings.TrimSpace(*body.Name) == "" {
		writeError(w, http.StatusBadRequest, "Validation failed: name must not be blank")
		return
	}
	in.withTestCase(w, r, func(c *testCase) {
		body.apply(c)
		c.ModifiedBy, c.Modified = u.Username, nowMS()
		writeJSON(w, http.StatusOK, testCaseView(c))
	})
}

type scenarioStepDto struct {
	Name           string            `json:"name"`
	ExpectedResult string            `json:"expectedResult,omitempty"`
	Steps          []scenarioStepDto `json:"steps"`
	Attachments    []struct{}        `json:"attachments"`
	Leaf           bool              `json:"leaf"`
	HasContent     bool              `json:"hasContent"`
	StepsCount     int64             `json:"stepsCount"`
}

func (in *Instance) handleScenarioGet(w http.ResponseWriter, r *http.Request, u *user) {
	in.withTestCase(w, r, func(c *testCase) {
		steps := []scenarioStepDto{}
		for _, s := range c.Steps {
			steps = append(steps, scenarioStepDto{Name: s.Body, ExpectedResult: s.ExpectedResult, Steps: []scenarioStepDto{},
				Attachments: []struct{}{}, Leaf: true, HasContent: true})
		}
		writeJSON(w, http.StatusOK, map[string]any{"steps": steps, "attachments": []any{}})
	})
}

type normalizedStep struct {
	ID               int64   `json:"id"`
	Body             string  `json:"body,omitempty"`
	ExpectedResult   string  `json:"expectedResult,omitempty"`
	Children         []int64 `json:"children,omitempty"`
	TestCaseID       int64   `json:"testCaseId,omitempty"`
	CreatedBy        string  `json:"createdBy,omitempty"`
	CreatedDate      int64   `json:"createdDate,omitempty"`
	LastModifiedDate int64   `json:"lastModifiedDate,omitempty"`
}

// handleScenarioSet replaces the steps and answers with the normalised
// form: every save gives the steps new ids, as the real service does, which
// is exactly the kind of noise a replay diff has to see through.
func (in *Instance) handleScenarioSet(w http.ResponseWriter, r *http.Request, u *user) {
	var body scenarioV2Input
	if !readJSON(w, r, &body) {
		return
	}
	in.withTestCase(w, r, func(c *testCase) {
		now := nowMS()
		c.Steps, c.Modified, c.ModifiedBy = body.steps(), now, u.Username
		root := normalizedStep{Children: []int64{}}
		steps := map[string]normalizedStep{}
		for _, s := range c.Steps {
			id := in.db.nextStep
			in.db.nextStep++
			root.Children = append(root.Children, id)
			steps[fmt.Sprint(id)] = normalizedStep{ID: id, Body: s.Body, ExpectedResult: s.ExpectedResult, TestCaseID: c.ID,
				CreatedBy: u.Username, CreatedDate: now, LastModifiedDate: now}
		}
		writeJSON(w, http.StatusOK, map[string]any{"root": root, "scenarioSteps": steps, "attachments": map[string]any{},
			"sharedSteps": map[string]any{}, "sharedStepScenarioSteps": map[string]any{}, "sharedStepAttachments": map[string]any{}})
	})
}

// ---- test results

type testResultDto struct {
	ID               int64  `json:"id"`
	LaunchID         int64  `json:"launchId"`
	ProjectID        int64  `json:"projectId"`
	TestCaseID       int64  `json:"testCaseId,omitempty"`
	Name             string `json:"name"`
	FullName         string `json:"fullName,omitempty"`
	Status           string `json:"status"`
	Start            int64  `json:"start"`
	Stop             int64  `json:"stop"`
	Duration         int64  `json:"duration"`
	Manual           bool   `json:"manual"`
	Muted            bool   `json:"muted"`
	Hidden           bool   `json:"hidden"`
	Flaky            bool   `json:"flaky"`
	HistoryKey       string `json:"historyKey"`
	CreatedBy        string `json:"createdBy"`
	CreatedDate      int64  `json:"createdDate"`
	LastModifiedDate int64  `json:"lastModifiedDate"`
}

func testResultView(t *testResult) testResultDto {
	return testResultDto{ID: t.ID, LaunchID: t.LaunchID, ProjectID: t.ProjectID, TestCaseID: t.TestCaseID, Name: t.Name,
		FullName: t.FullName, Status: t.Status, Start: t.Start, Stop: t.Stop, Duration: t.Stop - t.Start,
		HistoryKey: t.UUID, CreatedBy: t.CreatedBy, CreatedDate: t.Created, LastModifiedDate: t.Modified}
}

var testResultOrder = comparators[*testResult]{
	"id":          func(a, b *testResult) int { return cmp.Compare(a.ID, b.ID) },
	"name":        func(a, b *testResult) int { return strings.Compare(a.Name, b.Name) },
	"createddate": func(a, b *testResult) int { return cmp.Compare(a.Created, b.Created) },
	"status":      func(a, b *testResult) int { return strings.Compare(a.Status, b.Status) },
	"duration":    func(a, b *testResult) int { return cmp.Compare(a.Stop-a.Start, b.Stop-b.Start) },
}

func (in *Instance) handleTestResultList(w http.ResponseWriter, r *http.Request, u *user) {
	lid, ok := queryID(w, r, "launchId")
	if !ok {
		return
	}
	servePage(in, w, parsePageRequest(r, 10, "created_date,DESC"), func(db *store) []*testResult { return db.results },
		func(t *testResult) bool { return t.LaunchID == lid }, testResultOrder, "TestResult", testResultView)
}

// noProject answers 404 when project id does not exist; call it under the lock.
func (in *Instance) noProject(w http.ResponseWriter, id int64) bool {
	if in.db.project(id) != nil {
		return false
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("Project with id %d not found", id))
	return true
}

// servePage answers a list or search endpoint: the rows of all that keep
// accepts, sorted and cut to the requested page, read under the lock.
func servePage[T, V any](in *Instance, w http.ResponseWriter, pr pageRequest, all func(*store) []T, keep func(T) bool,
	by comparators[T], typeName string, view func(T) V) {
	in.mu.Lock()
	var items []T
	for _, it := range all(in.db) {
		if keep(it) {
			items = append(items, it)
		}
	}
	pg, ok := paginate(w, pr, items, by, typeName, view)
	in.mu.Unlock()
	if ok {
		writeJSON(w, http.StatusOK, pg)
	}
}

// searchParams reads what every __search endpoint requires: projectId and
// an rql query that parses against fields.
func searchParams(w http.ResponseWriter, r *http.Request, fields map[string]bool) (int64, query, bool) {
	pid, ok := queryID(w, r, "projectId")
	if !ok {
		return 0, nil, false
	}
	rql, ok := requiredQuery(w, r, "rql")
	if !ok {
		return 0, nil, false
	}
	q, err := parseRQL(rql, fields)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return 0, nil, false
	}
	return pid, q, true
}

// withItem looks up the object a path parameter names, under the lock,
// and hands it to f, or answers 404 in the service's words.
func withItem[T any](in *Instance, w http.ResponseWriter, r *http.Request, param, kind string, find func(*store, int64) *T, f func(*T)) {
	id, ok := pathID(w, r, param)
	if !ok {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	it := find(in.db, id)
	if it == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s with id %d not found", kind, id))
		return
	}
	f(it)
}

func tagNames(tags []tag) []string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return names
}
