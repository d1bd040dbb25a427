#!/usr/bin/env bash
# Restore drill: restore a backup into a scratch database, check it, drop it.
#
#   DOUDI_DATABASE_URL=postgresql://doudi_owner@db/doudi scripts/restore-drill.sh DUMP
#
# Checks the dump's SHA-256 (when its .sha256 file is beside it), restores it into
# a new database on the same server (or on DOUDI_DRILL_SERVER_URL), then asks doudi
# for the schema revision and verifies every hash chain in the restored copy, and
# prints the row count of each table. Exits non-zero if any step fails; the scratch
# database is dropped either way.
set -euo pipefail

dump=${1:?usage: restore-drill.sh DUMP}
url=${DOUDI_DRILL_SERVER_URL:-${DOUDI_DATABASE_URL:?DOUDI_DATABASE_URL must name the PostgreSQL database}}
url=${url/postgresql+psycopg:/postgresql:}
doudi=${DOUDI_COMMAND:-doudi}
[[ -f $dump ]] || { echo "restore-drill: no such file: $dump" >&2; exit 2; }

if [[ -f $dump.sha256 ]]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
  echo "checksum: ok"
fi

scratch="doudi_drill_$(date -u +%Y%m%d%H%M%S)_$$"
server=${url%/*}
scratch_url="$server/$scratch"
psql --quiet --no-psqlrc --dbname="$url" --command="CREATE DATABASE \"$scratch\""
drop() {
  psql --quiet --no-psqlrc --dbname="$url" \
    --command="DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" || true
}
trap drop EXIT

started=$(date +%s)
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$scratch_url" "$dump"
echo "restored into $scratch in $(($(date +%s) - started)) s"

DOUDI_DATABASE_URL=$scratch_url "$doudi" db current --check
DOUDI_DATABASE_URL=$scratch_url "$doudi" audit verify
echo "row counts:"
psql --no-psqlrc --tuples-only --no-align --dbname="$scratch_url" --command="
  SELECT format('  %s %s', table_name,
    (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', table_name),
     false, true, '')))[1]::text)
  FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
echo "restore drill passed"
