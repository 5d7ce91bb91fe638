// Package sandbox runs a small local stand-in for an Allure TestOps
// instance, the target of the toolkit's end-to-end tests and of its
// first-run demo. It listens on loopback only.
//
// It answers what the toolkit and its tests use, shaped like the real
// service's documents:
//
//   - UAA: POST /api/uaa/oauth/token (grant_type apitoken or password)
//     issuing HS256 JWTs of configurable validity, GET /api/uaa/me and
//     GET /api/account/me, API tokens at /api/token. Bad, expired and
//     malformed tokens get 401 and {"status":401,"message":"..."}.
//   - The browser session: POST /api/login/system (form username and
//     password) sets the ALLURE_TESTOPS_SESSION and XSRF-TOKEN cookies;
//     a session request that changes state must repeat the XSRF cookie in
//     X-XSRF-TOKEN or gets 403, as Spring's cookie CSRF check answers.
//     Bearer requests are exempt, as API clients never hold the cookie.
//   - A Report Service slice with in-memory state: projects, launches
//     (list, create, get, close, reopen, statistic, __search with rql),
//     test cases (list, create, get, patch, scenario, __search) and the
//     test results of a launch, with Spring page responses. New objects
//     get new ids and createdDate/lastModifiedDate in epoch milliseconds.
//     Every Report Service route also answers under the legacy /api/rs/
//     prefix.
//   - The vendor's internal upload endpoints (/api/upload/start, session,
//     test-result, stop, /api/launch/upload ...), so a refusal to replay
//     them can be tested against endpoints that really exist.
//   - Its own OpenAPI 3.1 documents, found as Swagger UI finds them:
//     /swagger-ui.html redirects to /swagger-ui/index.html, which reads
//     /v3/api-docs/swagger-config; that lists "Report Service"
//     (/v3/api-docs/report-service), "UAA Service"
//     (/v3/api-docs/uaa-service) and "All Services" (/v3/api-docs).
//   - A page at / whose buttons log in, list projects, create a launch,
//     open it and search, with fetch. /?auto=1 runs that flow on load and
//     ends with the document title "done" and body[data-state="done"].
//
// Seed data: user "admin" (password "admin", id 1) with the API token
// SeedAPIToken; projects 1 "Demo Project" (DEMO) and 2 "Mobile App" (MOB);
// launches 101 (closed) and 102 in project 1 and 103 in project 2; test
// cases 1001-1003 and test results 5001-5006 in project 1. New ids
// continue from project 3, launch 104, test case 1004 and result 5007.
//
// # Knobs
//
// Knobs, set in Options or at any time with SetKnobs, change token
// validity, the form of expires_in, added latency, a share of 503
// answers and a share of dropped connections (closed without an answer);
// the faults apply to /api/ paths only. Every request is logged (method,
// path, query, credential kind, user, status, fault) for tests to read
// with Requests; no credential is ever logged.
//
// # A long-lived, shared instance
//
// Options.DataFile keeps the Report Service data across restarts, saved
// after every successful write. Knobs.OtherUsers makes the users in
// OtherUsernames create, rename (PATCH /api/launch/{id}) and delete
// (DELETE /api/launch/{id}) launches of their own in one project, through
// the HTTP API, so their writes are logged under their names; they never
// touch a launch they did not create.
//
// # Version 2 mode
//
// Knobs.V2 turns the instance into "version 2", for drift checks. Exactly
// these change, in the answers and in the served documents alike:
//
//  1. Renamed field: every LaunchDto (GET /api/launch/{id}, POST
//     /api/launch, the content of GET /api/launch and
//     GET /api/launch/__search) carries "isClosed" instead of "closed",
//     with the same value.
//  2. New field: every ProjectDto (GET /api/project, GET
//     /api/project/{id}, POST /api/project) gains "archived": false.
//  3. Removed operation: GET /api/launch/{id}/statistic (getStatistic)
//     answers 404 {"status":404,"message":"Not Found"} and is gone from
//     the documents.
//
// The documents' info.version also reads "2.0.0" instead of "1.0.0".
// Nothing else differs.
package sandbox
