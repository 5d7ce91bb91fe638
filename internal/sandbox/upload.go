package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The upload endpoints follow the flow of the vendor's own uploader (start
// a job run, open a session, post results, stop). The vendor forbids
// home-made clients on them; they exist here so the toolkit's refusal to
// replay them can be tested against endpoints that really answer.

type externalRunResponse struct {
	JobID     int64 `json:"jobId"`
	JobRunID  int64 `json:"jobRunId"`
	LaunchID  int64 `json:"launchId"`
	ProjectID int64 `json:"projectId"`
}

func (in *Instance) handleUploadStart(w http.ResponseWriter, r *http.Request, u *user) {
	var body struct {
		ProjectID int64 `json:"projectId"`
		Job       struct {
			UID  string `json:"uid"`
			Name string `json:"name"`
		} `json:"job"`
		JobRun *struct {
			UID  string `json:"uid"`
			Name string `json:"name"`
		} `json:"jobRun"`
		Launch struct {
			Name      string   `json:"name"`
			Tags      []string `json:"tags"`
			Autoclose bool     `json:"autoclose"`
		} `json:"launch"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.JobRun == nil {
		writeError(w, http.StatusBadRequest, "Validation failed: jobRun must not be null")
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.noProject(w, body.ProjectID) {
		return
	}
	name := body.Launch.Name
	if name == "" {
		name = "Launch of " + body.Job.Name
	}
	var tags []tag
	for i, t := range body.Launch.Tags {
		tags = append(tags, tag{ID: int64(100 + i), Name: t})
	}
	l := in.db.addLaunch(&launch{ProjectID: body.ProjectID, Name: name, Tags: tags, Autoclose: body.Launch.Autoclose,
		External: true, CreatedBy: u.Username}, nowMS())
	jr := &jobRun{ID: in.db.nextJobRun, JobID: in.db.nextJob, LaunchID: l.ID, ProjectID: body.ProjectID, JobUID: body.Job.UID, RunUID: body.JobRun.UID}
	in.db.nextJobRun++
	in.db.nextJob++
	in.db.jobRuns = append(in.db.jobRuns, jr)
	writeJSON(w, http.StatusOK, externalRunResponse{JobID: jr.JobID, JobRunID: jr.ID, LaunchID: l.ID, ProjectID: jr.ProjectID})
}

func (in *Instance) findJobRun(id int64, jobUID, runUID string) *jobRun {
	for _, jr := range in.db.jobRuns {
		if jr.ID == id || (runUID != "" && jr.RunUID == runUID && jr.JobUID == jobUID) {
			return jr
		}
	}
	return nil
}

func (in *Instance) handleUploadSession(w http.ResponseWriter, r *http.Request, u *user) {
	var body struct {
		JobRunID  int64  `json:"jobRunId"`
		JobUID    string `json:"jobUid"`
		JobRunUID string `json:"jobRunUid"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	jr := in.findJobRun(body.JobRunID, body.JobUID, body.JobRunUID)
	if jr == nil {
		writeError(w, http.StatusNotFound, "Job run not found")
		return
	}
	s := in.db.newSession(jr.JobID, jr.ID, jr.LaunchID, jr.ProjectID)
	writeJSON(w, http.StatusOK, map[string]int64{"id": s.ID, "jobId": s.JobID, "jobRunId": s.JobRunID, "launchId": s.LaunchID, "projectId": s.ProjectID})
}

func (s *store) newSession(jobID, jobRunID, launchID, projectID int64) *uploadSession {
	us := &uploadSession{ID: s.nextSession, JobID: jobID, JobRunID: jobRunID, LaunchID: launchID, ProjectID: projectID}
	s.nextSession++
	s.sessions = append(s.sessions, us)
	return us
}

func (in *Instance) handleUploadTestResults(w http.ResponseWriter, r *http.Request, u *user) {
	var body struct {
		TestSessionID int64 `json:"testSessionId"`
		Results       []struct {
			UUID     string `json:"uuid"`
			Name     string `json:"name"`
			FullName string `json:"fullName"`
			Status   string `json:"status"`
			Start    int64  `json:"start"`
			Stop     int64  `json:"stop"`
		} `json:"results"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	var sess *uploadSession
	for _, s := range in.db.sessions {
		if s.ID == body.TestSessionID {
			sess = s
		}
	}
	if sess == nil {
		writeError(w, http.StatusNotFound, "Test session not found")
		return
	}
	type created struct {
		ID   int64  `json:"id"`
		UUID string `json:"uuid"`
	}
	out := []created{}
	now := nowMS()
	for _, res := range body.Results {
		st := strings.ToLower(res.Status)
		if st == "" {
			st = "unknown"
		}
		t := &testResult{ID: in.db.nextResult, LaunchID: sess.LaunchID, ProjectID: sess.ProjectID, Name: res.Name, FullName: res.FullName,
			Status: st, UUID: res.UUID, Start: res.Start, Stop: res.Stop, CreatedBy: u.Username, Created: now, Modified: now}
		in.db.nextResult++
		in.db.results = append(in.db.results, t)
		out = append(out, created{ID: t.ID, UUID: t.UUID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (in *Instance) handleUploadStop(w http.ResponseWriter, r *http.Request, u *user) {
	var body struct {
		JobUID    string `json:"jobUid"`
		JobRunUID string `json:"jobRunUid"`
		ProjectID int64  `json:"projectId"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	jr := in.findJobRun(-1, body.JobUID, body.JobRunUID)
	if jr == nil {
		writeError(w, http.StatusNotFound, "Job run not found")
		return
	}
	writeJSON(w, http.StatusOK, externalRunResponse{JobID: jr.JobID, JobRunID: jr.ID, LaunchID: jr.LaunchID, ProjectID: jr.ProjectID})
}

// countFiles reads a multipart upload into r.MultipartForm and counts its
// file and archive parts.
func countFiles(w http.ResponseWriter, r *http.Request) (int, bool) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, http.StatusBadRequest, "Current request is not a multipart request")
		return 0, false
	}
	return len(r.MultipartForm.File["file"]) + len(r.MultipartForm.File["archive"]), true
}

