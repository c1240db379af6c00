#!/usr/bin/env bash
# A production-like run anyone can do on this machine (Debian, root or a user who may run PostgreSQL's binaries):
#
#   1. installs Debian's PostgreSQL server if it is missing (apt; no "main" cluster is created or started),
#   2. starts a cluster of its own: a fresh data directory under a temporary folder, on a free port of 127.0.0.1,
#      leaving alone any PostgreSQL already running here (5432 included),
#   3. creates the roles a deployment has (docs/DEPLOY.md): an owner that is neither superuser nor BYPASSRLS, and
#      the app role parley_app with its own password,
#   4. runs `npm run build`, then scripts/prod-smoke.ts: two Parley processes on two ports with NODE_ENV=production,
#      DATABASE_URL and DATABASE_APP_URL, `npm run simulate` across both, and the checks (items, live events,
#      migrations, metrics, logs). It prints the figures and exits non-zero when a check fails.
#
#   scripts/prod-smoke.sh [--seconds 20] [--rate 20]     (options go to scripts/prod-smoke.ts)
#
# The cluster is stopped and the folder removed at the end (kept, with the logs, when a check failed).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing Debian's PostgreSQL server"
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL's server is not installed and this is not root: apt-get install postgresql first" >&2
    exit 1
  fi
  # Installing the server package would create and start a cluster "main" on 5432: this run brings its own.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/parley-prod-smoke.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
echo "== PostgreSQL: $("$pg_bin/postgres" --version)"

work=$(mktemp -d /tmp/parley-prod-smoke.XXXXXX)
chmod 755 "$work"
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
superuser_password=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')
owner_password=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')
app_password=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')

cleanup() {
  status=$?
  as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  if [ "$status" = 0 ]; then rm -rf "$work"; else echo "prod-smoke failed: logs kept in $work" >&2; fi
  exit "$status"
}
trap cleanup EXIT

echo "== cluster: $work/pg on 127.0.0.1:$pg_port"
mkdir -p "$work/pg" "$work/socket" "$work/pg-log"
echo "$superuser_password" >"$work/superuser-password"
if [ "$(id -u)" = 0 ]; then chown postgres "$work/pg" "$work/socket" "$work/pg-log" "$work/superuser-password"; fi
as_postgres "$pg_bin/initdb" -D "$work/pg" -U postgres --pwfile="$work/superuser-password" \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 >/dev/null
rm -f "$work/superuser-password"
as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg-log/postgres.log" -w -o \
  "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/socket -c max_connections=200" \
  start >/dev/null

echo "== database and roles"
PGPASSWORD="$superuser_password" psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres <<SQL
create role parley_owner login password '$owner_password' nosuperuser nobypassrls nocreatedb nocreaterole;
create role parley_app login password '$app_password' nosuperuser nobypassrls nocreatedb nocreaterole;
create database parley owner parley_owner;
SQL

echo "== npm run build"
npm run build --silent

echo "== two production processes, simulated traffic, checks"
PROD_SMOKE_WORK="$work" \
  PROD_SMOKE_OWNER_URL="postgres://parley_owner:$owner_password@127.0.0.1:$pg_port/parley" \
  PROD_SMOKE_APP_URL="postgres://parley_app:$app_password@127.0.0.1:$pg_port/parley" \
  PROD_SMOKE_SUPERUSER_URL="postgres://postgres:$superuser_password@127.0.0.1:$pg_port/parley" \
  node --import tsx scripts/prod-smoke.ts "$@"
echo "== prod-smoke passed in $(($(date +%s) - started)) s"
