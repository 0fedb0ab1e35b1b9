#!/usr/bin/env bash
# Worker benchmark. Starts throwaway PostgreSQL and Redis on free loopback ports (the benchmarks'
# PostgreSQL settings, `servers.sh pg-tune`) and stops them after; release build.
#
#   bash scripts/bench-worker.sh [--loans N] [--officers N]     (defaults: 1000000 loans, 2000 officers)
#     issue 4: seed-demo, then full-refresh on day D, again on D, on D+1, then 1,000 new repayments
#     and refresh-loans --changed-only. Prints each phase's wall time, rate and peak memory.
#
#   bash scripts/bench-worker.sh --scale [SIZES] [--partitions N] [--officers N]
#     issue 17, goal 3: for each size (default "250000 500000 1000000 2000000" loans, a database of
#     its own, dropped after), seed-demo, then full-refresh on D (first run) and on D+1 (next day),
#     each with its phases (read loans / repayments / schedules + engine / write states / officer
#     rows / the rest; scripts/bench/refresh-phases.py) and peak memory, then the I/O floor (PostgreSQL
#     alone sending the columns a refresh reads and taking every state back; `floor` below). At the largest size, the
#     next-day refresh of D+2 run as N partitions (default 4) one after another: each one's time and
#     peak memory, their sum and the longest, against the unpartitioned next-day run.
#
# Environment: SWIFT_SCRATCH_PATH, when set, is passed to swift build as --scratch-path.
set -euo pipefail
cd "$(dirname "$0")/.."
loans=1000000
officers=2000
scale=""
partitions=4
usage="usage: $0 [--loans N] [--officers N] | --scale [\"SIZES\"] [--partitions N] [--officers N]"
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --officers) officers=$2; shift 2 ;;
    --scale)
      if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9\ ]+$ ]]; then scale=$2; shift 2; else scale="250000 500000 1000000 2000000"; shift; fi ;;
    --partitions) partitions=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 64 ;;
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
bash "$servers" pg-tune "$work/postgres"
admin_url=$DATABASE_URL

build=(swift build -c release)
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$SWIFT_SCRATCH_PATH")
"${build[@]}" --product metrics-worker >/dev/null
worker="$("${build[@]}" --show-bin-path)/metrics-worker"
export MIGRATIONS_DIR="$PWD/migrations"

day=2026-11-20
next=2026-11-21
after=2026-11-22
phase() { # name, then the command; prints seconds and peak RSS (sets $seconds and $rss_mib)
  local name=$1; shift
  local start end rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err" >&2; echo "$name failed" >&2; exit 1; }
  end=$(date +%s.%N)
  rss=$(tail -n1 "$work/rss")
  seconds=$(echo "$end - $start" | bc -l)
  rss_mib=$((rss / 1024))
  printf '%-42s %8.2f s   peak RSS %6d MiB\n' "$name" "$seconds" "$rss_mib"
}
refresh() { # name, date[, partition]: a full-refresh with its phases
  local name=$1 date=$2 part=${3:-}
  LOG_LEVEL=info phase "$name" "$worker" full-refresh --as-of "$date" ${part:+--partition "$part"}
  printf '%-42s %s\n' "" "$(python3 scripts/bench/refresh-phases.py "$work/err")"
}
# The I/O floor of a whole-book refresh (issue 17, goal 2): PostgreSQL alone sending the columns
# the refresh reads (the five binary COPY streams of Sources/MetricsWorker/Jobs/LoanStream.swift,
# whole book, psql discarding them), then taking every loan's state back (a binary COPY into a new
# table with the primary key and officer index, as LoanStateWriter's swap does), each timed.
floor() {
  local start read write query
  start=$(date +%s.%N)
  for query in "SELECT v.loan_id, v.source_changed_at FROM loan_sources v" \
      "SELECT s.loan_id, s.dpd_bucket, s.computed_as_of, s.state_hash FROM loan_states s" \
      "SELECT a.loan_id, a.officer_id, a.branch, a.channel, a.status, a.closed_date, a.disbursement_date, a.maturity_date,
              a.loan_amount, a.loan_term_days, a.interest_rate::text, a.fee_amount, a.repayment_every_days FROM loan_accounts a" \
      "SELECT r.loan_id, r.repayment_id, r.payment_date, r.principal_paid, r.interest_paid, r.fees_paid, r.waiver_amount,
              r.is_backdated, r.is_reversed, r.reversal_date FROM repayments r" \
      "SELECT s.loan_id, s.installment_number, s.due_date, s.principal_due, s.interest_due, s.fee_due FROM loan_schedule s"; do
    psql "$DATABASE_URL" -qc "COPY ($query) TO STDOUT (FORMAT binary)" >/dev/null
  done
  read=$(echo "$(date +%s.%N) - $start" | bc -l)
  psql "$DATABASE_URL" -qc "COPY loan_states TO STDOUT (FORMAT binary)" >"$work/states.copy"
  start=$(date +%s.%N)
  psql "$DATABASE_URL" -q -1 -v ON_ERROR_STOP=1 -c "CREATE TABLE floor_states (LIKE loan_states INCLUDING DEFAULTS)" \
    -c "\\copy floor_states FROM '$work/states.copy' (FORMAT binary, FREEZE)" \
    -c "ALTER TABLE floor_states ADD PRIMARY KEY (loan_id)" -c "CREATE INDEX ON floor_states (officer_id)"
  write=$(echo "$(date +%s.%N) - $start" | bc -l)
  psql "$DATABASE_URL" -qc "DROP TABLE floor_states"
  rm -f "$work/states.copy"
  floor_s=$(echo "$read + $write" | bc -l)
  printf '%-42s %8.2f s   (PostgreSQL alone: sending the five streams %.2f s, taking every state back %.2f s)\n' \
    "I/O floor of a refresh" "$floor_s" "$read" "$write"
}
database() { # name: a fresh database, migrated, as DATABASE_URL
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $1" -qc "CREATE DATABASE $1"
  export DATABASE_URL="${admin_url%/*}/$1"
  LOG_LEVEL=warning "$worker" migrate >/dev/null
}
export LOG_LEVEL=warning

