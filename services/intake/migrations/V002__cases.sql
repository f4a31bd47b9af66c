-- Cases (presa in carico): opened from a contact, moved along their state machine, assigned by
-- coordinators. A case row holds ids, states and staff subjects only: the person's data stays
-- sealed in persons, contacts and (later) notes. Its history is append-only: the runtime role
-- may insert and read it, never change or delete it.

CREATE TABLE intake.cases (
  tenant_id     text NOT NULL,
  case_id       text NOT NULL,
  person_id     text NOT NULL,
  contact_id    text NOT NULL,
  desk_id       text NOT NULL,
  state         text NOT NULL
                  CHECK (state IN ('OPEN', 'ASSESSMENT', 'ACTIVE', 'CLOSED', 'REOPENED')),
  close_reason  text CHECK (close_reason IN ('GOALS_REACHED', 'REFERRED_ELSEWHERE', 'MOVED_AWAY',
                                             'NO_LONGER_IN_NEED', 'LOST_CONTACT', 'DECEASED',
                                             'OTHER')),
  -- The token subject of the member of staff in charge; NULL: nobody yet.
  assignee      text,
  create_time   timestamptz NOT NULL,
  update_time   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, case_id),
  -- One case per contact: opening it twice is ALREADY_EXISTS.
  CONSTRAINT cases_one_per_contact UNIQUE (tenant_id, contact_id),
  FOREIGN KEY (tenant_id, person_id) REFERENCES intake.persons (tenant_id, person_id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES intake.contacts (tenant_id, contact_id),
  CHECK ((state = 'CLOSED') = (close_reason IS NOT NULL))
);
CREATE INDEX cases_desk ON intake.cases (tenant_id, desk_id, update_time DESC, case_id DESC);

CREATE TABLE intake.case_history (
  tenant_id     text NOT NULL,
  case_id       text NOT NULL,
  sequence      integer NOT NULL CHECK (sequence > 0),
  event_time    timestamptz NOT NULL,
  actor         text NOT NULL,
  -- A state change (from_state NULL for the opening) ...
  from_state    text,
  to_state      text,
  close_reason  text,
  -- ... or an assignment (assignee NULL: to nobody).
  assigned      boolean NOT NULL,
  assignee      text,
  PRIMARY KEY (tenant_id, case_id, sequence),
  FOREIGN KEY (tenant_id, case_id) REFERENCES intake.cases (tenant_id, case_id),
  CHECK (assigned OR to_state IS NOT NULL)
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'case_history'] LOOP
    EXECUTE format('ALTER TABLE intake.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE intake.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON intake.%I
                      USING (tenant_id = current_setting(''app.tenant_id'', true))
                      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON intake.cases TO {{runtime_role}};
GRANT SELECT, INSERT ON intake.case_history TO {{runtime_role}};
