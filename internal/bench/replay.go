package main

import "github.com/apitrail/apitrail/internal/replaybench"

func init() {
	commands["replay"] = command{summary: "replay -c 16 against the local instance, this tree against a base commit", run: replaybench.Main}
}
