// Package thirdparty starts real servers that nobody here wrote, installed
// from Debian by .ci/run, on free loopback ports for tests: Jupyter
// Notebook (token sign-in, "Authorization: token ...", its Swagger document
// at /api/spec.yaml) and a FastAPI application (HTTP Basic on every path,
// its generated document named by its Swagger UI page at /docs). A test
// that needs one skips, saying what to install, when it is absent.
// Chromium and RunChromium find and run the headless browser the same way
// for every package's tests.
package thirdparty

import (
	"context"
	_ "embed"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Chromium finds a Chromium binary, or skips: CI installs it with apt
// (.ci/run), a user's machine may not have it.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("skipping: no chromium binary on PATH (apt-get install chromium; .ci/run does)")
	return ""
}

// RunChromium runs headless Chromium (bin, from Chromium) once with a
// fresh profile and the flags that keep it from calling home, then args
// (a --dump-dom or --screenshot, a --virtual-time-budget), and returns what
// it printed; a failure or a run over 90 seconds fails the test with the
// end of its log.
func RunChromium(t testing.TB, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-features=NetworkTimeServiceQuerying,OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading", "--no-pings", "--disable-domain-reliability",
		"--disable-default-apps", "--disable-extensions", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		log := stderr.String()
		t.Fatalf("chromium: %v\n%s", err, log[max(0, len(log)-2000):])
	}
	return string(out)
}

// Server is a running third-party server.
type Server struct {
	// URL is its base URL, http://127.0.0.1:PORT.
	URL string
	// Token is the secret it signs in with: Jupyter's token, or the FastAPI
	// application's user:password.
	Token string
	// AuthFlags are the sign-in flags replay and match need for it.
	AuthFlags []string
	// Header is the Authorization header value that signs a request.
	Header string
	// Paths are GET paths that answer the same each time, to record.
	Paths []string
	// SpecVia is the location discovery from URL finds the document at.
	SpecVia string
	// Name names it in test output.
	Name string
}

// jupyterFiles is the notebook folder Jupyter serves: an empty notebook
// at the top, a folder holding a text file, and a notebook two folders
// down, one with a space in its name, whose one code cell starts a kernel.
var jupyterFiles = map[string]string{
	"hello.ipynb":       `{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}`,
	"reports/notes.txt": "a note\n",
	"work dir/sub/probe.ipynb": `{"cells":[{"cell_type":"code","execution_count":null,"metadata":{},"outputs":[],"source":["6 * 7"]}],
"metadata":{"kernelspec":{"display_name":"Python 3","language":"python","name":"python3"}},"nbformat":4,"nbformat_minor":5}`,
}

// Jupyter starts Jupyter Notebook (Debian's jupyter-notebook) with a
// token over a notebook folder holding jupyterFiles.
func Jupyter(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("jupyter-notebook")
	if err != nil {
		t.Skip("jupyter-notebook is not installed (Debian: apt-get install jupyter-notebook); .ci/run installs it")
	}
	dir := t.TempDir()
	nb := filepath.Join(dir, "notebooks")
	for name, content := range jupyterFiles {
		path := filepath.Join(nb, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	token := "jt-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	port := freePort(t)
	cmd := exec.Command(bin, "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port="+port, "--port-retries=0",
		"--NotebookApp.token="+token, "--notebook-dir="+nb, "--NotebookApp.open_browser=False")
	// Its own configuration, runtime and data folders: nothing of the
	// user's Jupyter set-up is read or written.
	cmd.Env = append(os.Environ(), "HOME="+dir, "JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"), "JUPYTER_DATA_DIR="+filepath.Join(dir, "data"))
	s := &Server{
		Name: "Jupyter Notebook", URL: "http://127.0.0.1:" + port, Token: token,
		AuthFlags: []string{"--auth-header", "Authorization: token {token}"},
		Header:    "token " + token,
		// Not /api/contents/{path} of a folder: Jupyter's own document says
		// its content is a string, and replay rightly reports that drift.
		Paths:   []string{"/api", "/api/contents", "/api/kernelspecs", "/api/sessions"},
		SpecVia: "/api/spec.yaml",
	}
	start(t, cmd, s, filepath.Join(dir, "jupyter.log"))
	return s
}

//go:embed shelter.py
var shelterApp []byte

// FastAPI starts the shelter application (shelter.py) under uvicorn,
// with Debian's python3-fastapi and python3-uvicorn.
func FastAPI(t testing.TB) *Server {
	t.Helper()
	// Debian's interpreter, where Debian's packages are, whatever python3
	// comes first on PATH.
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import fastapi, uvicorn").Run(); err != nil {
		t.Skip("FastAPI and uvicorn are not installed (Debian: apt-get install python3-fastapi python3-uvicorn); .ci/run installs them")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "shelter.py"), shelterApp, 0o644); err != nil {
		t.Fatal(err)
	}
	password := "pw-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	port := freePort(t)
	cmd := exec.Command(py, "-m", "uvicorn", "--app-dir", dir, "--host", "127.0.0.1", "--port", port, "--no-access-log", "shelter:app")
	cmd.Env = append(os.Environ(), "SHELTER_USER=keeper", "SHELTER_PASSWORD="+password)
	s := &Server{
		Name: "FastAPI", URL: "http://127.0.0.1:" + port, Token: "keeper:" + password,
		AuthFlags: []string{"--auth", "basic"},
		Paths:     []string{"/pets", "/pets?kind=dog", "/pets/2"},
		SpecVia:   "/docs",
	}
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth("keeper", password)
	s.Header = req.Header.Get("Authorization")
	start(t, cmd, s, filepath.Join(dir, "uvicorn.log"))
	return s
}

// freePort finds a loopback port nothing listens on. Another process could
// take it before the server does; the server then fails to start and the
// test says so with its log.
func freePort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// start runs cmd, waits until s.URL answers HTTP, and stops the server
// (this process's own child, with the children it started, such as
// Jupyter's kernels) when the test ends.
func start(t testing.TB, cmd *exec.Cmd, s *Server, logPath string) {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", s.Name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// SIGTERM, not an interrupt: Jupyter answers an interrupt by asking
		// on its terminal whether to stop, and shuts its kernels down on
		// SIGTERM.
		signalGroup(cmd, false)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			signalGroup(cmd, true)
			<-exited
		}
		logFile.Close()
	})
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := client.Get(s.URL + "/")
		if err == nil {
			res.Body.Close()
			return
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited before answering:\n%s", s.Name, log)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s did not answer within a minute:\n%s", s.Name, log)
		}
	}
}
