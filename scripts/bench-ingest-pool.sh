#!/usr/bin/env bash
# POST /api/v1/ingest under concurrent small loads (issue 14, part 4: pool timeouts and per-POST cost).
#
#   bash scripts/bench-ingest-pool.sh [--loans 50000] [--officers 500] [--clients 20] [--readers 20]
#                                     [--duration 30] [--worker BIN] LABEL=API_BINARY...
#
# Starts its own PostgreSQL and Redis (scripts/servers.sh throwaway: loopback, free ports), migrates,
# seeds the demo book (`seed-demo --as-of D`) and runs `full-refresh --as-of D` with the worker (--worker,
# default: this tree's debug build), then for each LABEL=API_BINARY in turn, against the same data:
# starts that analytics-api (the caller's environment passes through: DATABASE_POOL_SIZE,
# INGEST_DB_POOL_SIZE, ...), and for --duration seconds runs --clients tasks each POSTing one new
# repayment per request (closed loop) and --readers tasks reading the officer list and details
# (bench/ingest-pool/posters.py); prints p50/p95/p99/max, throughput and errors of both; stops it.
# Give two binaries (e.g. before and after a change, both built the same way) to compare them in one
# session. Everything it starts is stopped by process id on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

loans=50000 officers=500 clients=20 readers=20 duration=30 worker=""
apis=()
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --officers) officers=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --readers) readers=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --worker) worker=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *=*) apis+=("$1"); shift ;;
    *) echo "usage: see $0 --help" >&2; exit 64 ;;
  esac
done
[ ${#apis[@]} -ge 1 ] || { echo "bench-ingest-pool.sh: give at least one LABEL=API_BINARY" >&2; exit 64; }
servers=scripts/servers.sh
if [ -z "$worker" ]; then
  export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  swift build --product metrics-worker >/dev/null
  worker="$(swift build --show-bin-path)/metrics-worker"
fi
psql="$(bash "$servers" pg-bin)/psql"

work=$(mktemp -d /tmp/analytics-bench-pool.XXXXXX)
chmod 755 "$work"
api_pid=""
stop_api() {
  [ -n "$api_pid" ] || return 0
  kill "$api_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$api_pid" 2>/dev/null || true
  wait "$api_pid" 2>/dev/null || true
  api_pid=""
}
cleanup() { stop_api; bash "$servers" throwaway-stop "$work"; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
export JWT_SECRET="bench-pool-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" MIGRATIONS_DIR=$PWD/migrations
export PYTHONDONTWRITEBYTECODE=1
day=2024-11-20
sql() { "$psql" -X -qAt "$DATABASE_URL" -c "$1"; }
"$worker" migrate >/dev/null 2>&1
LOG_LEVEL=warning "$worker" seed-demo --loans "$loans" --officers "$officers" --as-of "$day" 2>/dev/null | tail -n 1
LOG_LEVEL=warning "$worker" full-refresh --as-of "$day" >/dev/null 2>&1
sql "ANALYZE"
sql "SELECT loan_id || E'\t' || officer_id FROM loan_accounts WHERE status = 'Active' ORDER BY loan_id" >"$work/loans.tsv"
INGEST_TOKEN=$("$worker" dev-token --role ingest --sub bench-pool --ttl 86400)
VIEWER_TOKEN=$("$worker" dev-token --role viewer --sub bench-pool-viewer --ttl 86400)
export INGEST_TOKEN VIEWER_TOKEN
echo "bench-ingest-pool: $loans loans, $(wc -l <"$work/loans.tsv") Active; $(nproc) cores;" \
     "DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-default} INGEST_DB_POOL_SIZE=${INGEST_DB_POOL_SIZE:-default}"

for entry in "${apis[@]}"; do
  label=${entry%%=*} binary=${entry#*=}
  port=$(bash "$servers" free-port)
  PORT=$port BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warning "$binary" >"$work/api-$label.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/ready" >/dev/null || { tail -n 20 "$work/api-$label.log" >&2; exit 1; }
  python3 bench/ingest-pool/posters.py --base-url "http://127.0.0.1:$port" --loans-file "$work/loans.tsv" --date "$day" \
    --clients "$clients" --readers "$readers" --duration "$duration" --run-id "$label-$(date +%s)" --label "$label" \
    --out "$work/$label.json"
  echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_api
  sleep 2
done
