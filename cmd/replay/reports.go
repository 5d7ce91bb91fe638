package main

import (
	"fmt"
	"os"

	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/report"
	"github.com/apitrail/apitrail/report/htmlreport"
)

// checkReportPaths refuses report paths that could not be written before
// anything is replayed, rather than after a long run.
func checkReportPaths(o options) error {
	if err := cli.CheckOutputFile("--junit", o.junit); err != nil {
		return err
	}
	if err := cli.CheckOutputFile("--html", o.html); err != nil {
		return err
	}
	if o.allure != "" {
		if err := os.MkdirAll(o.allure, 0o755); err != nil {
			return fmt.Errorf("--allure-results: %v", err)
		}
	}
	return nil
}

// writeReports writes the HTML, JUnit and Allure reports the flags ask for.
func (r *replayRun) writeReports(reps []*replay.Report) error {
	if r.o.html != "" {
		if err := htmlreport.WriteReplayFile(r.o.html, reps, htmlreport.Options{}); err != nil {
			return fmt.Errorf("--html: %v", err)
		}
		if !r.o.quiet && !r.o.json {
			fmt.Fprintf(r.stderr, "%s: wrote the HTML report %s\n", prog, r.o.html)
		}
	}
	if r.o.junit == "" && r.o.allure == "" {
		return nil
	}
	host, _ := os.Hostname()
	opts := report.Options{Host: host}
	if r.o.junit != "" {
		if err := report.WriteJUnitFile(r.o.junit, reps, opts); err != nil {
			return fmt.Errorf("--junit: %v", err)
		}
		if !r.o.quiet && !r.o.json {
			fmt.Fprintf(r.stderr, "%s: wrote the JUnit report %s\n", prog, r.o.junit)
		}
	}
	if r.o.allure != "" {
		if err := report.WriteAllure(r.o.allure, reps, opts); err != nil {
			return fmt.Errorf("--allure-results: %v", err)
		}
		if !r.o.quiet && !r.o.json {
			fmt.Fprintf(r.stderr, "%s: wrote Allure results to %s (allure generate, or allurectl upload, reads them)\n", prog, r.o.allure)
		}
	}
	return nil
}
