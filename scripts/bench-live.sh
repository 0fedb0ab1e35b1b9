#!/usr/bin/env bash
# Live benchmark (issue 14, part 4): the dashboard while the lending system pushes repayments.
#
#   bash scripts/bench-live.sh [--loans 1000000] [--officers 2000] [--rate 50] [--duration 60]
#                              [--readers 100] [--think-ms 0] [--ndjson-records 200000]
#                              [--batch 1] [--poll-ms 200] [--readers-only]
#
# Builds release binaries, starts its own PostgreSQL and Redis (scripts/servers.sh, loopback, free
# ports), seeds the demo book (`seed-demo --as-of D`), runs `full-refresh --as-of D`, starts ONE
# analytics-api replica and `metrics-worker daemon --as-of D`, waits until the daemon has applied
# what the seeding left for it (live_changes empty), then for --duration seconds, at the same time:
#   1. readers: --readers wrk connections reading the dashboard with a viewer token (officer list
#      pages with filters, details of random officers, branches, filter options; bench/live/
#      readers.lua); each connection sends its next request when the answer arrives (--think-ms
#      adds a pause); p50/p95/p99/max, and every status but 2xx/304 is an error;
#   2. writers: --rate repayments a second, ONE repayment per POST /api/v1/ingest (NDJSON, ingest
#      token; --batch N puts N repayments of N officers in each POST, at rate/N POSTs a second),
#      each a new repayment dated D of an Active loan of the seeded book, officers taken
#      round-robin (never two in flight for one officer); for each, the time from the POST's answer
#      until GET /api/v1/metrics/officers/{id} shows it (interest_collected and total_entries move;
#      checked exactly), polled every --poll-ms; p50/p95/max and how many never showed within 30 s
#      (bench/live/writers.py).
# Then, separately, on the API alone (the daemon stopped with SIGTERM, its stop timed): two NDJSON
# files of --ndjson-records records, each in ONE request (curl --data-binary): new loans each with
# its 9 repayments (the initial-load shape), then new repayments of existing loans (the catch-up
# shape, every record moving its loan's version in loan_sources); records/s of each. Then the
# daemon is started again and timed until it has applied all that. Prints the daemon's memory
# (VmRSS, peak VmHWM) and its /metrics batch figures per phase, the API's own per-route figures
# for the live run (from its /metrics), the API's memory, and a summary table. The API and the daemon run with the caller's
# environment (DATABASE_POOL_SIZE and the like pass through; the defaults otherwise).
#
# Environment: SWIFT_SCRATCH_PATH, when set, is passed to swift build as --scratch-path.
# Everything it starts (servers, API, daemon, wrk, the writers) is stopped by process id on exit,
# Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."

loans=1000000
officers=2000
rate=50
duration=60
readers=100
think_ms=0
ndjson_records=200000
poll_ms=200
batch=1
readers_only=false
usage="usage: $0 [--loans N] [--officers N] [--rate R] [--duration S] [--readers C] [--think-ms MS] [--ndjson-records N] [--batch N] [--poll-ms MS] [--readers-only]"
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --officers) officers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --readers) readers=$2; shift 2 ;;
    --think-ms) think_ms=$2; shift 2 ;;
    --ndjson-records) ndjson_records=$2; shift 2 ;;
    --poll-ms) poll_ms=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --readers-only) readers_only=true; shift ;;
    -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$usage" >&2; exit 64 ;;
  esac
