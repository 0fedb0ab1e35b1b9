#!/usr/bin/env bash
# Worker benchmark (issue 4): seed-demo, then full-refresh on day D and again on D+1, then 1,000 new
# repayments and refresh-loans --changed-only. Prints each phase's wall time, rate and the worker's
# peak memory. Starts throwaway PostgreSQL and Redis on free loopback ports and stops them after.
#
#   bash scripts/bench-worker.sh [--loans N] [--officers N]     (defaults: 1000000 loans, 2000 officers)
set -euo pipefail
cd "$(dirname "$0")/.."
loans=1000000
officers=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --officers) officers=$2; shift 2 ;;
    *) echo "usage: $0 [--loans N] [--officers N]" >&2; exit 64 ;;
  esac
done
servers=scripts/servers.sh
bash "$servers" deps
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null 2>&1 || true; }

work=$(mktemp -d /tmp/analytics-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  bash "$servers" throwaway-stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# (Assigned first: set -e does not see a failure inside eval "$(...)".)
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
psql "$DATABASE_URL" -qc "CREATE DATABASE bench"
bash "$servers" pg-tune "$work/postgres"

swift build -c release --product metrics-worker >/dev/null
worker="$(swift build -c release --show-bin-path)/metrics-worker"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/bench" LOG_LEVEL=warning
export MIGRATIONS_DIR="$PWD/migrations"
"$worker" migrate >/dev/null

day=2026-11-20
next=2026-11-21
phase() { # name, then the command; prints seconds and peak RSS
  local name=$1; shift
  local start end rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err" >&2; echo "$name failed" >&2; exit 1; }
  end=$(date +%s.%N)
  rss=$(tail -n1 "$work/rss")
  seconds=$(echo "$end - $start" | bc -l)
  printf '%-42s %8.2f s   peak RSS %6d MiB\n' "$name" "$seconds" $((rss / 1024))
}

echo "worker benchmark: $loans loans, $officers officers (release build, PostgreSQL 15 on loopback)"
phase "seed-demo (ingest path)" "$worker" seed-demo --loans "$loans" --officers "$officers" --as-of "$day"
records=$(psql "$DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM loans) + (SELECT count(*) FROM repayments) + (SELECT count(*) FROM officers) + (SELECT count(*) FROM team_members)")
installments=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM loan_schedule")
printf '%-42s %8d records, %.0f records/s (%s given installments stored)\n' "  ingested" "$records" "$(echo "$records / $seconds" | bc -l)" "$installments"
psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
phase "full-refresh --as-of $day (first run)" "$worker" full-refresh --as-of "$day"
phase "full-refresh --as-of $day (again, no change)" "$worker" full-refresh --as-of "$day"
phase "full-refresh --as-of $next (next day)" "$worker" full-refresh --as-of "$next"
# 1,000 new repayments for existing loans, through ingest, then the incremental refresh.
psql "$DATABASE_URL" -Atc "SELECT json_build_object('repayment_id', 'BENCH-' || loan_id, 'loan_id', loan_id, 'payment_date', '$next',
    'payment_amount', 10.00, 'principal_paid', 10.00, 'interest_paid', 0, 'fees_paid', 0, 'penalty_paid', 0)
    FROM loans WHERE status = 'Active' ORDER BY loan_id LIMIT 1000" >"$work/new.ndjson"
phase "ingest 1,000 new repayments" "$worker" ingest "$work/new.ndjson"
phase "refresh-loans --changed-only" "$worker" refresh-loans --changed-only --as-of "$next"
grep -h "refresh-loans" "$work/out" || true
