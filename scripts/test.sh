#!/usr/bin/env bash
# The whole test suite, as README.md gives it: vet, formatting, then every test with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
go vet ./...
unformatted=$(gofmt -l . | grep -v '^testdata/' || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go test -race -timeout 45m ./...
