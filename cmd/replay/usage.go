package main

const usage = `Usage: replay --endpoint URL [options] RECORDING...
       replay --demo

Send the API calls of a recording to an instance again, signed in with your
token (by default TestOps' way: a Bearer token exchanged for your API token;
--auth and --auth-header choose another) instead of the browser's cookies, and
compare each answer with the recorded one. The report tells three things
apart: a regression (the answer changed), drift (the answer does not fit
the spec) and an infrastructure error (no answer, 5xx, timeout).

A RECORDING is a HAR file (- for standard input), a recording folder (recording.har with its spec
snapshot, noise rules and baseline), or a folder of recording folders, which
replay as a suite. Values the flow creates and then uses (a new launch's id)
are carried from the new answers into the later calls, also inside longer
strings such as a search filter (rql=... and id = 104), and each
substitution is reported. A value the flow chose with the time in it (a
launch named "UI launch 2026-11-28T10:33:37.997Z") is sent with the time of
the run in the same form, and carried likewise, so a second run finds what
it created, not the first run's launch. Values that differ on every answer
are hidden as hints and counted in the report like noise rules: two
timestamps (ISO 8601, HTTP dates, Unix times within 5 years of the
recording), two UUIDs or entity tags, whatever the member is called, and
members the spec gives a date-time or uuid format. The noise rule 'compare
body PATH' keeps a member strict.

Safe by default:
  - only GET, HEAD and OPTIONS calls are sent unless --unsafe is given; a
    method-override header (X-HTTP-Method-Override, X-HTTP-Method,
    X-Method-Override) or a _method form field counts as the method it names
  - logins and upload endpoints are never sent, judged on the path as the
    server resolves it (/api/./upload, /api/upload;x=1, /api/uaa/upload ...)
  - the API's docs and WebSockets are never sent; a cache-buster (jQuery's
    _=1796511609272) goes out with a fresh value
  - only calls to the instance's hosts are sent, to the endpoint; the others
    are skipped. The instance's hosts are --host, else flow.json's, else
    those of calls that fit the spec, else the one host the recording's API
    calls go to; a recording whose API calls go to several is refused
  - a redirect is followed only by a safe call within the endpoint's origin;
    otherwise the 3xx is the answer
  - plain http:// to a host that is not this machine gets a warning
  - a call sent when Ctrl-C comes is reported "interrupted after sending"
    (the instance may have applied it); calls not yet sent are not-run

Nothing replay writes holds a secret: URLs lose their user info and secret
query values, and the API token, every Bearer token and every secret the
recording holds are replaced by placeholders wherever an answer echoes them.

Options:
  -e, --endpoint URL        the instance to replay against (its base URL)
      --unsafe              also send POST, PUT, PATCH and DELETE calls: they
                            change the instance, so use a test instance
      --dry-run             print what would be sent, in order, and send nothing
  -c, --concurrency N       calls in flight at once (default 4); calls that
                            depend on each other still go one after the other
      --rate N              start at most N calls a second
      --timeout DURATION    time limit, more than 0, of one attempt of a call, of
                            each spec download and of each place discovery
                            tries (default 30s)
      --retries N           send idempotent calls again after connection errors
                            and 502/503/504 answers, up to N times (default 3);
                            POST and PATCH are never sent twice
      --max-body SIZE       keep at most SIZE of each answer (default 4MiB, as
                            capture); a longer one is read to its end and
                            compared by its length and SHA-256, and a cut
                            recorded body by the start both kept; a gzip
                            answer counts by its decoded size
      --noise FILE          noise rules (default: the recording's .noise file)
      --learn-noise         send each safe call twice; what differs between the
                            two answers is noise, and so is what a hint hid
                            between the recorded answer and this one; member
                            names that usually hold timestamps (createdDate,
                            *At) hide values that differ. The brake: rules
                            that would hide more than half of an answer are
                            held back (not applied, not saved), and more than
                            50 rules in one recording are not saved, each with
                            a warning saying why
      --save-noise          add the rules --learn-noise found to the noise file
      --allow-broad-noise   apply and save what the brake of --learn-noise
                            holds back, for an instance that really answers so
      --update              write the answers received now as the recording
                            folder's baseline (baseline.har), and say what changed;
                            baseline.values.json keeps the ids that run created, so
                            later runs carry their own ids in place of those
      --json                one JSON object per line: each call ("kind":"entry"),
                            each recording ("kind":"flow"), the totals ("kind":"summary")
  -q, --quiet               print only the summary line of each recording
      --junit FILE          also write a JUnit XML report for CI: a test suite
                            per recording, a test case per call; regressions
                            and drift fail, infrastructure errors are errors
      --allure-results DIR  also write Allure results into DIR: a result per
                            call with the diff, the request and both answers
                            attached; allurectl uploads them to Allure TestOps
      --html FILE           also write the report as one self-contained HTML
                            page (no network, opens from file:// or as a CI
                            artifact): totals, each call, each failure with
                            its coloured diff; filters by outcome, flow,
                            operation and tag, kept in the URL's #fragment
      --color WHEN          colour outcomes and diffs: auto (on a terminal,
                            unless NO_COLOR is set), always or never
      --clean               remove earlier results from the --allure-results
                            folder first (other files there stay)
  -f, --force               replace an existing --junit or --html file
      --demo                the whole loop on bundled data: start a local
                            TestOps-like instance, match the bundled recording
                            and replay it there; no network needed
  -h, --help                show this help
      --version             print the version and the VCS revision it was built from
      --completion SHELL    print a completion script for bash, zsh or fish

Choosing part of a suite:
      --flow NAME           replay only this recording folder (repeatable)
      --operation ID        replay only recordings with a call of this
                            operation: an operationId or 'METHOD /path/{x}'
                            as the spec writes it (repeatable); a recording
                            is replayed whole, as its calls depend on each other
      --tag TAG             replay only recordings with a call of this tag
                            (repeatable)
      --shard K/N           replay the K-th of N shards (K from 1), for a CI
                            matrix: recordings sorted by name are packed by
                            call count, so a suite always splits the same way
                            into balanced shards; an empty shard exits 0.
                            A choice of no recording is a usage error
  Outside a terminal, a suite prints one plain line per recording on
  standard error as it goes.

Spec (for verdicts and drift checks; optional):
  -s, --spec FILE|URL|DIR   an OpenAPI or Swagger document, or a folder
                            --save-spec wrote (repeatable); by default the
                            recording folder's snapshot, else the documents
                            discovery finds on the endpoint (its Swagger UI,
                            Redoc or RapiDoc page, swagger-config, /openapi.json, ...)
      --save-spec DIR       save the documents used, with their URLs and
                            SHA-256, so that later runs work offline
      --host HOST           a host of the instance in the recording (repeatable);
                            calls to other hosts are skipped
      --alias FROM=TO       a path prefix alias (repeatable); /api/rs=/api and
                            /api/uaa=/api are built in (--no-testops-aliases)

Signing in:
      --token-file FILE     read the token from FILE (- for standard input)
      --token TOKEN         the token itself (it shows in the process list and
                            shell history; used last, after the environment)
      --auth SCHEME         how the token signs requests: testops (default:
                            exchanged at /api/uaa/oauth/token for a Bearer token
                            that is renewed as it expires), bearer, basic (the
                            token is user:password), oauth2 or none
      --auth-header 'NAME: VALUE'
                            send this header instead, {token} standing for the
                            token, e.g. 'Authorization: token {token}' or
                            'X-Api-Key: {token}' (repeatable; no exchange)
      --token-url URL       --auth oauth2: the token endpoint of the client-
                            credentials grant
      --client-id ID        --auth oauth2: the client id
      --scope SCOPE         --auth oauth2: a scope to ask for (repeatable)
      --client-secret-file FILE
                            --auth oauth2: read the client secret from FILE
      --ca-cert FILE        trust this CA certificate (PEM) for the instance
      --whoami              print who the API token belongs to (TestOps), and exit

Environment:
  APITRAIL_TOKEN            the token, for any scheme (read before TESTOPS_TOKEN)
  TESTOPS_TOKEN             your personal TestOps API token (ALLURE_TOKEN is read too)
  APITRAIL_CLIENT_SECRET    the OAuth 2.0 client secret (--auth oauth2)

Exit status:
  0  every call sent was answered as recorded, fitting the spec
  1  a regression or drift was found
  2  usage error, unreadable recording, or a runtime error (a rejected token,
     an endpoint whose token exchange answers 404, 501 or not JSON)
  3  only infrastructure errors: the instance could not be reached, timed out
     or answered 5xx
  4  nothing was checked: every selected call was skipped (a flow of POSTs
     without --unsafe, say), so no answer was compared; --dry-run exits 0
  130 interrupted (Ctrl-C); the report of what ran is still written

Examples:
  export TESTOPS_TOKEN=...   # your API token
  replay --endpoint https://testops.example.com --whoami
  replay --endpoint https://testops.example.com --dry-run ui-session.har
  replay --endpoint https://testops.example.com --unsafe recordings/
  replay -e https://testops.example.com --junit junit.xml \
         --allure-results allure-results --html replay.html recordings/
  APITRAIL_TOKEN=user:password replay -e http://127.0.0.1:8000 --auth basic session.har
`
