#!/usr/bin/env bash
# Prints how long a Redis call takes to fail once Redis is gone (production timeouts: 50 ms connect
# and command, 250 ms retry window), as min / median / p95 / max over N calls (default 50).
# A figure to watch, not a test: a loaded machine changes it, so nothing is asserted (the unit test
# only checks that such calls fail with a clear error and return).
#
#   bash scripts/bench-redis-failfast.sh [CALLS]
#
# Runs the "Redis fail-fast benchmark" suite (Tests/AnalyticsStoreTests/RedisFailFastBenchmark.swift),
# which is disabled unless BENCH_REDIS_FAILFAST is set, through scripts/test.sh (throwaway servers).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-50}
case $calls in ''|*[!0-9]*) echo "bench-redis-failfast.sh: CALLS must be a number" >&2; exit 64 ;; esac
BENCH_REDIS_FAILFAST=$calls bash scripts/test.sh --filter RedisFailFastBenchmark 2>&1 | grep -E "redis-failfast:|error|failed" || {
  echo "bench-redis-failfast.sh: no figure printed (see swift test output)" >&2
  exit 1
}
