package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/internal/cli"
	"github.com/apitrail/apitrail/proxy"
)

// importHAR is --from: another tool's HAR export cleaned into a recording
// like the proxy's; a file named with -o appears only once it is whole.
func importHAR(o *options, stdout, stderr io.Writer) (int, error) {
	if fi, err := cli.StatInput(o.from); err != nil {
		return 0, fmt.Errorf("--from %w", err)
	} else if fi.IsDir() && o.fromName == "" {
		return 0, cli.WithHint(fmt.Errorf("--from %s: is a folder", o.from), "give the HAR file to import, e.g. %s", filepath.Join(o.from, "export.har"))
	}
	if o.output != "-" {
		if same(o.output, o.from) {
			return 0, cli.WithHint(fmt.Errorf("-o %s would replace the file being imported", o.output), "write the clean copy to another file")
		}
		if err := cli.CheckOutput("-o", o.output, o.force); err != nil {
			return 0, err
		}
	}
	head, err := proxy.ImportHeader(o.from, cli.Creator(prog))
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Op == "open" {
		// A file that cannot be opened is the flag's fault, as a missing one is.
		err = fmt.Errorf("--from: %w", err)
	}
	if err != nil {
		return 0, err
	}
	var w io.Writer = stdout
	var tmp *atomicfile.File
	if o.output != "-" {
		if tmp, err = atomicfile.Create(o.output, 0o600); err != nil {
			return 0, err
		}
		defer tmp.Abort()
		w = tmp
	}
	red := har.NewRedactor(o.rules)
	hw, err := har.NewWriter(w, har.WriterOptions{Header: head, Redactor: red, KeepSecrets: o.keepSecrets})
	if err != nil {
		return 0, err
	}
	if o.keepSecrets {
		cli.Warn(stderr, prog, "--keep-secrets: tokens, cookies and passwords go into %s as they are; do not share it", o.output)
	}
	opts := proxy.ImportOptions{Filter: o.filter, MaxBody: o.maxBody.MaxBody()}
	if !o.keepSecrets {
		opts.Redactor = red
	}
	st, err := proxy.Import(o.from, hw, opts)
	if err != nil {
		if !strings.Contains(err.Error(), o.from) {
			err = fmt.Errorf("%s: %w", o.from, err)
		}
		return 0, err
	}
	if st.Truncated != nil {
		// A recording killed mid-write is what --from makes whole again.
		cli.Warn(stderr, prog, "%v; imported the %d complete entries", st.Truncated, st.Truncated.Entries)
	}
	if st.Unreadable > 0 {
		noun := "bodies"
		if st.Unreadable == 1 {
			noun = "body"
		}
		cli.Warn(stderr, prog, "%d %s could not be read and were left out of their entries (first: %v)", st.Unreadable, noun, st.BodyErr)
	}
	if err := hw.Close(); err != nil {
		return 0, err
	}
	if tmp != nil {
		if err := tmp.Commit(); err != nil {
			return 0, err
		}
	}
	dest := o.output
	if dest == "-" {
		dest = "standard output"
	}
	src := o.from
	if o.fromName != "" {
		src = o.fromName
	}
	msg := fmt.Sprintf("%s: kept %d of %d entries of %s in %s", prog, st.Kept, st.Read, src, dest)
	if left := st.Read - st.Kept; left > 0 {
		msg += fmt.Sprintf(" (%d were static assets or other hosts)", left)
	}
	if st.Cut > 0 {
		msg += fmt.Sprintf("; %d with a body cut to --max-body", st.Cut)
	}
	fmt.Fprintln(stderr, msg)
	if st.Kept == 0 {
		return cli.ExitDiff, nil
	}
	return cli.ExitOK, nil
}

func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
