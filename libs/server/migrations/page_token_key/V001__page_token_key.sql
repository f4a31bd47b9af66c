-- The key that signs this service's page tokens (sportelli/api/pagination.h), made here once and
-- read by every replica at start, so a token one replica issued is accepted by the others and a
-- token nobody issued by none. A kit component: every service gets it (server::RunMain).
-- One row, not a comune's data: no tenant_id. 256 bits from PostgreSQL's strong random source
-- (gen_random_uuid: 122 random bits each, two of them).
CREATE TABLE IF NOT EXISTS page_token_key (
  id   int PRIMARY KEY CHECK (id = 1),
  key  bytea NOT NULL CHECK (length(key) >= 32)
);
INSERT INTO page_token_key (id, key)
  VALUES (1, uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()))
  ON CONFLICT (id) DO NOTHING;

-- Read only: the key changes only by a migration (a new key refuses every token in flight).
GRANT SELECT ON page_token_key TO {{runtime_role}};
