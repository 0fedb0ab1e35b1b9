#!/usr/bin/env bash
# Local PostgreSQL, Redis and ActiveMQ servers owned by the project: loopback only, on free ports,
# data in a folder you name. Used by scripts/dev.sh, scripts/test.sh and the fault tests.
#
#   servers.sh deps                      install what is missing (apt, needs root or sudo)
#   servers.sh free-port                 print a free TCP port on 127.0.0.1
#   servers.sh pg-bin                    print the folder of initdb/pg_ctl
#   servers.sh pg-start DIR PORT         initdb DIR if empty, start PostgreSQL on 127.0.0.1:PORT
#   servers.sh pg-stop DIR               fast shutdown
#   servers.sh pg-restart DIR            fast restart (same port)
#   servers.sh pg-kill DIR               SIGKILL the postmaster (crash)
#   servers.sh pg-standby-start PRIMARY_PORT DIR PORT
#                                        a streaming standby of the server on 127.0.0.1:PRIMARY_PORT
#                                        (which allows replication: see pg-start): when DIR is empty,
#                                        pg_basebackup -R into it (standby.signal, primary_conninfo);
#                                        then start it on 127.0.0.1:PORT, returning once it accepts
#                                        read-only connections. Stop it with pg-stop, crash it with
#                                        pg-kill-all, start it again with pg-standby-start (same DIR).
#   servers.sh pg-kill-all DIR           SIGKILL the postmaster and all its processes at once (the
#                                        host went down: every client connection is reset), then wait
#                                        until they are gone
#   servers.sh pg-tune DIR               the benchmarks' settings (docs/operations.md "PostgreSQL
#                                        settings": shared_buffers 4GB, work_mem 64MB, max_wal_size
#                                        8GB, checkpoint_timeout 30min), then a restart
#   servers.sh redis-start DIR PORT      start redis-server on 127.0.0.1:PORT, no persistence
#   servers.sh redis-stop DIR            stop it (by its pid file)
#   servers.sh activemq-start DIR PORT   start ActiveMQ (Debian's package) from a config of our own
#                                        written into DIR: one STOMP connector on 127.0.0.1:PORT, a
#                                        persistent KahaDB store in DIR/data (messages survive a
#                                        restart), no JMX, no web console, nothing else listening;
#                                        returns once it answers a STOMP CONNECT
#   servers.sh activemq-stop DIR         SIGTERM by its pid file, waits for the exit (SIGKILL after 30 s)
#   servers.sh activemq-restart DIR      stop, then start again on the same port with the same store
#   servers.sh activemq-kill DIR         SIGKILL the broker (crash; the store is kept)
#   servers.sh throwaway DIR             PostgreSQL (DIR/postgres) and Redis (DIR/redis) on free
#                                        ports; prints the exports for the caller to eval:
#                                        eval "$(bash scripts/servers.sh throwaway "$work")"
#                                        gives DATABASE_URL, REDIS_URL, PG_PORT and REDIS_PORT
#   servers.sh throwaway-activemq DIR    ActiveMQ (DIR/activemq) on a free port, started once (the JVM
#                                        costs seconds); prints ACTIVEMQ_PORT and
#                                        ACTIVEMQ_STOMP_URL=stomp://127.0.0.1:PORT to eval
#   servers.sh throwaway-restart-activemq DIR
#                                        restart that broker (same port, same store)
#   servers.sh throwaway-stop DIR        stop all of them (safe to call when they never started)
#   servers.sh pkgconfig DIR             write a hiredis.pc without -D_FILE_OFFSET_BITS=64 into DIR
#                                        (Debian's adds it; SwiftPM refuses it with a warning and
#                                        drops it). Scripts put DIR first in PKG_CONFIG_PATH.
#
# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' user.
set -euo pipefail

die() { echo "servers.sh: $*" >&2; exit 1; }

ACTIVEMQ_HOME=${ACTIVEMQ_HOME:-/usr/share/activemq}

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
    && command -v python3 >/dev/null 2>&1 && have_activemq
}

have_activemq() {
  [ -f "$ACTIVEMQ_HOME/bin/activemq.jar" ] && command -v java >/dev/null 2>&1
}

