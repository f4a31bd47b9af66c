-- The runtime role (what `serve` logs in as) gets data privileges on the service's tables and
-- nothing else: it owns nothing, so it cannot ALTER, DROP or TRUNCATE a table, disable row-level
-- security or drop a policy. `migrate` runs as the owner. request_ids is granted by its kit
-- component (libs/pg), the outbox by libs/events.
GRANT SELECT, INSERT, UPDATE, DELETE
  ON tenants.tenants, tenants.services, tenants.desks, tenants.desk_hours, tenants.channels,
     tenants.channel_hours, tenants.closures, tenants.holidays, tenants.operators
  TO {{runtime_role}};
