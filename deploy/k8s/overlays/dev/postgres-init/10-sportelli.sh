#!/usr/bin/env bash
# Runs once, when the dev PostgreSQL starts on an empty data directory
# (/docker-entrypoint-initdb.d). It does by script what a DBA does once in production (see
# deploy/k8s/README.md, "Provisioning PostgreSQL") and what `pg_bootstrap` in
# scripts/lib/common.sh does for scripts/up: database `sportelli`, and per service a login role
# that is not a superuser and cannot bypass row-level security (RLS is the second wall between
# comuni), owning the service's schema. The one difference from pg_bootstrap is the passwords
# (scripts/up uses trust authentication; here they come from the Secrets tenants-postgres and
# scheduling-postgres).
#
# Because it runs only on an empty data directory, a dev cluster created before a service was
# added lacks that service's role: delete the PostgreSQL PVC (data-postgres-0) and re-apply.
set -euo pipefail

# \getenv keeps the passwords off psql's command line (visible in ps).
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\getenv tenants_password SPORTELLI_TENANTS_DB_PASSWORD
\getenv scheduling_password SPORTELLI_SCHEDULING_DB_PASSWORD
CREATE ROLE sportelli_tenants LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
  PASSWORD :'tenants_password';
CREATE ROLE sportelli_scheduling LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
  PASSWORD :'scheduling_password';
CREATE DATABASE sportelli;
GRANT CONNECT ON DATABASE sportelli TO sportelli_tenants;
GRANT CONNECT ON DATABASE sportelli TO sportelli_scheduling;
\connect sportelli
-- Created here, owned by each role, so the roles need no CREATE on the database: `migrate`
-- looks the schema up in pg_namespace first and runs CREATE SCHEMA only when it is missing,
-- which is the only case that would need that grant.
CREATE SCHEMA tenants AUTHORIZATION sportelli_tenants;
CREATE SCHEMA scheduling AUTHORIZATION sportelli_scheduling;
SQL
