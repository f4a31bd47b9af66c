-- What the desk writes down about a case. A note is never overwritten: a correction is a new row
-- of note_versions, and the runtime role may only insert and read versions. Texts, file names
-- and bodies are sealed under the person's key (the case's person), bound to tenant, table,
-- column and row, so that erasing the person reaches them and a value copied elsewhere does not
-- open.

CREATE TABLE intake.notes (
  tenant_id       text NOT NULL,
  case_id         text NOT NULL,
  note_id         text NOT NULL,
  -- The token subject who wrote the first version; only they correct it.
  author          text NOT NULL,
  latest_version  integer NOT NULL CHECK (latest_version > 0),
  create_time     timestamptz NOT NULL,
  update_time     timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, case_id, note_id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES intake.cases (tenant_id, case_id)
);
-- A case's notes, newest first (reading a case with its last notes).
CREATE INDEX notes_newest ON intake.notes (tenant_id, case_id, create_time DESC, note_id DESC);

CREATE TABLE intake.note_versions (
  tenant_id     text NOT NULL,
  case_id       text NOT NULL,
  note_id       text NOT NULL,
  version       integer NOT NULL CHECK (version > 0),
  kind          text NOT NULL
                  CHECK (kind IN ('LISTENING', 'INTERVIEW', 'PHONE_CALL', 'HOME_VISIT')),
  text_sealed   bytea NOT NULL,
  version_time  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, case_id, note_id, version),
  FOREIGN KEY (tenant_id, case_id, note_id) REFERENCES intake.notes (tenant_id, case_id, note_id)
);

CREATE TABLE intake.attachments (
  tenant_id       text NOT NULL,
  case_id         text NOT NULL,
  attachment_id   text NOT NULL,
  media_type      text NOT NULL,
  size_bytes      bigint NOT NULL CHECK (size_bytes > 0),
  uploader        text NOT NULL,
  create_time     timestamptz NOT NULL,
  -- File name and SHA-256 of the body, as one sealed JSON record (a file name often names the
  -- person; a digest would confirm a known document).
  metadata_sealed bytea NOT NULL,
  content_sealed  bytea NOT NULL,
  PRIMARY KEY (tenant_id, case_id, attachment_id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES intake.cases (tenant_id, case_id)
);
CREATE INDEX attachments_newest
  ON intake.attachments (tenant_id, case_id, create_time DESC, attachment_id DESC);
-- Bodies are stored as they are: sealed bytes do not compress.
ALTER TABLE intake.attachments ALTER COLUMN content_sealed SET STORAGE EXTERNAL;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notes', 'note_versions', 'attachments'] LOOP
    EXECUTE format('ALTER TABLE intake.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE intake.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON intake.%I
                      USING (tenant_id = current_setting(''app.tenant_id'', true))
                      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON intake.notes TO {{runtime_role}};
GRANT SELECT, INSERT ON intake.note_versions, intake.attachments TO {{runtime_role}};
