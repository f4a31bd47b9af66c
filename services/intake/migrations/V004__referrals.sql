-- Referrals: each comune's catalog of destinations (Punto Insieme, the professional social
-- service, the job centre, ...) and the referrals of its cases to them. What a referral shares
-- is a snapshot of the chosen fields, sealed under the person's key (bound to tenant, table,
-- column and row), so that erasing the person reaches it; its state changes are append-only.

CREATE TABLE intake.destinations (
  tenant_id        text NOT NULL,
  destination_id   text NOT NULL,
  display_name     text NOT NULL,
  kind             text NOT NULL
                     CHECK (kind IN ('PUNTO_INSIEME', 'SOCIAL_SERVICE', 'JOB_CENTRE',
                                     'HEALTH_SERVICE', 'THIRD_SECTOR', 'OTHER_COMUNE')),
  -- OTHER_COMUNE only: the comune of the ambito taking the case over.
  transfer_tenant  text,
  -- Seeded as an example where the sources name no real body.
  example          boolean NOT NULL DEFAULT false,
  active           boolean NOT NULL,
  create_time      timestamptz NOT NULL,
  update_time      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, destination_id),
  CHECK ((kind = 'OTHER_COMUNE') = (transfer_tenant IS NOT NULL))
);

CREATE TABLE intake.referrals (
  tenant_id           text NOT NULL,
  referral_id         text NOT NULL,
  case_id             text NOT NULL,
  person_id           text NOT NULL,
  destination_id      text NOT NULL,
  shared_fields       text[] NOT NULL CHECK (cardinality(shared_fields) > 0),
  shared_sealed       bytea NOT NULL,
  consent_overridden  boolean NOT NULL,
  -- The coordinator's reason for overriding, sealed; NULL without an override.
  override_sealed     bytea,
  state               text NOT NULL
                        CHECK (state IN ('SENT', 'ACCEPTED', 'REJECTED', 'COMPLETED', 'REVOKED')),
  sent_by             text NOT NULL,
  create_time         timestamptz NOT NULL,
  update_time         timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, referral_id),
  FOREIGN KEY (tenant_id, case_id) REFERENCES intake.cases (tenant_id, case_id),
  FOREIGN KEY (tenant_id, person_id) REFERENCES intake.persons (tenant_id, person_id),
  FOREIGN KEY (tenant_id, destination_id) REFERENCES intake.destinations (tenant_id, destination_id),
  CHECK (consent_overridden = (override_sealed IS NOT NULL))
);
-- One referral under way per case and destination: a second is ALREADY_EXISTS.
CREATE UNIQUE INDEX referrals_one_under_way ON intake.referrals (tenant_id, case_id, destination_id)
  WHERE state IN ('SENT', 'ACCEPTED');
CREATE INDEX referrals_by_destination
  ON intake.referrals (tenant_id, destination_id, create_time DESC, referral_id DESC);
CREATE INDEX referrals_by_case
  ON intake.referrals (tenant_id, case_id, create_time DESC, referral_id DESC);

CREATE TABLE intake.referral_history (
  tenant_id      text NOT NULL,
  referral_id    text NOT NULL,
  sequence       integer NOT NULL CHECK (sequence > 0),
  event_time     timestamptz NOT NULL,
  actor          text NOT NULL,
  from_state     text,
  to_state       text NOT NULL,
  reason_sealed  bytea,
  PRIMARY KEY (tenant_id, referral_id, sequence),
  FOREIGN KEY (tenant_id, referral_id) REFERENCES intake.referrals (tenant_id, referral_id)
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['destinations', 'referrals', 'referral_history'] LOOP
    EXECUTE format('ALTER TABLE intake.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE intake.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON intake.%I
                      USING (tenant_id = current_setting(''app.tenant_id'', true))
                      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON intake.destinations, intake.referrals TO {{runtime_role}};
GRANT SELECT, INSERT ON intake.referral_history TO {{runtime_role}};
