package sandbox

import (
	"time"
)

// store is the Report Service's in-memory state. Ids come from per-kind
// counters that start in distinct ranges (launches 1xx, test cases 1xxx,
// results 5xxx), so a test that mixes up which id goes where fails loudly.
type store struct {
	projects []*project
	launches []*launch
	cases    []*testCase
	results  []*testResult
	jobRuns  []*jobRun
	sessions []*uploadSession

	nextProject, nextLaunch, nextCase, nextResult, nextStep, nextJob, nextJobRun, nextSession int64
}

type project struct {
	ID                 int64
	Name, Abbr, Desc   string
	IsPublic, Favorite bool
	CreatedBy          string
	Created, Modified  int64
}

type tag struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type link struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	Type string `json:"type,omitempty"`
}

type issue struct {
	ID            int64  `json:"id,omitempty"`
	Name          string `json:"name,omitempty"`
	URL           string `json:"url,omitempty"`
	IntegrationID int64  `json:"integrationId,omitempty"`
}

type launch struct {
	ID, ProjectID               int64
	Name                        string
	Tags                        []tag
	Links                       []link
	Issues                      []issue
	Autoclose, Closed, External bool
	CreatedBy                   string
	Created, Modified           int64
}

type step struct {
	Body, ExpectedResult string
}

type testCase struct {
	ID, ProjectID                                   int64
	Name, Description, Precondition, ExpectedResult string
	Automated, External, Deleted                    bool
	StatusID                                        int64
	Tags                                            []tag
	Links                                           []link
	Steps                                           []step
	CreatedBy, ModifiedBy                           string
	Created, Modified                               int64
}

type testResult struct {
	ID, LaunchID, ProjectID, TestCaseID int64
	Name, FullName, Status, UUID        string
	Start, Stop                         int64
	CreatedBy                           string
	Created, Modified                   int64
}

type jobRun struct {
	ID, JobID, LaunchID, ProjectID int64
	JobUID, RunUID                 string
}

type uploadSession struct {
	ID, JobID, JobRunID, LaunchID, ProjectID int64
}

type status struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

var statuses = []status{{1, "Draft", "#abb8c3"}, {2, "Active", "#00d084"}, {3, "Outdated", "#eb144c"}}

func statusByID(id int64) *status {
	for i := range statuses {
		if statuses[i].ID == id {
			return &statuses[i]
		}
	}
	return nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// newStore lays out the seed data relative to now, so its timestamps look
// like a project that has been in use for a few days.
func newStore(now time.Time) *store {
	day := 24 * time.Hour
	at := func(d time.Duration) int64 { return ms(now.Add(-d)) }
	s := &store{nextProject: 3, nextLaunch: 104, nextCase: 1004, nextResult: 5007, nextStep: 2001, nextJob: 1, nextJobRun: 1, nextSession: 1}
	s.projects = []*project{
		{ID: 1, Name: "Demo Project", Abbr: "DEMO", Desc: "Seed project of the apitrail sandbox", IsPublic: true, CreatedBy: SeedUsername, Created: at(30 * day), Modified: at(30 * day)},
		{ID: 2, Name: "Mobile App", Abbr: "MOB", Desc: "A second project, so lists have more than one row", CreatedBy: SeedUsername, Created: at(20 * day), Modified: at(2 * day)},
	}
	s.cases = []*testCase{
		{ID: 1001, ProjectID: 1, Name: "Log in with valid credentials", Automated: true, StatusID: 2, Tags: []tag{{1, "smoke"}},
			Steps: []step{{"Open the login page", ""}, {"Enter admin/admin and submit", "The dashboard opens"}}, CreatedBy: SeedUsername, ModifiedBy: SeedUsername, Created: at(29 * day), Modified: at(29 * day)},
		{ID: 1002, ProjectID: 1, Name: "Create a launch from the UI", StatusID: 2, CreatedBy: SeedUsername, ModifiedBy: SeedUsername, Created: at(28 * day), Modified: at(10 * day)},
		{ID: 1003, ProjectID: 1, Name: "Search launches by name", StatusID: 1, Tags: []tag{{2, "search"}}, CreatedBy: SeedUsername, ModifiedBy: SeedUsername, Created: at(27 * day), Modified: at(27 * day)},
	}
	s.launches = []*launch{
		{ID: 101, ProjectID: 1, Name: "Nightly regression #41", Tags: []tag{{1, "nightly"}}, Closed: true, CreatedBy: SeedUsername, Created: at(2 * day), Modified: at(2*day - time.Hour)},
		{ID: 102, ProjectID: 1, Name: "Nightly regression #42", Tags: []tag{{1, "nightly"}}, CreatedBy: SeedUsername, Created: at(day), Modified: at(day)},
		{ID: 103, ProjectID: 2, Name: "Smoke on Android", Tags: []tag{{3, "smoke"}}, CreatedBy: SeedUsername, Created: at(3 * time.Hour), Modified: at(3 * time.Hour)},
	}
	res := func(id, launchID, caseID int64, name, st string, ago time.Duration) *testResult {
		start := at(ago)
		return &testResult{ID: id, LaunchID: launchID, ProjectID: 1, TestCaseID: caseID, Name: name, FullName: "demo." + name,
			Status: st, UUID: randomHex(16), Start: start, Stop: start + 1500 + id%7*100, CreatedBy: SeedUsername, Created: start, Modified: start}
	}
	s.results = []*testResult{
		res(5001, 101, 1001, "Log in with valid credentials", "passed", 2*day),
		res(5002, 101, 1002, "Create a launch from the UI", "failed", 2*day-time.Minute),
		res(5003, 101, 1003, "Search launches by name", "passed", 2*day-2*time.Minute),
		res(5004, 101, 0, "Export launch report", "broken", 2*day-3*time.Minute),
		res(5005, 102, 1001, "Log in with valid credentials", "passed", day),
		res(5006, 102, 1003, "Search launches by name", "skipped", day-time.Minute),
	}
	return s
}

func (s *store) project(id int64) *project {
	for _, p := range s.projects {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (s *store) launch(id int64) *launch {
	for _, l := range s.launches {
		if l.ID == id {
			return l
		}
	}
	return nil
}

func (s *store) testCase(id int64) *testCase {
	for _, c := range s.cases {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (s *store) addLaunch(l *launch, now int64) *launch {
	l.ID = s.nextLaunch
	s.nextLaunch++
	l.Created, l.Modified = now, now
	s.launches = append(s.launches, l)
	return l
}
