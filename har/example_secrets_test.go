//go:build unix

package har_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"

	"github.com/apitrail/apitrail/har"
)

// Placeholders are random for each Redactor; the examples print them
// masked.
var placeholderRE = regexp.MustCompile(`REDACTED-[0-9a-f]{16}`)

func ExampleRedactor_FreeText() {
	r := har.NewRedactor(har.DefaultRules())
	out := r.FreeText("opened https://bob:hunter2hunter2@app.test/login/callback?code=4-abcdefgh&state=xyz12345 with token=tok-12345678")
	fmt.Println(placeholderRE.ReplaceAllString(out, "REDACTED-…"))
	// Output: opened https://REDACTED-…@app.test/login/callback?code=REDACTED-…&state=REDACTED-… with token=REDACTED-…
}

func ExampleErrUnsafeSideFile() {
	dir, err := os.MkdirTemp("", "recording")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// A side file that links elsewhere, as a pull request could bring one.
	os.Symlink("/etc/passwd", filepath.Join(dir, "body.txt"))
	os.WriteFile(filepath.Join(dir, "recording.har"), []byte(`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[
	 {"startedDateTime":"2026-01-01T00:00:00Z","time":1,"request":{"method":"GET","url":"https://app.test/","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},
	  "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],"headers":[],"content":{"size":1,"mimeType":"text/plain","_file":"body.txt"},"redirectURL":"","headersSize":-1,"bodySize":-1},
	  "cache":{},"timings":{"send":0,"wait":0,"receive":0}}]}}`), 0o600)
	rd, err := har.Open(filepath.Join(dir, "recording.har"))
	if err != nil {
		log.Fatal(err)
	}
	defer rd.Close()
	_, err = rd.Next()
	var sf *har.SideFileError
	if errors.Is(err, har.ErrUnsafeSideFile) && errors.As(err, &sf) {
		fmt.Printf("entry %d: %s body file %q %s\n", sf.Entry, sf.Side, sf.Name, sf.Reason)
	}
	// Output: entry 1: response body file "body.txt" is a symbolic link
}
