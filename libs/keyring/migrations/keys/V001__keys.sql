-- The data keys of personal data (sportelli/keyring/keyring.h). A kit component: every service
-- that stores personal data lists it, so these tables are defined once.
--
-- data_keys: each comune's data keys, each wrapped by the key-encryption key (which never
-- enters the database). The highest version seals new citizen keys; older versions open what
-- they sealed until `keys rewrap` has moved everything on and `keys retire` deletes them.
CREATE TABLE data_keys (
  tenant_id    text NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  wrapped_key  bytea NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, version)
);

-- subject_keys: one key per citizen (found by their blind index), sealed under a data key of
-- the comune. A citizen's personal fields are sealed under it: deleting the row shreds them,
-- in this database at once and in backups once the key backups older than the deletion expire
-- (docs/operations.md, "Keys and backups"). key_id is random: fields sealed under a shredded key
-- are told apart from fields sealed under a key made later for the same citizen.
CREATE TABLE subject_keys (
  tenant_id      text NOT NULL,
  subject_index  bytea NOT NULL,
  key_id         integer NOT NULL CHECK (key_id > 0),
  -- The data key version sealed_key was sealed under (also in its header): what rewrap looks for.
  data_version   integer NOT NULL,
  sealed_key     bytea NOT NULL,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, subject_index)
);
CREATE INDEX subject_keys_data_version ON subject_keys (tenant_id, data_version);

ALTER TABLE data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON data_keys
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE subject_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE subject_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subject_keys
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- Rotation re-wraps (UPDATE), retirement and shredding delete: all through the runtime role,
-- one comune at a time, fenced by the policies above.
GRANT SELECT, INSERT, UPDATE, DELETE ON data_keys, subject_keys TO {{runtime_role}};
