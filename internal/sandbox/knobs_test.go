package sandbox

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFailureRate(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		min, max int // of 200 requests answered 503
	}{
		{"no faults by default", 0, 0, 0},
		{"every answer fails at 1", 1, 200, 200},
		{"about half fail at 0.5", 0.5, 70, 130},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, Options{Seed: 42})
			a := newAPI(t, in).login()
			in.SetKnobs(Knobs{FailureRate: tc.rate})
			failed := 0
			for range 200 {
				r := a.do("GET", "/api/project", nil)
				switch {
				case r.status == 503 && r.header.Get("X-Sandbox-Fault") == "5xx":
					if m := r.json(t); m["status"] != float64(503) {
						t.Fatalf("fault body %s", r.body)
					}
					failed++
				case r.status != 200:
					t.Fatalf("status %d: %s", r.status, r.body)
				}
			}
			if failed < tc.min || failed > tc.max {
				t.Errorf("%d of 200 failed, want %d to %d", failed, tc.min, tc.max)
			}
			logged := 0
			for _, q := range in.Requests() {
				if q.Fault == "5xx" {
					logged++
				}
			}
			if logged != failed {
				t.Errorf("request log holds %d faults, clients saw %d", logged, failed)
			}
			// Faults spare what is not the API: the page and the documents.
			newAPI(t, in).must(200, "GET", "/v3/api-docs", nil)
		})
	}
}

func TestDroppedConnections(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		name := map[bool]string{false: "http", true: "https"}[useTLS]
		t.Run(name, func(t *testing.T) {
			in := start(t, Options{TLS: useTLS, Knobs: Knobs{DropRate: 1}})
			req, _ := http.NewRequest("GET", in.URL()+"/api/project", nil)
			res, err := in.Client().Do(req)
			if err == nil {
				res.Body.Close()
				t.Fatalf("a dropped connection answered %d", res.StatusCode)
			}
			if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
				t.Errorf("error %v does not read as a closed connection", err)
			}
			reqs := in.Requests()
			if len(reqs) == 0 || reqs[0].Fault != "drop" || reqs[0].Status != 0 {
				t.Errorf("request log %+v, want a drop with status 0", reqs)
			}
			in.SetKnobs(Knobs{})
			newAPI(t, in).must(200, "POST", "/api/uaa/oauth/token", urlForm("grant_type", "apitoken", "token", SeedAPIToken))
		})
	}
}

func TestLatency(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	const latency = 1500 * time.Millisecond
	in.SetKnobs(Knobs{Latency: latency})
	began := time.Now()
	a.must(200, "GET", "/api/project", nil)
	if took := time.Since(began); took < latency {
		t.Errorf("answer came after %v, before the %v latency", took, latency)
	}
	began = time.Now()
	a.must(200, "GET", "/v3/api-docs/swagger-config", nil)
	if took := time.Since(began); took >= latency {
		t.Errorf("the latency knob slowed a non-API path (%v)", took)
	}
}

// TestKnobsChangeUnderLoad lets the race detector watch knobs change while
// requests run.
func TestKnobsChangeUnderLoad(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", in.URL()+"/api/launch/101", nil)
				req.Header.Set("Authorization", "Bearer "+a.bearer)
				if res, err := in.Client().Do(req); err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}()
	}
	for i := range 50 {
		in.SetKnobs(Knobs{V2: i%2 == 1, FailureRate: 0.1, Latency: time.Millisecond})
		_ = in.Knobs()
	}
	close(stop)
	wg.Wait()
	if got := in.Knobs(); !got.V2 || got.FailureRate != 0.1 {
		t.Errorf("knobs after the last set: %+v", got)
	}
}

func TestVersion2(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	v1Launch := a.must(200, "GET", "/api/launch/101", nil).json(t)
	v1Project := a.must(200, "GET", "/api/project/1", nil).json(t)
	a.must(200, "GET", "/api/launch/101/statistic", nil)

	in.SetKnobs(Knobs{V2: true})
	v2Launch := a.must(200, "GET", "/api/launch/101", nil).json(t)
	v2Project := a.must(200, "GET", "/api/project/1", nil).json(t)
	created := a.must(200, "POST", "/api/launch", map[string]any{"name": "v2", "projectId": 1}).json(t)
	listed := a.must(200, "GET", "/api/launch?projectId=1", nil).json(t)["content"].([]any)[0].(map[string]any)
	searched := a.must(200, "GET", "/api/launch/__search?projectId=1&rql=true", nil).json(t)["content"].([]any)[0].(map[string]any)
	projects := a.must(200, "GET", "/api/project", nil).json(t)["content"].([]any)[0].(map[string]any)
	stat := a.must(404, "GET", "/api/launch/101/statistic", nil).json(t)

	if d := keyDiff(v1Launch, v2Launch); d != "+isClosed -closed" || v2Launch["isClosed"] != v1Launch["closed"] {
		t.Errorf("launch changed by %q (isClosed %v, closed was %v), want exactly -closed +isClosed", d, v2Launch["isClosed"], v1Launch["closed"])
	}
	if d := keyDiff(v1Project, v2Project); d != "+archived" || v2Project["archived"] != false {
		t.Errorf("project changed by %q, want exactly +archived (false)", d)
	}
	for name, m := range map[string]map[string]any{"created": created, "listed": listed, "searched": searched} {
		if _, ok := m["isClosed"]; !ok || m["closed"] != nil {
			t.Errorf("%s launch in v2 %v", name, m)
		}
	}
	if projects["archived"] != false {
		t.Errorf("listed project in v2 %v", projects)
	}
	if stat["status"] != float64(404) || stat["message"] != "Not Found" {
		t.Errorf("removed operation answered %v", stat)
	}
	// Everything else answers exactly as before.
	in.SetKnobs(Knobs{})
	tc1 := a.must(200, "GET", "/api/testcase/1001", nil).body
	in.SetKnobs(Knobs{V2: true})
	if tc2 := a.must(200, "GET", "/api/testcase/1001", nil).body; string(tc1) != string(tc2) {
		t.Errorf("v2 changed a test case:\n%s\n%s", tc1, tc2)
	}
}

// keyDiff lists the top-level keys removed (-) and added (+) from a to b.
func keyDiff(a, b map[string]any) string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, "-"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "+"+k)
		}
	}
	return strings.Join(sortedStrings(out), " ")
}
