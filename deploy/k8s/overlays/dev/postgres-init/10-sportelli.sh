#!/usr/bin/env bash
# The dev PostgreSQL's database, roles and schemas. It does by script what a DBA does once in
# production (see deploy/k8s/README.md, "Provisioning PostgreSQL"): database `sportelli`, and
# per service two login roles that are not superusers and cannot bypass row-level security
# (RLS is the second wall between comuni):
#
#   sportelli_<service>_owner  owns the schema <service>; used only by the migrate Job
#                              (Secret <service>-postgres-owner), which creates the tables and
#                              grants the runtime role its data privileges
#   sportelli_<service>        the runtime role of `serve` (Secret <service>-postgres): owns
#                              nothing, so the code it runs cannot switch RLS off
#
# Runs twice, and is idempotent for that: by the image's entrypoint on an empty data directory
# (/docker-entrypoint-initdb.d, before the server listens on TCP, so the migrate Jobs find the
# roles at their first try), and on every start of the container (postStart, with
# --on-start), so that a volume made before a change gets it too: a service added to the list,
# the owner roles of a volume from before them (its runtime role owned the schema and the
# tables: they are handed over to the new owner), passwords changed in the generated Secret.
#
# The roles and the schema are made by service-roles.psql (beside this script in the ConfigMap),
# the same SQL as scripts/up's; this script adds the passwords.
#
# The passwords come from the Secret postgres-roles (overlays/dev/kustomization.yaml), one file
# per role named after it: the same files as the services' Secrets, so they cannot drift.
# scripts/up's pg_bootstrap (scripts/lib/common.sh) does the same locally, with trust
# authentication instead of passwords.
set -euo pipefail

# The services of the dev stack: the one list to extend. Each needs its two roles' passwords
# in postgres-roles.
services=(tenants scheduling intake notifications)

roles_dir=/etc/sportelli/postgres-roles
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"  # with service-roles.psql
database=sportelli

if [[ "${1:-}" == "--on-start" ]]; then
  # The postStart hook runs beside the entrypoint: wait for the real server. Over TCP, which
  # the entrypoint's socket-only init server (an empty volume's first start) never answers.
  for _ in $(seq 120); do
    pg_isready --quiet --host=127.0.0.1 --port=5432 && break
    sleep 1
  done
  pg_isready --quiet --host=127.0.0.1 --port=5432 || {
    echo "10-sportelli.sh: PostgreSQL did not start within 120 s" >&2
    exit 1
  }
fi

# The local socket, as the superuser (trust on the socket in this image).
sql() {
  psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" "$@"
}

sql --dbname postgres -v database="${database}" <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') AS database_is_new \gset
\if :database_is_new
CREATE DATABASE :"database";
\endif
SQL

for service in "${services[@]}"; do
  [[ "${service}" =~ ^[a-z][a-z0-9_]*$ ]] || {
    echo "10-sportelli.sh: bad service name ${service}" >&2
    exit 1
  }
  runtime="sportelli_${service}"
  owner="sportelli_${service}_owner"
  for role in "${runtime}" "${owner}"; do
    [[ -s "${roles_dir}/${role}" ]] || {
      echo "10-sportelli.sh: no password for ${role} in ${roles_dir} (Secret postgres-roles)" >&2
      exit 1
    }
  done
  sql --dbname "${database}" -v database="${database}" -v schema="${service}" \
    -v runtime="${runtime}" -v owner="${owner}" -f "${here}/service-roles.psql"
  # On every run, so that the passwords always are those of the Secret. \getenv keeps them off
  # psql's command line (visible in ps).
  RUNTIME_PASSWORD="$(<"${roles_dir}/${runtime}")" OWNER_PASSWORD="$(<"${roles_dir}/${owner}")" \
    sql --dbname "${database}" -v runtime="${runtime}" -v owner="${owner}" <<'SQL'
\getenv runtime_password RUNTIME_PASSWORD
\getenv owner_password OWNER_PASSWORD
ALTER ROLE :"runtime" PASSWORD :'runtime_password';
ALTER ROLE :"owner" PASSWORD :'owner_password';
SQL
done
