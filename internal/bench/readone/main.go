// Command readone is the child process of 'bench read': it reads a HAR
// once in the way named, keeping no entry when it streams (as a streaming
// caller does; Unmarshal holds the whole document, as it makes it), and
// prints how many entries it read and the largest Go heap it saw.
//
//	readone har|har1|unmarshal HAR
//
// har streams with a decoder per core, har1 entry by entry on one
// goroutine, unmarshal is os.ReadFile and json.Unmarshal into the struct a
// user would write.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/internal/bench/readcmp"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: readone har|har1|unmarshal HAR")
		os.Exit(2)
	}
	how, path := os.Args[1], os.Args[2]
	var n int
	var err error
	peak := readcmp.PeakHeap(func() {
		switch how {
		case "har", "har1":
			decoders := runtime.GOMAXPROCS(0)
			if how == "har1" {
				decoders = 1
			}
			n, err = streamHAR(path, decoders)
		case "unmarshal":
			n, err = unmarshalHAR(path)
		default:
			err = fmt.Errorf("no way %q (there are har, har1, unmarshal)", how)
		}
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "readone: error: %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("%d entries, peak heap %.1f MB\n", n, float64(peak)/1e6)
}

func streamHAR(path string, decoders int) (int, error) {
	rd, err := har.OpenWith(path, har.ReaderOptions{Name: path, Dir: filepath.Dir(path), Decoders: decoders})
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	for {
		_, err := rd.Next()
		if err == io.EOF {
			return rd.Count(), nil
		}
		if err != nil {
			return 0, err
		}
	}
}

func unmarshalHAR(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var doc readcmp.UserHAR
	if err := json.Unmarshal(data, &doc); err != nil {
		return 0, err
	}
	return len(doc.Log.Entries), nil
}
