package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Source is one spec document as fetched: its bytes and where and when they
// came from. The SHA256 lets a later run say exactly which spec version a
// recording was matched against.
type Source struct {
	// Name is the definition's name as the instance offers it ("All
	// Services"), or the file's base name.
	Name string `json:"name"`
	// URL is where the bytes came from: an http(s) URL or a file path.
	URL string `json:"url"`
	// Fetched is when the bytes were read (UTC).
	Fetched time.Time `json:"fetched"`
	// SHA256 is the hex digest of Data.
	SHA256 string `json:"sha256"`
	// Data is the document exactly as served.
	Data []byte `json:"-"`
}

// NewSource wraps bytes read elsewhere (standard input, an embedded file)
// and computes their digest.
func NewSource(name, location string, data []byte, fetched time.Time) Source {
	sum := sha256.Sum256(data)
	return Source{Name: name, URL: location, Fetched: fetched.UTC(), SHA256: hex.EncodeToString(sum[:]), Data: data}
}

// ReadFile reads a spec document from disk.
func ReadFile(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return Source{}, &Error{File: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	size := 0
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = int(min(fi.Size(), MaxSpecBytes))
	}
	data, err := readLimited(f, size)
	if err != nil {
		return Source{}, &Error{File: path, Err: err}
	}
	return NewSource(filepath.Base(path), path, data, time.Now()), nil
}

// ReadLimited reads a spec document, refusing one larger than MaxSpecBytes.
func ReadLimited(r io.Reader) ([]byte, error) { return readLimited(r, 0) }

// readLimited is ReadLimited into a buffer made for size bytes, the size
// of the file when known: growing one from nothing, as io.ReadAll does,
// copied a large document about twice over into fresh memory.
func readLimited(r io.Reader, size int) ([]byte, error) {
	data := make([]byte, 0, max(size+1, 512))
	lr := io.LimitReader(r, MaxSpecBytes+1)
	for {
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("larger than %d MB, the most a spec may be", MaxSpecBytes>>20)
	}
	return data, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
