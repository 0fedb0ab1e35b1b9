#!/usr/bin/env bash
# sync-fineract benchmark (issue 15): a generated Apache Fineract tenant (scripts/fineract/tenant-schema.sql,
# filled with generate_series: offices, 2,000 staff, one client per loan, each loan with 16
# installments, its disbursement and 0-16 repayments: about 27 tenant rows per loan), then:
#   1. the first full sync (loans/s and records/s end to end, peak RSS of the worker)
#   2. an incremental sync after 10,000 changed loans (a new repayment each)
#   3. a sync with nothing changed
# both without and with the indexes docs/fineract.md suggests on the audit columns (Fineract has
# none). Starts throwaway PostgreSQL and Redis on free loopback ports (the tenant is a second
# database on the same server), tuned like scripts/bench-worker.sh, and stops them after. Each phase
# prints its CPU seconds (the worker's, PostgreSQL's) beside the wall time: on a shared machine they
# move less than the wall time does.
#
#   bash scripts/bench-fineract.sh [--loans N] [--batch-size N] [--full-only] [--worker BIN]...
#     --loans N        tenant size (default 1000000)
#     --batch-size N   the sync's --batch-size (default: the sync's own, 2500)
#     --full-only      only the first full sync (no incremental phases): for iterating on it
#     --worker BIN     a prebuilt metrics-worker instead of building this tree; given more than once,
#                      each binary runs the full sync on the same tenant (our database emptied
#                      between them): old against new binary in one session
# Environment: SWIFT_SCRATCH_PATH, when set, is passed to swift build as --scratch-path.
set -euo pipefail
cd "$(dirname "$0")/.."
loans=1000000
batch=
full_only=false
workers=()
usage="usage: $0 [--loans N] [--batch-size N] [--full-only] [--worker BIN]..."
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --full-only) full_only=true; shift ;;
    --worker) [ -x "$2" ] || { echo "$2: not an executable" >&2; exit 64; }; workers+=("$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift 2 ;;
    *) echo "$usage" >&2; exit 64 ;;
  esac
done
servers=scripts/servers.sh
bash "$servers" deps
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null 2>&1 || true; }