done
for n in "$loans" "$officers" "$duration" "$readers" "$think_ms" "$ndjson_records" "$poll_ms" "$batch"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "bench-live.sh: '$n' is not a whole number; $usage" >&2; exit 64; }
done
[ "$readers" -ge 1 ] || { echo "bench-live.sh: --readers must be at least 1" >&2; exit 64; }
[ "$batch" -ge 1 ] || { echo "bench-live.sh: --batch must be at least 1" >&2; exit 64; }
[[ "$rate" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench-live.sh: --rate must be a number; $usage" >&2; exit 64; }
command -v wrk >/dev/null || { echo "bench-live.sh: wrk is not installed (apt-get install wrk)" >&2; exit 69; }
command -v python3 >/dev/null || { echo "bench-live.sh: python3 is not installed" >&2; exit 69; }

servers=scripts/servers.sh
bash "$servers" deps >/dev/null
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
build=(-c release)
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$SWIFT_SCRATCH_PATH")
swift build "${build[@]}" --product analytics-api >/dev/null
swift build "${build[@]}" --product metrics-worker >/dev/null
bin=$(swift build "${build[@]}" --show-bin-path)
psql="$(bash "$servers" pg-bin)/psql"
if ! $readers_only; then
  "$bin/metrics-worker" daemon --help >/dev/null 2>&1 \
    || { echo "bench-live.sh: this build has no 'metrics-worker daemon' (issue 14 part 2); --readers-only runs the readers alone" >&2; exit 69; }
fi

work=$(mktemp -d /tmp/analytics-bench-live.XXXXXX)
chmod 755 "$work"
api_pid="" daemon_pid="" wrk_pid="" writers_pid=""
stop_pid() { # pid: SIGTERM, wait up to 10 s, then SIGKILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$writers_pid"
  stop_pid "$wrk_pid"
  stop_pid "$daemon_pid"
  stop_pid "$api_pid"
  bash "$servers" throwaway-stop "$work"
  if [ -n "${KEEP_WORK:-}" ]; then echo "bench-live.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (Assigned first: set -e does not see a failure inside eval "$(...)".)
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
# The server settings of bench-worker.sh (docs/operations.md "PostgreSQL settings"): with the
# default 256 MB of shared buffers the repayments' (loan_id, payment_date) index of a million-loan
# book does not fit, and every repayment written reads and evicts a page of it.
bash "$servers" pg-tune "$work/postgres"
api_port=$(bash "$servers" free-port)
daemon_port=$(bash "$servers" free-port)
export JWT_SECRET="bench-live-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" LOG_LEVEL=${LOG_LEVEL:-info}
export MIGRATIONS_DIR=$PWD/migrations PYTHONDONTWRITEBYTECODE=1
day=2024-11-20
run_id=$(date +%s)
sql() { "$psql" -X -qAt "$DATABASE_URL" -c "$1"; }

echo "bench-live: $loans loans, $officers officers, business date $day; $(nproc) cores; one analytics-api replica; PostgreSQL shared_buffers $(sql "SHOW shared_buffers"), max_wal_size $(sql "SHOW max_wal_size")"
"$bin/metrics-worker" migrate >/dev/null 2>&1
start=$(date +%s)
LOG_LEVEL=warning "$bin/metrics-worker" seed-demo --loans "$loans" --officers "$officers" --as-of "$day" 2>/dev/null | tail -n 1
LOG_LEVEL=warning "$bin/metrics-worker" full-refresh --as-of "$day" >/dev/null 2>&1
sql "ANALYZE"
echo "  data ready in $(( $(date +%s) - start )) s"

PORT=$api_port BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warning "$bin/analytics-api" >"$work/api.log" 2>&1 &
api_pid=$!
base="http://127.0.0.1:$api_port"
for _ in $(seq 1 200); do curl -fs "$base/ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$base/ready" >/dev/null || { tail -n 20 "$work/api.log" >&2; echo "bench-live.sh: the API did not become ready" >&2; exit 1; }
viewer=$("$bin/metrics-worker" dev-token --role viewer --sub bench-live-viewer --ttl 86400)

daemon_url="http://127.0.0.1:$daemon_port"
has_changes=$(sql "SELECT to_regclass('live_changes') IS NOT NULL")
if ! $readers_only; then
  ingest=$("$bin/metrics-worker" dev-token --role ingest --sub bench-live-ingest --ttl 86400)
  "$bin/metrics-worker" daemon --as-of "$day" --metrics-port "$daemon_port" >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 300); do curl -fs "$daemon_url/health" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "$daemon_url/health" >/dev/null || { tail -n 20 "$work/daemon.log" >&2; echo "bench-live.sh: the daemon's /health did not answer on $daemon_port" >&2; exit 1; }
  # What seeding and the full refresh left in live_changes is the daemon's first work; the measured
  # run starts once it is done, so it measures the steady state.
  if [ "$has_changes" = t ]; then
    start=$(date +%s.%N)
    pending=$(sql "SELECT count(*) FROM live_changes")
    echo "  daemon started (pid $daemon_pid, metrics on $daemon_port); $pending changes pending from the seeding"
    waited=0
    while [ "$(sql "SELECT count(*) FROM live_changes")" != 0 ]; do
      kill -0 "$daemon_pid" 2>/dev/null || { tail -n 20 "$work/daemon.log" >&2; echo "bench-live.sh: the daemon exited" >&2; exit 1; }
      sleep 1; waited=$((waited + 1))
      [ $((waited % 30)) = 0 ] && echo "    still $(sql "SELECT count(*) FROM live_changes") changes pending after $waited s"
      [ "$waited" -ge 3600 ] && { echo "bench-live.sh: the daemon did not apply the seeding's changes within an hour" >&2; exit 1; }
    done
    printf '  the daemon applied them in %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc -l)"
  fi
fi

# The readers' mix, weighted by repetition: officer list pages with filters (36 sorts x bands x
# pages, plus 10 branch filters), 200 officer details of random officers, branches, filter options.
reads="$work/reads.txt"
: >"$reads"
for sort in rank -risk_score -portfolio_total -fimr; do
  for band in "" Red Amber; do
    for page in 1 2 3; do
      echo "/api/v1/metrics/officers?per_page=50&page=$page&sort=$sort${band:+&risk_band=$band}" >>"$reads"
    done
  done
done
sql "SELECT DISTINCT branch FROM officers ORDER BY 1 LIMIT 10" | while read -r branch; do
  echo "/api/v1/metrics/officers?per_page=50&branch=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(sys.argv[1]))' "$branch")" >>"$reads"
done
sql "SELECT officer_id FROM officers ORDER BY md5(officer_id || '$run_id') LIMIT 200" | while read -r officer; do
  echo "/api/v1/metrics/officers/$officer" >>"$reads"
done
for _ in $(seq 1 10); do echo "/api/v1/metrics/branches" >>"$reads"; done
for _ in 1 2 3 4 5; do echo "/api/v1/filters/options" >>"$reads"; done
# Every path must answer 200 before the run (also warms the cache, as dashboards in use would).
while read -r path; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $viewer" "$base$path")
  [ "$code" = 200 ] || { echo "bench-live.sh: GET $path answered $code before the run" >&2; exit 1; }
done <"$reads"
echo "  readers' mix: $(wc -l <"$reads") paths (lists with filters, details, branches, filter options)"

# Active loans of the seeded book at D, for the writers and the bulk file.
sql "SELECT loan_id || E'\t' || officer_id FROM loan_accounts WHERE status = 'Active' AND disbursement_date <= '$day' ORDER BY loan_id" >"$work/active-loans.tsv"
echo "  $(wc -l <"$work/active-loans.tsv") Active loans"

rss_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f MiB", k / 1024}'; }
[ -n "$daemon_pid" ] && curl -fs "$daemon_url/metrics" >"$work/daemon-metrics-0.txt" || true
curl -fs "$base/metrics" >"$work/api-metrics-0.txt" || true
daemon_log_0=$( [ -f "$work/daemon.log" ] && wc -l <"$work/daemon.log" || echo 0)

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "live run: $readers readers (think ${think_ms} ms)$($readers_only || echo ", $rate repayments/s, $batch per POST") for $duration s (load average before: $(load))"
load_before=$(load)
READS_FILE=$reads TOKEN=$viewer THINK_MS=$think_ms \
  wrk -t"$(( readers < 2 ? 1 : 2 ))" -c"$readers" -d"${duration}s" --timeout 10s --latency -s bench/live/readers.lua "$base" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
if ! $readers_only; then
  VIEWER_TOKEN=$viewer INGEST_TOKEN=$ingest python3 bench/live/writers.py --base-url "$base" \
    --loans-file "$work/active-loans.tsv" --date "$day" --rate "$rate" --batch "$batch" --duration "$duration" --poll-ms "$poll_ms" \
    --timeout 30 --run-id "$run_id" --out "$work/writers.json" >"$work/writers.txt" 2>&1 &
  writers_pid=$!
fi
wait "$wrk_pid" || { cat "$work/wrk.txt" >&2; echo "bench-live.sh: wrk failed" >&2; exit 1; }
wrk_pid=""
if [ -n "$writers_pid" ]; then
  wait "$writers_pid" || { cat "$work/writers.txt" >&2; echo "bench-live.sh: the writers failed" >&2; exit 1; }
  writers_pid=""
fi
load_after=$(load)
curl -fs "$base/metrics" >"$work/api-metrics-1.txt" || true
grep -E '^readers:' "$work/wrk.txt" || cat "$work/wrk.txt"
[ -f "$work/writers.txt" ] && cat "$work/writers.txt"
python3 bench/live/api_report.py "$work/api-metrics-0.txt" "$work/api-metrics-1.txt"
api_rss_live=$(rss_kib "$api_pid" VmRSS)
daemon_hwm_live="" daemon_rss_live="" daemon_stop=""
if [ -n "$daemon_pid" ]; then
  daemon_hwm_live=$(rss_kib "$daemon_pid" VmHWM) daemon_rss_live=$(rss_kib "$daemon_pid" VmRSS)
  curl -fs "$daemon_url/metrics" >"$work/daemon-metrics-1.txt" || true
  python3 bench/live/daemon_report.py "$work/daemon-metrics-0.txt" "$work/daemon-metrics-1.txt" "$work/daemon.log" \
    $((daemon_log_0 + 1)) "$(wc -l <"$work/daemon.log")" "during the live run"
fi

# NDJSON over HTTP, on the API alone: the daemon is stopped (SIGTERM, as a deployment would) so
# the figure is the endpoint's, then started again and timed until it has applied everything.
nd_rows=""
if ! $readers_only && [ "$ndjson_records" -gt 0 ]; then
  start=$(date +%s.%N)
  kill -TERM "$daemon_pid" 2>/dev/null || true
  status=0; wait "$daemon_pid" || status=$?
  daemon_pid=""
  daemon_stop=$(printf '%.1f s, exit status %d' "$(echo "$(date +%s.%N) - $start" | bc -l)" "$status")
  echo "daemon stopped by SIGTERM for the NDJSON runs: $daemon_stop"
  sql "SELECT officer_id || E'\t' || officer_name || E'\t' || region || E'\t' || branch FROM officers WHERE employment_status = 'Active' ORDER BY officer_id" >"$work/officers.tsv"
  for kind in book repayments; do
    python3 bench/live/make_ndjson.py --kind "$kind" --loans-file "$work/active-loans.tsv" --officers-file "$work/officers.tsv" \
      --records "$ndjson_records" --date "$day" --run-id "$run_id" --out "$work/bulk-$kind.ndjson"
    lines=$(wc -l <"$work/bulk-$kind.ndjson")
    mib_size=$(awk -v b="$(stat -c %s "$work/bulk-$kind.ndjson")" 'BEGIN {printf "%.1f", b / 1048576}')
    case $kind in
      book) what="new loans each with its 9 repayments" ;;
      repayments) what="new repayments of existing Active loans" ;;
    esac
    echo "NDJSON ($kind): $lines records, $what, $mib_size MiB, in one POST /api/v1/ingest"
    out=$(curl -s -o "$work/bulk-$kind.json" -w '%{http_code} %{time_total}' -X POST \
      -H "Authorization: Bearer $ingest" -H "Content-Type: application/x-ndjson" --data-binary "@$work/bulk-$kind.ndjson" "$base/api/v1/ingest")
    code=${out% *} seconds=${out#* }
    if [ "$code" = 200 ]; then
      read -r accepted rejected < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["data"]; print(d["accepted"], d["rejected"])' "$work/bulk-$kind.json")
      awk -v a="$accepted" -v r="$rejected" -v s="$seconds" 'BEGIN {printf "  accepted %d, rejected %d in %.2f s: %.0f records/s\n", a, r, s, a / s}'
    else
      echo "  POST answered $code: $(head -c 600 "$work/bulk-$kind.json")"
      accepted=0 rejected=0
    fi
    nd_rows+="$kind $lines $accepted $rejected $seconds $mib_size"$'\n'
  done
  # The daemon again: everything the NDJSON runs marked is its first work.
  pending=$(sql "SELECT count(*) FROM live_changes")
  start=$(date +%s.%N)
  "$bin/metrics-worker" daemon --as-of "$day" --metrics-port "$daemon_port" >>"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  daemon_log_1=$(wc -l <"$work/daemon.log")
  catchup=""
  for _ in $(seq 1 3600); do
    [ "$(sql "SELECT count(*) FROM live_changes")" = 0 ] && { catchup=$(echo "$(date +%s.%N) - $start" | bc -l); break; }
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -n "$catchup" ]; then
    printf 'daemon restarted: it applied the %s pending changes in %.1f s\n' "$pending" "$catchup"
  else
    echo "daemon restarted: $(sql "SELECT count(*) FROM live_changes") of $pending changes still pending after 30 minutes"
  fi
  curl -fs "$daemon_url/metrics" >"$work/daemon-metrics-2.txt" || true
  python3 bench/live/daemon_report.py /dev/null "$work/daemon-metrics-2.txt" "$work/daemon.log" \
    $((daemon_log_1 + 1)) "$(wc -l <"$work/daemon.log")" "restarted, applying the NDJSON runs"
