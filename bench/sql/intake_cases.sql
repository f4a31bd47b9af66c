-- The case-list scenario's comune: 100,000 cases in Capannori over its seeded desks (three: about
-- 33,000 each), as five years of a busy ambito might leave them, added by bench/run as the
-- superuser (row-level security does not apply). Each case has its person, the contact it was
-- opened from and its opening in the history. Six in ten are CLOSED; the rest OPEN, ASSESSMENT,
-- ACTIVE or REOPENED. One in twenty-one is assigned to nobody, one in twenty-one to the
-- benchmark's operator (sportelli-bench), the rest to nineteen other members of staff: the
-- operator sees about one in twenty-six of a desk's cases. Opened over the last five years, last
-- updated up to 200 days later (never after now).
--
-- The listing reads ids, states and the persons' blind indexes (for its audit row), never
-- their sealed data: the sealed columns here are filler bytes of a real identity's length, not
-- ciphertext, so these persons cannot be read through the API (the benchmark never does).
CREATE TEMP TABLE bench_case_desks AS
SELECT row_number() OVER (ORDER BY desk_id) - 1 AS i, desk_id
FROM tenants.desks
WHERE tenant_id = 'capannori' AND desk_id NOT LIKE 'bench-%';

CREATE TEMP TABLE bench_cases AS
SELECT g,
       'bench-' || g AS id,
       decode(md5('subject' || g) || md5('s' || g), 'hex') AS subject_index,
       (SELECT desk_id FROM bench_case_desks WHERE i = g % (SELECT count(*) FROM bench_case_desks)) AS desk_id,
       now() - make_interval(mins => (g * 7919) % (5 * 365 * 24 * 60)) AS create_time,
       CASE WHEN g % 10 < 6 THEN 'CLOSED'
            ELSE (ARRAY['OPEN', 'ASSESSMENT', 'ACTIVE', 'REOPENED'])[g % 10 - 5] END AS state,
       CASE (g / 10) % 21 WHEN 0 THEN NULL WHEN 20 THEN 'sportelli-bench'
            ELSE 'operatore-' || (g / 10) % 21 END AS assignee
FROM generate_series(1, 100000) AS g;

INSERT INTO intake.persons (tenant_id, person_id, subject_index, codice_fiscale_index,
                            family_name_birth_index, identity_sealed, privacy_notice_version,
                            privacy_notice_time, privacy_notice_recorded_by, create_time,
                            update_time)
SELECT 'capannori', id, subject_index, subject_index, decode(md5('fb' || g) || md5('f' || g), 'hex'),
       decode(repeat(md5(id), 26), 'hex'), '2026-01', create_time, 'operatore-1', create_time,
       create_time
FROM bench_cases;

INSERT INTO intake.contacts (tenant_id, contact_id, person_id, subject_index, desk_id, channel,
                             contact_time, operator_subject, need_areas, information_sealed,
                             outcome, create_time)
SELECT 'capannori', id, id, subject_index, desk_id, 'WALK_IN', create_time, 'operatore-1',
       '{ECONOMIC_HARDSHIP}', decode(repeat(md5(id), 11), 'hex'), 'CASE_OPENED', create_time
FROM bench_cases;

INSERT INTO intake.cases (tenant_id, case_id, person_id, contact_id, desk_id, state,
                          close_reason, assignee, create_time, update_time)
SELECT 'capannori', id, id, id, desk_id, state,
       CASE WHEN state = 'CLOSED' THEN 'GOALS_REACHED' END, assignee, create_time,
       least(now(), create_time + make_interval(days => g % 200))
FROM bench_cases;

INSERT INTO intake.case_history (tenant_id, case_id, sequence, event_time, actor, from_state,
                                 to_state, assigned)
SELECT 'capannori', id, 1, create_time, 'operatore-1', NULL, 'OPEN', false
FROM bench_cases;

ANALYZE intake.persons, intake.contacts, intake.cases, intake.case_history;
