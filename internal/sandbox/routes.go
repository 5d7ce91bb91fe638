package sandbox

import (
	"net/http"
	"strings"
)

// Documents an instance serves, by the group name in their URL.
const (
	ReportService = "report-service"
	UAAService    = "uaa-service"
)

// Route is one method and path template the instance answers.
type Route struct {
	Method string
	// Path is the template with {name} parameters, as in the documents.
	Path string
	// Spec names the document that describes the route (ReportService or
	// UAAService); empty for routes no document lists, as on a real
	// instance: the token exchange, /api/uaa/me, the login form, the
	// health probe, the UI and the documents themselves.
	Spec        string
	OperationID string
	Tag         string
	// Upload marks the vendor's internal upload endpoints.
	Upload bool
	// RemovedInV2 marks the operation that version 2 mode takes away.
	RemovedInV2 bool
	// RSAlias reports that the route also answers under the legacy
	// /api/rs/ prefix (/api/rs/launch for /api/launch).
	RSAlias bool
}

type authedFunc func(*Instance, http.ResponseWriter, *http.Request, *user)
type publicFunc func(*Instance, http.ResponseWriter, *http.Request)

type route struct {
	Route
	authed authedFunc
	public publicFunc
}

func rs(m, p, op, tag string, h authedFunc) route {
	return route{Route: Route{Method: m, Path: p, Spec: ReportService, OperationID: op, Tag: tag, RSAlias: true}, authed: h}
}

func upload(m, p, op, tag string, h authedFunc) route {
	r := rs(m, p, op, tag, h)
	r.Upload = true
	return r
}

func uaa(m, p, op, tag string, h authedFunc) route {
	return route{Route: Route{Method: m, Path: p, Spec: UAAService, OperationID: op, Tag: tag}, authed: h}
}

func undocumented(m, p string, h publicFunc) route {
	return route{Route: Route{Method: m, Path: p}, public: h}
}