fi

# Memory at the end, and the summary.
memory=()
memory+=("analytics-api RSS after the live run / at the end|$(mib "$api_rss_live") / $(mib "$(rss_kib "$api_pid" VmRSS)") (peak $(mib "$(rss_kib "$api_pid" VmHWM)"))")
if [ -n "$daemon_hwm_live" ]; then
  memory+=("daemon RSS after the live run (peak VmHWM)|$(mib "$daemon_rss_live") ($(mib "$daemon_hwm_live"))")
fi
if [ -n "$daemon_pid" ] && [ -n "$daemon_stop" ]; then
  memory+=("restarted daemon RSS after its catch-up (peak)|$(mib "$(rss_kib "$daemon_pid" VmRSS)") ($(mib "$(rss_kib "$daemon_pid" VmHWM)"))")
fi
[ -n "$daemon_stop" ] && memory+=("daemon stop on SIGTERM|$daemon_stop")
if grep -q '"status":5' "$work/api.log"; then
  echo "5xx logged by the API: $(grep -c '"status":5' "$work/api.log"), the first 3:"; grep -m 3 '"status":5' "$work/api.log"
fi
if [ -f "$work/daemon.log" ] && grep -q '"level":"error"' "$work/daemon.log"; then
  echo "errors logged by the daemon: $(grep -c '"level":"error"' "$work/daemon.log"), the first 3:"; grep -m 3 '"level":"error"' "$work/daemon.log"
