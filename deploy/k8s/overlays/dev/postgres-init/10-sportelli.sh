#!/usr/bin/env bash
# Runs once, when the dev PostgreSQL starts on an empty data directory
# (/docker-entrypoint-initdb.d). It does by script what a DBA does once in production (see
# deploy/k8s/README.md, "Provisioning PostgreSQL") and what `pg_bootstrap` in
# scripts/lib/common.sh does for scripts/up: database `sportelli`, and per service a login role
# that is not a superuser and cannot bypass row-level security (RLS is the second wall between
# comuni), owning the service's schema. The one difference from pg_bootstrap is the password
# (scripts/up uses trust authentication; here it comes from the Secret tenants-postgres).
set -euo pipefail

# \getenv keeps the password off psql's command line (visible in ps).
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\getenv tenants_password SPORTELLI_TENANTS_DB_PASSWORD
CREATE ROLE sportelli_tenants LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
  PASSWORD :'tenants_password';
CREATE DATABASE sportelli;
GRANT CONNECT ON DATABASE sportelli TO sportelli_tenants;
\connect sportelli
-- Created here, owned by the role, so the role needs no CREATE on the database: `migrate`
-- looks the schema up in pg_namespace first and runs CREATE SCHEMA only when it is missing,
-- which is the only case that would need that grant.
CREATE SCHEMA tenants AUTHORIZATION sportelli_tenants;
SQL
