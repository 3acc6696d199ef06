#!/usr/bin/env bash
# What `make test` runs after the services check and vet: every Go test (both
# SQL engines, embedded and external NATS, the browser), and beside it, at the
# lowest CPU priority, the short fuzzing run (scripts/fuzz-short.sh). The
# fuzzing run is mostly compiling — a fuzz-instrumented build of each fuzzed
# package's whole import graph — so it takes the CPU the tests leave idle while
# they wait on browsers, timers and sockets, instead of adding its minutes
# after them. Its log is printed when both are done; either failing fails the
# run.
set -uo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

nice -n 19 ./scripts/fuzz-short.sh >"$log" 2>&1 &
fuzz=$!

start=$(date +%s)
"$go" test -timeout 40m -count=1 ./...
tests=$?
echo "go test: exit $tests after $(( $(date +%s) - start )) s"

wait "$fuzz"
fuzzed=$?
cat "$log"
echo "fuzz: exit $fuzzed, done $(( $(date +%s) - start )) s after the tests began"

[ "$tests" -eq 0 ] && [ "$fuzzed" -eq 0 ]
