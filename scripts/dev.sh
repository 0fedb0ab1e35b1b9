#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine and serves the API on demo data:
# installs what is missing (apt), starts a PostgreSQL and a Redis owned by the project (data under
# .local/, loopback only, free ports), builds, migrates, loads a demo portfolio, computes the metrics,
# starts `metrics-worker daemon` in the background (it applies each ingest to the metrics and runs
# the job schedule; log in .local/daemon.log) and runs analytics-api in the foreground. Safe to run
# again: servers and data are reused.
#
#   bash scripts/dev.sh            set up and serve (Ctrl-C stops the API and the daemon; the servers
#                                  keep running)
#   bash scripts/dev.sh reset      empty the database (schema kept, data gone) to load your own data
#   bash scripts/dev.sh stop       stop the daemon and the project's PostgreSQL and Redis
#   bash scripts/dev.sh env        print the settings to use the servers from another shell
#
# The demo portfolio is loaded only into an empty database: after `reset`, load your own files
# (README "Use your own data") and run this again to serve them.
#
# Options (environment): DEMO_LOANS (default 5000), DEMO_OFFICERS (default 100), API_PORT (default:
# 8080 when free), DAEMON_PORT (the daemon's /metrics; default 9464 when free), BUILD_CONFIGURATION
# (debug or release, default debug).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
servers="$root/scripts/servers.sh"
state="$root/.local"
mkdir -p "$state"

# PostgreSQL runs as the postgres user when we are root; it must be able to reach its data folder.
pg_dir="$state/postgres"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$state" 2>/dev/null; then
  # The checkout sits under a folder the postgres user cannot enter (e.g. /root): keep the data in
  # /var/tmp and link it from .local so it is still found there.
  target="/var/tmp/loan-analytics-$(echo "$root" | md5sum | cut -c1-8)/postgres"
  mkdir -p "$(dirname "$target")"
  [ -L "$pg_dir" ] || { rm -rf "$pg_dir"; ln -s "$target" "$pg_dir"; }
  pg_dir="$target"
fi

# The daemon this script started, if it still runs: "pid port".
daemon_running() {
  local pid port
  read -r pid port 2>/dev/null <"$state/daemon.pid" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = metrics-worker ] || return 1
  echo "$pid $port"
}

# SIGTERM to the daemon (a running job finishes, or is cancelled after its grace period), by pid.
stop_daemon() {
  local running pid port
  if running=$(daemon_running); then
    read -r pid port <<<"$running"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "stopped the daemon (pid $pid)"
  fi
  rm -f "$state/daemon.pid"
}

stop() {
  stop_daemon
  bash "$servers" pg-stop "$pg_dir" || true
  bash "$servers" redis-stop "$state/redis" || true
  echo "stopped the project's PostgreSQL and Redis (data kept in .local/)"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_servers() {
  bash "$servers" deps
  local pg_port redis_port
  pg_port=$(cat "$pg_dir/port.txt" 2>/dev/null || true)
  if [ -z "$pg_port" ] || ! [ -f "$pg_dir/postmaster.pid" ] || ! port_open "$pg_port"; then
    pg_port=$(bash "$servers" free-port)
    bash "$servers" pg-start "$pg_dir" "$pg_port"
  fi
  redis_port=$(cat "$state/redis/port.txt" 2>/dev/null || true)
  if [ -z "$redis_port" ] || ! port_open "$redis_port"; then
    redis_port=$(bash "$servers" free-port)
    bash "$servers" redis-start "$state/redis" "$redis_port"
  fi
  [ -f "$state/jwt_secret" ] || head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$state/jwt_secret"
  cat >"$state/env" <<ENV
export DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/analytics
export REDIS_URL=redis://127.0.0.1:$redis_port
export JWT_SECRET=$(cat "$state/jwt_secret")
export MIGRATIONS_DIR=$root/migrations
export PATH="$bin:\$PATH"
ENV
  psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'analytics'" | grep -q 1 \
    || psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -qc "CREATE DATABASE analytics"
}

# The API this script started last, if it still runs: "pid port".
api_running() {
  local pid port
  read -r pid port 2>/dev/null <"$state/api.pid" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = analytics-api ] || return 1
  echo "$pid $port"
}

