package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/apitrail/apitrail/har"
)

// Version is the line --version prints: the command, the module version
// and the VCS revision the binary was built from (with "+dirty" when the
// work tree had changes), as debug.ReadBuildInfo knows them. A test binary
// or a "go run" has no revision; the line says so rather than invent one.
func Version(prog string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return prog + " (no build information)"
	}
	return versionLine(prog, bi)
}

func versionLine(prog string, bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	line := fmt.Sprintf("%s %s", prog, v)
	if rev == "" {
		return line + " (no VCS revision: built outside a git work tree or with -buildvcs=false), " + bi.GoVersion
	}
	if dirty {
		rev += "+dirty"
	}
	line += " revision " + rev
	if at != "" {
		line += " (" + at + ")"
	}
	return line + ", " + bi.GoVersion
}

// Creator names a command as the creator of the HAR files it writes: the
// module version, or "devel" for a build outside a released module.
func Creator(prog string) har.Creator {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return har.Creator{Name: "apitrail " + prog, Version: v}
}
