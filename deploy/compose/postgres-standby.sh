#!/usr/bin/env bash
# Entry point of the compose `postgres-read` service: a hot standby streaming from `postgres`. On
# an empty volume it copies the primary with pg_basebackup -R (standby.signal and
# primary_conninfo), then runs the server; the API's metric reads go here (DATABASE_READ_URL).
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h postgres -U "$POSTGRES_USER"; do sleep 1; done
  pg_basebackup -h postgres -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
