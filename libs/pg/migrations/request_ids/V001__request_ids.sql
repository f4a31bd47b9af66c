-- AIP-155 request ids (sportelli/pg/idempotency.h): a retried write returns the first response.
-- A kit component: every service that makes idempotent writes lists it, so the table is defined
-- here once. Services created before the kit (tenants, scheduling) made the same table in their
-- V001; on their databases CREATE ... IF NOT EXISTS finds it and this only adds the grants.
CREATE TABLE IF NOT EXISTS request_ids (
  tenant_id     text NOT NULL,
  request_id    text NOT NULL,
  method        text NOT NULL,
  request_hash  text NOT NULL,
  response      bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);
CREATE INDEX IF NOT EXISTS request_ids_created_at ON request_ids (created_at);

ALTER TABLE request_ids ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_ids FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies
                 WHERE schemaname = current_schema() AND tablename = 'request_ids'
                   AND policyname = 'tenant_isolation') THEN
    CREATE POLICY tenant_isolation ON request_ids
      USING (tenant_id = current_setting('app.tenant_id', true))
      WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
  END IF;
END
$$;

-- Look up and record; DELETE for the purge of old ids. Never UPDATE: a recorded reply is final.
GRANT SELECT, INSERT, DELETE ON request_ids TO {{runtime_role}};