deps() {
  have_deps && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing PostgreSQL, Redis, ActiveMQ and the client libraries (apt)..." >&2
  $sudo apt-get update -qq
  # activemq brings a Java runtime (default-jre-headless). Installing it starts no broker: Debian's
  # package enables no instance; ours run from activemq_start's own config.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql redis-server libpq-dev libhiredis-dev pkg-config python3 ca-certificates activemq >/dev/null
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
# The whole test suite runs in parallel: every test's pools, and the workers and API servers it
# starts, connect at once (300 was reached on a CI run: "sorry, too many clients already").
max_connections = 1000
shared_buffers = 256MB
# Streaming standbys may follow it (pg-standby-start); initdb's pg_hba.conf already lets
# 127.0.0.1 connect for replication.
wal_level = replica
max_wal_senders = 10
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

pg_standby_start() {
  local primary_port=$1 dir=$2 port=$3 bin
  bin=$(pg_bin) || die "PostgreSQL server binaries not found (run: $0 deps)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    as_pg_user test -w "$dir" || die "the postgres user cannot write $dir; use a folder under /tmp or /var/tmp"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    # -R writes standby.signal and primary_conninfo; -X stream brings the WAL the copy needs.
    as_pg_user "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir" -R -X stream -c fast \
      >"$dir/../basebackup.log" 2>&1 || { cat "$dir/../basebackup.log" >&2; die "pg_basebackup from port $primary_port failed"; }
    # The primary's own files come along in the copy.
    rm -f "$dir/server.log" "$dir/port.txt"
    as_pg_user sh -c "cat >>'$dir/postgresql.conf'" <<CONF
# A standby of 127.0.0.1:$primary_port (servers.sh pg-standby-start).
unix_socket_directories = '$dir'
hot_standby = on
CONF
  fi
  as_pg_user "$bin/pg_ctl" -D "$dir" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { tail -n 20 "$dir/server.log" >&2; die "the standby did not start on port $port"; }
  echo "$port" >"$dir/port.txt" 2>/dev/null || as_pg_user sh -c "echo $port > '$dir/port.txt'"
}

# True while process $1 exists and is not a zombie.
process_alive() {
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]
}

pg_kill_all() {
  local dir=$1 pid pids p
  [ -f "$dir/postmaster.pid" ] || return 0
  pid=$(head -n1 "$dir/postmaster.pid")
  pids="$pid $(ps -o pid= --ppid "$pid" 2>/dev/null | tr '\n' ' ')"
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  for p in $pids; do
    for _ in $(seq 1 200); do process_alive "$p" || break; sleep 0.05; done
  done
  # A killed postmaster stays a zombie until its parent (init) reaps it, and a new postmaster
  # takes a pid that still answers kill -0 for a live one. Wait for the reaping (bounded); if it
  # never comes, the lock file names a dead process and can go.
  for _ in $(seq 1 100); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
  if [ -e "/proc/$pid" ] && ! process_alive "$pid"; then rm -f "$dir/postmaster.pid"; fi
}

redis_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  local i answering
  for i in $(seq 1 100); do
    # The server that answers must be this one: when another took the port between free-port and
    # the start, ours exits (cannot bind) and the other answers the ping.
    # (|| true: until it listens, redis-cli fails, and under set -e and pipefail that would end the script.)
    answering=$(redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p') || true
    if [ -n "$answering" ] && [ -f "$dir/redis.pid" ]; then
      [ "$answering" = "$(cat "$dir/redis.pid")" ] || die "port $port is taken by another Redis (pid $answering)"
      echo "$port" >"$dir/port.txt"
      return 0
    fi
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

# ActiveMQ from Debian's package (ACTIVEMQ_HOME), run as a plain JVM with a config written here
# rather than /etc/activemq: Debian's instance listens for OpenWire on 61616, ours only for STOMP
# on the port given.
port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A STOMP CONNECT on 127.0.0.1:PORT answered by CONNECTED within 120 s. The broker's first STOMP
# connection loads and compiles its protocol classes, which on a busy machine takes seconds: done
# here once, so that no test's handshake pays for it.
stomp_answers() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=120)
s.sendall(b"CONNECT\naccept-version:1.2\nhost:localhost\n\n\0")
data = b""
while b"\0" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
s.sendall(b"DISCONNECT\n\n\0")
s.close()
sys.exit(0 if data.startswith(b"CONNECTED") else 1)
PY
}

activemq_config() {
  local dir=$1 port=$2
  mkdir -p "$dir/conf" "$dir/data" "$dir/tmp"
  cat >"$dir/conf/activemq.xml" <<XML
<!-- Written by scripts/servers.sh: a throwaway broker for tests and benchmarks. -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
                           http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="analytics-throwaway"
          useJmx="false" persistent="true" schedulerSupport="false" dataDirectory="$dir/data">
    <managementContext><managementContext createConnector="false"/></managementContext>
    <persistenceAdapter><kahaDB directory="$dir/data/kahadb"/></persistenceAdapter>
    <systemUsage><systemUsage>
      <memoryUsage><memoryUsage limit="64 mb"/></memoryUsage>
      <storeUsage><storeUsage limit="2 gb"/></storeUsage>
      <tempUsage><tempUsage limit="1 gb"/></tempUsage>
    </systemUsage></systemUsage>
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:$port?maximumConnections=500&amp;wireFormat.maxFrameSize=16777216"/>
    </transportConnectors>
  </broker>
</beans>
XML
  cat >"$dir/conf/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/data/activemq.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%d | %-5p | %m | %c | %t%n
PROPS
}

