package main

const usage = `Usage: match [options] RECORDING...

Resolve every call in a recording to its operation in the instance's
OpenAPI (or Swagger) documents: operationId, tag, path template, typed path
parameters, query parameters, and what does not fit the spec. Each call
gets one verdict: matched, drift, undocumented, upload, auth, websocket or
not-api. An undocumented call names the closest operations it almost fits.

A RECORDING is a HAR file (from capture, or exported by a browser or a
proxy), - for standard input, or a recording folder, which carries the spec
snapshot it was recorded against and needs neither --spec nor --endpoint.
The report prints no secret: URLs lose their user info and the values of
secret query parameters, as in a recording capture writes.

Recordings are streamed, in bounded memory whatever their size. With the
hosts known (--host, a folder's flow.json) and --json or -q, one pass;
otherwise a first pass learns the hosts and secrets, and standard input is
copied to a temporary file for the second.

Options:
  -s, --spec FILE|URL|DIR  an OpenAPI 3.x or Swagger 2.0 document, JSON or YAML,
                           or a folder --save-spec wrote; repeat for several
                           ("Report Service", "UAA Service")
  -e, --endpoint URL       the instance, or its documentation page: find its
                           documents the way Swagger UI, Redoc and RapiDoc do
                           (swagger-config, /docs, /v3/api-docs, /openapi.json,
                           ...), and say where they were
      --save-spec DIR      save the documents used, with their URLs and SHA-256,
                           so that later runs work offline with --spec DIR (a
                           recording folder's spec/ is such a folder)
      --host HOST          a host of the instance (repeatable); by default the
                           hosts are learnt from the calls that fit the spec
      --alias FROM=TO      a path prefix the traffic uses for one the spec uses
                           (repeatable), e.g. --alias /api/rs=/api
      --no-testops-aliases do not apply the built-in TestOps aliases
                           (/api/rs=/api and /api/uaa=/api)
      --against FILE|URL   also check each call against a newer (or older) spec
                           (repeatable): does it still resolve, and did its
                           operation lose a parameter it sends, gain a required
                           one, or change its schemas under it? A renumbered
                           operationId is reported but breaks nothing
      --against-instance   check against the documents --endpoint serves now
      --no-checks          resolve operations only; do not check parameters
                           and bodies against their schemas
      --no-cache-busters   hold cache-busters (an undocumented _=1796511609272,
                           t=, cb=, or any value that is the call's own time)
                           to the spec like other query parameters; by default
                           they are noted, not drift, and scripts send a fresh
                           value
      --emit FORMAT        write the recording as a runnable script: bash (curl
                           and jq), http (JetBrains/VS Code .http file), go (a
                           standard-library program) or postman (a collection
                           newman runs); values one call creates and a later
                           one uses become variables, inside strings too (a
                           search filter), a value the flow chose with the
                           time in it is made anew with the time of each run,
                           secrets become parameters
      --infer FILE         write an OpenAPI 3.1 document (YAML for .yaml/.yml,
                           JSON otherwise, - for standard output) of the calls
                           the spec does not document, or of every API call
                           when no spec is given: path templates, parameters,
                           body and answer schemas, the spec's names and tags
  -o, --output FILE        write the script to FILE; - or no -o writes it to
                           standard output, with the report on standard error,
                           so that match --emit bash -o - REC | bash runs it
  -f, --force              replace an existing -o or --infer file, or the
                           recording folder --save-flow names
      --save-flow DIR      make a recording folder of one HAR: the HAR
                           (redacted), the spec snapshot (spec/), flow.json
                           with the instance's host, and a starter noise file
                           (recording.noise) for the members whose answers
                           hold timestamps; replay and match then need no
                           --spec
      --json               one JSON object per line: each call ("kind":"entry"),
                           each inferred operation ("kind":"inferred"), then
                           the totals ("kind":"summary")
      --strict             exit 1 when a call drifted from the spec or is
                           undocumented
      --coverage           list, per tag, the operations no recording calls
      --html FILE          also write the report as one self-contained HTML page
                           (no network, opens from file://): verdict counts,
                           coverage bars per tag with the operations not
                           called, drift by operation, undocumented calls,
                           with --against the breaking changes first
      --color WHEN         colour the verdicts: auto (on a terminal, unless
                           NO_COLOR is set), always or never
  -q, --quiet              print only the totals (and the coverage); with
                           --no-checks, calls are only counted, the quickest run
  -h, --help               show this help
      --version            print the version and the VCS revision it was built from
      --completion SHELL   print a completion script for bash, zsh or fish

Signing in (for --endpoint, --spec URL and --emit; documents are often public):
      --token-file FILE    read the token from FILE (- for standard input)
      --token TOKEN        the token itself (it shows in the process list and
                           shell history; used last, after the environment)
      --auth SCHEME        how the token signs requests: testops (default:
                           exchanged at /api/uaa/oauth/token for a Bearer token),
                           bearer, basic (the token is user:password), oauth2
                           or none
      --auth-header 'NAME: VALUE'
                           send this header instead, {token} standing for the
                           token, e.g. 'Authorization: token {token}' (repeatable)
      --token-url URL      --auth oauth2: the token endpoint of the client-
                           credentials grant
      --client-id ID       --auth oauth2: the client id
      --scope SCOPE        --auth oauth2: a scope to ask for (repeatable)
      --client-secret-file FILE
                           --auth oauth2: read the client secret from FILE
      --ca-cert FILE       trust this CA certificate (PEM) for the instance
      --timeout DURATION   time limit of each spec download, each place
                           discovery tries and each answer (default 30s)
      --whoami             print who the API token belongs to (TestOps), and exit

Environment:
  APITRAIL_TOKEN           the token (read before TESTOPS_TOKEN)
  TESTOPS_TOKEN            your personal TestOps API token (ALLURE_TOKEN is read too)
  APITRAIL_CLIENT_SECRET   the OAuth 2.0 client secret (--auth oauth2)

Exit status:
  0  every call was resolved (and, with --strict, none drifted)
  1  with --strict: a call drifted from the spec or is undocumented (a
     cache-buster, a WebSocket or a 304 answer alone never counts);
     with --against: a change breaks a recorded call
  2  usage error, unreadable recording or unusable spec, or nothing for
     --infer to learn from (no API call in the recordings)
  130 interrupted (Ctrl-C)

Examples:
  match --endpoint https://testops.example.com --save-flow flows/login export.har
  match --spec testops-openapi.json ui-session.har
  match --endpoint https://testops.example.com --save-spec flows/login/spec flows/login/recording.har
  match --json recordings/ui-flow | jq 'select(.verdict=="drift")'
  match --emit bash -o create-launch.sh recordings/ui-flow
  match --against-instance --endpoint https://testops.example.com recordings/
  match --coverage -q recordings/
  match --spec testops-openapi.json --infer inferred.yaml recordings/
  match --coverage --html coverage.html recordings/
  APITRAIL_TOKEN=... match -e http://127.0.0.1:8888 \
        --auth-header 'Authorization: token {token}' --emit bash session.har
`
