package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/apitrail/apitrail/internal/shareddata"
)

// largeTestOps writes a spec of at least size bytes made from the real
// TestOps 25.4.1 document by copying its paths and components n times
// under new names (/g1/api/..., Name_g1, operationId_g1), with every $ref
// pointing into its own copy: a large instance's document, as the 53 MB
// one that once took 5.7 GB to load.
func largeTestOps(tb testing.TB, path string, size int) int {
	tb.Helper()
	src := shareddata.Dir(tb, "realworld", "testops", "allure-testops-service-25.4.1.openapi.json")
	data, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		tb.Fatal(err)
	}
	compact, _ := json.Marshal(root)
	copies := size/len(compact) + 1
	paths, _ := root["paths"].(map[string]any)
	comps, _ := root["components"].(map[string]any)
	outPaths := map[string]any{}
	outComps := map[string]any{}
	for i := 1; i <= copies; i++ {
		suffix := fmt.Sprintf("_g%d", i)
		for p, item := range paths {
			outPaths[fmt.Sprintf("/g%d%s", i, p)] = renamed(item, suffix)
		}
		for kind, section := range comps {
			m, ok := section.(map[string]any)
			if !ok {
				continue
			}
			out, _ := outComps[kind].(map[string]any)
			if out == nil {
				out = map[string]any{}
				outComps[kind] = out
			}
			for name, v := range m {
				out[name+suffix] = renamed(v, suffix)
			}
		}
	}
	root["paths"], root["components"] = outPaths, outComps
	out, err := json.Marshal(root)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		tb.Fatal(err)
	}
	return len(out)
}

// renamed is a deep copy of v with every component $ref and operationId
// given the copy's suffix.
func renamed(v any, suffix string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			switch s, _ := e.(string); {
			case k == "$ref" && strings.HasPrefix(s, "#/components/"):
				out[k] = s + suffix
			case k == "operationId" && s != "":
				out[k] = s + suffix
			default:
				out[k] = renamed(e, suffix)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renamed(e, suffix)
		}
		return out
	}
	return v
}

// BenchmarkLoadLargeSpec loads a TestOps-derived spec of SPEC_BENCH_MB
// megabytes (53 by default, the size that once peaked at 5.7 GB) in a
// process of its own, and reports that process's peak RSS from the
// kernel, against the document's size.
func BenchmarkLoadLargeSpec(b *testing.B) {
	mb := 53
	if v, err := strconv.Atoi(os.Getenv("SPEC_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	path := filepath.Join(b.TempDir(), "large.json")
	size := largeTestOps(b, path, mb<<20)
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadLargeSpecChild$", "-test.v")
		cmd.Env = append(os.Environ(), "APITRAIL_LARGE_SPEC="+path)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS") {
			b.Fatalf("%v\n%s", err, out)
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
		b.ReportMetric(float64(size)/(1<<20), "spec-MiB")
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(float64(rss)/float64(size), "RSS/size")
	}
}

// TestLoadLargeSpecChild is the process BenchmarkLoadLargeSpec measures:
// it loads and indexes the spec, as match and replay do.
func TestLoadLargeSpecChild(t *testing.T) {
	path := os.Getenv("APITRAIL_LARGE_SPEC")
	if path == "" {
		t.Skip("run by BenchmarkLoadLargeSpec")
	}
	d, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex([]*Document{d}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d operations, %d warnings", len(ix.Operations()), len(d.Warnings))
}
