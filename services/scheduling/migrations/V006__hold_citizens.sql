-- A hold names the citizen it is kept for and who keeps it, so that neither can keep more than a
-- few seats at once (HoldSlot's TOO_MANY_HOLDS): one client must not hold every free seat of a
-- click day. Both are keyed digests: the citizen's blind index, and an HMAC of the caller (the
-- token's subject, and for a portal its visitor's address). Holds made before this migration
-- have neither, count for nobody and expire within minutes.
ALTER TABLE scheduling.holds ADD COLUMN citizen_index bytea, ADD COLUMN holder bytea;

-- The caps count a citizen's, and a holder's, unused holds that have not expired.
CREATE INDEX holds_citizen ON scheduling.holds (tenant_id, citizen_index, expire_time)
  WHERE appointment_id IS NULL;
CREATE INDEX holds_holder ON scheduling.holds (tenant_id, holder, expire_time)
  WHERE appointment_id IS NULL;
