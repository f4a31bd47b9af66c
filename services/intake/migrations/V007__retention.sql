-- Retention of intake's records, per comune (sportelli-intake maintain; docs/operations.md §13):
-- contacts that never became cases, closed cases with everything they hold, and then persons
-- with nothing left, whose keys go with them. The runtime role may not delete these records
-- (histories and note versions are append-only to it); it may ask these functions to, which run
-- as the owner yet still under row-level security (the tables FORCE it): only rows of the
-- comune in app.tenant_id, only older than p_before, never younger than a floor whatever
-- p_before says (a compromised service cannot wipe recent records), at most p_limit a call.

-- Contacts recorded before p_before that no case was opened from; an anonymous contact's own
-- key goes with it.
CREATE FUNCTION intake.expire_contacts(p_before timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = intake, pg_temp AS $$
DECLARE
  v_tenant   text := current_setting('app.tenant_id', true);
  v_subjects bytea[];
  v_count    integer;
BEGIN
  IF v_tenant IS NULL OR v_tenant = '' THEN
    RAISE EXCEPTION 'expire_contacts: no comune in app.tenant_id';
  END IF;
  IF p_before > now() - interval '90 days' THEN
    RAISE EXCEPTION 'expire_contacts: contacts are kept at least 90 days';
  END IF;
  WITH due AS (
    SELECT c.contact_id FROM intake.contacts c
     WHERE c.tenant_id = v_tenant AND c.contact_time < p_before
       AND NOT EXISTS (SELECT 1 FROM intake.cases k
                        WHERE k.tenant_id = c.tenant_id AND k.contact_id = c.contact_id)
     LIMIT p_limit),
  deleted AS (
    DELETE FROM intake.contacts c USING due
     WHERE c.tenant_id = v_tenant AND c.contact_id = due.contact_id
    RETURNING c.person_id, c.subject_index)
  SELECT array_agg(subject_index) FILTER (WHERE person_id IS NULL), count(*)
    INTO v_subjects, v_count FROM deleted;
  DELETE FROM intake.subject_keys
   WHERE tenant_id = v_tenant AND subject_index = ANY(coalesce(v_subjects, '{}'));
  RETURN v_count;
END
$$;

-- Cases CLOSED before p_before, with their history, notes and every version, attachments,
-- referrals and their history, and the contact each was opened from.
CREATE FUNCTION intake.expire_closed_cases(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = intake, pg_temp AS $$
DECLARE
  v_tenant  text := current_setting('app.tenant_id', true);
  v_case    record;
  v_deleted integer := 0;
BEGIN
  IF v_tenant IS NULL OR v_tenant = '' THEN
    RAISE EXCEPTION 'expire_closed_cases: no comune in app.tenant_id';
  END IF;
  IF p_before > now() - interval '1 year' THEN
    RAISE EXCEPTION 'expire_closed_cases: closed cases are kept at least a year';
  END IF;
  FOR v_case IN
    SELECT case_id, contact_id FROM intake.cases
     WHERE tenant_id = v_tenant AND state = 'CLOSED' AND update_time < p_before
     ORDER BY update_time LIMIT p_limit FOR UPDATE
  LOOP
    DELETE FROM intake.referral_history h USING intake.referrals r
     WHERE h.tenant_id = v_tenant AND r.tenant_id = v_tenant
       AND h.referral_id = r.referral_id AND r.case_id = v_case.case_id;
    DELETE FROM intake.referrals WHERE tenant_id = v_tenant AND case_id = v_case.case_id;
    DELETE FROM intake.note_versions WHERE tenant_id = v_tenant AND case_id = v_case.case_id;
    DELETE FROM intake.notes WHERE tenant_id = v_tenant AND case_id = v_case.case_id;
    DELETE FROM intake.attachments WHERE tenant_id = v_tenant AND case_id = v_case.case_id;
    DELETE FROM intake.case_history WHERE tenant_id = v_tenant AND case_id = v_case.case_id;
    DELETE FROM intake.cases WHERE tenant_id = v_tenant AND case_id = v_case.case_id;
    DELETE FROM intake.contacts WHERE tenant_id = v_tenant AND contact_id = v_case.contact_id;
    v_deleted := v_deleted + 1;
  END LOOP;
  RETURN v_deleted;
END
$$;

-- Persons registered before p_before with nothing left (no contact, case or referral): their
-- record, consents and key.
CREATE FUNCTION intake.expire_persons(p_before timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = intake, pg_temp AS $$
DECLARE
  v_tenant text := current_setting('app.tenant_id', true);
  v_count  integer;
BEGIN
  IF v_tenant IS NULL OR v_tenant = '' THEN
    RAISE EXCEPTION 'expire_persons: no comune in app.tenant_id';
  END IF;
  IF p_before > now() - interval '90 days' THEN
    RAISE EXCEPTION 'expire_persons: persons are kept at least 90 days';
  END IF;
  WITH due AS (
    SELECT p.person_id, p.subject_index FROM intake.persons p
     WHERE p.tenant_id = v_tenant AND p.create_time < p_before
       AND NOT EXISTS (SELECT 1 FROM intake.contacts c
                        WHERE c.tenant_id = p.tenant_id AND c.person_id = p.person_id)
       AND NOT EXISTS (SELECT 1 FROM intake.cases k
                        WHERE k.tenant_id = p.tenant_id AND k.person_id = p.person_id)
       AND NOT EXISTS (SELECT 1 FROM intake.referrals r
                        WHERE r.tenant_id = p.tenant_id AND r.person_id = p.person_id)
     LIMIT p_limit),
  consents AS (
    DELETE FROM intake.person_consents c USING due
     WHERE c.tenant_id = v_tenant AND c.person_id = due.person_id),
  keys AS (
    DELETE FROM intake.subject_keys k USING due
     WHERE k.tenant_id = v_tenant AND k.subject_index = due.subject_index)
  DELETE FROM intake.persons p USING due
   WHERE p.tenant_id = v_tenant AND p.person_id = due.person_id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;

REVOKE ALL ON FUNCTION intake.expire_contacts(timestamptz, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION intake.expire_closed_cases(timestamptz, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION intake.expire_persons(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.expire_contacts(timestamptz, integer) TO {{runtime_role}};
GRANT EXECUTE ON FUNCTION intake.expire_closed_cases(timestamptz, integer) TO {{runtime_role}};
GRANT EXECUTE ON FUNCTION intake.expire_persons(timestamptz, integer) TO {{runtime_role}};
