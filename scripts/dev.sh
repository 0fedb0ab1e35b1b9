#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine and serves the API on demo data:
# installs what is missing (apt), starts a PostgreSQL and a Redis owned by the project (data under
# .local/, loopback only, free ports), builds, migrates, loads a demo portfolio, computes the metrics
# and runs analytics-api in the foreground. Safe to run again: servers and data are reused.
#
#   bash scripts/dev.sh            set up and serve (Ctrl-C stops the API; the servers keep running)
#   bash scripts/dev.sh stop       stop the project's PostgreSQL and Redis
#   bash scripts/dev.sh env        print the settings to use the servers from another shell
#
# Options (environment): DEMO_LOANS (default 5000), DEMO_OFFICERS (default 100), API_PORT (default:
# 8080 when free), BUILD_CONFIGURATION (debug or release, default debug).
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

stop() {
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
ENV
  psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'analytics'" | grep -q 1 \
    || psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -qc "CREATE DATABASE analytics"
}

case "${1:-up}" in
  stop) stop; exit 0 ;;
  env) cat "$state/env"; exit 0 ;;
  up) ;;
  *) echo "usage: $0 [up|stop|env]" >&2; exit 64 ;;
esac

ensure_servers
export PKG_CONFIG_PATH="$(bash "$servers" pkgconfig "$state/pkgconfig")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC1091
source "$state/env"
configuration=${BUILD_CONFIGURATION:-debug}
echo "building ($configuration; the first build takes several minutes)..."
swift build -c "$configuration" --product metrics-worker
swift build -c "$configuration" --product analytics-api
bin=$(swift build -c "$configuration" --show-bin-path)

"$bin/metrics-worker" migrate
today=$(TZ=${ANALYTICS_TIMEZONE:-Africa/Lagos} date +%F)
loans=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM loans")
if [ "$loans" = 0 ]; then
  "$bin/metrics-worker" seed-demo --officers "${DEMO_OFFICERS:-100}" --loans "${DEMO_LOANS:-5000}" --as-of "$today"
fi
"$bin/metrics-worker" full-refresh --as-of "$today" 2>/dev/null

api_port=${API_PORT:-8080}
port_open "$api_port" && api_port=$(bash "$servers" free-port)
token=$("$bin/metrics-worker" dev-token --role admin --sub dev-admin --ttl 86400)
cat <<INFO

The API is starting on http://127.0.0.1:$api_port (Ctrl-C stops it; the databases keep running).
  curl -s http://127.0.0.1:$api_port/ready
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$api_port/api/v1/metrics/officers?per_page=5"
Settings for another shell: source .local/env   (stop the servers: bash scripts/dev.sh stop)

INFO
PORT=$api_port BIND_ADDRESS=127.0.0.1 exec "$bin/analytics-api"
