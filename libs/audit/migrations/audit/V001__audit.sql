-- The audit trail of personal data (sportelli/audit/audit_log.h). A kit component: every service
-- that holds personal data lists it, so the trail is defined once.
--
-- One row per access (a read, a listing, a write, an export), written in the transaction of the
-- access itself. Rows are hash-chained per comune in a few lanes (a row carries the hash of the
-- previous row of its lane), so that concurrent accesses of one comune do not all wait for one
-- chain head; `audit verify` walks every lane and names the first row that does not match.
CREATE TABLE audit_events (
  tenant_id        text NOT NULL,
  lane             smallint NOT NULL CHECK (lane >= 0),
  sequence         bigint NOT NULL CHECK (sequence > 0),
  event_time       timestamptz NOT NULL,
  -- Who: the token's subject (an opaque id), roles and comune.
  subject          text NOT NULL,
  roles            text[] NOT NULL,
  subject_tenant   text NOT NULL,
  -- What and why.
  action           text NOT NULL
                     CHECK (action IN ('READ', 'LIST', 'CREATE', 'UPDATE', 'DELETE', 'EXPORT')),
  resource         text NOT NULL,
  data_class       text NOT NULL,
  purpose          text NOT NULL,
  request_id       text NOT NULL,
  -- The blind indexes of the citizens whose data the access touched ("who looked at my data").
  citizen_indexes  bytea[] NOT NULL,
  previous_hash    bytea NOT NULL,
  row_hash         bytea NOT NULL,
  PRIMARY KEY (tenant_id, lane, sequence)
);
CREATE INDEX audit_events_time ON audit_events (tenant_id, event_time);
CREATE INDEX audit_events_resource ON audit_events (tenant_id, resource, event_time);
CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject, event_time);
CREATE INDEX audit_events_citizens ON audit_events USING gin (citizen_indexes);

-- The last row of each lane: appending locks this row until the access commits.
CREATE TABLE audit_heads (
  tenant_id      text NOT NULL,
  lane           smallint NOT NULL,
  last_sequence  bigint NOT NULL,
  last_hash      bytea NOT NULL,
  PRIMARY KEY (tenant_id, lane)
);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- Append-only for the runtime role: it reads and inserts rows, never changes or deletes one.
-- A head it could rewrite proves nothing by itself: `verify` checks each row against the one
-- before it, so a forged head breaks the chain at the next row.
GRANT SELECT, INSERT ON audit_events TO {{runtime_role}};
GRANT SELECT, INSERT, UPDATE ON audit_heads TO {{runtime_role}};
