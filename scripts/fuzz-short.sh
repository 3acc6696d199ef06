#!/usr/bin/env bash
# A short fuzzing run of every fuzz test (issue 19: the MIME parser, the
# provider webhooks, the widget protocol, JSON bodies, ...). Plain `go test`
# already replays each committed seed corpus; this mutates beyond it for a few
# thousand executions per target so that `make test` fuzzes a little on every
# run.
#
# Coverage guidance comes from this module's code only: each fuzzed package's
# test binary is built with `go test -c` and the fuzzing instrumentation
# (-d=libfuzzer) on our packages, and run with -test.fuzz. `go test -fuzz`
# would instrument every package of the binary, the standard library and
# every dependency included, and compile them all again for it — five minutes
# of a two-core machine for the API's binary alone, against under one this
# way; what is fuzzed is our parsers and decoders, whose branches are what
# guide the mutations.
#
# FUZZTIME sets the budget per target (default 3000x: executions, not seconds —
# a duration races Go's fuzzing coordinator at its deadline and fails with
# "context deadline exceeded" and no crasher on a loaded machine, go.dev/issue/75804,
# fixed only in Go 1.27). A crasher fails the run and is written under the
# package's testdata/fuzz/ to be committed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
module=$(go list -m)
fuzztime=${FUZZTIME:-3000x}
cache="$(go env GOCACHE)/fuzz-short"
bins=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$bins" "$log"' EXIT
n=0
for dir in $(grep -rl --include='*_test.go' '^func Fuzz' internal cmd e2e 2>/dev/null | xargs -n1 dirname | sort -u); do
  bin="$bins/$(echo "$dir" | tr / _).test"
  go test -c -o "$bin" -gcflags="$module/...=-d=libfuzzer" "./$dir" >"$log" 2>&1 \
    || { cat "$log"; echo "fuzz: could not build ./$dir for fuzzing"; exit 1; }
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | cut -d' ' -f2 | sort); do
    echo "fuzz: ./$dir $target for $fuzztime"
    (cd "$root/$dir" && "$bin" -test.run='^$' -test.fuzz="^${target}\$" -test.fuzztime="$fuzztime" \
      -test.parallel=1 -test.fuzzcachedir="$cache/$dir") >"$log" 2>&1 \
      || { cat "$log"; echo "fuzz: $target found a failure (see above)"; exit 1; }
    if grep -q 'not built with coverage instrumentation' "$log"; then
      cat "$log"; echo "fuzz: $target ran unguided: the build lost its instrumentation"; exit 1
    fi
    n=$((n+1))
  done
done
echo "fuzz: $n targets fuzzed for $fuzztime each, no failure"
