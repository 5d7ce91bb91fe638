package proxy_test

import (
	"context"
	"log"
	"net"
	"os"
	"os/signal"
	"time"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/proxy"
	"github.com/apitrail/apitrail/proxy/ca"
)

// A recording proxy for one host, finished by Ctrl-C.
func ExampleNew() {
	authority, _, err := ca.LoadOrCreate(os.ExpandEnv("$HOME/.local/share/apitrail/ca"), "me@laptop")
	if err != nil {
		log.Fatal(err)
	}
	w, err := har.Create("recording.har", har.WriterOptions{}) // redacts by default
	if err != nil {
		log.Fatal(err)
	}
	host, _ := proxy.ParseHostPattern("*.example.com")
	p, err := proxy.New(proxy.Options{CA: authority, Writer: w, Filter: &proxy.Filter{Hosts: []proxy.HostPattern{host}}})
	if err != nil {
		log.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	go p.Serve(l)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		log.Print(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
}

// A DevTools export cleaned into a recording: assets dropped, secrets
// replaced, Playwright's side files brought inline.
func ExampleImport() {
	head, err := proxy.ImportHeader("export.har", har.Creator{Name: "example", Version: "1.0"})
	if err != nil {
		log.Fatal(err)
	}
	red := har.NewRedactor(har.DefaultRules())
	w, err := har.Create("clean.har", har.WriterOptions{Header: head, Redactor: red})
	if err != nil {
		log.Fatal(err)
	}
	st, err := proxy.Import("export.har", w, proxy.ImportOptions{Filter: &proxy.Filter{}, Redactor: red})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("kept %d of %d entries", st.Kept, st.Read)
}
