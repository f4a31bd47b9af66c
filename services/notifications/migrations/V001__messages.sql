-- The notifications schema: the messages written to citizens about their appointments
-- (confirmations, cancellations, reschedules, reminders). No personal data: a message names
-- its appointment; the address or number it goes to is read from scheduling when it is sent
-- and never stored here, nor is the text (made again from the template at each attempt).
--
-- A row is made before anything is sent, one per (event, kind, appointment, channel): an event
-- delivered twice finds its rows there and adds nothing. Every table leads its primary key with
-- tenant_id and is fenced by row-level security on the transaction-local app.tenant_id.

CREATE TABLE notifications.messages (
  tenant_id          text NOT NULL,
  -- Random; also the e-mail's Message-ID, the same at every attempt.
  message_id         text NOT NULL,
  -- The event that asked for it (a booking, a cancellation, a reschedule).
  event_id           uuid NOT NULL,
  -- CONFIRMATION, CANCELLATION, RESCHEDULE, REMINDER, SAME_DAY_REMINDER, CLOSURE_MOVED,
  -- CLOSURE_CANCELLED.
  kind               text NOT NULL,
  -- The recipient is the citizen of this appointment (scheduling's id).
  appointment_id     text NOT NULL,
  -- EMAIL or SMS: the citizen's preferred contact when the row was made.
  channel            text NOT NULL,
  -- CREATED, SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE, TECHNICAL_FAILURE,
  -- DROPPED (no longer true: the appointment was cancelled, moved or has started).
  state              text NOT NULL,
  -- The start the text speaks of; for a reschedule, the one before too.
  appointment_start  timestamptz NOT NULL,
  previous_start     timestamptz,
  -- Not before this (quiet hours and retries move it), and never after give_up_at.
  send_after         timestamptz NOT NULL,
  give_up_at         timestamptz NOT NULL,
  attempts           integer NOT NULL DEFAULT 0,
  -- Why the last attempt ended as it did: a code (SMTP_451, NO_ADDRESS), never text.
  last_reason        text NOT NULL DEFAULT '',
  create_time        timestamptz NOT NULL,
  update_time        timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, message_id),
  UNIQUE (tenant_id, event_id, kind, appointment_id, channel),
  CHECK (kind IN ('CONFIRMATION', 'CANCELLATION', 'RESCHEDULE', 'REMINDER', 'SAME_DAY_REMINDER',
                  'CLOSURE_MOVED', 'CLOSURE_CANCELLED')),
  CHECK (channel IN ('EMAIL', 'SMS')),
  CHECK (state IN ('CREATED', 'SENDING', 'DELIVERED', 'TEMPORARY_FAILURE', 'PERMANENT_FAILURE',
                   'TECHNICAL_FAILURE', 'DROPPED'))
);
-- The sender's question: what is due now.
CREATE INDEX messages_due ON notifications.messages (tenant_id, send_after)
  WHERE state IN ('CREATED', 'TEMPORARY_FAILURE', 'SENDING');
CREATE INDEX messages_by_appointment ON notifications.messages (tenant_id, appointment_id);

ALTER TABLE notifications.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications.messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications.messages
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- What `serve` needs: no DELETE (retention will come with a function of its own).
GRANT SELECT, INSERT, UPDATE ON notifications.messages TO {{runtime_role}};