fi

MEMORY=$(printf '%s\n' "${memory[@]}") READERS_LINE=$(grep -E '^readers-result' "$work/wrk.txt" || true) \
WRITERS_JSON=$([ -f "$work/writers.json" ] && echo "$work/writers.json" || true) \
SETTINGS="$loans loans, $officers officers, $readers readers$($readers_only || echo ", ${rate} repayments/s, $batch per POST") for ${duration} s, one API replica; load average $load_before before the live run, $load_after after it, on $(nproc) cores" \
ND="$nd_rows" CATCHUP="${catchup:-}" PENDING="${pending:-}" python3 - "$work/figures.json" <<'PY'
import json, os, sys
ndjson = []
for line in os.environ["ND"].splitlines():
    kind, records, accepted, rejected, seconds, mib = line.split()
    ndjson.append({"kind": kind, "records": int(records), "accepted": int(accepted), "rejected": int(rejected),
                   "seconds": float(seconds), "mib": float(mib)})
figures = {
    "settings": os.environ["SETTINGS"],
    "readers_line": os.environ.get("READERS_LINE"),
    "writers_json": os.environ.get("WRITERS_JSON") or None,
    "ndjson": ndjson,
    "catchup": {"seconds": float(os.environ["CATCHUP"]), "changes": int(os.environ["PENDING"])} if os.environ.get("CATCHUP") else None,
    "memory": [line.split("|", 1) for line in os.environ["MEMORY"].splitlines() if "|" in line],
}
json.dump(figures, open(sys.argv[1], "w"))
PY
python3 bench/live/summary.py "$work/figures.json"
