-- The event outbox (sportelli/events/outbox.h): events written in the transaction of the change
-- they describe; the relay publishes them to Redis Streams and then sets published_at (at least
-- once: a relay that dies in between publishes them again, and consumers de-duplicate by
-- event_id). A kit component: every service that publishes events lists it. Scheduling made the
-- same table in its V001, before the kit; there CREATE ... IF NOT EXISTS finds it and this only
-- adds what is missing.
CREATE TABLE IF NOT EXISTS outbox (
  tenant_id     text NOT NULL,
  sequence      bigint GENERATED ALWAYS AS IDENTITY,
  event_id      uuid NOT NULL,
  event_type    text NOT NULL,
  payload       bytea NOT NULL,   -- a serialized sportelli.events.v1.Event
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  PRIMARY KEY (tenant_id, sequence)
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (sequence) WHERE published_at IS NULL;

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema()
                 AND tablename = 'outbox' AND policyname = 'tenant_isolation') THEN
    CREATE POLICY tenant_isolation ON outbox
      USING (tenant_id = current_setting('app.tenant_id', true))
      WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
  END IF;
  -- The relay publishes every tenant's events; it reads and marks them, nothing else.
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema()
                 AND tablename = 'outbox' AND policyname = 'outbox_relay_read') THEN
    CREATE POLICY outbox_relay_read ON outbox FOR SELECT
      USING (current_setting('app.outbox_relay', true) = 'on');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema()
                 AND tablename = 'outbox' AND policyname = 'outbox_relay_mark') THEN
    CREATE POLICY outbox_relay_mark ON outbox FOR UPDATE
      USING (current_setting('app.outbox_relay', true) = 'on')
      WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
  END IF;
END
$$;

-- Write (the change's transaction), read and mark (the relay). DELETE for pruning published
-- rows after their retention.
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO {{runtime_role}};
