#!/usr/bin/env bash
# Events benchmark (issue 16): Fineract's external events consumed end to end.
#
#   bash scripts/bench-events.sh [--loans 20000] [--events 50000] [--rate 50] [--duration 60]
#                                [--poll-ms 200] [--publish-only] [--bin DIR]
#
# Builds release binaries (metrics-worker, analytics-api, fineract-events-bench), starts its own
# PostgreSQL, Redis and ActiveMQ (scripts/servers.sh: loopback, free ports), generates a Fineract
# tenant of --loans loans (scripts/fineract/generate-tenant.sql, a second database on the same
# server) and brings it in through the pull (`sync-fineract`, which also stores the offices the
# consumer resolves), then `full-refresh --as-of D`. The events are what Fineract's producer
# writes (FineractMessageBuilder: a MessageV1 holding a LoanTransactionDataV1, Fineract 1.10.1
# schemas, a fresh idempotency key each), repayments of the tenant's Active loans dated D, with
# transaction ids above the tenant's, sent as persistent BytesMessages (StompPublisher).
#   (a) throughput: --events repayment events published to a queue (rate printed), then
#       `metrics-worker consume-fineract-events --until-idle 5` drains it: events/s end to end
#       (decode, ingest, acknowledge) = events / (wall time - the 5 s of idleness that end it), and
#       the consumer's peak RSS. Checked: the repayments table grew by exactly --events.
#   (b) freshness: analytics-api and `metrics-worker daemon --as-of D` with FINERACT_EVENTS_URL
#       set (the daemon consumes the events), then for --duration seconds one repayment event
#       every 1/--rate s (50/s: every 20 ms), each on an officer with none in flight, and the time
#       from the broker's RECEIPT to GET /api/v1/metrics/officers/{id} showing it, polled every
#       --poll-ms: p50/p95/max (bench/live/writers.py --sink events: the measuring code of
#       scripts/bench-live.sh, with the publication in place of the POST).
#   --publish-only: no pull, no consumer: publishes --events events and drains the queue with
#       `fineract-events-bench drain`, which decodes every message as the consumer would and checks
#       the count and the idempotency keys (the publishing side on its own).
#   --bin DIR: use the binaries in DIR (e.g. .build/debug) instead of a release build.
#
# Environment: SWIFT_SCRATCH_PATH, when set, is passed to swift build as --scratch-path.
# Everything it starts (servers, API, daemon, consumer, publisher) is stopped by process id on
# exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."

loans=20000
events=50000
rate=50
duration=60
poll_ms=200
publish_only=false
bin=""
usage="usage: $0 [--loans N] [--events N] [--rate R] [--duration S] [--poll-ms MS] [--publish-only] [--bin DIR]"
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --poll-ms) poll_ms=$2; shift 2 ;;
    --publish-only) publish_only=true; shift ;;
    --bin) bin=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$usage" >&2; exit 64 ;;
  esac
