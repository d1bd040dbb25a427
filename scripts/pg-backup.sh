#!/usr/bin/env bash
# Back up doudi's PostgreSQL database: one custom-format pg_dump per run, with its SHA-256.
#
#   DOUDI_DATABASE_URL=postgresql://doudi_owner@db/doudi scripts/pg-backup.sh /var/backups/doudi
#
# The dump is written under a hidden name and renamed when complete, so a killed
# run never leaves a file that looks whole. Dumps older than DOUDI_BACKUP_KEEP_DAYS
# (default 200, beyond the 6 months logs are kept) are removed. Prints the dump's path.
set -euo pipefail

dir=${1:?usage: pg-backup.sh DIRECTORY}
url=${DOUDI_DATABASE_URL:?DOUDI_DATABASE_URL must name the PostgreSQL database}
keep=${DOUDI_BACKUP_KEEP_DAYS:-200}
url=${url/postgresql+psycopg:/postgresql:}
case $url in
  postgresql:* | postgres:*) ;;
  *) echo "pg-backup: DOUDI_DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac
case $keep in
  '' | *[!0-9]*) echo "pg-backup: DOUDI_BACKUP_KEEP_DAYS must be a whole number of days" >&2; exit 2 ;;
esac

umask 077
mkdir -p "$dir"
name="doudi-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --file="$partial" --dbname="$url"
(cd "$dir" && sha256sum ".$name.partial" | sed "s/\.$name\.partial/$name/" >"$name.sha256")
mv "$partial" "$dir/$name"
trap - EXIT
find "$dir" -maxdepth 1 -name 'doudi-*.dump*' -mtime +"$keep" -delete
echo "$dir/$name"
