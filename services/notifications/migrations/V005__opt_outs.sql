-- The kinds of message each citizen asked not to get (a reminder, a confirmation...), under
-- scheduling's pseudonym of the citizen in the comune (AppointmentContact.citizen): no name, no
-- address. The sender drops such a message (DROPPED, OPTED_OUT) at send time, so a change
-- applies to what is already planned.
CREATE TABLE notifications.opt_outs (
  tenant_id    text NOT NULL,
  citizen      text NOT NULL,
  kind         text NOT NULL,
  create_time  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, citizen, kind),
  CHECK (kind IN ('CONFIRMATION', 'CANCELLATION', 'RESCHEDULE', 'REMINDER', 'SAME_DAY_REMINDER',
                  'CLOSURE_MOVED', 'CLOSURE_CANCELLED'))
);

ALTER TABLE notifications.opt_outs ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications.opt_outs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications.opt_outs
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, DELETE ON notifications.opt_outs TO {{runtime_role}};
