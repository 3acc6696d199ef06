#!/usr/bin/env bash
# A short fuzzing run of every fuzz test (issue 19: the MIME parser, the
# provider webhooks, the widget protocol, JSON bodies, ...). Plain `go test`
# already replays each committed seed corpus; this mutates beyond it for a few
# seconds per target so that `make test` fuzzes a little on every run.
# FUZZTIME sets the budget per target (default 3000x: executions, not seconds —
# a duration races Go's fuzzing coordinator at its deadline and fails with
# "context deadline exceeded" and no crasher on a loaded machine, go.dev/issue/75804,
# fixed only in Go 1.27). A crasher fails the run and is written under the
# package's testdata/fuzz/ to be committed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-3000x}
n=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for file in $(grep -rl --include='*_test.go' '^func Fuzz' internal cmd e2e 2>/dev/null | sort); do
  pkg=./$(dirname "$file")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
    echo "fuzz: $pkg $target for $fuzztime"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -parallel=1 "$pkg" >"$log" 2>&1 \
      || { cat "$log"; echo "fuzz: $target found a failure (see above)"; exit 1; }
    n=$((n+1))
  done
done
echo "fuzz: $n targets fuzzed for $fuzztime each, no failure"
