package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/apitrail/apitrail/internal/benchproc"
	"github.com/apitrail/apitrail/internal/shareddata"
)

// sample is one fresh process: its wall-clock time, CPU time and peak
// resident memory as the kernel counted them (wait4's rusage).
type sample struct {
	wall, cpu float64 // seconds
	rssMB     float64 // 10^6 bytes
	entries   int
}

// measure runs a program to its end with its standard output going to
// outPath, and returns the sample and the first 4 KB of that output.
func measure(outPath, bin string, args ...string) (sample, string, error) {
	out, err := os.OpenFile(outPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return sample{}, "", err
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, &stderr
	u, err := benchproc.Run(cmd)
	if cmd.ProcessState == nil {
		return sample{}, "", err
	}
	s := sample{wall: u.Wall.Seconds(), rssMB: float64(u.MaxRSS) / 1e6, cpu: u.CPU.Seconds()}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		err = fmt.Errorf("%v: %s", err, msg)
	}
	head := make([]byte, 4096)
	nr, _ := out.ReadAt(head, 0)
	return s, string(head[:nr]), err
}

// build compiles packages of the module into dir and returns the binaries'
// paths, in the order given.
func build(dir string, pkgs ...string) ([]string, error) {
	root, ok := shareddata.ModuleRoot()
	if !ok {
		return nil, fmt.Errorf("run the benchmarks from inside the module")
	}
	var out []string
	for _, p := range pkgs {
		bin := filepath.Join(dir, filepath.Base(p))
		if b, err := benchproc.GoBuild(root, bin, p); err != nil {
			return nil, fmt.Errorf("go build %s: %v\n%s", p, err, b)
		}
		out = append(out, bin)
	}
	return out, nil
}

// machine names the machine the figures come from.
func machine() string {
	cpu := benchproc.CPUModel()
	if cpu == "" {
		cpu = "unknown CPU"
	}
	load := ""
	if l := benchproc.LoadAvg(); l != nil {
		load = ", load average " + l[0]
	}
	return fmt.Sprintf("%d cores, %s, %s%s", runtime.NumCPU(), cpu, runtime.Version(), load)
}

// summary is a program's runs beside those of the program it is compared
// with (base, run for run): min, median and max of its wall and CPU times
// and of base's divided by its, and its largest peak RSS.
type summary struct {
	wall, cpu, ratio, cpuRatio [3]float64
	rssMB                      float64
}

func summarize(ss, base []sample) summary {
	walls := make([]float64, len(ss))
	cpus := make([]float64, len(ss))
	ratios := make([]float64, len(ss))
	cpuRatios := make([]float64, len(ss))
	var out summary
	for i, s := range ss {
		walls[i], cpus[i] = s.wall, s.cpu
		ratios[i] = base[i].wall / s.wall
		cpuRatios[i] = base[i].cpu / s.cpu
		out.rssMB = max(out.rssMB, s.rssMB)
	}
	out.wall, out.cpu, out.ratio, out.cpuRatio = benchproc.Stats(walls), benchproc.Stats(cpus), benchproc.Stats(ratios), benchproc.Stats(cpuRatios)
	return out
}
