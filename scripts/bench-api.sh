#!/usr/bin/env bash
# Benchmarks analytics-api with wrk on seed-demo data (issue 5's performance targets).
#
# Usage: scripts/bench-api.sh [--loans N] [--officers N] [--duration 30s] [--connections 100]
#   --loans N         loans in the demo book (default 1000000)
#   --officers N      officers (default 2000)
#   --duration D      wrk duration per run (default 30s)
#   --connections C   wrk connections (default 100)
# Environment: SWIFT_SCRATCH_PATH, when set, is passed to swift build as --scratch-path.
#
# Starts its own PostgreSQL and Redis (scripts/servers.sh), builds release binaries, migrates,
# runs `metrics-worker seed-demo` and `full-refresh`, starts the API, then:
#   1. the officer list: 50 rows a page, 200 filter combinations, JWT on every request, cache warm;
#   2. a drilldown page 10,000 rows deep (keyset cursor);
# and prints p50/p95/p99, requests/s and the API's resident memory after the runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

loans=1000000
officers=2000
duration=30s
connections=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --officers) officers=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) echo "bench-api.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
command -v wrk >/dev/null || { echo "bench-api.sh: wrk is not installed (apt-get install wrk)" >&2; exit 69; }

build_flags=(-c release)
[[ -n "${SWIFT_SCRATCH_PATH:-}" ]] && build_flags+=(--scratch-path "$SWIFT_SCRATCH_PATH")
swift build "${build_flags[@]}" --product analytics-api
swift build "${build_flags[@]}" --product metrics-worker
bin="$(swift build "${build_flags[@]}" --show-bin-path)"

servers=scripts/servers.sh
work=$(mktemp -d /tmp/analytics-bench.XXXXXX)
chmod 755 "$work"
api_pid=""
cleanup() {
  [[ -n "$api_pid" ]] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  bash "$servers" throwaway-stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# (Assigned first: set -e does not see a failure inside eval "$(...)".)
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
api_port=$(bash "$servers" free-port)
export JWT_SECRET="bench-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export LOG_LEVEL=warning

as_of=2024-11-01
"$bin/metrics-worker" migrate
echo "seeding $loans loans over $officers officers..."
time "$bin/metrics-worker" seed-demo --loans "$loans" --officers "$officers" --as-of "$as_of"
time "$bin/metrics-worker" full-refresh --as-of "$as_of"
# Fresh planner statistics after the bulk load (autovacuum would get there within a minute or so).
"$(bash "$servers" pg-bin)/psql" -q "$DATABASE_URL" -c "ANALYZE"

PORT=$api_port BIND_ADDRESS=127.0.0.1 "$bin/analytics-api" >"$work/api.log" 2>&1 &
api_pid=$!
base="http://127.0.0.1:$api_port"
for _ in $(seq 1 100); do curl -fs "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN=$("$bin/metrics-worker" dev-token --role viewer --sub bench)
export TOKEN

# 200 filter combinations: 8 sorts x 5 risk bands x 5 pages, 50 rows a page.
paths="$work/officers.txt"
: >"$paths"
for sort in rank -risk_score risk_score -ayr -fimr -portfolio_total -dqi -roll; do
  for band in "" Green Watch Amber Red; do
    for page in 1 2 3 4 5; do
      echo "/api/v1/metrics/officers?per_page=50&page=$page&sort=$sort${band:+&risk_band=$band}" >>"$paths"
    done
  done
done
while read -r path; do curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$base$path"; done <"$paths"
bytes=$(curl -fs -H "Authorization: Bearer $TOKEN" "$base$(head -1 "$paths")" | wc -c)
echo "officer list: $(wc -l <"$paths") combinations, first page $bytes bytes"
PATHS_FILE="$paths" wrk -t2 -c"$connections" -d"$duration" --latency -s bench/api/rotate.lua "$base"

# A drilldown page 10,000 rows deep: walk the keyset cursor there, then hammer that page.
cursor=""
for _ in $(seq 1 20); do
  url="$base/api/v1/loans/fimr-drilldown?limit=500${cursor:+&cursor=$cursor}"
  cursor=$(curl -fs -H "Authorization: Bearer $TOKEN" "$url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["next_cursor"] or "")')
  [[ -z "$cursor" ]] && break
done
deep="$work/deep.txt"
echo "/api/v1/loans/fimr-drilldown?limit=50&cursor=$cursor" >"$deep"
echo "drilldown 10,000 rows in (keyset cursor):"
PATHS_FILE="$deep" wrk -t2 -c"$connections" -d"$duration" --latency -s bench/api/rotate.lua "$base"

# The same walk without the cache's help: 200 further pages in sequence, each a new cursor (a miss).
times="$work/uncached.txt"
: >"$times"
walk=$cursor
for _ in $(seq 1 200); do
  [[ -z "$walk" ]] && break
  out=$(curl -fs -w '\n%{time_total}' -H "Authorization: Bearer $TOKEN" "$base/api/v1/loans/fimr-drilldown?limit=50&cursor=$walk")
  echo "$out" | tail -1 >>"$times"
  walk=$(echo "$out" | head -n -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["next_cursor"] or "")')
done
python3 - "$times" <<'PY'
import sys
t = sorted(float(x) * 1000 for x in open(sys.argv[1]) if x.strip())
if t:
    print(f"drilldown pages 10,000+ rows in, uncached, one at a time: {len(t)} pages, p50 {t[len(t)//2]:.2f} ms, p95 {t[int(len(t)*0.95)-1]:.2f} ms, max {t[-1]:.2f} ms")
PY

echo "cache counters:"; curl -fs "$base/metrics" | grep -E '^analytics_api_cache_(hits|misses|fallbacks)_total' || true
echo "analytics-api resident memory after the runs: $(grep VmRSS /proc/$api_pid/status | awk '{print $2/1024 " MiB"}')"
