package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLaunchPatchAndDelete(t *testing.T) {
	in := start(t, Options{})
	a := newAPI(t, in).login()
	l := a.must(200, "POST", "/api/launch", map[string]any{"name": "before", "projectId": 1}).json(t)
	path := fmt.Sprintf("/api/launch/%v", l["id"])
	got := a.must(200, "PATCH", path, map[string]any{"name": "after"}).json(t)
	if got["name"] != "after" || got["id"] != l["id"] {
		t.Errorf("patch answered %v", got)
	}
	if a.must(200, "GET", path, nil).json(t)["name"] != "after" {
		t.Error("the rename did not stick")
	}
	a.must(400, "PATCH", path, map[string]any{"name": " "})
	a.must(204, "DELETE", path, nil)
	a.must(404, "GET", path, nil)
	a.must(404, "DELETE", path, nil)
	// Deleting a launch takes its test results with it.
	a.must(204, "DELETE", "/api/launch/101", nil)
	if n := a.must(200, "GET", "/api/testresult?launchId=101", nil).json(t)["totalElements"]; n != float64(0) {
		t.Errorf("launch 101's results survive its deletion: %v", n)
	}
}

func TestDataFileKeepsStateAcrossRestarts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sandbox.json")
	first := start(t, Options{DataFile: file})
	a := newAPI(t, first).login()
	made := a.must(200, "POST", "/api/launch", map[string]any{"name": "kept across restarts", "projectId": 1}).json(t)
	a.must(204, "POST", "/api/launch/102/close", nil)
	a.must(204, "DELETE", "/api/launch/101", nil)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.DataError(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("data file %v, mode %v: want it private", err, fi)
	}

	second := start(t, Options{DataFile: file})
	b := newAPI(t, second).login()
	if got := b.must(200, "GET", fmt.Sprintf("/api/launch/%v", made["id"]), nil).json(t); got["name"] != "kept across restarts" || got["createdDate"] != made["createdDate"] {
		t.Errorf("the launch came back as %v", got)
	}
	if b.must(200, "GET", "/api/launch/102", nil).json(t)["closed"] != true {
		t.Error("closing launch 102 was forgotten")
	}
	b.must(404, "GET", "/api/launch/101", nil)
	// The id counters are kept too, so a new object never reuses an old id.
	next := b.must(200, "POST", "/api/launch", map[string]any{"name": "after restart", "projectId": 1}).json(t)
	if next["id"].(float64) <= made["id"].(float64) {
		t.Errorf("new launch got id %v after %v", next["id"], made["id"])
	}

	// Without a data file, a restart is the seed data again.
	fresh := newAPI(t, start(t, Options{})).login()
	fresh.must(200, "GET", "/api/launch/101", nil)
}

func TestBadDataFileIsRefusedWithItsPlace(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content, want string
	}{
		{"broken JSON names line and column", "{\n \"format\": 1,\n \"launches\": [}\n", "line 3, column"},
		{"an unknown member is refused", `{"format":1,"colour":"red"}`, `unknown field "colour"`},
		{"another format is refused", `{"format":7}`, "format 7"},
		{"missing counters are refused", `{"format":1,"projects":[],"next":{}}`, "next."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			in, err := Start(Options{DataFile: file})
			if err == nil {
				in.Close()
				t.Fatal("started on a bad data file")
			}
			if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want the file and %q", err, tc.want)
			}
			if b, _ := os.ReadFile(file); string(b) != tc.content {
				t.Error("the bad data file was overwritten")
			}
		})
	}
}

// TestOtherUsersWriteTheirOwnLaunches runs the knob while a flow creates
// and changes its own launch: the log shows other users' creates, renames
// and deletes, searches find their launches, and the flow's launch and the
// seed launches are exactly as the flow left them.
func TestOtherUsersWriteTheirOwnLaunches(t *testing.T) {
	in := start(t, Options{Seed: 7, Knobs: Knobs{OtherUsers: 5 * time.Millisecond}})
	a := newAPI(t, in).login()
	mine := a.must(200, "POST", "/api/launch", map[string]any{"name": "the flow's launch", "projectId": 1}).json(t)
	kinds := func() map[string]int {
		n := map[string]int{}
		for _, r := range in.Requests() {
			if r.User != "" && r.User != SeedUsername && r.Status < 400 {
				n[r.Method]++
			}
		}
		return n
	}
	waitUntil(t, 20*time.Second, func() bool { k := kinds(); return k["POST"] > 0 && k["PATCH"] > 0 && k["DELETE"] > 0 })

	in.SetKnobs(Knobs{})
	time.Sleep(100 * time.Millisecond) // let a turn already under way land
	page := a.must(200, "GET", "/api/launch/__search?projectId=1&rql=id%3E0&size=1000", nil).json(t)
	owners := map[string]bool{}
	for _, c := range page["content"].([]any) {
		l := c.(map[string]any)
		if l["id"] == mine["id"] {
			if l["name"] != "the flow's launch" || l["lastModifiedDate"] != mine["lastModifiedDate"] {
				t.Errorf("another user changed the flow's launch: %v", l)
			}
		}
		if by, ok := strings.CutPrefix(l["name"].(string), "Nightly by "); ok {
			owners[strings.Fields(strings.TrimSuffix(by, ","))[0]] = true
		}
	}
	if !owners["alice"] && !owners["bob"] {
		t.Errorf("the search finds no other user's launch: %v", owners)
	}
	a.must(200, "GET", fmt.Sprintf("/api/launch/%v", mine["id"]), nil)
	for _, id := range []int{101, 102} {
		a.must(200, "GET", fmt.Sprintf("/api/launch/%d", id), nil)
	}
	for _, r := range in.Requests() {
		if r.User != "" && r.User != SeedUsername && r.Status >= 400 {
			t.Errorf("another user's write failed: %+v", r)
		}
	}

	// With the knob off, they stop.
	before := len(in.Requests())
	time.Sleep(150 * time.Millisecond)
	if after := len(in.Requests()); after != before {
		t.Errorf("%d requests after the knob went off", after-before)
	}
}

func TestOtherUsersPersistWithTheDataFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "shared.json")
	in := start(t, Options{DataFile: file, Knobs: Knobs{OtherUsers: 5 * time.Millisecond}})
	waitUntil(t, 20*time.Second, func() bool {
		for _, r := range in.Requests() {
			if r.User == "alice" && r.Method == "POST" {
				return true
			}
		}
		return false
	})
	in.Close()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var f dataFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range f.Launches {
		found = found || l.CreatedBy == "alice"
	}
	if !found {
		t.Error("alice's launch is not in the data file")
	}
}