work=$(mktemp -d /tmp/analytics-bench-fineract.XXXXXX)
chmod 755 "$work"
cleanup() {
  bash "$servers" throwaway-stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# (Assigned first: set -e does not see a failure inside eval "$(...)".)
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
psql "$DATABASE_URL" -qc "CREATE DATABASE bench" -c "CREATE DATABASE tenant"
bash "$servers" pg-tune "$work/postgres"

if [ ${#workers[@]} -eq 0 ]; then
  build=(swift build -c release)
  [ -n "${SWIFT_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$SWIFT_SCRATCH_PATH")
  "${build[@]}" --product metrics-worker >/dev/null
  workers=("$("${build[@]}" --show-bin-path)/metrics-worker")
fi
worker=${workers[0]}
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/bench" LOG_LEVEL=warning
export FINERACT_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/tenant"
export MIGRATIONS_DIR="$PWD/migrations"
"$worker" migrate >/dev/null

# shellcheck source=scripts/bench/cpu.sh
. scripts/bench/cpu.sh
phase() { # name, then the command; prints seconds, peak RSS, and the CPU seconds of the worker and of PostgreSQL
  local name=$1; shift
  local start end rss cpu0 cpu1 user system
  cpu0=$(pg_cpu "$work/postgres")
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err" >&2; echo "$name failed" >&2; exit 1; }
  end=$(date +%s.%N)
  sleep 0.5 # the backends exit and are reaped
  cpu1=$(pg_cpu "$work/postgres")
  read -r rss user system < <(tail -n1 "$work/rss")
  seconds=$(echo "$end - $start" | bc -l)
  printf '%-52s %8.2f s   peak RSS %6d MiB   CPU: worker %.1f s, PostgreSQL %.1f s\n' "$name" "$seconds" $((rss / 1024)) \
    "$(echo "$user + $system" | bc -l)" "$(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l)"
}
timed() { # name, then the command (no RSS: psql)
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  printf '%-52s %8.2f s\n' "$name" "$(echo "$end - $start" | bc -l)"
}

batch_args=()
[ -n "$batch" ] && batch_args=(--batch-size "$batch")
echo "sync-fineract benchmark: $loans loans, batch size ${batch:-default} (release build, PostgreSQL on loopback, tenant and ours on one server)"
generate() {
  psql "$FINERACT_DATABASE_URL" -q -v ON_ERROR_STOP=1 -f scripts/fineract/tenant-schema.sql
  psql "$FINERACT_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v loans="$loans" -f scripts/fineract/generate-tenant.sql
}
timed "generate the tenant (generate_series)" generate
rows=$(psql "$FINERACT_DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM m_loan) + (SELECT count(*) FROM m_client)
    + (SELECT count(*) FROM m_loan_repayment_schedule) + (SELECT count(*) FROM m_loan_transaction)")
printf '%-52s %8d rows (%.1f per loan)\n' "  tenant" "$rows" "$(echo "$rows / $loans" | bc -l)"

n=0
for worker in "${workers[@]}"; do
  n=$((n + 1))
  if [ "$n" -gt 1 ]; then # the next binary starts from an empty database of ours (audit_log cannot be truncated)
    psql "postgres://postgres@127.0.0.1:$PG_PORT/postgres" -qc "DROP DATABASE bench" -c "CREATE DATABASE bench"
    "$worker" migrate >/dev/null
    psql "$DATABASE_URL" -qc "CHECKPOINT"
  fi
  [ ${#workers[@]} -gt 1 ] && echo "worker $n: $worker"
  uptime | sed 's/^/  load before: /'
  phase "1. first sync (full)" "$worker" sync-fineract "${batch_args[@]}"
  uptime | sed 's/^/  load after: /'
  printf '%-52s %8.0f loans/s\n' "  rate" "$(echo "$loans / $seconds" | bc -l)"
  records=$(psql "$DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM loan_accounts) + (SELECT count(*) FROM repayments)
      + (SELECT count(*) FROM officers) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM loan_schedule)")
  printf '%-52s %8d rows written, %.0f rows/s\n' "  ours" "$records" "$(echo "$records / $seconds" | bc -l)"
  sed 's/^/  /' "$work/out"
done
$full_only && exit 0
psql "$DATABASE_URL" -qc "VACUUM ANALYZE"

step=$(( loans / 10000 > 3 ? loans / 10000 : 3 ))
change() { # REMAINDER: a new repayment on 10,000 loans, stamped now (Fineract stamps what it writes)
  psql "$FINERACT_DATABASE_URL" -qc "
    INSERT INTO m_loan_transaction (loan_id, office_id, is_reversed, transaction_type_enum, transaction_date, amount,
        principal_portion_derived, interest_portion_derived, fee_charges_portion_derived, submitted_on_date, created_on_utc, last_modified_on_utc)
    SELECT id, 101 + id % 200, FALSE, 2, disbursedon_date + 14 * 17, 7, 5, 2, 0, disbursedon_date + 14 * 17, now(), now()
    FROM m_loan WHERE loan_status_id = 300 AND id % $step = $1 ORDER BY id LIMIT 10000"
}
for indexes in without with; do
  if [ "$indexes" = with ]; then
    timed "create the audit-column indexes (docs/fineract.md)" psql "$FINERACT_DATABASE_URL" -qc "
      CREATE INDEX ON m_loan (last_modified_on_utc); CREATE INDEX ON m_loan (created_on_utc);
      CREATE INDEX ON m_loan_repayment_schedule (last_modified_on_utc); CREATE INDEX ON m_loan_repayment_schedule (created_on_utc);
      CREATE INDEX ON m_loan_transaction (last_modified_on_utc); CREATE INDEX ON m_loan_transaction (created_on_utc);
      CREATE INDEX ON m_client (last_modified_on_utc); CREATE INDEX ON m_client (created_on_utc); ANALYZE"
  fi
  # --lookback 0: the changes of the previous phase are behind the watermark.
  sleep 1
  change "$([ "$indexes" = with ] && echo 2 || echo 1)"
  phase "2. after 10,000 changed loans ($indexes audit indexes)" "$worker" sync-fineract "${batch_args[@]}" --lookback 0
  sed 's/^/  /' "$work/out"
  sleep 1
  phase "3. nothing changed ($indexes audit indexes)" "$worker" sync-fineract "${batch_args[@]}" --lookback 0
  sed 's/^/  /' "$work/out"
done