if [ -z "$scale" ]; then
  database bench
  echo "worker benchmark: $loans loans, $officers officers (release build, PostgreSQL 15 on loopback)"
  phase "seed-demo (ingest path)" "$worker" seed-demo --loans "$loans" --officers "$officers" --as-of "$day"
  records=$(psql "$DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM loans) + (SELECT count(*) FROM repayments) + (SELECT count(*) FROM officers) + (SELECT count(*) FROM team_members)")
  installments=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM loan_schedule")
  printf '%-42s %8d records, %.0f records/s (%s given installments stored)\n' "  ingested" "$records" "$(echo "$records / $seconds" | bc -l)" "$installments"
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
  refresh "full-refresh --as-of $day (first run)" "$day"
  refresh "full-refresh --as-of $day (again, no change)" "$day"
  refresh "full-refresh --as-of $next (next day)" "$next"
  # 1,000 new repayments for existing loans, through ingest, then the incremental refresh.
  psql "$DATABASE_URL" -Atc "SELECT json_build_object('repayment_id', 'BENCH-' || loan_id, 'loan_id', loan_id, 'payment_date', '$next',
      'payment_amount', 10.00, 'principal_paid', 10.00, 'interest_paid', 0, 'fees_paid', 0, 'penalty_paid', 0)
      FROM loans WHERE status = 'Active' ORDER BY loan_id LIMIT 1000" >"$work/new.ndjson"
  phase "ingest 1,000 new repayments" "$worker" ingest "$work/new.ndjson"
  phase "refresh-loans --changed-only" "$worker" refresh-loans --changed-only --as-of "$next"
  grep -h "refresh-loans" "$work/out" || true
  exit 0
fi

echo "worker scaling benchmark: sizes $scale loans, $officers officers, $partitions partitions at the largest (release build, PostgreSQL 15 on loopback, $(nproc) cores)"
largest=$(echo "$scale" | tr ' ' '\n' | sort -n | tail -n1)
table=()
for size in $scale; do
  echo
  echo "== $size loans"
  database "bench_$size"
  phase "seed-demo" "$worker" seed-demo --loans "$size" --officers "$officers" --as-of "$day"
  seed_s=$seconds
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
  rows=$(psql "$DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM repayments) || ' repayments, ' || (SELECT count(*) FROM loan_schedule) || ' installments'")
  printf '%-42s %s\n' "" "$rows"
  refresh "full-refresh --as-of $day (first run)" "$day"
  first_s=$seconds first_rss=$rss_mib
  refresh "full-refresh --as-of $next (next day)" "$next"
  next_s=$seconds next_rss=$rss_mib
  if [ "$size" = "$largest" ] && [ "$partitions" -gt 1 ]; then
    sum=0 longest=0 peak=0
    for ((k = 0; k < partitions; k++)); do
      refresh "full-refresh --as-of $after --partition $k/$partitions" "$after" "$k/$partitions"
      sum=$(echo "$sum + $seconds" | bc -l)
      longest=$(echo "if ($seconds > $longest) $seconds else $longest" | bc -l)
      [ "$rss_mib" -gt "$peak" ] && peak=$rss_mib
    done
    partitioned=$(printf '%d partitions at %s loans (next day, one after another): sum %.1f s, longest %.1f s, peak RSS of one %d MiB; unpartitioned next day %.1f s, %d MiB: speed-up %.2f with %d pods' \
      "$partitions" "$size" "$sum" "$longest" "$peak" "$next_s" "$next_rss" "$(echo "$next_s / $longest" | bc -l)" "$partitions")
  fi
  # Last at this size: its scans and writes would otherwise weigh on the partitioned runs above.
  floor
  table+=("$(printf '%10s %10.1f %10.1f %10d %10.1f %10d %10.1f' "$size" "$seed_s" "$first_s" "$first_rss" "$next_s" "$next_rss" "$floor_s")")
  psql "$admin_url" -qc "DROP DATABASE bench_$size"
done
echo
echo "== scaling (seconds, peak RSS in MiB)"
printf '%10s %10s %10s %10s %10s %10s %10s\n' loans seed first first_RSS next_day next_RSS io_floor
printf '%s\n' "${table[@]}"
if [ -n "${partitioned:-}" ]; then echo "$partitioned"; fi
