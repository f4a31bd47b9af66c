-- The tenants schema: comuni, desks, services, channels, hours, closures, holidays, operators.
--
-- Every table leads its primary key with tenant_id (the shard key, ARCHITECTURE.md §5) and is
-- protected by row-level security: a session sees only the rows of the tenant named in the
-- transaction-local setting app.tenant_id. FORCE makes the policy apply to the table owner too,
-- which is the role the service connects as; that role has neither SUPERUSER nor BYPASSRLS.

CREATE TABLE tenants.tenants (
  tenant_id     text PRIMARY KEY CHECK (tenant_id ~ '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'),
  display_name  text NOT NULL,
  istat_code    text NOT NULL CHECK (istat_code ~ '^[0-9]{6}$'),
  street        text NOT NULL DEFAULT '',
  postal_code   text NOT NULL DEFAULT '',
  locality      text NOT NULL DEFAULT '',
  province      text NOT NULL DEFAULT '',
  phone_number  text NOT NULL DEFAULT '',
  lead          boolean NOT NULL DEFAULT false,
  time_zone     text NOT NULL DEFAULT 'Europe/Rome',
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now()
);
-- One capofila per federation.
CREATE UNIQUE INDEX tenants_one_lead ON tenants.tenants (lead) WHERE lead;

CREATE TABLE tenants.services (
  tenant_id         text NOT NULL REFERENCES tenants.tenants (tenant_id),
  service_id        text NOT NULL,
  display_name      text NOT NULL,
  description       text NOT NULL DEFAULT '',
  duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
  create_time       timestamptz NOT NULL DEFAULT now(),
  update_time       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, service_id)
);

CREATE TABLE tenants.desks (
  tenant_id     text NOT NULL REFERENCES tenants.tenants (tenant_id),
  desk_id       text NOT NULL,
  display_name  text NOT NULL,
  street        text NOT NULL DEFAULT '',
  postal_code   text NOT NULL DEFAULT '',
  locality      text NOT NULL DEFAULT '',
  province      text NOT NULL DEFAULT '',
  booking_mode  text NOT NULL CHECK (booking_mode IN ('walk_in', 'appointment_only', 'walk_in_and_appointment')),
  capacity      integer NOT NULL CHECK (capacity BETWEEN 1 AND 100),
  service_ids   text[] NOT NULL DEFAULT '{}',
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, desk_id)
);

-- Weekly hours, one row per interval; day_of_week 1 = Monday ... 7 = Sunday (ISO 8601).
CREATE TABLE tenants.desk_hours (
  tenant_id     text NOT NULL,
  desk_id       text NOT NULL,
  day_of_week   smallint NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
  start_minute  smallint NOT NULL,
  end_minute    smallint NOT NULL,
  CHECK (0 <= start_minute AND start_minute < end_minute AND end_minute <= 1440),
  PRIMARY KEY (tenant_id, desk_id, day_of_week, start_minute),
  FOREIGN KEY (tenant_id, desk_id) REFERENCES tenants.desks (tenant_id, desk_id) ON DELETE CASCADE
);

CREATE TABLE tenants.channels (
  tenant_id     text NOT NULL REFERENCES tenants.tenants (tenant_id),
  channel_id    text NOT NULL,
  display_name  text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('phone', 'web', 'desk')),
  phone_number  text NOT NULL DEFAULT '',
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, channel_id)
);

CREATE TABLE tenants.channel_hours (
  tenant_id     text NOT NULL,
  channel_id    text NOT NULL,
  day_of_week   smallint NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
  start_minute  smallint NOT NULL,
  end_minute    smallint NOT NULL,
  CHECK (0 <= start_minute AND start_minute < end_minute AND end_minute <= 1440),
  PRIMARY KEY (tenant_id, channel_id, day_of_week, start_minute),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES tenants.channels (tenant_id, channel_id) ON DELETE CASCADE
);

CREATE TABLE tenants.closures (
  tenant_id    text NOT NULL,
  desk_id      text NOT NULL,
  closure_id   text NOT NULL,
  start_date   date NOT NULL,
  end_date     date NOT NULL,
  reason       text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now(),
  CHECK (start_date <= end_date),
  PRIMARY KEY (tenant_id, desk_id, closure_id),
  FOREIGN KEY (tenant_id, desk_id) REFERENCES tenants.desks (tenant_id, desk_id) ON DELETE CASCADE
);

-- A local holiday; year NULL means every year (the patron saint's day).
CREATE TABLE tenants.holidays (
  tenant_id     text NOT NULL REFERENCES tenants.tenants (tenant_id),
  holiday_id    text NOT NULL,
  display_name  text NOT NULL,
  year          smallint,
  month         smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
  day           smallint NOT NULL CHECK (day BETWEEN 1 AND 31),
  create_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, holiday_id)
);

CREATE TABLE tenants.operators (
  tenant_id     text NOT NULL REFERENCES tenants.tenants (tenant_id),
  operator_id   text NOT NULL,
  display_name  text NOT NULL,
  subject       text NOT NULL,
  roles         text[] NOT NULL,
  desk_ids      text[] NOT NULL DEFAULT '{}',
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, operator_id),
  UNIQUE (tenant_id, subject)
);

-- AIP-155 request ids: a retried Create returns the first response.
CREATE TABLE tenants.request_ids (
  tenant_id     text NOT NULL,
  request_id    text NOT NULL,
  method        text NOT NULL,
  request_hash  text NOT NULL,
  response      bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);
CREATE INDEX request_ids_created_at ON tenants.request_ids (created_at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'services', 'desks', 'desk_hours', 'channels', 'channel_hours',
                           'closures', 'holidays', 'operators', 'request_ids'] LOOP
    EXECUTE format('ALTER TABLE tenants.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE tenants.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON tenants.%I
                      USING (tenant_id = current_setting(''app.tenant_id'', true))
                      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', t);
  END LOOP;
END
$$;

-- The list of comuni (names, ISTAT codes, town-hall addresses: public facts, no personal data)
-- is readable across tenants only in a transaction that sets app.federation, which the service
-- does for callers with the `federation` role. Nothing else crosses tenants.
CREATE POLICY federation_directory ON tenants.tenants FOR SELECT
  USING (current_setting('app.federation', true) = 'on');
