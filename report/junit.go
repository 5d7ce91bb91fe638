package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/replay"
)

// The document follows the Jenkins JUnit schema (the one the JUnit 5 project
// checks its own reports against), so it is also what GitLab, GitHub
// checks, Azure DevOps and TeamCity read. That schema allows no skipped
// count or timestamp on <testsuites> and no attribute on <skipped>, so the
// totals of skipped calls and the times are on each <testsuite>, and a
// skip's reason is the <skipped> element's text.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *junitText      `xml:"system-out"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped"`
	Error     *junitProblem `xml:"error"`
	Failure   *junitProblem `xml:"failure"`
	SystemOut *junitText    `xml:"system-out"`
}

type junitSkipped struct {
	Text string `xml:",chardata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// junitText is text that keeps its lines readable in the file, as CDATA.
type junitText struct {
	Text string `xml:",cdata"`
}

// cdata makes text safe for a CDATA section, which escapes nothing:
// characters XML 1.0 forbids (the escape codes of a colored log, say)
// become U+FFFD, as encoding/xml does for other text.
func cdata(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF) {
			return r
		}
		return '\uFFFD'
	}, s)
}

func text(s string) *junitText {
	if s == "" {
		return nil
	}
	return &junitText{cdata(s)}
}

// WriteJUnit writes the reports as one JUnit XML document: a testsuite per
// recording, a testcase per call (see Cases). A regression or drift is a
// <failure> whose message is one line and whose text holds the diff and the
// spec problems; an infrastructure error is an <error>; a call that was
// skipped or not run is <skipped>. Each testsuite's output is the flow's
// human report, noise accounting included.
func WriteJUnit(w io.Writer, reports []*replay.Report, o Options) error {
	doc := junitSuites{Name: o.name()}
	var total time.Duration
	for _, r := range reports {
		s := junitSuite{
			Name:      r.Flow,
			Time:      seconds(r.Duration),
			Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
			Hostname:  o.Host,
		}
		s.Properties = append(s.Properties, junitProperty{"endpoint", r.Endpoint})
		if r.Interrupted {
			s.Properties = append(s.Properties, junitProperty{"interrupted", "true"})
		}
		for _, e := range Cases(r) {
			c := junitCase{Name: Name(e), Classname: r.Flow, Time: seconds(time.Duration(e.DurationMS * float64(time.Millisecond)))}
			out := sent(e)
			switch e.Outcome {
			case replay.Regression, replay.Drift:
				c.Failure = &junitProblem{Message: message(e), Type: string(e.Outcome), Text: cdata(details(e))}
				s.Failures++
			case replay.Infra:
				c.Error = &junitProblem{Message: message(e), Type: "infrastructure", Text: cdata(details(e))}
				s.Errors++
			case replay.Interrupted:
				c.Error = &junitProblem{Message: message(e), Type: "interrupted", Text: cdata(details(e))}
				s.Errors++
			case replay.Skipped, replay.NotRun:
				c.Skipped = &junitSkipped{Text: message(e)}
				s.Skipped++
			default:
				out += details(e)
			}
			c.SystemOut = text(out)
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		var human bytes.Buffer
		if err := replay.WriteText(&human, r); err != nil {
			return err
		}
		s.SystemOut = text(human.String())
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		total += r.Duration
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnitFile writes the JUnit document to path through a temporary file
// and a rename, so that a CI server never reads half of it.
func WriteJUnitFile(path string, reports []*replay.Report, o Options) error {
	var b bytes.Buffer
	if err := WriteJUnit(&b, reports, o); err != nil {
		return err
	}
	return atomicfile.Write(path, b.Bytes(), 0o644)
}

// seconds formats a duration as JUnit times are written: seconds with
// millisecond precision.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}
