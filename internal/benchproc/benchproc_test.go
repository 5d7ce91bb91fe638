package benchproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	cases := []struct {
		reason string
		xs     []float64
		want   [3]float64
	}{
		{"one run is its own min, median and max", []float64{2.5}, [3]float64{2.5, 2.5, 2.5}},
		{"runs out of order are sorted first", []float64{3, 1, 2}, [3]float64{1, 2, 3}},
		{"an even count takes the upper of the two middle runs, as the printed tables always have", []float64{4, 1, 3, 2}, [3]float64{1, 3, 4}},
	}
	for _, c := range cases {
		before := slices.Clone(c.xs)
		if got := Stats(c.xs); got != c.want {
			t.Errorf("%s: Stats(%v) = %v, want %v", c.reason, before, got, c.want)
		}
		if !slices.Equal(c.xs, before) {
			t.Errorf("%s: Stats reordered its input to %v", c.reason, c.xs)
		}
	}
}

// TestRun runs real processes: the usage of one that ran is counted
// whether or not it exits 0, and one that never started has none.
func TestRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	// The shell is busy for a while, so that its CPU time is above zero.
	busy := "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit "
	for _, c := range []struct {
		reason string
		code   string
		fails  bool
	}{
		{"a run that exits 0", "0", false},
		{"a run that fails still has its usage, for the error message's caller", "3", true},
	} {
		u, err := Run(exec.Command(sh, "-c", busy+c.code))
		if (err != nil) != c.fails {
			t.Errorf("%s: error %v", c.reason, err)
		}
		if u.Wall <= 0 || u.CPU <= 0 || u.MaxRSS < 1<<10 {
			t.Errorf("%s: usage %+v, want wall, CPU and peak RSS counted", c.reason, u)
		}
		if u.CPU > u.Wall*2 {
			t.Errorf("%s: CPU %v more than twice the wall time %v of a one-threaded shell", c.reason, u.CPU, u.Wall)
		}
	}
	u, err := Run(exec.Command(filepath.Join(t.TempDir(), "missing")))
	if err == nil || u != (Usage{}) {
		t.Errorf("a binary that is not there: usage %+v, error %v; want none and an error", u, err)
	}
}

// TestGoBuild builds a real package, and returns go build's own words
// when the package does not compile.
func TestGoBuild(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.test/tiny\n\ngo 1.22\n")
	write("main.go", "package main\n\nfunc main() {}\n")
	bin := filepath.Join(dir, "tiny")
	if out, err := GoBuild(dir, bin, "."); err != nil {
		t.Fatalf("building a package that compiles: %v: %s", err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Errorf("no binary after a build that succeeded: %v", err)
	}
	write("main.go", "package main\n\nfunc main() { undefinedName() }\n")
	out, err := GoBuild(dir, bin, ".")
	if err == nil || !strings.Contains(string(out), "undefinedName") {
		t.Errorf("building a package that does not compile: error %v, output %q; want an error and go build's message", err, out)
	}
}

func TestMachine(t *testing.T) {
	if _, err := os.Stat("/proc/loadavg"); err != nil {
		t.Skip("no /proc")
	}
	if l := LoadAvg(); len(l) != 3 {
		t.Errorf("LoadAvg() = %q, want the three averages", l)
	}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil && strings.Contains(string(b), "model name") && CPUModel() == "" {
		t.Errorf("CPUModel() is empty though /proc/cpuinfo names a model")
	}
}
