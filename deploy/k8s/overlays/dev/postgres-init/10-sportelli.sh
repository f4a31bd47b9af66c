#!/usr/bin/env bash
# Runs once, when the dev PostgreSQL starts on an empty data directory
# (/docker-entrypoint-initdb.d). It does by script what a DBA does once in production: see
# deploy/k8s/README.md, "Provisioning PostgreSQL". Each service gets a login role that is not
# a superuser and cannot bypass row-level security, since RLS is the second wall between
# comuni.
set -euo pipefail

# \getenv keeps the password off psql's command line (visible in ps).
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\getenv tenants_password SPORTELLI_TENANTS_DB_PASSWORD
CREATE ROLE sportelli_tenants LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'tenants_password';
CREATE DATABASE sportelli;
REVOKE ALL ON DATABASE sportelli FROM PUBLIC;
-- CREATE lets the service's migrations run `CREATE SCHEMA IF NOT EXISTS`, which checks the
-- privilege even when the schema already exists.
GRANT CONNECT, TEMPORARY, CREATE ON DATABASE sportelli TO sportelli_tenants;
\connect sportelli
-- Created by the superuser, so that a migration's CREATE EXTENSION IF NOT EXISTS is a no-op
-- even where the service role may not create extensions (managed PostgreSQL).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA tenants AUTHORIZATION sportelli_tenants;
SQL