// table is the single list the mux and Routes are built from, so the
// routes a test is told about are the routes that answer.
var table = []route{
	rs("GET", "/api/project", "findAll_22", "project-controller", (*Instance).handleProjectList),
	rs("POST", "/api/project", "create_26", "project-controller", (*Instance).handleProjectCreate),
	rs("GET", "/api/project/{id}", "findOne_19", "project-controller", (*Instance).handleProjectGet),
	rs("GET", "/api/launch", "findAll_30", "launch-controller", (*Instance).handleLaunchList),
	rs("POST", "/api/launch", "create_32", "launch-controller", (*Instance).handleLaunchCreate),
	rs("GET", "/api/launch/__search", "search_2", "launch-search-controller", (*Instance).handleLaunchSearch),
	rs("GET", "/api/launch/{id}", "findOne_23", "launch-controller", (*Instance).handleLaunchGet),
	rs("PATCH", "/api/launch/{id}", "patch_31", "launch-controller", (*Instance).handleLaunchPatch),
	rs("DELETE", "/api/launch/{id}", "delete_30", "launch-controller", (*Instance).handleLaunchDelete),
	rs("POST", "/api/launch/{id}/close", "close", "launch-controller", closeLaunch(true)),
	rs("POST", "/api/launch/{id}/reopen", "reopen", "launch-controller", closeLaunch(false)),
	func() route {
		r := rs("GET", "/api/launch/{id}/statistic", "getStatistic", "launch-controller", (*Instance).handleLaunchStatistic)
		r.RemovedInV2 = true
		return r
	}(),
	rs("GET", "/api/testcase", "findAll_12", "test-case-controller", (*Instance).handleTestCaseList),
	rs("POST", "/api/testcase", "create_14", "test-case-controller", (*Instance).handleTestCaseCreate),
	rs("GET", "/api/testcase/__search", "search_1", "test-case-search-controller", (*Instance).handleTestCaseSearch),
	rs("GET", "/api/testcase/{id}", "findOne_11", "test-case-controller", (*Instance).handleTestCaseGet),
	rs("PATCH", "/api/testcase/{id}", "patch_13", "test-case-controller", (*Instance).handleTestCasePatch),
	rs("GET", "/api/testcase/{id}/scenario", "getScenario", "test-case-scenario-controller", (*Instance).handleScenarioGet),
	rs("POST", "/api/testcase/{id}/scenario", "setTestCaseScenario", "test-case-scenario-controller", (*Instance).handleScenarioSet),
	rs("GET", "/api/testresult", "findAll_5", "test-result-controller", (*Instance).handleTestResultList),

	upload("POST", "/api/upload/start", "start_1", "upload-controller", (*Instance).handleUploadStart),
	upload("POST", "/api/upload/session", "sessionJobRun", "upload-controller", (*Instance).handleUploadSession),
	upload("POST", "/api/upload/stop", "stop", "upload-controller", (*Instance).handleUploadStop),
	upload("POST", "/api/upload/test-result", "uploadTestResults", "upload-test-result-controller", (*Instance).handleUploadTestResults),
	upload("POST", "/api/upload/test-result/{id}/attachment", "addContent", "upload-test-result-controller", (*Instance).handleAttachmentUpload),
	upload("POST", "/api/launch/upload", "upload_1", "launch-upload-controller", (*Instance).handleLaunchUpload),
	upload("POST", "/api/launch/{launchId}/upload", "upload", "launch-upload-controller", (*Instance).handleLaunchUploadExisting),

	uaa("GET", "/api/account/me", "whoAmI", "account-user-controller", (*Instance).handleMe),
	uaa("GET", "/api/token", "findAll_4", "api-token-controller", (*Instance).handleTokenList),
	uaa("POST", "/api/token", "create_5", "api-token-controller", (*Instance).handleTokenCreate),
	uaa("DELETE", "/api/token/{id}", "delete_47", "api-token-controller", (*Instance).handleTokenDelete),

	undocumented("POST", "/api/uaa/oauth/token", (*Instance).handleToken),
	{Route: Route{Method: "GET", Path: "/api/uaa/me"}, authed: (*Instance).handleMe},
	undocumented("POST", "/api/login/system", (*Instance).handleLogin),
	{Route: Route{Method: "POST", Path: "/api/logout"}, authed: (*Instance).handleLogout},
	undocumented("GET", "/api/management/health/readiness", (*Instance).handleReadiness),
	undocumented("GET", "/", (*Instance).handleUI),
	undocumented("GET", "/swagger-ui.html", (*Instance).handleSwaggerRedirect),
	undocumented("GET", "/swagger-ui/index.html", (*Instance).handleSwaggerUI),
	undocumented("GET", "/swagger-ui/swagger-initializer.js", (*Instance).handleSwaggerInitializer),
	undocumented("GET", "/v3/api-docs", (*Instance).handleDoc),
	undocumented("GET", "/v3/api-docs/swagger-config", (*Instance).handleSwaggerConfig),
	undocumented("GET", "/v3/api-docs/{group}", (*Instance).handleDoc),
}

// Routes lists every route the instance serves, version 1 layout; a route
// with RemovedInV2 answers 404 in version 2 mode.
func Routes() []Route {
	out := make([]Route, len(table))
	for i, r := range table {
		out[i] = r.Route
	}
	return out
}

func (in *Instance) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range table {
		var h http.Handler
		if r.authed != nil {
			f := r.authed
			h = in.authed(func(w http.ResponseWriter, req *http.Request, u *user) { f(in, w, req, u) })
		} else {
			f := r.public
			h = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { f(in, w, req) })
		}
		path := r.Path
		if path == "/" {
			path = "/{$}" // the page itself, not a catch-all
		}
		mux.Handle(r.Method+" "+path, h)
		if r.RSAlias {
			mux.Handle(r.Method+" /api/rs/"+strings.TrimPrefix(path, "/api/"), h)
		}
	}
	return mux
}

func (in *Instance) handleReadiness(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
}
