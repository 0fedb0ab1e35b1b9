#!/usr/bin/env bash
# Local PostgreSQL and Redis servers owned by the project: loopback only, on free ports, data in a
# folder you name. Used by scripts/dev.sh, scripts/test.sh and the fault tests.
#
#   servers.sh deps                      install what is missing (apt, needs root or sudo)
#   servers.sh free-port                 print a free TCP port on 127.0.0.1
#   servers.sh pg-bin                    print the folder of initdb/pg_ctl
#   servers.sh pg-start DIR PORT         initdb DIR if empty, start PostgreSQL on 127.0.0.1:PORT
#   servers.sh pg-stop DIR               fast shutdown
#   servers.sh pg-restart DIR            fast restart (same port)
#   servers.sh pg-kill DIR               SIGKILL the postmaster (crash)
#   servers.sh pg-tune DIR               the benchmarks' settings (docs/operations.md "PostgreSQL
#                                        settings": shared_buffers 4GB, work_mem 64MB, max_wal_size
#                                        8GB, checkpoint_timeout 30min), then a restart
#   servers.sh redis-start DIR PORT      start redis-server on 127.0.0.1:PORT, no persistence
#   servers.sh redis-stop DIR            stop it (by its pid file)
#   servers.sh throwaway DIR             PostgreSQL (DIR/postgres) and Redis (DIR/redis) on free
#                                        ports; prints the exports for the caller to eval:
#                                        eval "$(bash scripts/servers.sh throwaway "$work")"
#                                        gives DATABASE_URL, REDIS_URL, PG_PORT and REDIS_PORT
#   servers.sh throwaway-stop DIR        stop both (safe to call when they never started)
#   servers.sh pkgconfig DIR             write a hiredis.pc without -D_FILE_OFFSET_BITS=64 into DIR
#                                        (Debian's adds it; SwiftPM refuses it with a warning and
#                                        drops it). Scripts put DIR first in PKG_CONFIG_PATH.
#
# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' user.
set -euo pipefail

die() { echo "servers.sh: $*" >&2; exit 1; }

as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

have_deps() {
  pg_bin >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
    && pkg-config --exists libpq 2>/dev/null && pkg-config --exists hiredis 2>/dev/null \
    && command -v python3 >/dev/null 2>&1
}

deps() {
  have_deps && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing PostgreSQL, Redis and their client libraries (apt)..." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql redis-server libpq-dev libhiredis-dev pkg-config python3 ca-certificates >/dev/null
  have_deps || die "dependencies still missing after apt-get install"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
  local dir=$1 port=$2 bin
  bin=$(pg_bin) || die "PostgreSQL server binaries not found (run: $0 deps)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    as_pg_user test -w "$dir" || die "the postgres user cannot write $dir (a parent folder is not accessible); use a folder under /tmp or /var/tmp"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg_user "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/../initdb.log" 2>&1 \
      || { cat "$dir/../initdb.log" >&2; die "initdb failed"; }
    cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
fsync = ${PG_FSYNC:-on}
synchronous_commit = ${PG_SYNCHRONOUS_COMMIT:-on}
full_page_writes = ${PG_FSYNC:-on}
CONF
  fi
  # The port is given on the command line so a restart on another port works.
  as_pg_user "$bin/pg_ctl" -D "$dir" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start on port $port"; }
  echo "$port" >"$dir/port.txt" 2>/dev/null || as_pg_user sh -c "echo $port > '$dir/port.txt'"
}

pg_stop() {
  local dir=$1 bin
  bin=$(pg_bin) || die "PostgreSQL server binaries not found"
  [ -f "$dir/postmaster.pid" ] || return 0
  as_pg_user "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null || true
}

pg_restart() {
  local dir=$1 bin port
  bin=$(pg_bin) || die "PostgreSQL server binaries not found"
  port=$(cat "$dir/port.txt")
  as_pg_user "$bin/pg_ctl" -D "$dir" -o "-p $port" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
}

pg_tune() {
  local dir=$1 bin port
  bin=$(pg_bin) || die "PostgreSQL server binaries not found"
  port=$(cat "$dir/port.txt")
  "$bin/psql" -X -q "postgres://postgres@127.0.0.1:$port/postgres" -c "ALTER SYSTEM SET shared_buffers = '4GB'" \
    -c "ALTER SYSTEM SET work_mem = '64MB'" -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '30min'"
  pg_restart "$dir"
}

pg_kill() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] || return 0
  kill -9 "$(head -n1 "$dir/postmaster.pid")" 2>/dev/null || true
}

redis_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  local i
  for i in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && { echo "$port" >"$dir/port.txt"; return 0; }
    sleep 0.05
  done
  tail -n 20 "$dir/redis.log" >&2 || true
  die "Redis did not start on port $port"
}

redis_stop() {
  local dir=$1 pid
  [ -f "$dir/redis.pid" ] || return 0
  pid=$(cat "$dir/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  rm -f "$dir/redis.pid"
}

throwaway() {
  local dir=$1 pg_port redis_port
  pg_port=$(free_port)
  redis_port=$(free_port)
  pg_start "$dir/postgres" "$pg_port" >&2
  redis_start "$dir/redis" "$redis_port" >&2
  echo "export PG_PORT=$pg_port REDIS_PORT=$redis_port"
  echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres REDIS_URL=redis://127.0.0.1:$redis_port"
}

throwaway_stop() {
  local dir=$1
  [ -d "$dir/postgres" ] && pg_stop "$dir/postgres" >/dev/null 2>&1 || true
  [ -d "$dir/redis" ] && redis_stop "$dir/redis" >/dev/null 2>&1 || true
}

pkgconfig_dir() {
  local dir=$1 source
  source="$(pkg-config --variable=pcfiledir hiredis)/hiredis.pc"
  mkdir -p "$dir"
  sed 's/ *-D_FILE_OFFSET_BITS=64//' "$source" >"$dir/hiredis.pc"
  echo "$dir"
}

cmd=${1:-}; shift || true
case "$cmd" in
  deps) deps ;;
  free-port) free_port ;;
  pg-bin) pg_bin ;;
  pg-start) [ $# -eq 2 ] || die "usage: pg-start DIR PORT"; pg_start "$1" "$2" ;;
  pg-stop) [ $# -eq 1 ] || die "usage: pg-stop DIR"; pg_stop "$1" ;;
  pg-restart) [ $# -eq 1 ] || die "usage: pg-restart DIR"; pg_restart "$1" ;;
  pg-kill) [ $# -eq 1 ] || die "usage: pg-kill DIR"; pg_kill "$1" ;;
  pg-tune) [ $# -eq 1 ] || die "usage: pg-tune DIR"; pg_tune "$1" ;;
  redis-start) [ $# -eq 2 ] || die "usage: redis-start DIR PORT"; redis_start "$1" "$2" ;;
  redis-stop) [ $# -eq 1 ] || die "usage: redis-stop DIR"; redis_stop "$1" ;;
  pkgconfig) [ $# -eq 1 ] || die "usage: pkgconfig DIR"; pkgconfig_dir "$1" ;;
  throwaway) [ $# -eq 1 ] || die "usage: throwaway DIR"; throwaway "$1" ;;
  throwaway-stop) [ $# -eq 1 ] || die "usage: throwaway-stop DIR"; throwaway_stop "$1" ;;
  *) die "unknown command '$cmd' (see the comment at the top of this file)" ;;
esac
