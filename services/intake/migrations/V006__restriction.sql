-- Restriction of processing (GDPR art. 18): while set, the person's data is stored and nothing
-- else — no reading or writing of their records through the API but the DPO's export. Who set
-- it and when, for the DPO's answer to the person.
ALTER TABLE intake.persons
  ADD COLUMN processing_restricted boolean NOT NULL DEFAULT false,
  ADD COLUMN restriction_time timestamptz,
  ADD COLUMN restricted_by text;
