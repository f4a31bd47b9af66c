-- The runtime role (what `serve` logs in as) gets data privileges on the service's tables and
-- nothing else: it owns nothing, so it cannot ALTER, DROP or TRUNCATE a table, disable row-level
-- security or drop a policy. `migrate` runs as the owner. request_ids is granted by its kit
-- component (libs/pg), the outbox by libs/events.
GRANT SELECT, INSERT, UPDATE, DELETE
  ON scheduling.capacity_locks, scheduling.appointments, scheduling.holds,
     scheduling.desk_days, scheduling.walk_in_tickets
  TO {{runtime_role}};
