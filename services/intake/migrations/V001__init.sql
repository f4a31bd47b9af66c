-- The intake schema: the persons the desks listen to and their contacts with the desks.
--
-- Personal data is never stored in clear. A person's identity (names, codice fiscale, birth
-- date, sex, citizenship, address, phone, e-mail) is one record sealed under the person's own
-- key (libs/keyring: subject_keys, found by subject_index), bound to its tenant, table, column
-- and row; lookups go through blind indexes (keyed HMACs, libs/citizen). Desks and appointments
-- live in other services; this schema only stores their ids. Every table leads its primary key
-- with tenant_id and is fenced by row-level security on the transaction-local app.tenant_id.

CREATE TABLE intake.persons (
  tenant_id                    text NOT NULL,
  person_id                    text NOT NULL,
  -- Whose key seals this person's data: the codice fiscale's blind index, or for a person
  -- registered without one a random value. Erasure deletes that key (crypto-shredding).
  subject_index                bytea NOT NULL,
  -- Blind index of the codice fiscale: one person per code per comune. NULL without a code.
  codice_fiscale_index         bytea,
  -- Blind index of the normalized family name with the birth date: the exact search.
  family_name_birth_index      bytea NOT NULL,
  identity_sealed              bytea NOT NULL,
  privacy_notice_version       text NOT NULL,
  privacy_notice_time          timestamptz NOT NULL,
  -- The operator's token subject (staff, not citizens: kept in clear).
  privacy_notice_recorded_by   text NOT NULL,
  create_time                  timestamptz NOT NULL,
  update_time                  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, person_id),
  UNIQUE (tenant_id, subject_index)
);
CREATE UNIQUE INDEX persons_codice_fiscale ON intake.persons (tenant_id, codice_fiscale_index)
  WHERE codice_fiscale_index IS NOT NULL;
CREATE INDEX persons_family_name_birth ON intake.persons (tenant_id, family_name_birth_index);

-- Consents as recorded, the latest per kind (each change is also in the audit trail).
CREATE TABLE intake.person_consents (
  tenant_id    text NOT NULL,
  person_id    text NOT NULL,
  kind         text NOT NULL
                 CHECK (kind IN ('SHARE_WITH_REFERRAL_BODIES', 'CONTACT_BY_SMS', 'CONTACT_BY_EMAIL')),
  granted      boolean NOT NULL,
  record_time  timestamptz NOT NULL,
  recorded_by  text NOT NULL,
  PRIMARY KEY (tenant_id, person_id, kind),
  FOREIGN KEY (tenant_id, person_id) REFERENCES intake.persons (tenant_id, person_id)
);

-- A contact (accesso): one conversation with the desk, by any channel.
CREATE TABLE intake.contacts (
  tenant_id          text NOT NULL,
  contact_id         text NOT NULL,
  -- NULL for an anonymous request for information.
  person_id          text,
  -- The key sealing information_given: the person's, or for an anonymous contact its own.
  subject_index      bytea NOT NULL,
  desk_id            text NOT NULL,
  channel            text NOT NULL CHECK (channel IN ('APPOINTMENT', 'WALK_IN', 'PHONE', 'EMAIL')),
  contact_time       timestamptz NOT NULL,
  operator_subject   text NOT NULL,
  need_areas         text[] NOT NULL CHECK (cardinality(need_areas) > 0),
  information_sealed bytea,
  outcome            text NOT NULL CHECK (outcome IN ('INFORMATION_ONLY', 'REFERRED', 'CASE_OPENED')),
  appointment_id     text,
  create_time        timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, contact_id),
  FOREIGN KEY (tenant_id, person_id) REFERENCES intake.persons (tenant_id, person_id),
  CHECK (person_id IS NOT NULL OR outcome = 'INFORMATION_ONLY')
);
CREATE INDEX contacts_person ON intake.contacts (tenant_id, person_id, contact_time DESC, contact_id DESC)
  WHERE person_id IS NOT NULL;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['persons', 'person_consents', 'contacts'] LOOP
    EXECUTE format('ALTER TABLE intake.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE intake.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON intake.%I
                      USING (tenant_id = current_setting(''app.tenant_id'', true))
                      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
  END LOOP;
END
$$;

-- What `serve` needs and nothing more: no DELETE (nothing is hard-deleted except by retention,
-- which a later migration grants on what it expires), no ownership.
GRANT SELECT, INSERT, UPDATE ON intake.persons, intake.person_consents, intake.contacts
  TO {{runtime_role}};
