#!/usr/bin/env bash
# Renders the HTML reports of match and replay from the bundled recordings
# and screenshots them with headless Chromium, for the README:
#
#   docs/screenshots.sh [OUTDIR]     (default: docs/)
#
# A local instance in "version 2" mode (go run ./cmd/sandbox --v2) answers
# the bundled UI flow with a few changed shapes, so the replay report has
# regressions to show and match --against-instance has breaking changes.
# Nothing leaves the machine: the instance listens on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs}"
mkdir -p "$out"
tmp="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/" ./cmd/sandbox ./cmd/replay ./cmd/match
addr="127.0.0.1:${SCREENSHOT_PORT:-18417}"
"$tmp/sandbox" --v2 --addr "$addr" >"$tmp/sandbox.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
	if grep -q '^sandbox at ' "$tmp/sandbox.log"; then break; fi
	sleep 0.1
done
endpoint="http://$addr"
token="$(sed -n 's/^API token (a sandbox value, safe to show): //p' "$tmp/sandbox.log")"

# Exit 1 is expected: version 2 changes answers and breaks calls.
TESTOPS_TOKEN="$token" "$tmp/replay" -e "$endpoint" --unsafe -q --color never --html "$tmp/replay.html" recordings/ || [ $? = 1 ]
"$tmp/match" -q --color never --coverage --against-instance -e "$endpoint" --html "$tmp/match.html" recordings/ui-flow >/dev/null || [ $? = 1 ]

shot() {
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --hide-scrollbars --user-data-dir="$tmp/profile" \
		--window-size=1200,1400 --screenshot="$2" "file://$1" 2>/dev/null
}
shot "$tmp/replay.html" "$out/replay-report.png"
shot "$tmp/match.html" "$out/match-report.png"
ls -l "$out/replay-report.png" "$out/match-report.png"
