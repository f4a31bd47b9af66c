-- The scheduling schema: appointments, holds, walk-in tickets, the capacity locks that keep a
-- desk from being over-booked, request ids (AIP-155) and the event outbox.
--
-- Desks, services and hours live in the tenants service; this schema only stores their ids.
-- Every table leads its primary key with tenant_id and is fenced by row-level security on the
-- transaction-local setting app.tenant_id (FORCE: the owner, which the service connects as, is
-- fenced too). The outbox relay reads every tenant's events through a second, SELECT/UPDATE
-- policy on app.outbox_relay.

-- Capacity. A booking (or hold) takes the lock rows of the UTC days its interval touches, in
-- date order, then counts every booking and active hold of the desk overlapping its interval.
-- Two transactions that could compete for a seat of the same desk therefore run one after the
-- other, whatever their services' durations; desks and days that do not meet never wait.
CREATE TABLE scheduling.capacity_locks (
  tenant_id  text NOT NULL,
  desk_id    text NOT NULL,
  utc_day    date NOT NULL,
  locked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, desk_id, utc_day)
);

CREATE TABLE scheduling.appointments (
  tenant_id          text NOT NULL,
  appointment_id     text NOT NULL,
  desk_id            text NOT NULL,
  service_id         text NOT NULL,
  start_time         timestamptz NOT NULL,
  end_time           timestamptz NOT NULL,
  -- The comune's calendar day of start_time: how the desk lists its day.
  local_day          date NOT NULL,
  channel            text NOT NULL CHECK (channel IN ('WEB', 'PHONE', 'DESK')),
  state              text NOT NULL
                       CHECK (state IN ('BOOKED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW')),
  given_name         text NOT NULL,
  family_name        text NOT NULL,
  codice_fiscale     text NOT NULL,
  -- HMAC-SHA256 of the codice fiscale under the service's secret key (a blind index): the
  -- per-citizen limit looks citizens up by it, never by the clear value.
  citizen_index      bytea NOT NULL,
  phone_number       text NOT NULL DEFAULT '',
  email              text NOT NULL DEFAULT '',
  preferred_contact  text NOT NULL CHECK (preferred_contact IN ('SMS', 'EMAIL', 'PHONE_CALL', 'NONE')),
  -- SHA-256 of the citizen's cancel token; the token itself is never stored.
  cancel_token_hash  bytea NOT NULL,
  checked_in_at      timestamptz,
  -- Set when an operator calls a checked-in citizen (CallNext): they leave the queue.
  called_at          timestamptz,
  called_by          text,
  create_time        timestamptz NOT NULL,
  update_time        timestamptz NOT NULL,
  CHECK (start_time < end_time),
  PRIMARY KEY (tenant_id, appointment_id)
);
-- Seats: the bookings of a desk overlapping an interval.
CREATE INDEX appointments_occupancy ON scheduling.appointments (tenant_id, desk_id, start_time)
  WHERE state IN ('BOOKED', 'CHECKED_IN', 'COMPLETED');
CREATE INDEX appointments_desk_day ON scheduling.appointments (tenant_id, desk_id, local_day, start_time);
CREATE INDEX appointments_citizen ON scheduling.appointments (tenant_id, citizen_index, start_time)
  WHERE state = 'BOOKED';

CREATE TABLE scheduling.holds (
  tenant_id       text NOT NULL,
  hold_id         text NOT NULL,
  desk_id         text NOT NULL,
  service_id      text NOT NULL,
  start_time      timestamptz NOT NULL,
  end_time        timestamptz NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('WEB', 'PHONE', 'DESK')),
  expire_time     timestamptz NOT NULL,
  -- The appointment that consumed the hold; a consumed hold no longer counts (the appointment does).
  appointment_id  text,
  create_time     timestamptz NOT NULL,
  CHECK (start_time < end_time),
  PRIMARY KEY (tenant_id, hold_id)
);
CREATE INDEX holds_occupancy ON scheduling.holds (tenant_id, desk_id, start_time, expire_time)
  WHERE appointment_id IS NULL;
CREATE INDEX holds_expire_time ON scheduling.holds (expire_time);

-- The day's state of a desk's walk-in queue: the last ticket number handed out.
CREATE TABLE scheduling.desk_days (
  tenant_id    text NOT NULL,
  desk_id      text NOT NULL,
  local_day    date NOT NULL,
  last_ticket  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, desk_id, local_day)
);

CREATE TABLE scheduling.walk_in_tickets (
  tenant_id    text NOT NULL,
  desk_id      text NOT NULL,
  local_day    date NOT NULL,
  number       integer NOT NULL CHECK (number > 0),
  state        text NOT NULL CHECK (state IN ('WAITING', 'CALLED')),
  called_at    timestamptz,
  called_by    text,
  create_time  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, desk_id, local_day, number)
);
CREATE INDEX walk_in_tickets_waiting ON scheduling.walk_in_tickets (tenant_id, desk_id, local_day, number)
  WHERE state = 'WAITING';

CREATE TABLE scheduling.request_ids (
  tenant_id     text NOT NULL,
  request_id    text NOT NULL,
  method        text NOT NULL,
  request_hash  text NOT NULL,
  response      bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);
CREATE INDEX request_ids_created_at ON scheduling.request_ids (created_at);

-- Events written in the transaction of the change they describe; the relay publishes them to
-- the tenant's Redis Stream and then sets published_at (at least once: a relay that dies in
-- between publishes them again, and consumers de-duplicate by event_id).
CREATE TABLE scheduling.outbox (
  tenant_id     text NOT NULL,
  sequence      bigint GENERATED ALWAYS AS IDENTITY,
  event_id      uuid NOT NULL,
  event_type    text NOT NULL,
  payload       bytea NOT NULL,   -- a serialized sportelli.events.v1.Event
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  PRIMARY KEY (tenant_id, sequence)
);
CREATE INDEX outbox_unpublished ON scheduling.outbox (sequence) WHERE published_at IS NULL;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['capacity_locks', 'appointments', 'holds', 'desk_days',
                           'walk_in_tickets', 'request_ids', 'outbox'] LOOP
    EXECUTE format('ALTER TABLE scheduling.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE scheduling.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON scheduling.%I
                      USING (tenant_id = current_setting(''app.tenant_id'', true))
                      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
  END LOOP;
END
$$;

-- The relay publishes every tenant's events; it reads and marks them, nothing else.
CREATE POLICY outbox_relay_read ON scheduling.outbox FOR SELECT
  USING (current_setting('app.outbox_relay', true) = 'on');
CREATE POLICY outbox_relay_mark ON scheduling.outbox FOR UPDATE
  USING (current_setting('app.outbox_relay', true) = 'on')
  WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
