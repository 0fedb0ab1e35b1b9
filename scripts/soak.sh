#!/usr/bin/env bash
# Soak run (issue 7): 100 concurrent clients for 10 minutes over a realistic mix (officer list and
# detail, branches, both drilldowns, filter options, 5% audit writes) on seed-demo data, with
# `calculate-officer-metrics` every 2 minutes in the background; then a longer schemathesis run.
# Prints errors, p95 per route (server side, from /metrics), client-side latency, the resident
# memory of each process at the start and the end, and the cache hit rate.
#
# The start figures are taken after a 2-minute warm-up under the same load with one background
# run (so the caches and PostgreSQL's shared buffers are in use) once that run has finished, the
# end figures once the soak's last background run has finished. PostgreSQL's memory is shown twice: the sum of the
# processes' RSS counts a shared-buffer page once per process that touched it, so it grows as
# backends touch more of the same shared memory; the sum of PSS (proportional set size) counts
# each page once and is the memory actually used.
#
#   bash scripts/soak.sh [--loans N] [--minutes M] [--clients C] [--fuzz-seconds S]
#                        (defaults: 1000000 loans, 10 minutes, 100 clients, 60 s of fuzzing per role;
#                        --fuzz-seconds 0 skips the fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
loans=1000000
officers=2000
minutes=10
clients=100
fuzz=60
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --fuzz-seconds) fuzz=$2; shift 2 ;;
    *) echo "usage: $0 [--loans N] [--minutes M] [--clients C] [--fuzz-seconds S]" >&2; exit 64 ;;
  esac
done
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
servers=scripts/servers.sh
bash "$servers" deps >/dev/null
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
build=(-c release)
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$SWIFT_SCRATCH_PATH")
swift build "${build[@]}" --product analytics-api >/dev/null
swift build "${build[@]}" --product metrics-worker >/dev/null
bin=$(swift build "${build[@]}" --show-bin-path)

work=$(mktemp -d /tmp/analytics-soak.XXXXXX)
chmod 755 "$work"
api_pid="" jobs_pid="" sampler_pid=""
# Stops everything this script started, by process id: the loops, a background run in flight (the
# worker under /usr/bin/time), the API, then the servers.
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$jobs_pid" ] && kill "$jobs_pid" 2>/dev/null || true
  if [ -f "$work/job.pid" ]; then
    pkill -P "$(cat "$work/job.pid")" 2>/dev/null || true
    kill "$(cat "$work/job.pid")" 2>/dev/null || true
  fi
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  bash "$servers" throwaway-stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# (Assigned first: set -e does not see a failure inside eval "$(...)".)
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
api_port=$(bash "$servers" free-port)
export JWT_SECRET="soak-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" LOG_LEVEL=warning MIGRATIONS_DIR=$PWD/migrations
day=2024-11-01

echo "soak: $loans loans, $clients clients, $minutes min"
"$bin/metrics-worker" migrate >/dev/null 2>&1
start=$(date +%s)
"$bin/metrics-worker" seed-demo --loans "$loans" --officers "$officers" --as-of "$day" 2>/dev/null | tail -n 1
"$bin/metrics-worker" full-refresh --as-of "$day" >/dev/null 2>&1
echo "  data ready in $(( $(date +%s) - start )) s"

PORT=$api_port BIND_ADDRESS=127.0.0.1 "$bin/analytics-api" >"$work/api.log" 2>&1 &
api_pid=$!
base="http://127.0.0.1:$api_port"
for _ in $(seq 1 100); do curl -fs "$base/ready" >/dev/null 2>&1 && break; sleep 0.1; done
viewer=$("$bin/metrics-worker" dev-token --role viewer --sub soak-viewer)
auditor=$("$bin/metrics-worker" dev-token --role auditor --sub soak-auditor)

# The read mix, weighted by repetition: lists and details most, then drilldowns, branches, filters.
reads="$work/reads.txt"
: >"$reads"
for page in 1 2 3 4 5; do
  for sort in rank -risk_score -fimr -portfolio_total; do
    echo "/api/v1/metrics/officers?per_page=50&page=$page&sort=$sort" >>"$reads"
    echo "/api/v1/metrics/officers?per_page=50&page=$page&sort=$sort&risk_band=Red" >>"$reads"
  done
