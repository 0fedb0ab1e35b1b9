#!/usr/bin/env bash
# Runs the whole test suite against throwaway PostgreSQL, Redis and ActiveMQ (STOMP) servers that
# this script starts on free loopback ports and stops again, whatever happens. Extra arguments go to `swift test`
# (e.g. --filter AnalyticsStoreTests).
set -euo pipefail
cd "$(dirname "$0")/.."
servers=scripts/servers.sh

bash "$servers" deps
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

work=$(mktemp -d /tmp/analytics-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  local dir
  # The suite's shared servers, and any a test started for itself (fault tests).
  for dir in "$work/postgres" "$work"/pg-*/data; do [ -d "$dir" ] && bash "$servers" pg-stop "$dir" || true; done
  for dir in "$work/redis" "$work"/redis-*; do [ -d "$dir" ] && bash "$servers" redis-stop "$dir" || true; done
  for dir in "$work/activemq" "$work"/activemq-*; do [ -d "$dir" ] && bash "$servers" activemq-stop "$dir" || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_port=$(bash "$servers" free-port)
redis_port=$(bash "$servers" free-port)
PG_FSYNC=off PG_SYNCHRONOUS_COMMIT=off bash "$servers" pg-start "$work/postgres" "$pg_port"
bash "$servers" redis-start "$work/redis" "$redis_port"
# One broker for the whole run (the JVM takes seconds to start); tests that restart or freeze a
# broker start their own (LocalActiveMQ).
activemq_port=$(bash "$servers" free-port)
bash "$servers" activemq-start "$work/activemq" "$activemq_port"
echo "test servers: PostgreSQL 127.0.0.1:$pg_port, Redis 127.0.0.1:$redis_port, ActiveMQ (STOMP) 127.0.0.1:$activemq_port"

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
export ACTIVEMQ_STOMP_URL="stomp://127.0.0.1:$activemq_port"
export TEST_SERVERS_SCRIPT="$PWD/$servers"
export TEST_WORK_DIR="$work"
# A Python with the pinned `avro` package: Avro's own test vectors and the reference encoder.
export AVRO_PYTHON="$(bash scripts/avro/python.sh)"

# SWIFT_SCRATCH_PATH: build in another folder (e.g. .build-api) instead of .build.
scratch=()
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SWIFT_SCRATCH_PATH")

swift build "${scratch[@]}" --build-tests
# Tests that need the worker as a program (to load the fixture the way production does) run this.
export TEST_WORKER_BIN="$(swift build "${scratch[@]}" --show-bin-path)/metrics-worker"
# On a full run (no arguments), five phases of `swift test`: the rest; then the fault suites
# (StompFaultTests and FineractEventFaultTests included: they restart servers and start brokers of
# their own) with ReplicaReadTests (a primary and a streaming standby per test, pg_basebackup, the
# standby killed under load); then, alone, the API's ingest suites (a database each per test, the
# fixture through HTTP with nine worker runs, large streamed bodies, 16 concurrent ingests on a
# pool of 2 whose waits must stay under the acquire timeout: a JVM starting beside them could take
# the cores long enough to trip it); then, alone, the STOMP transport against the shared broker
# (StompBrokerTests: in the first phase, hundreds of tests on the two threads of a 2-core
# machine's cooperative pool starved its consumer, a thousand messages took over 120 s in CI
# against 7 s alone); then, alone, the suites whose waits count many hops on the cooperative
# pool against a real-time window: the connection pool's (PostgresPoolTests and
# PostgresPoolSpareTests: 24 leases of a pool of 2 whose waits must stay under the acquire
# timeout) and the daemon's schedule (DaemonScheduleTests: three lease refusals 50 ms apart
# within a 30 s wait). In the first phase, on a slow shared host, the pair-lease test took 31 s
# (0.97 s alone) and then past its 20 s timeout, the lease test 28-42 s and then past its 30 s
# (both a second alone). No test asserts a speed (those windows only catch a hang); the phases
# keep each load from starving the others. Then the deployment checks (manifests, compose, the three-replica
# topology) and the schemathesis fuzz run (issue 7, bounded for CI). With arguments, only
# `swift test` with them.
if [ $# -eq 0 ]; then
  faults="FaultTests|FaultJobsTests|ReplicaReadTests"
  ingest="AnalyticsAPITests.Ingest"
  broker="StompTests.StompBrokerTests"
  timing="AnalyticsStoreTests.PostgresPool|MetricsWorkerTests.DaemonScheduleTests"
  swift test "${scratch[@]}" --skip-build --skip "$faults|$ingest|$broker|$timing"
  swift test "${scratch[@]}" --skip-build --filter "$faults"
  swift test "${scratch[@]}" --skip-build --filter "$ingest"
  swift test "${scratch[@]}" --skip-build --filter "$broker"
  swift test "${scratch[@]}" --skip-build --filter "$timing"
  bash scripts/check-deploy.sh
  bash scripts/fuzz-api.sh --time 30
else
  swift test "${scratch[@]}" --skip-build "$@"
fi
