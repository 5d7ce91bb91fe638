package replay_test

// BenchmarkRun times Plan.Run alone, the per-call work (building each
// request, sending it, reading the answer, diffing, checking it against
// the spec, redacting the report), on a generated recording against the
// local instance running as a process of its own; the plan is made once,
// outside the timer. cmd/replay's BenchmarkReplay times the whole command.
// docs/benchmarks.md ("Replaying against the local instance") has the
// figures and the profile.

import (
	"bytes"
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/apitrail/apitrail/auth"
	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/internal/replaybench"
	"github.com/apitrail/apitrail/internal/sandbox"
	"github.com/apitrail/apitrail/internal/sandbox/sandboxtest"
	"github.com/apitrail/apitrail/replay"
)

func BenchmarkRun(b *testing.B) {
	const calls = 2000
	bin := filepath.Join(b.TempDir(), "sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/sandbox").CombinedOutput(); err != nil {
		b.Fatalf("building the sandbox: %v: %s", err, out)
	}
	sb, err := replaybench.StartSandbox(bin)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sb.Close)
	var buf bytes.Buffer
	if err := replaybench.WriteRecording(context.Background(), &buf, sb.URL, calls); err != nil {
		b.Fatal(err)
	}
	f, err := har.NewReader(&buf, har.ReaderOptions{}).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	entries := f.Log.Entries
	red := har.NewRedactor(har.DefaultRules())
	red.PinSecrets(entries)
	ix := sandboxtest.Index(b, false)
	p := plan(nil, ix, entries, false)
	// The client the commands use (cmd/replay's, through internal/cli).
	base, err := cli.ClientWithCA("", 0)
	if err != nil {
		b.Fatal(err)
	}
	a, err := auth.New(auth.Config{Endpoint: sb.URL, APIToken: auth.NewToken(sandbox.SeedAPIToken), Client: base})
	if err != nil {
		b.Fatal(err)
	}
	ep, _ := url.Parse(sb.URL)
	o := replay.Options{Endpoint: ep, Client: a.Client(), Spec: ix, Concurrency: 16, Redactor: red}
	b.ResetTimer()
	for b.Loop() {
		rep, err := p.Run(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if n := rep.Counts[replay.OK]; n != calls {
			b.Fatalf("%d of %d calls ok: %v", n, calls, rep.Counts)
		}
	}
	b.ReportMetric(float64(calls*b.N)/b.Elapsed().Seconds(), "calls/s")
}