done
for n in "$loans" "$events" "$duration" "$poll_ms"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "bench-events.sh: '$n' is not a whole number; $usage" >&2; exit 64; }
done
[ "$loans" -ge 1 ] && [ "$events" -ge 1 ] || { echo "bench-events.sh: --loans and --events must be at least 1" >&2; exit 64; }
[[ "$rate" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench-events.sh: --rate must be a number; $usage" >&2; exit 64; }
command -v python3 >/dev/null || { echo "bench-events.sh: python3 is not installed" >&2; exit 69; }

servers=scripts/servers.sh
bash "$servers" deps >/dev/null
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null 2>&1 || true; }
if [ -z "$bin" ]; then
  build=(-c release)
  [ -n "${SWIFT_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$SWIFT_SCRATCH_PATH")
  for product in metrics-worker fineract-events-bench $($publish_only || echo analytics-api); do
    swift build "${build[@]}" --product "$product" >/dev/null
  done
  bin=$(swift build "${build[@]}" --show-bin-path)
fi
for program in metrics-worker fineract-events-bench $($publish_only || echo analytics-api); do
  [ -x "$bin/$program" ] || { echo "bench-events.sh: no $program in $bin" >&2; exit 66; }
done
psql="$(bash "$servers" pg-bin)/psql"
if ! $publish_only; then
  "$bin/metrics-worker" consume-fineract-events --help >/dev/null 2>&1 \
    || { echo "bench-events.sh: this build has no 'metrics-worker consume-fineract-events' (issue 16); --publish-only runs the publishing side alone" >&2; exit 69; }
fi

work=$(mktemp -d /tmp/analytics-bench-events.XXXXXX)
chmod 755 "$work"
api_pid="" daemon_pid="" writers_pid=""
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
  stop_pid "$daemon_pid"
  stop_pid "$api_pid"
  bash "$servers" throwaway-stop "$work"
  if [ -n "${KEEP_WORK:-}" ]; then echo "bench-events.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (Assigned first: set -e does not see a failure inside eval "$(...)".)
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
broker_env=$(bash "$servers" throwaway-activemq "$work")
eval "$broker_env"
"$psql" "$DATABASE_URL" -qc "CREATE DATABASE bench" -c "CREATE DATABASE tenant"
bash "$servers" pg-tune "$work/postgres"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/bench" LOG_LEVEL=${LOG_LEVEL:-warning}
export FINERACT_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/tenant"
export MIGRATIONS_DIR=$PWD/migrations PYTHONDONTWRITEBYTECODE=1
export FINERACT_EVENTS_URL=$ACTIVEMQ_STOMP_URL
day=2024-06-28
sql() { "$psql" -X -qAt "$DATABASE_URL" -c "$1"; }
tenant() { "$psql" -X -qAt "$FINERACT_DATABASE_URL" -c "$1"; }
rss_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "bench-events: $loans Fineract loans, $events events, business date $day; $(nproc) cores; ActiveMQ on $ACTIVEMQ_STOMP_URL"
start=$(date +%s)
"$psql" "$FINERACT_DATABASE_URL" -q -v ON_ERROR_STOP=1 -f scripts/fineract/tenant-schema.sql
"$psql" "$FINERACT_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v loans="$loans" -f scripts/fineract/generate-tenant.sql >/dev/null
tenant "SELECT l.id || E'\t' || c.office_id || E'\t' || o.name FROM m_loan l JOIN m_client c ON c.id = l.client_id
        JOIN m_office o ON o.id = c.office_id WHERE l.loan_status_id = 300 ORDER BY l.id" >"$work/tenant-loans.tsv"
first_txn=$(( $(tenant "SELECT max(id) FROM m_loan_transaction") + 1000 ))
echo "  tenant generated in $(( $(date +%s) - start )) s: $(wc -l <"$work/tenant-loans.tsv") Active loans; event transactions from id $first_txn"

if $publish_only; then
  export FINERACT_EVENTS_QUEUE=bench-events-publish
  "$bin/fineract-events-bench" publish --loans-file "$work/tenant-loans.tsv" --repayments "$events" --date "$day" \
    --first-transaction-id "$first_txn" | sed 's/^/  /'
  /usr/bin/time -f "%e %M" -o "$work/drain-time" "$bin/fineract-events-bench" drain --expect "$events" | sed 's/^/  /'
  read -r seconds rss <"$work/drain-time"
  echo "  (drain: decode and acknowledge only, no database: $seconds s including 5 s idle, peak RSS $((rss / 1024)) MiB)"
  echo "publishing side OK: $events events published, every one decoded from the queue"
  exit 0
fi

"$bin/metrics-worker" migrate >/dev/null
start=$(date +%s)
"$bin/metrics-worker" sync-fineract >"$work/sync.txt" 2>&1 || { cat "$work/sync.txt" >&2; echo "bench-events.sh: sync-fineract failed" >&2; exit 1; }
"$bin/metrics-worker" full-refresh --as-of "$day" >/dev/null 2>&1
sql "ANALYZE"
echo "  pulled (sync-fineract) and refreshed in $(( $(date +%s) - start )) s: $(sql "SELECT count(*) FROM loan_accounts") loans, $(sql "SELECT count(*) FROM repayments") repayments"

# (a) Throughput: publish, then drain with the consumer.
export FINERACT_EVENTS_QUEUE=bench-events-throughput
echo "(a) throughput"
"$bin/fineract-events-bench" publish --loans-file "$work/tenant-loans.tsv" --repayments "$events" --date "$day" \
  --first-transaction-id "$first_txn" | sed 's/^/  /'
before=$(sql "SELECT count(*) FROM repayments")
uptime | sed 's/^ */  load before: /'
# shellcheck source=scripts/bench/cpu.sh
. scripts/bench/cpu.sh
pg0=$(pg_cpu "$work/postgres"); mq0=$(pid_cpu "$(cat "$work/activemq/activemq.pid")")
# At debug level the consumer logs each batch's size and where its time went (JSON lines).
/usr/bin/time -f "%e %M %U %S" -o "$work/consume-time" env LOG_LEVEL=debug LOG_FORMAT=json \
  "$bin/metrics-worker" consume-fineract-events --until-idle 5 \
  >"$work/consume.txt" 2>&1 || { tail -n 20 "$work/consume.txt" >&2; echo "bench-events.sh: consume-fineract-events failed" >&2; exit 1; }
read -r seconds rss user system <"$work/consume-time"
sleep 1  # the consumer's server process ends (and is counted) a moment after the consumer
pg1=$(pg_cpu "$work/postgres"); mq1=$(pid_cpu "$(cat "$work/activemq/activemq.pid")")
printf '  CPU during the drain: PostgreSQL %.1f s, ActiveMQ %.1f s\n' "$(echo "($pg1 - $pg0) / $(getconf CLK_TCK)" | bc -l)" \
  "$(echo "($mq1 - $mq0) / $(getconf CLK_TCK)" | bc -l)"
python3 - "$work/consume.txt" <<'PY' | sed 's/^/  /'
import json, sys
batches = []
for line in open(sys.argv[1], errors="replace"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    fields = entry.get("metadata", {})
    if entry.get("message") == "batch" and "messages" in fields:
        batches.append({k: int(fields[k]) for k in ("messages", "read_context_ms", "plan_ms", "write_commit_ms")})
if batches:
    n = len(batches)
    total = {k: sum(b[k] for b in batches) for k in batches[0]}
    print(f"batches: {n}, mean {total['messages'] / n:.0f} messages; time in them: reads and context {total['read_context_ms'] / 1000:.1f} s, "
          f"plan {total['plan_ms'] / 1000:.1f} s, write and commit {total['write_commit_ms'] / 1000:.1f} s "
          f"(a batch is read and planned while the one before it is written, so these overlap)")
PY
after=$(sql "SELECT count(*) FROM repayments")
busy=$(echo "$seconds - 5" | bc -l)
printf '  consume-fineract-events --until-idle 5: %.1f s wall (%.1f s without the idle 5 s), CPU %.1f s, peak RSS %d MiB\n' \
  "$seconds" "$busy" "$(echo "$user + $system" | bc -l)" $((rss / 1024))
printf '  %d events end to end (decode, ingest, acknowledge): %.0f events/s\n' "$events" "$(echo "$events / $busy" | bc -l)"
grep "^consume-fineract-events:" "$work/consume.txt" | sed "s/^/  consumer: /"
if [ $((after - before)) -ne "$events" ]; then
  echo "bench-events.sh: the repayments table grew by $((after - before)), not $events" >&2; exit 1
fi
echo "  repayments: $before -> $after (+$events, as published)"

# (b) Freshness: the daemon consumes while repayments are published one at a time.
export FINERACT_EVENTS_QUEUE=bench-events-live
echo "(b) publication to dashboard, ${rate} repayments/s for ${duration} s"
api_port=$(bash "$servers" free-port)
daemon_port=$(bash "$servers" free-port)
export JWT_SECRET="bench-events-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=$api_port BIND_ADDRESS=127.0.0.1 "$bin/analytics-api" >"$work/api.log" 2>&1 &
api_pid=$!
base="http://127.0.0.1:$api_port"
for _ in $(seq 1 200); do curl -fs "$base/ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$base/ready" >/dev/null || { tail -n 20 "$work/api.log" >&2; echo "bench-events.sh: the API did not become ready" >&2; exit 1; }
viewer=$("$bin/metrics-worker" dev-token --role viewer --sub bench-events-viewer --ttl 86400)
"$bin/metrics-worker" daemon --as-of "$day" --metrics-port "$daemon_port" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$daemon_port/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$daemon_port/health" >/dev/null || { tail -n 20 "$work/daemon.log" >&2; echo "bench-events.sh: the daemon's /health did not answer" >&2; exit 1; }
if [ "$(sql "SELECT to_regclass('live_changes') IS NOT NULL")" = t ]; then
  for _ in $(seq 1 1200); do [ "$(sql "SELECT count(*) FROM live_changes")" = 0 ] && break; sleep 0.5; done
fi
sql "SELECT loan_id || E'\t' || officer_id FROM loan_accounts WHERE status = 'Active' ORDER BY loan_id" >"$work/active-loans.tsv"
VIEWER_TOKEN=$viewer INGEST_TOKEN=unused python3 bench/live/writers.py --base-url "$base" --sink events \
  --publisher "$bin/fineract-events-bench serve --loans-file $work/tenant-loans.tsv --date $day --first-transaction-id $((first_txn + events + 1000))" \
  --loans-file "$work/active-loans.tsv" --date "$day" --rate "$rate" --duration "$duration" --poll-ms "$poll_ms" \
  --timeout 30 --out "$work/writers.json" >"$work/writers.txt" 2>&1 &
writers_pid=$!
wait "$writers_pid" || { cat "$work/writers.txt" >&2; echo "bench-events.sh: the writers failed" >&2; exit 1; }
writers_pid=""
sed 's/^/  /' "$work/writers.txt"
printf '  daemon RSS %d MiB (peak %d MiB)\n' $(( $(rss_kib "$daemon_pid" VmRSS) / 1024 )) $(( $(rss_kib "$daemon_pid" VmHWM) / 1024 ))
if grep -q '"level":"error"' "$work/daemon.log"; then
  echo "  errors logged by the daemon: $(grep -c '"level":"error"' "$work/daemon.log"), the first 3:"; grep -m 3 '"level":"error"' "$work/daemon.log"
fi
python3 - "$work/writers.json" "$events" "$busy" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
events, busy = int(sys.argv[2]), float(sys.argv[3])
lag = w["lag_ms"]
fmt = lambda v: "-" if v is None else f"{v / 1000:.2f} s"
print("summary")
print(f"  events/s end to end (target >= 5,000): {events / busy:,.0f}")
print(f"  publication -> dashboard (target p95 <= 5 s): p50 {fmt(lag['p50'])}, p95 {fmt(lag['p95'])}, max {fmt(lag['max'])}; "
      f"shown {w['shown']} of {w['posted']}, never shown {w['never_shown']}, exact {w['exact']}")
PY
