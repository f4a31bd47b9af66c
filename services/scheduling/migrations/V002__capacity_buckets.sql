-- Capacity locks per quarter of an hour instead of per UTC day. Two bookings can compete for a
-- seat only if their intervals overlap, and overlapping intervals always share a quarter hour,
-- so locking every quarter hour an interval touches is as safe as locking its days; but
-- bookings of different slots of one desk's day no longer wait for each other (a click day
-- fills hundreds of slots of the same day at once).
DROP TABLE scheduling.capacity_locks;

CREATE TABLE scheduling.capacity_locks (
  tenant_id  text NOT NULL,
  desk_id    text NOT NULL,
  -- The start of a quarter hour (UTC, aligned on :00, :15, :30, :45).
  bucket     timestamptz NOT NULL,
  locked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, desk_id, bucket)
);
ALTER TABLE scheduling.capacity_locks ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.capacity_locks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduling.capacity_locks
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