action=${1:-up}
case "$action" in
  stop) stop; exit 0 ;;
  env) cat "$state/env"; exit 0 ;;
  up|reset) ;;
  *) echo "usage: $0 [up|reset|stop|env]" >&2; exit 64 ;;
esac

if running=$(api_running); then
  read -r pid port <<<"$running"
  if [ "$action" = up ]; then
    echo "The API is already running: http://127.0.0.1:$port (pid $pid), started by an earlier bash scripts/dev.sh."
    echo "Use it, or stop it first (kill $pid) to start a fresh one. Settings for this shell: source .local/env"
    exit 0
  fi
  echo "stopping the running API (pid $pid) before the reset"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
fi
# A daemon left from an earlier run (its API was killed some other way) goes too: a fresh one starts below.
stop_daemon

configuration=${BUILD_CONFIGURATION:-debug}
bin="$root/.build/$configuration"
ensure_servers
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$state/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC1091
source "$state/env"
echo "building ($configuration; the first build takes several minutes)..."
swift build -c "$configuration" --product metrics-worker
swift build -c "$configuration" --product analytics-api
bin=$(swift build -c "$configuration" --show-bin-path)
echo "the programs are in $bin (source .local/env puts them on PATH)"

if [ "$action" = reset ]; then
  psql "${DATABASE_URL%/analytics}/postgres" -qc "DROP DATABASE IF EXISTS analytics WITH (FORCE)" -c "CREATE DATABASE analytics"
  "$bin/metrics-worker" migrate
  cat <<RESET

The database is empty (schema applied). Load your own data, look at what was rejected, compute:
  source .local/env
  metrics-worker ingest your-loans.ndjson                 # or: --csv loans loans.csv --csv repayments repayments.csv
  metrics-worker rejects                                  # what was rejected, and why
  metrics-worker full-refresh --as-of YYYY-MM-DD          # the metrics as of a day
  bash scripts/dev.sh                                     # serve them (no demo data is added now)
Samples to start from: examples/ (see docs/ingest.md).
RESET
  exit 0
fi

"$bin/metrics-worker" migrate
today=$(TZ=${ANALYTICS_TIMEZONE:-Africa/Lagos} date +%F)
loans=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM loans")
if [ "$loans" = 0 ]; then
  "$bin/metrics-worker" seed-demo --officers "${DEMO_OFFICERS:-100}" --loans "${DEMO_LOANS:-5000}" --as-of "$today"
fi
# Problems (warnings, errors) only; the phase lines are for the job logs.
LOG_LEVEL=warning LOG_FORMAT=text "$bin/metrics-worker" full-refresh --as-of "$today"

api_port=${API_PORT:-8080}
port_open "$api_port" && api_port=$(bash "$servers" free-port)
daemon_port=${DAEMON_PORT:-9464}
port_open "$daemon_port" && daemon_port=$(bash "$servers" free-port)
token=$("$bin/metrics-worker" dev-token --role admin --sub dev-admin --ttl 86400)

# The daemon, now that the data is computed: it applies every ingest (file or HTTP) to the metrics
# and runs the job schedule. Stopped by its pid when the API stops, or by `dev.sh stop`.
DAEMON_METRICS_PORT=$daemon_port DAEMON_SHUTDOWN_GRACE_SECONDS=10 nohup "$bin/metrics-worker" daemon >"$state/daemon.log" 2>&1 &
echo "$! $daemon_port" >"$state/daemon.pid"
api_pid=""
finish() {
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    kill -TERM "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
  stop_daemon
  rm -f "$state/api.pid"
}
trap finish EXIT
trap 'exit 130' INT TERM

cat <<INFO

The API is starting on http://127.0.0.1:$api_port (Ctrl-C stops it and the daemon; the databases keep running).
  curl -s http://127.0.0.1:$api_port/ready
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$api_port/api/v1/metrics/officers?per_page=5"
The daemon applies what you ingest to the metrics and runs the job schedule:
  log .local/daemon.log, metrics http://127.0.0.1:$daemon_port/metrics
The programs are in $bin; in another shell:  source .local/env   (settings and PATH)
Stop: Ctrl-C here. Stop the servers too: bash scripts/dev.sh stop. Your own data: bash scripts/dev.sh reset.

INFO
PORT=$api_port BIND_ADDRESS=127.0.0.1 "$bin/analytics-api" &
api_pid=$!
echo "$api_pid $api_port" >"$state/api.pid"
wait "$api_pid"
