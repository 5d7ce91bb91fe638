package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/cli"
)

// browserNames are looked up in PATH, in this order, when --browser-path
// is not given.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// browserPaths are where Chrome and Chromium live outside PATH.
var browserPaths = map[string][]string{
	"darwin": {
		"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
		"/Applications/Chromium.app/Contents/MacOS/Chromium",
	},
	"windows": {
		`C:\Program Files\Google\Chrome\Application\chrome.exe`,
		`C:\Program Files (x86)\Google\Chrome\Application\chrome.exe`,
	},
}

func findBrowser(path string) (string, error) {
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", cli.WithHint(fmt.Errorf("--browser-path %s: %v", path, err), "name the Chromium or Chrome program itself")
		}
		return p, nil
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	for _, p := range browserPaths[runtime.GOOS] {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	var hint string
	switch runtime.GOOS {
	case "darwin":
		hint = "install one (brew install --cask chromium, or Google Chrome from google.com/chrome), or name one with --browser-path"
	case "windows":
		hint = "install Google Chrome, or name a Chromium-based browser with --browser-path"
	default:
		hint = "install one (Debian: sudo apt-get install chromium; Ubuntu: sudo snap install chromium; Fedora: sudo dnf install chromium), or name one with --browser-path"
	}
	return "", cli.WithHint(fmt.Errorf("no Chromium or Chrome found (looked for %s in PATH)", strings.Join(browserNames[:3], ", ")), "%s", hint)
}

// browserVersion asks the browser what it is, for the HAR's log.browser.
func browserVersion(path string) *har.Creator {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return nil
	}
	// "Chromium 156.0.8078.108 built on Debian ...", "Google Chrome 131.0.6778.85"
	fields := strings.Fields(string(out))
	for i, f := range fields {
		if i > 0 && strings.Count(f, ".") >= 2 && f[0] >= '0' && f[0] <= '9' {
			return &har.Creator{Name: strings.Join(fields[:i], " "), Version: f}
		}
	}
	return nil
}

// browserArgs start Chromium with a profile of its own that sends
// everything through the proxy (loopback too, which Chromium would
// otherwise reach directly) and accepts certificates chained to the
// capture CA for this session only: nothing is installed anywhere.
func browserArgs(o *options, proxyAddr, spki string) []string {
	args := []string{
		"--proxy-server=http://" + proxyAddr,
		"--proxy-bypass-list=<-loopback>",
		"--ignore-certificate-errors-spki-list=" + spki,
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-default-apps",
		"--disable-quic",
		"--disable-client-side-phishing-detection",
		"--disable-component-extensions-with-background-pages",
		"--disable-breakpad",
		"--disable-extensions",
		"--metrics-recording-only",
		"--no-service-autorun",
		"--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,CertificateTransparencyComponentUpdater,AutofillServerCommunication,NetworkTimeServiceQuerying",
		"--password-store=basic",
		"--use-mock-keychain",
	}
	if o.headless {
		args = append(args, "--headless", "--disable-dev-shm-usage")
	}
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox on.
		args = append(args, "--no-sandbox")
	}
	args = append(args, o.browserArgs...)
	return append(args, o.browser)
}

// browser is a running Chromium with its temporary profile.
type browser struct {
	cmd     *exec.Cmd
	profile string
	start   time.Time
	tail    *tailWriter
	exited  chan struct{} // closed when the process has ended
	err     error         // how it ended; read after exited is closed
	once    sync.Once
}

func startBrowser(path string, args []string) (*browser, error) {
	profile, err := os.MkdirTemp("", "apitrail-capture-profile-")
	if err != nil {
		return nil, err
	}
	args = append([]string{"--user-data-dir=" + profile}, args...)
	cmd := exec.Command(path, args...)
	tail := &tailWriter{max: 4096}
	cmd.Stdout, cmd.Stderr = tail, tail
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(profile)
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	b := &browser{cmd: cmd, profile: profile, start: time.Now(), tail: tail, exited: make(chan struct{})}
	go func() {
		b.err = cmd.Wait()
		close(b.exited)
	}()
	return b, nil
}

// failure turns the browser's exit into an error when it looks like a
// failed start rather than a user closing it.
func (b *browser) failure() error {
	<-b.exited
	if b.err == nil || time.Since(b.start) > 10*time.Second {
		return nil
	}
	msg := strings.TrimSpace(b.tail.String())
	if i := strings.LastIndex(msg, "\n"); i >= 0 && len(msg) > 300 {
		msg = msg[i+1:]
	}
	e := fmt.Errorf("%s exited at once: %v", filepath.Base(b.cmd.Path), b.err)
	if msg != "" {
		return cli.WithHint(e, "it said: %s", msg)
	}
	return e
}

// stop ends the browser and its child processes, and removes the profile.
func (b *browser) stop() {
	b.once.Do(func() {
		select {
		case <-b.exited:
		default:
			terminate(b.cmd)
			select {
			case <-b.exited:
			case <-time.After(5 * time.Second):
				kill(b.cmd)
				<-b.exited
			}
		}
		// Chromium's helpers may hold files a moment longer.
		for range 10 {
			if err := os.RemoveAll(b.profile); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// tailWriter keeps the last bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