func (in *Instance) handleAttachmentUpload(w http.ResponseWriter, r *http.Request, u *user) {
	if _, ok := pathID(w, r, "id"); !ok {
		return
	}
	if _, ok := countFiles(w, r); !ok {
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleLaunchUpload is POST /api/launch/upload: a multipart "info" part
// describing a new launch, plus result files.
func (in *Instance) handleLaunchUpload(w http.ResponseWriter, r *http.Request, u *user) {
	n, ok := countFiles(w, r)
	if !ok {
		return
	}
	var info launchCreate
	raw := r.MultipartForm.Value["info"]
	if fh := r.MultipartForm.File["info"]; len(raw) == 0 && len(fh) > 0 {
		if f, err := fh[0].Open(); err == nil {
			json.NewDecoder(f).Decode(&info)
			f.Close()
		}
	} else if len(raw) > 0 {
		json.Unmarshal([]byte(raw[0]), &info)
	}
	if info.Name == "" || info.ProjectID == 0 {
		writeError(w, http.StatusBadRequest, "Validation failed: info.name and info.projectId are required")
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.noProject(w, info.ProjectID) {
		return
	}
	l := in.db.addLaunch(&launch{ProjectID: info.ProjectID, Name: info.Name, Tags: info.Tags, Links: info.Links, CreatedBy: u.Username}, nowMS())
	s := in.db.newSession(0, 0, l.ID, l.ProjectID)
	writeJSON(w, http.StatusOK, map[string]int64{"launchId": l.ID, "testSessionId": s.ID, "filesCount": int64(n)})
}

func (in *Instance) handleLaunchUploadExisting(w http.ResponseWriter, r *http.Request, u *user) {
	n, ok := countFiles(w, r)
	if !ok {
		return
	}
	withItem(in, w, r, "launchId", "Launch", (*store).launch, func(l *launch) {
		s := in.db.newSession(0, 0, l.ID, l.ProjectID)
		writeJSON(w, http.StatusAccepted, map[string]int64{"launchId": l.ID, "testSessionId": s.ID, "filesCount": int64(n)})
	})
}
