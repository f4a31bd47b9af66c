-- The statements of one CreateAppointment transaction (services/scheduling/
-- postgres_scheduling_repository.cc, CreateAppointment with TakeSeat), for pgbench: the
-- database's own limit for the booking scenario. Run as the service's role, so row-level
-- security costs what it costs in production. Bookings spread over 1,000 desks x 200 days x 40
-- slots, so seats are never the limit, as in the booking scenario.
\set n random(1, 9000000000000000000)
\set desk random(1, 1000)
\set day random(0, 199)
\set slot random(0, 39)
BEGIN;
SELECT set_config('app.tenant_id', 'pgbench', true);
SELECT pg_advisory_xact_lock(hashtextextended('pgbench' || chr(31) || 'req-' || :n || '-' || :client_id, 0));
SELECT method, request_hash, response FROM scheduling.request_ids WHERE tenant_id = 'pgbench' AND request_id = 'req-' || :n || '-' || :client_id;
SELECT pg_advisory_xact_lock(hashtextextended('pgbench' || chr(31) || 'citizen' || chr(31) || md5(:n::text), 0));
SELECT count(*) FROM scheduling.appointments WHERE tenant_id = 'pgbench' AND citizen_index = decode(md5(:n::text), 'hex') AND state = 'BOOKED' AND start_time > now();
INSERT INTO scheduling.capacity_locks (tenant_id, desk_id, bucket) SELECT 'pgbench', 'desk-' || :desk, b FROM unnest(ARRAY[TIMESTAMPTZ '2027-01-01 08:00+00' + make_interval(days => :day, mins => 30 * :slot), TIMESTAMPTZ '2027-01-01 08:15+00' + make_interval(days => :day, mins => 30 * :slot)]::timestamptz[]) AS b ORDER BY b ON CONFLICT (tenant_id, desk_id, bucket) DO UPDATE SET locked_at = now();
SELECT (extract(epoch from start_time) * 1000000)::int8, (extract(epoch from end_time) * 1000000)::int8, channel, NULL::int8 FROM scheduling.appointments WHERE tenant_id = 'pgbench' AND desk_id = 'desk-' || :desk AND state IN ('BOOKED', 'CHECKED_IN', 'COMPLETED') AND start_time > (TIMESTAMPTZ '2027-01-01 08:00+00' + make_interval(days => :day, mins => 30 * :slot - 480)) AND start_time < (TIMESTAMPTZ '2027-01-01 08:30+00' + make_interval(days => :day, mins => 30 * :slot)) AND end_time > (TIMESTAMPTZ '2027-01-01 08:00+00' + make_interval(days => :day, mins => 30 * :slot)) AND appointment_id <> '' UNION ALL SELECT (extract(epoch from start_time) * 1000000)::int8, (extract(epoch from end_time) * 1000000)::int8, channel, (extract(epoch from expire_time) * 1000000)::int8 FROM scheduling.holds WHERE tenant_id = 'pgbench' AND desk_id = 'desk-' || :desk AND appointment_id IS NULL AND expire_time > now() AND start_time > (TIMESTAMPTZ '2027-01-01 08:00+00' + make_interval(days => :day, mins => 30 * :slot - 480)) AND start_time < (TIMESTAMPTZ '2027-01-01 08:30+00' + make_interval(days => :day, mins => 30 * :slot)) AND end_time > (TIMESTAMPTZ '2027-01-01 08:00+00' + make_interval(days => :day, mins => 30 * :slot)) AND hold_id <> '';
INSERT INTO scheduling.appointments (tenant_id, appointment_id, desk_id, service_id, start_time, end_time, local_day, channel, state, given_name, family_name, codice_fiscale, citizen_index, phone_number, email, preferred_contact, cancel_token_hash, create_time, update_time) VALUES ('pgbench', 'a' || :n || 'c' || :client_id, 'desk-' || :desk, 'colloquio', TIMESTAMPTZ '2027-01-01 08:00+00' + make_interval(days => :day, mins => 30 * :slot), TIMESTAMPTZ '2027-01-01 08:30+00' + make_interval(days => :day, mins => 30 * :slot), DATE '2027-01-01' + :day, 'WEB', 'BOOKED', 'Maria', 'Rossi', 'RSSMRA80A01H501U', decode(md5(:n::text), 'hex'), '+393331234567', '', 'SMS', decode(md5(:n::text || 'token'), 'hex'), now(), now());
INSERT INTO scheduling.outbox (tenant_id, event_id, event_type, payload) VALUES ('pgbench', md5(:n::text || :client_id)::uuid, 'AppointmentBooked', decode(repeat('ab', 160), 'hex'));
INSERT INTO scheduling.request_ids (tenant_id, request_id, method, request_hash, response, created_at) VALUES ('pgbench', 'req-' || :n || '-' || :client_id, 'CreateAppointment', md5(:n::text), decode(repeat('cd', 400), 'hex'), now());
COMMIT;
