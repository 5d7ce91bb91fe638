// Package benchproc is what the benchmark harnesses (internal/bench and
// internal/replaybench) share about the processes they time and the machine
// they time them on: one fresh process's wall time, CPU time and peak RSS,
// the min, median and max of several runs, go build, and the CPU model and
// load average the figures are printed with. Each harness keeps its own
// wording: these return values, not sentences.
package benchproc

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Usage is what one process used to its end, as the kernel counted it
// (wait4's rusage) beside the wall time.
type Usage struct {
	Wall time.Duration
	// CPU is user and system time, which other work on a shared machine
	// changes less than the wall time.
	CPU time.Duration
	// MaxRSS is the peak resident set, in bytes.
	MaxRSS int64
}

// Run runs cmd to its end and returns what it used. When cmd ran but
// failed, the usage comes with the error; when it did not start
// (cmd.ProcessState is nil), the usage is zero.
func Run(cmd *exec.Cmd) (Usage, error) {
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return Usage{}, err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return Usage{Wall: wall, CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		MaxRSS: int64(ru.Maxrss) * 1024}, err // Linux counts Maxrss in KiB
}

// Stats returns the minimum, median and maximum of xs, which must not be
// empty; xs itself is left in its order.
func Stats(xs []float64) [3]float64 {
	s := slices.Sorted(slices.Values(xs))
	return [3]float64{s[0], s[len(s)/2], s[len(s)-1]}
}

// GoBuild builds package pkg of the module in dir into the binary out. On
// failure it returns go build's output with the error, for the caller's
// message.
func GoBuild(dir, out, pkg string) ([]byte, error) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return b, err
	}
	return nil, nil
}

// CPUModel is the first "model name" of /proc/cpuinfo, or "" where there is
// none.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// LoadAvg is the 1, 5 and 15 minute load averages of /proc/loadavg as
// written there, which other work on a shared machine adds to; nil where
// they cannot be read.
func LoadAvg() []string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return nil
	}
	return f[:3]
}