done
for i in $(seq 1 40); do printf '/api/v1/metrics/officers/OFF%06d\n' $(( (i * 37) % officers + 1 )) >>"$reads"; done
for i in $(seq 1 10); do printf '/api/v1/loans/fimr-drilldown?limit=50&officer_id=OFF%06d\n' $(( (i * 53) % officers + 1 )) >>"$reads"; done
for i in $(seq 1 10); do printf '/api/v1/loans/early-indicators-drilldown?per_page=50&officer_id=OFF%06d\n' $(( (i * 59) % officers + 1 )) >>"$reads"; done
for _ in 1 2 3 4 5; do echo "/api/v1/metrics/branches" >>"$reads"; echo "/api/v1/filters/options" >>"$reads"; done
echo "/api/v1/audit/team-members" >>"$reads"
write_officers=$(printf 'OFF%06d,' $(seq 1 200) | sed 's/,$//')
for officer in ${write_officers//,/ }; do
  curl -fs -o /dev/null -X PUT -H "Authorization: Bearer $auditor" -H "Content-Type: application/json" \
    -d '{"assignee_id":"TM001"}' "$base/api/v1/audit/officers/$officer/assignee"
done
# The background job: officer metrics (each run's wall time and peak memory kept into LOG).
run_job() {
  local log=$1
  /usr/bin/time -f "%e s, peak %M KB" -o "$work/job-time" "$bin/metrics-worker" calculate-officer-metrics --as-of "$day" \
    >"$work/job.out" 2>&1 &
  echo $! >"$work/job.pid"
  if wait $!; then
    echo "  background calculate-officer-metrics: $(cat "$work/job-time")" >>"$log"
  else
    echo "  background calculate-officer-metrics FAILED: $(tail -n 2 "$work/job.out")" >>"$log"
  fi
  rm -f "$work/job.pid"
}

# Two minutes of the same load to warm up, with one background run in it; the starting figures
# are taken once that run has finished.
run_job "$work/warmup-job.log" &
warmup_job=$!
READS_FILE=$reads WRITE_OFFICERS=$write_officers TOKEN=$viewer WRITE_TOKEN=$auditor \
  wrk -t2 -c"$clients" -d120s --timeout 10s -s bench/soak/mix.lua "$base" >"$work/warmup.txt"
wait "$warmup_job" || true
echo "  warm-up: $(grep 'client side' "$work/warmup.txt")"
cat "$work/warmup-job.log"

# Memory in MiB with one decimal (whole MiB hide a 10% change of a 9 MiB Redis).
rss() { awk '/VmRSS/ {printf "%.1f\n", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
redis_pid=$(cat "$work/redis/redis.pid")
pg_pid=$(head -1 "$work/postgres/postmaster.pid")
pg_pids() { echo "$pg_pid"; pgrep -P "$pg_pid"; }
pg_rss() { ps -o rss= -p "$(pg_pids | paste -sd,)" | awk '{s += $1} END {printf "%.1f\n", s / 1024}'; }
pg_pss() { for p in $(pg_pids); do awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '{s += $1} END {printf "%.1f\n", s / 1024}'; }
redis_used() { redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {printf "%.1f\n", $2 / 1048576}'; }
api_start=$(rss "$api_pid") redis_start=$(rss "$redis_pid") pg_start=$(pg_rss) pg_pss_start=$(pg_pss) redis_used_start=$(redis_used)
curl -fs "$base/metrics" >"$work/metrics-start.txt"

# During the soak, a background run every 2 minutes from one minute in (so none starts as a memory
# figure is taken). Touching $work/stop ends the loop after the run in flight.
(
  next=$(( $(date +%s) + 60 ))
  while [ ! -e "$work/stop" ]; do
    if [ "$(date +%s)" -ge "$next" ]; then
      next=$(( next + 120 ))
      run_job "$work/jobs.log"
    fi
    sleep 1
  done
) &
jobs_pid=$!
# The API's resident memory once a minute, to tell a plateau (bounded caches filling) from a leak.
( while sleep 60; do echo "$(rss "$api_pid")" >>"$work/api-rss.txt"; done ) &
sampler_pid=$!
READS_FILE=$reads WRITE_OFFICERS=$write_officers TOKEN=$viewer WRITE_TOKEN=$auditor \
  wrk -t2 -c"$clients" -d"${minutes}m" --timeout 10s --latency -s bench/soak/mix.lua "$base" >"$work/wrk.txt"
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=""
touch "$work/stop"
wait "$jobs_pid" 2>/dev/null || true
jobs_pid=""
curl -fs "$base/metrics" >"$work/metrics-end.txt"
api_end=$(rss "$api_pid") redis_end=$(rss "$redis_pid") pg_end=$(pg_rss) pg_pss_end=$(pg_pss) redis_used_end=$(redis_used)

grep -E "client side|Requests/sec" "$work/wrk.txt" || cat "$work/wrk.txt"
cat "$work/jobs.log" 2>/dev/null || echo "  (no background run finished)"
python3 - "$work/metrics-start.txt" "$work/metrics-end.txt" <<'PY'
import re, sys, collections
def read(path):
    buckets = collections.defaultdict(dict); counters = collections.Counter(); statuses = collections.Counter()
    for line in open(path):
        m = re.match(r'analytics_api_http_request_duration_seconds_bucket\{(.*)\} (\S+)', line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            key = (labels.get("method", "?") + " " + labels.get("route", "?"))
            le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            buckets[key][le] = buckets[key].get(le, 0) + float(m.group(2))
            if labels["le"] == "+Inf": statuses[labels.get("status", "?")] += float(m.group(2))
            continue
        m = re.match(r'(analytics_api_cache_(hits|misses|fallbacks)_total)\{(.*)\} (\S+)', line)
        if m: counters[m.group(2)] += float(m.group(4))
    return buckets, counters, statuses
b0, c0, s0 = read(sys.argv[1]); b1, c1, s1 = read(sys.argv[2])
print("  server side, per route (requests, p95 at bucket resolution):")
for key in sorted(b1):
    diff = {le: b1[key][le] - b0.get(key, {}).get(le, 0) for le in b1[key]}
    total = diff.get(float("inf"), 0)
    if total <= 0 or "/api/v1" not in key: continue
    p95 = next(le for le in sorted(diff) if diff[le] >= 0.95 * total)
    print(f"    {key:58s} {int(total):9d}   p95 <= {p95 * 1000:g} ms")
statuses = {k: int(s1[k] - s0.get(k, 0)) for k in s1 if s1[k] - s0.get(k, 0) > 0}
print("  statuses during the run:", statuses)
hits = c1["hits"] - c0["hits"]; misses = c1["misses"] - c0["misses"]; fallbacks = c1["fallbacks"] - c0["fallbacks"]
if hits + misses: print(f"  cache: {int(hits)} hits, {int(misses)} misses, hit rate {100 * hits / (hits + misses):.2f}%, {int(fallbacks)} fallbacks")
PY
growth() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%+.1f%%\n", (b - a) * 100 / a; else print "n/a" }'; }
echo "  resident memory, start -> end (MiB):"
echo "    analytics-api RSS $api_start -> $api_end ($(growth "$api_start" "$api_end"))"
echo "    redis RSS $redis_start -> $redis_end ($(growth "$redis_start" "$redis_end")); used_memory $redis_used_start -> $redis_used_end"
echo "    postgres, all processes: PSS $pg_pss_start -> $pg_pss_end ($(growth "$pg_pss_start" "$pg_pss_end")); RSS summed $pg_start -> $pg_end ($(growth "$pg_start" "$pg_end"))"
echo "  analytics-api resident memory each minute (MiB): $(tr '\n' ' ' <"$work/api-rss.txt" 2>/dev/null)"
if grep -q '"status":5' "$work/api.log"; then echo "  5xx logged by the API:"; grep '"status":5' "$work/api.log" | head -n 5; fi

kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
api_pid=""
if [ "$fuzz" -gt 0 ]; then
  echo "schemathesis, ${fuzz} s per role:"
  ANALYTICS_BIN_DIR=$bin bash scripts/fuzz-api.sh --time "$fuzz"
fi
