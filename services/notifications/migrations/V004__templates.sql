-- The comuni's own texts of the messages to citizens, one per kind and language; a comune with
-- none for a kind uses the built-in text (domain/messages.cc). Checked before they are stored
-- (ValidateTemplate: placeholders, the deny-list), and again on every rendering.
CREATE TABLE notifications.templates (
  tenant_id    text NOT NULL,
  -- MessageKindName: CONFIRMATION, REMINDER, ...
  kind         text NOT NULL,
  -- ISO 639-1: it, en.
  language     text NOT NULL,
  subject      text NOT NULL,
  body         text NOT NULL,
  update_time  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, kind, language),
  CHECK (kind IN ('CONFIRMATION', 'CANCELLATION', 'RESCHEDULE', 'REMINDER', 'SAME_DAY_REMINDER',
                  'CLOSURE_MOVED', 'CLOSURE_CANCELLED')),
  CHECK (language IN ('it', 'en')),
  CHECK (length(subject) <= 200 AND length(body) <= 2000)
);

ALTER TABLE notifications.templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications.templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications.templates
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON notifications.templates TO {{runtime_role}};
