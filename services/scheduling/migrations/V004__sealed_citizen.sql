-- Citizens' personal data sealed at rest (sportelli/keyring/keyring.h, crypto/aead.h). Each
-- field is sealed under the citizen's own key (the kit component `keys`: subject_keys, found by
-- citizen_index), bound to tenant, table, column and appointment id, so a value copied into
-- another row, column or comune does not open, and deleting the citizen's key shreds them.
--
-- Expand, then contract: the clear columns stay, nullable, for rows written before this
-- migration; the service writes only the sealed ones and reads either. `sportelli-scheduling keys
-- seal-existing` seals the old rows in batches while the service runs (docs/operations.md); a
-- later migration drops the clear columns once no deployment has any left.
ALTER TABLE scheduling.appointments
  ADD COLUMN given_name_sealed     bytea,
  ADD COLUMN family_name_sealed    bytea,
  ADD COLUMN codice_fiscale_sealed bytea,
  ADD COLUMN phone_number_sealed   bytea,
  ADD COLUMN email_sealed          bytea,
  ALTER COLUMN given_name DROP NOT NULL,
  ALTER COLUMN family_name DROP NOT NULL,
  ALTER COLUMN codice_fiscale DROP NOT NULL,
  ALTER COLUMN phone_number DROP NOT NULL,
  ALTER COLUMN phone_number DROP DEFAULT,
  ALTER COLUMN email DROP NOT NULL,
  ALTER COLUMN email DROP DEFAULT,
  -- A row holds its citizen either sealed (all five) or, written before this migration, clear.
  ADD CONSTRAINT citizen_sealed_whole CHECK (
    (given_name_sealed IS NULL) = (family_name_sealed IS NULL) AND
    (given_name_sealed IS NULL) = (codice_fiscale_sealed IS NULL) AND
    (given_name_sealed IS NULL) = (phone_number_sealed IS NULL) AND
    (given_name_sealed IS NULL) = (email_sealed IS NULL) AND
    (given_name_sealed IS NULL OR
     (given_name IS NULL AND family_name IS NULL AND codice_fiscale IS NULL AND
      phone_number IS NULL AND email IS NULL)));

-- The rows seal-existing still has to do.
CREATE INDEX appointments_clear_citizen ON scheduling.appointments (tenant_id, appointment_id)
  WHERE given_name IS NOT NULL;
