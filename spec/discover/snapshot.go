package discover

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/apitrail/apitrail/internal/atomicfile"
	"github.com/apitrail/apitrail/spec"
)

// SnapshotManifest is the file in a snapshot folder that lists its documents.
const SnapshotManifest = "specs.json"

type manifest struct {
	// Format versions the manifest layout, so a later layout can still
	// read today's snapshots.
	Format int             `json:"format"`
	Saved  time.Time       `json:"saved"`
	Specs  []manifestEntry `json:"specs"`
}

type manifestEntry struct {
	Name    string    `json:"name"`
	URL     string    `json:"url"`
	Fetched time.Time `json:"fetched"`
	SHA256  string    `json:"sha256"`
	Size    int       `json:"size"`
	File    string    `json:"file"`
}

// SaveSnapshot writes documents into dir (created if needed): each
// document's bytes exactly as fetched, and a manifest (SnapshotManifest)
// with its name, URL, fetch time and SHA-256. Each file is written to a
// temporary name and renamed, the manifest last, so an interrupted save
// leaves the previous snapshot readable. Credentials in URLs (user
// information, token-like query parameters) are not written.
func SaveSnapshot(dir string, srcs []spec.Source) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &spec.Error{File: dir, Err: pathErr(err)}
	}
	old, _ := readManifest(dir)
	m := manifest{Format: 1, Saved: time.Now().UTC()}
	used := map[string]bool{}
	for i, src := range srcs {
		name := snapshotFileName(i, src, used)
		if err := writeAtomic(filepath.Join(dir, name), src.Data); err != nil {
			return err
		}
		sum := sha256.Sum256(src.Data)
		m.Specs = append(m.Specs, manifestEntry{
			Name: src.Name, URL: redactURL(src.URL), Fetched: src.Fetched.UTC(),
			SHA256: hex.EncodeToString(sum[:]), Size: len(src.Data), File: name,
		})
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, SnapshotManifest), append(data, '\n')); err != nil {
		return err
	}
	// Documents the previous manifest listed and this one does not.
	if old != nil {
		for _, e := range old.Specs {
			if !used[e.File] && safeFileName(e.File) {
				os.Remove(filepath.Join(dir, e.File))
			}
		}
	}
	return nil
}

// LoadSnapshot reads the documents a snapshot folder holds, checking each
// against the SHA-256 its manifest recorded.
func LoadSnapshot(dir string) ([]spec.Source, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	manifestPath := filepath.Join(dir, SnapshotManifest)
	srcs := make([]spec.Source, 0, len(m.Specs))
	for i, e := range m.Specs {
		place := fmt.Sprintf("/specs/%d", i)
		if !safeFileName(e.File) {
			return nil, &spec.Error{File: manifestPath, Place: place, Err: fmt.Errorf("file %q is not a plain file name in the snapshot folder", e.File)}
		}
		path := filepath.Join(dir, e.File)
		got, err := spec.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(got.SHA256, e.SHA256) {
			return nil, &spec.Error{File: path, Err: fmt.Errorf("sha256 %s does not match the manifest's %s: the snapshot was changed after it was saved", got.SHA256, e.SHA256)}
		}
		srcs = append(srcs, spec.Source{Name: e.Name, URL: e.URL, Fetched: e.Fetched, SHA256: e.SHA256, Data: got.Data})
	}
	return srcs, nil
}

func readManifest(dir string) (*manifest, error) {
	path := filepath.Join(dir, SnapshotManifest)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &spec.Error{File: path, Err: pathErr(err)}
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, &spec.Error{File: path, Err: fmt.Errorf("not a snapshot manifest: %v", err)}
	}
	if m.Format != 1 {
		return nil, &spec.Error{File: path, Place: "/format", Err: fmt.Errorf("snapshot format %d is not one this version reads (1)", m.Format)}
	}
	return &m, nil
}

var unsafeNameChars = regexp.MustCompile(`[^a-z0-9]+`)

func snapshotFileName(i int, src spec.Source, used map[string]bool) string {
	label := src.Name
	if label == "" {
		label = nameFromURL(src.URL)
	}
	slug := strings.Trim(unsafeNameChars.ReplaceAllString(strings.ToLower(label), "-"), "-")
	if len(slug) > 48 {
		slug = slug[:48]
	}
	if slug == "" {
		slug = "spec"
	}
	ext := "yaml"
	if t := bytes.TrimLeft(bytes.TrimPrefix(src.Data, utf8BOM), " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		ext = "json"
	}
	name := fmt.Sprintf("%02d-%s.%s", i+1, slug, ext)
	used[name] = true
	return name
}

func safeFileName(name string) bool {
	return name != "" && name != "." && name != ".." && name == filepath.Base(name) &&
		!strings.ContainsAny(name, `/\`) && name != SnapshotManifest
}

func writeAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return &spec.Error{File: path, Err: pathErr(err)}
	}
	return nil
}

var secretQueryKey = regexp.MustCompile(`(?i)token|secret|password|passwd|api[-_]?key|^key$|auth|session|signature|sig$`)

// redactURL keeps credentials out of the manifest: user information and
// the values of token-like query parameters.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return raw
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for k := range q {
			if secretQueryKey.MatchString(k) {
				q[k] = []string{"REDACTED"}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// pathErr is the error under an *os.PathError: spec.Error names the file.
func pathErr(err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
