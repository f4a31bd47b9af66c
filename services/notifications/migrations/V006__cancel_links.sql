-- Short cancel links: a message links to `<portal>/c/<code>` rather than to the appointment's
-- full address, so that a reminder fits one SMS. One code per appointment, made when its first
-- messages are planned; 10 random characters (50 bits): it says nothing and cannot be guessed
-- among the codes in use. The portal resolves a code without knowing the comune (the link does
-- not say it), hence the lookup policy below, on its own setting as the outbox relay's.
CREATE TABLE notifications.cancel_links (
  code            text PRIMARY KEY CHECK (code ~ '^[a-z2-7]{10}$'),
  tenant_id       text NOT NULL,
  appointment_id  text NOT NULL,
  create_time     timestamptz NOT NULL,
  UNIQUE (tenant_id, appointment_id)
);

ALTER TABLE notifications.cancel_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications.cancel_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications.cancel_links
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY cancel_link_lookup ON notifications.cancel_links FOR SELECT
  USING (current_setting('app.cancel_link_lookup', true) = 'on');

GRANT SELECT, INSERT, DELETE ON notifications.cancel_links TO {{runtime_role}};
