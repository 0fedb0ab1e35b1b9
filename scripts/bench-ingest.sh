#!/usr/bin/env bash
# Ingest benchmark (issue 14): NDJSON over HTTP. Generates officers, loans (with customers) and two
# repayments per loan as one NDJSON file, POSTs it to a release analytics-api with curl
# (`--data-binary @file`, as a lending system would), and prints records/s (target: 30,000). Then
# the same file again (every record unchanged), and for comparison `metrics-worker ingest` of the
# same file into an empty database. Throwaway PostgreSQL on a free loopback port, stopped after.
#
#   bash scripts/bench-ingest.sh [--loans N]       (default 70000: 1,000 officers, 70,000 loans,
#                                                   140,000 repayments = 211,000 records)
set -euo pipefail
cd "$(dirname "$0")/.."
loans=70000
while [ $# -gt 0 ]; do
  case "$1" in
    --loans) loans=$2; shift 2 ;;
    *) echo "usage: $0 [--loans N]" >&2; exit 64 ;;
  esac
done
servers=scripts/servers.sh
bash "$servers" deps >/dev/null
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$PWD/.local/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

work=$(mktemp -d /tmp/analytics-ingest-bench.XXXXXX)
chmod 755 "$work"
api_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  bash "$servers" throwaway-stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
servers_env=$(bash "$servers" throwaway "$work")
eval "$servers_env"
psql "$DATABASE_URL" -qc "ALTER SYSTEM SET shared_buffers = '1GB'" -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
  -c "CREATE DATABASE bench_api" -c "CREATE DATABASE bench_cli"
bash "$servers" pg-restart "$work/postgres"

swift build -c release --product analytics-api >/dev/null
swift build -c release --product metrics-worker >/dev/null
bin=$(swift build -c release --show-bin-path)
base_url="postgres://postgres@127.0.0.1:$PG_PORT"
export LOG_LEVEL=warning MIGRATIONS_DIR="$PWD/migrations"
export JWT_SECRET="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DATABASE_URL="$base_url/bench_api" "$bin/metrics-worker" migrate >/dev/null
DATABASE_URL="$base_url/bench_cli" "$bin/metrics-worker" migrate >/dev/null

# The records: officers, then each loan followed later by its two repayments (loans first, so
# every repayment finds its loan), with the fields a lending system sends.
python3 - "$loans" >"$work/book.ndjson" <<'PY'
import json, sys
loans = int(sys.argv[1])
officers = 1000
branches = [("South West", "Ikeja"), ("South West", "Ibadan"), ("North Central", "Abuja"), ("South South", "Port Harcourt")]
out = sys.stdout
for o in range(officers):
    region, branch = branches[o % len(branches)]
    out.write(json.dumps({"type": "officer", "officer_id": f"OFF{o:05d}", "officer_name": f"Officer {o}",
                          "officer_phone": f"+234-803-555-{o % 10000:04d}", "region": region, "branch": branch,
                          "employment_status": "Active", "primary_channel": "Direct"}) + "\n")
for l in range(loans):
    o = l % officers
    region, branch = branches[o % len(branches)]
    out.write(json.dumps({"type": "loan", "loan_id": f"LN{l:08d}", "customer_id": f"CUS{l:08d}", "customer_name": f"Customer {l}",
                          "customer_phone": f"+234-805-555-{l % 10000:04d}", "officer_id": f"OFF{o:05d}", "officer_name": f"Officer {o}",
                          "region": region, "branch": branch, "loan_amount": 120000.00, "disbursement_date": "2024-09-02",
                          "maturity_date": "2024-11-25", "loan_term_days": 84, "interest_rate": 0.15, "fee_amount": 2400.00,
                          "repayment_every_days": 14, "channel": "Direct", "status": "Active"}) + "\n")
for r in range(2):
    for l in range(loans):
        out.write(json.dumps({"type": "repayment", "repayment_id": f"RP{l:08d}-{r}", "loan_id": f"LN{l:08d}",
                              "payment_date": f"2024-09-{16 + 14 * r if r == 0 else 30}", "payment_amount": 10545.20,
                              "principal_paid": 10000.00, "interest_paid": 345.20, "fees_paid": 200.00, "penalty_paid": 0,
                              "payment_method": "Transfer", "payment_reference": f"PAY-{l}-{r}", "payment_channel": "Mobile"}) + "\n")
PY
records=$(wc -l <"$work/book.ndjson")
bytes=$(stat -c %s "$work/book.ndjson")

api_port=$(bash "$servers" free-port)
DATABASE_URL="$base_url/bench_api" PORT=$api_port BIND_ADDRESS=127.0.0.1 "$bin/analytics-api" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$api_port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
token=$("$bin/metrics-worker" dev-token --role ingest --sub bench)

post() { # prints seconds and the answer's counts
  local start end
  start=$(date +%s.%N)
  curl -sS -o "$work/answer.json" -w '%{http_code}' -X POST "http://127.0.0.1:$api_port/api/v1/ingest" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' -H 'Expect:' \
    --data-binary @"$work/book.ndjson" >"$work/status"
  end=$(date +%s.%N)
  [ "$(cat "$work/status")" = 200 ] || { echo "POST answered $(cat "$work/status"): $(head -c 300 "$work/answer.json")"; exit 1; }
  seconds=$(echo "$end - $start" | bc -l)
}
summary() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print("accepted", d["accepted"], "rejected", d["rejected"], "inserted", sum(d["inserted"].values()), "unchanged", sum(d["unchanged"].values()))' "$work/answer.json"; }

echo "ingest benchmark: $records records ($((bytes / 1024 / 1024)) MiB NDJSON: 1,000 officers, $loans loans, $((2 * loans)) repayments), release build, PostgreSQL on loopback"
post
printf '%-44s %7.2f s  %8.0f records/s   (%s)\n' "POST /api/v1/ingest, empty database" "$seconds" "$(echo "$records / $seconds" | bc -l)" "$(summary)"
rss=$(ps -o rss= -p "$api_pid" | tr -d ' ')
post
printf '%-44s %7.2f s  %8.0f records/s   (%s)\n' "POST again (every record unchanged)" "$seconds" "$(echo "$records / $seconds" | bc -l)" "$(summary)"
printf '%-44s %7d MiB\n' "analytics-api RSS after the first POST" $((rss / 1024))
start=$(date +%s.%N)
DATABASE_URL="$base_url/bench_cli" "$bin/metrics-worker" ingest "$work/book.ndjson" >/dev/null
end=$(date +%s.%N)
seconds=$(echo "$end - $start" | bc -l)
printf '%-44s %7.2f s  %8.0f records/s\n' "metrics-worker ingest of the same file" "$seconds" "$(echo "$records / $seconds" | bc -l)"
