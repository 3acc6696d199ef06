#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its BENCH lines (plus the go test
# output, for the record). docs/benchmarks.md quotes the BENCH lines verbatim.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(go version)"
go test -run '^$' -bench . -benchtime 3000x -count 1 ./bench/ | tee bench/out/go-bench.txt
echo
grep '^BENCH ' bench/out/go-bench.txt | sed 's/^.*\(BENCH \)/\1/'
