package main

const usage = `Usage:
  capture [options]                  record through the proxy until Ctrl-C
  capture [options] --browser URL    start Chromium on URL through the proxy;
                                     record until the browser closes
  capture [options] --from FILE.har  clean a HAR that a browser or another
                                     tool exported, as if it were recorded;
                                     a recording cut short by a crash comes
                                     out whole, with its complete entries
  capture --ca-info                  show where the CA is and how to trust it

Record a web UI's calls as HAR 1.2, one entry as each response ends, so a
crash or Ctrl-C loses nothing finished. Tokens, cookies, passwords and
JWTs are replaced by placeholders (equal secrets, equal placeholders)
before anything reaches the file, in comments, page titles and URLs of
an imported HAR too. Scripts, styles, images and fonts pass through
unrecorded. --from reads bodies kept in side files (Playwright's _file)
only from regular files in the HAR's own folder: a link, pipe or device
there refuses the file.

HTTPS is decrypted with certificates from a local CA made on first use.
Its key can intercept all HTTPS traffic of a machine that trusts it: it is
readable by you only, and --browser trusts it for one browser session
without installing it anywhere.

Recording:
  -o, --output FILE        write the recording to FILE, - for standard output
                           (default recording.har)
  -f, --force              replace FILE (or the --flow folder) if it exists
      --flow DIR           record into a recording folder: DIR/recording.har,
                           DIR/flow.json naming the instance (--browser's
                           page, else the host most calls went to) and a
                           starter DIR/recording.noise for the answers'
                           timestamps, which replay and match read; instead
                           of -o
      --host PATTERN       record only matching hosts; other traffic passes
                           through undecrypted (repeatable, or comma-separated):
                           api.example.com, *.example.com, localhost:8443
                           (default: every host, or with --browser the page's
                           host, since the browser calls Google on its own)
      --keep-assets        record scripts, styles, images, fonts and media too
      --max-body SIZE      keep at most SIZE of each body; longer ones are cut
                           and marked "_truncated" (default 4MiB; 0 keeps no
                           bodies; KiB, MiB, GiB or KB, MB, GB)
      --redact NAME        also treat NAME as a secret: a header, query,
                           form or JSON member name (repeatable)
      --keep-secrets       write tokens, cookies and passwords as they are

Proxy:
  -l, --listen ADDR        listen on ADDR (default 127.0.0.1:8080; a free
                           port with --browser); an address other machines
                           can reach needs this flag and gets a warning
      --ca-dir DIR         keep the CA in DIR (default $APITRAIL_CAROOT, or
                           apitrail/ca in your data folder)
      --ca-info            print the CA's location and how to make Chromium,
                           Firefox and curl trust it, then exit
      --upstream-ca FILE   also trust the CA certificates in FILE (PEM) for
                           servers, such as an instance's private CA
      --insecure           accept any server certificate (dangerous)

Browser:
      --browser URL        start Chromium or Chrome with a fresh profile that
                           uses the proxy and trusts its CA for this session
      --browser-path FILE  the browser to start (default: the first of
                           chromium, chromium-browser, google-chrome,
                           google-chrome-stable found in PATH)
      --browser-arg ARG    pass ARG to the browser too (repeatable), e.g.
                           --browser-arg=--auto-open-devtools-for-tabs
      --headless           no window, for CI; stop with Ctrl-C or SIGTERM

Import:
      --from FILE.har      read an exported HAR instead of recording: kept
                           entries go through the same filter, body limit
                           and redaction as recorded ones (- for standard
                           input)

  -h, --help               show this help
      --version            print the version and the VCS revision it was built from
      --completion SHELL   print a completion script for bash, zsh or fish

Environment:
  APITRAIL_CAROOT          the CA folder, when --ca-dir is not given

Exit status:
  0  the recording was written
  1  the recording was written but holds no entries (check --host)
  2  usage error, or an error that stopped the recording

Examples:
  capture --host testops.example.com --browser https://testops.example.com/ -o login.har
  capture --host api.example.com -o api.har
      (and in another shell: curl --proxy http://127.0.0.1:8080 \
       --cacert ~/.local/share/apitrail/ca/rootCA.pem https://api.example.com/v1/items)
  capture --from ~/Downloads/testops.example.com.har --host testops.example.com -o clean.har
`
