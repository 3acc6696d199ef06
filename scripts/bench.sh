#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its BENCH lines (plus the go test
# output, for the record). docs/benchmarks.md quotes the BENCH lines verbatim.
# The API benchmark repeats a request; the scenario benchmarks (ingest, routing,
# rebuild, desktop, CEBP) are fixed scenarios that run once each. CEBP seeds a
# million personas (SWITCHBOARD_BENCH_PERSONAS and SWITCHBOARD_BENCH_SINK size it).
# Knowledge search fills 100,000 articles in 1,000 tenants and compares bleve,
# SQLite FTS5 and PostgreSQL on them (-args -kb.articles=N -kb.tenants=N scale it).
# The voice relay steps up phone-to-phone calls through the media server on one core
# (SWITCHBOARD_BENCH_VOICE_DURATION sets each step's measured time, default 5s).
# Not run here: the *Tune, *Validation and *Daily benchmarks (the tuning records, on
# validation splits only) and BenchmarkExpertFindingRolling (superseded); run them by name.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
out=bench/out/go-bench.txt
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(go version)" | tee "$out"
go test -run '^$' -bench 'BenchmarkAPIGet$|BenchmarkAPIKeyVerify$' -benchtime 3000x -count 1 ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkIngest$|BenchmarkRouting$|BenchmarkDispatchRebuild$|BenchmarkDesktop$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkContextFetch$|BenchmarkContextPop$' -benchtime 1x -count 1 ./bench/ | tee -a "$out"
# Memory: 10,000 open conversations in a node and in a node restarted on them.
go test -run '^$' -bench 'BenchmarkAPIInbound$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkOpenConversationsMemory$' -benchtime 1x -count 1 -timeout 20m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkCEBP$' -benchtime 1x -count 1 -timeout 60m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkKnowledgeSuggest$|BenchmarkKnowledgeSuggestHWU64$|BenchmarkKnowledgeSuggestHINT3$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkKnowledgeSearch$|BenchmarkKnowledgeEditVisible$|BenchmarkKnowledgeTenantOpen$|BenchmarkKnowledgeSearchQuality$' -benchtime 1x -count 1 -timeout 60m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkContextRank$' -benchtime 1x -count 1 ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkExpertFinding$|BenchmarkExpertFindingBlockRolling$|BenchmarkExpertFindingLearned$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
# Routing at the cloud anchors' sizes (500,000 waiting items) and 1,000 tenants on one node.
go test -run '^$' -bench 'BenchmarkRouting500k$|BenchmarkDispatchRebuild500k$|BenchmarkRoutingTenants$|BenchmarkDispatchRebuildTenants$' -benchtime 1x -count 1 -timeout 60m ./bench/ | tee -a "$out"
# A shard leader's tick with one SLA deadline due among 100,000 and 500,000 running clocks.
go test -run '^$' -bench 'BenchmarkSLATick$' -benchtime 1x -count 1 -timeout 30m ./internal/dispatch/ | tee -a "$out"
# Reports: the rollups beside ingest, the month at 1,000,000 conversations (the first run folds
# and caches it in bench/out/, about 40 minutes), scheduled reports' claims.
go test -run '^$' -bench 'BenchmarkRollupThroughput$|BenchmarkReportScheduleTick$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkReportMonth$' -benchtime 1x -count 1 -timeout 0 ./bench/ | tee -a "$out"
# Social channels' webhooks against the API channel.
go test -run '^$' -bench 'BenchmarkWhatsAppWebhook$|BenchmarkMessengerWebhook$|BenchmarkTelegramWebhook$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkVoiceRelay$' -benchtime 1x -count 1 -timeout 30m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkCallSetup$' -benchtime 1x -count 1 -timeout 10m ./internal/voice/calls/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkDialHangup$' -benchtime 2000x -count 1 ./internal/voice/sip/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkPrompt$|BenchmarkDTMFDetector$' -count 1 ./internal/voice/speech/ | tee -a "$out"
# A phone call answered (baresip dialling a tenant's number) and a spoken notice answered by keypad (needs baresip, espeak-ng).
go test -run '^$' -bench 'BenchmarkPhoneCallAnswer$' -benchtime 30x -count 1 -timeout 10m ./internal/voice/phone/ | tee -a "$out"
go test -run '^TestSpokenNoticeAnsweredByKeypad$' -count 1 -v -timeout 10m ./internal/voice/outcall/ | tee -a "$out"
# Voice: 20 browser calls, widget to desktop, through the media server (needs Chromium and a built web app).
go test -run '^TestBrowserVoiceCallSetup$' -count 1 -v -timeout 30m ./e2e/ -args -voice.calls=20 | tee -a "$out"
# Scale (issue 18): routing failover when a shard's leader is SIGKILLed, three nodes' CPU per message
# against one, an idle node's commits and CPU, 10,000 widget and 1,000 agent sockets.
go test -run '^$' -bench 'BenchmarkRoutingFailover$' -benchtime 1x -count 1 -timeout 20m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkCluster$|BenchmarkIdleNode$' -benchtime 1x -count 1 -timeout 40m ./bench/ | tee -a "$out"
go test -run '^$' -bench 'BenchmarkSockets$' -benchtime 1x -count 1 -timeout 20m ./bench/ | tee -a "$out"
# Chaos (issue 18): three nodes, a three-server NATS cluster and PostgreSQL under mixed load, a node
# SIGKILLed every few seconds for four minutes, notices cut from a million-row audience (the short run is in make test).
SWITCHBOARD_CHAOS_LONG=1 go test -run '^TestChaos$' -count 1 -v -timeout 40m ./e2e/ | tee -a "$out"
echo
grep '^BENCH ' "$out" | sed 's/^.*\(BENCH \)/\1/'
