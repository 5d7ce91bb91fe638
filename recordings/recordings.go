// Package recordings holds the flows bundled with apitrail, recorded from
// the local instance's web UI (see README.md in this folder). They are
// embedded so that `replay --demo` works from any folder.
package recordings

import "embed"

// FS holds every flow folder.
//
//go:embed */recording.har */*.noise */flow.json */spec
var FS embed.FS