activemq_start() {
  local dir=$1 port=$2 pid
  have_activemq || die "ActiveMQ not found under $ACTIVEMQ_HOME (run: $0 deps)"
  port_answers "$port" && die "port $port on 127.0.0.1 is already taken"
  activemq_config "$dir" "$port"
  # setsid: the broker must not get the caller's Ctrl-C or die with its shell; it is stopped by pid.
  setsid java -Xms64m -Xmx512m -Djava.io.tmpdir="$dir/tmp" -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/conf/log4j.properties" \
    -Dactivemq.home="$ACTIVEMQ_HOME" -Dactivemq.base="$dir" -Dactivemq.conf="$dir/conf" \
    -Dactivemq.data="$dir/data" -Dactivemq.classpath="$dir/conf" \
    -jar "$ACTIVEMQ_HOME/bin/activemq.jar" start "xbean:file:$dir/conf/activemq.xml" \
    </dev/null >>"$dir/activemq.out" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/activemq.pid"
  echo "$port" >"$dir/port.txt"
  local i
  for i in $(seq 1 600); do
    if port_answers "$port"; then
      stomp_answers "$port" && return 0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$dir/activemq.out" "$dir/data/activemq.log" >&2 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/activemq.pid"
  die "ActiveMQ did not start on port $port"
}

activemq_stop() {
  local dir=$1 pid
  [ -f "$dir/activemq.pid" ] || return 0
  pid=$(cat "$dir/activemq.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  rm -f "$dir/activemq.pid"
}

activemq_restart() {
  local dir=$1
  [ -f "$dir/port.txt" ] || die "no broker was started in $dir"
  activemq_stop "$dir"
  activemq_start "$dir" "$(cat "$dir/port.txt")"
}

activemq_kill() {
  local dir=$1 pid
  [ -f "$dir/activemq.pid" ] || return 0
  pid=$(cat "$dir/activemq.pid")
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  rm -f "$dir/activemq.pid"
}

throwaway_activemq() {
  local dir=$1 port
  port=$(free_port)
  activemq_start "$dir/activemq" "$port" >&2
  echo "export ACTIVEMQ_PORT=$port ACTIVEMQ_STOMP_URL=stomp://127.0.0.1:$port"
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
  [ -d "$dir/activemq" ] && activemq_stop "$dir/activemq" >/dev/null 2>&1 || true
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
  pg-standby-start) [ $# -eq 3 ] || die "usage: pg-standby-start PRIMARY_PORT DIR PORT"; pg_standby_start "$1" "$2" "$3" ;;
  pg-kill-all) [ $# -eq 1 ] || die "usage: pg-kill-all DIR"; pg_kill_all "$1" ;;
  pg-tune) [ $# -eq 1 ] || die "usage: pg-tune DIR"; pg_tune "$1" ;;
  redis-start) [ $# -eq 2 ] || die "usage: redis-start DIR PORT"; redis_start "$1" "$2" ;;
  redis-stop) [ $# -eq 1 ] || die "usage: redis-stop DIR"; redis_stop "$1" ;;
  pkgconfig) [ $# -eq 1 ] || die "usage: pkgconfig DIR"; pkgconfig_dir "$1" ;;
  activemq-start) [ $# -eq 2 ] || die "usage: activemq-start DIR PORT"; activemq_start "$1" "$2" ;;
  activemq-stop) [ $# -eq 1 ] || die "usage: activemq-stop DIR"; activemq_stop "$1" ;;
  activemq-restart) [ $# -eq 1 ] || die "usage: activemq-restart DIR"; activemq_restart "$1" ;;
  activemq-kill) [ $# -eq 1 ] || die "usage: activemq-kill DIR"; activemq_kill "$1" ;;
  throwaway-activemq) [ $# -eq 1 ] || die "usage: throwaway-activemq DIR"; throwaway_activemq "$1" ;;
  throwaway-restart-activemq) [ $# -eq 1 ] || die "usage: throwaway-restart-activemq DIR"; activemq_restart "$1/activemq" ;;
  throwaway) [ $# -eq 1 ] || die "usage: throwaway DIR"; throwaway "$1" ;;
  throwaway-stop) [ $# -eq 1 ] || die "usage: throwaway-stop DIR"; throwaway_stop "$1" ;;
  *) die "unknown command '$cmd' (see the comment at the top of this file)" ;;
esac
