#!/usr/bin/env bash
# An initdb hook of the compose `postgres` service (/docker-entrypoint-initdb.d): lets the standby
# (`postgres-read`) connect for replication over the compose network. Runs once, when the data
# volume is created; wal_level (replica) and max_wal_senders (10) are PostgreSQL's defaults.
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >>"$PGDATA/pg_hba.conf"
