package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/replay"
	"github.com/apitrail/apitrail/report"
	"github.com/apitrail/apitrail/report/htmlreport"
)

// checkReportPaths refuses report paths that could not be written before
// anything is replayed, rather than after a long run.
func checkReportPaths(o options) error {
	if err := cli.CheckOutput("--junit", o.junit, o.force); err != nil {
		return err
	}
	if err := cli.CheckOutput("--html", o.html, o.force); err != nil {
		return err
	}
	if o.clean && o.allure == "" {
		return cli.WithHint(errors.New("--clean empties the --allure-results folder, and none is given"), "add --allure-results DIR")
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
		if r.o.clean {
			if err := cleanAllure(r.o.allure); err != nil {
				return fmt.Errorf("--clean: %v", err)
			}
		}
		if err := report.WriteAllure(r.o.allure, reps, opts); err != nil {
			return fmt.Errorf("--allure-results: %v", err)
		}
		if !r.o.quiet && !r.o.json {
			fmt.Fprintf(r.stderr, "%s: wrote Allure results to %s (allure generate, or allurectl upload, reads them)\n", prog, r.o.allure)
		}
	}
	return nil
}

// cleanAllure removes the results of earlier runs from dir, so that Allure
// shows this run alone: the files an Allure results folder is made of
// (results, containers, attachments and the run's properties). Anything
// else the user keeps there stays.
func cleanAllure(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		if strings.HasSuffix(n, "-result.json") || strings.HasSuffix(n, "-container.json") || strings.Contains(n, "-attachment") ||
			n == "environment.properties" || n == "categories.json" || n == "executor.json" {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}
