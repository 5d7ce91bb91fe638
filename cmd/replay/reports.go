package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/report"
)

// checkReportPaths refuses report paths that could not be written before
// anything is replayed, rather than after a long run.
func checkReportPaths(o options) error {
	if o.junit != "" {
		if fi, err := os.Stat(o.junit); err == nil && fi.IsDir() {
			return fmt.Errorf("--junit %s: is a folder; give the file to write", o.junit)
		}
		if fi, err := os.Stat(filepath.Dir(o.junit)); err != nil || !fi.IsDir() {
			return fmt.Errorf("--junit %s: no folder %s to write it in", o.junit, filepath.Dir(o.junit))
		}
	}
	if o.allure != "" {
		if err := os.MkdirAll(o.allure, 0o755); err != nil {
			return fmt.Errorf("--allure-results: %v", err)
		}
	}
	return nil
}

// writeReports writes the JUnit and Allure reports the flags ask for.
func (r *replayRun) writeReports(reps []*replay.Report) error {
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
