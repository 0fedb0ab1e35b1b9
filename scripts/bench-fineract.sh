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

pg_cpu() { # CPU ticks of the PostgreSQL server: the postmaster, its live children and those it reaped
  local pm s p
  pm=$(head -n1 "$work/postgres/postmaster.pid")
  s=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for p in $(pgrep -P "$pm"); do s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$s"
}
phase() { # name, then the command; prints seconds, peak RSS, and the CPU seconds of the worker and of PostgreSQL
  local name=$1; shift
  local start end rss cpu0 cpu1 user system
  cpu0=$(pg_cpu)
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err" >&2; echo "$name failed" >&2; exit 1; }
  end=$(date +%s.%N)
  sleep 0.5 # the backends exit and are reaped
  cpu1=$(pg_cpu)
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
  psql "$FINERACT_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v loans="$loans" <<'SQL'
INSERT INTO m_office (id, parent_id, hierarchy, name, opening_date)
SELECT r + 1, 1, '.' || (r + 1) || '.', 'Region ' || r, DATE '2020-01-01' FROM generate_series(1, 10) r;
INSERT INTO m_office (id, parent_id, hierarchy, name, opening_date)
SELECT 100 + b, 2 + b % 10, '.' || (2 + b % 10) || '.' || (100 + b) || '.', 'Branch ' || b, DATE '2020-01-01' FROM generate_series(1, 200) b;
INSERT INTO m_code_value (id, code_id, code_value) VALUES (10, 4, 'Female'), (11, 4, 'Male');
INSERT INTO m_payment_type (id, value) VALUES (1, 'Cash'), (2, 'Mobile Money');
INSERT INTO m_staff (id, is_loan_officer, office_id, firstname, lastname, display_name, mobile_no, is_active, joining_date)
SELECT s, TRUE, 101 + s % 200, 'First' || s, 'Last' || s, 'Last' || s || ', First' || s, '+234 800 ' || lpad(s::text, 7, '0'), TRUE,
       DATE '2021-03-01'
FROM generate_series(1, 2000) s;
INSERT INTO m_client (id, account_no, office_id, display_name, mobile_no, gender_cv_id, date_of_birth, created_on_utc, last_modified_on_utc)
SELECT c, 'C' || c, 101 + c % 200, 'Client ' || c, '0700' || lpad(c::text, 8, '0'), 10 + c % 2, DATE '1990-05-01',
       now() - interval '1 day', now() - interval '1 day'
FROM generate_series(1, :loans) c;
-- Loan l: principal 16 * (1000 + 10 * (l % 100)), 16 installments every 14 days, 1 in 20 closed.
CREATE TEMP TABLE book AS
SELECT l, (16000 + 160 * (l % 100))::numeric AS p, DATE '2023-01-01' + (l % 500) AS d FROM generate_series(1, :loans) l;
INSERT INTO m_loan (id, account_no, client_id, loan_officer_id, loan_status_id, loan_type_enum, currency_code, currency_digits,
    principal_amount_proposed, principal_amount, approved_principal, net_disbursal_amount, annual_nominal_interest_rate,
    interest_method_enum, repay_every, repayment_period_frequency_enum, number_of_repayments, amortization_method_enum,
    submittedon_date, disbursedon_date, expected_disbursedon_date, expected_maturedon_date, closedon_date,
    principal_disbursed_derived, fee_charges_charged_derived, created_on_utc, last_modified_on_utc)
SELECT l, 'L' || l, l, 1 + l % 2000, CASE WHEN l % 20 = 0 THEN 600 ELSE 300 END, 1, 'NGN', 2, p, p, p, p, 24, 1, 14, 0, 16, 1,
       d, d, d, d + 224, CASE WHEN l % 20 = 0 THEN d + 224 END, p, 0, now() - interval '1 day', now() - interval '1 day'
FROM book;
INSERT INTO m_loan_repayment_schedule (loan_id, fromdate, duedate, installment, principal_amount, interest_amount, fee_charges_amount,
    completed_derived, created_on_utc, last_modified_on_utc)
SELECT l, d + 14 * (n - 1), d + 14 * n, n, p / 16, 40, 0, FALSE, now() - interval '1 day', now() - interval '1 day'
FROM book, generate_series(1, 16) n;
INSERT INTO m_loan_transaction (loan_id, office_id, is_reversed, transaction_type_enum, transaction_date, amount,
    principal_portion_derived, submitted_on_date, created_on_utc, last_modified_on_utc)
SELECT l, 101 + l % 200, FALSE, 1, d, p, p, d, now() - interval '1 day', now() - interval '1 day' FROM book;
-- 0 to 16 repayments (8 on average), each paying its installment.
INSERT INTO m_loan_transaction (loan_id, office_id, is_reversed, transaction_type_enum, transaction_date, amount,
    principal_portion_derived, interest_portion_derived, fee_charges_portion_derived, submitted_on_date, created_on_utc, last_modified_on_utc)
SELECT l, 101 + l % 200, FALSE, 2, d + 14 * n, p / 16 + 40, p / 16, 40, 0, d + 14 * n, now() - interval '1 day', now() - interval '1 day'
FROM book, generate_series(1, 16) n WHERE n <= CASE WHEN l % 20 = 0 THEN 16 ELSE l % 17 END;
SELECT setval(pg_get_serial_sequence('m_loan_transaction', 'id'), (SELECT max(id) FROM m_loan_transaction));
VACUUM ANALYZE;
SQL
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
