-- Retention of the trail. Rows older than their period are deleted a prefix of each lane at a
-- time, and the lane is re-anchored: audit_anchors keeps the last deleted row's sequence and
-- hash, to which the lane's new first row links, so `verify` still checks the whole remaining
-- chain and still finds a row deleted anywhere else.
CREATE TABLE audit_anchors (
  tenant_id  text NOT NULL,
  lane       smallint NOT NULL,
  sequence   bigint NOT NULL,   -- the last row deleted: the lane now starts after it
  row_hash   bytea NOT NULL,    -- its hash, which the next row carries as previous_hash
  PRIMARY KEY (tenant_id, lane)
);
ALTER TABLE audit_anchors ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_anchors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_anchors
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
GRANT SELECT ON audit_anchors TO {{runtime_role}};

-- The runtime role may not delete from the trail. It may ask this function to, which runs as the
-- owner yet still under row-level security (the tables FORCE it): only rows of the comune in
-- app.tenant_id, only older than p_before, and never younger than a year whatever p_before says,
-- so a compromised service cannot erase recent accesses. At most p_limit rows a call.
CREATE FUNCTION expire_audit_events(p_before timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  v_tenant  text := current_setting('app.tenant_id', true);
  v_lane    smallint;
  v_first   bigint;
  v_young   bigint;
  v_last    bigint;
  v_hash    bytea;
  v_count   integer;
  v_deleted integer := 0;
BEGIN
  IF v_tenant IS NULL OR v_tenant = '' THEN
    RAISE EXCEPTION 'expire_audit_events: no comune in app.tenant_id';
  END IF;
  IF p_before > now() - interval '1 year' THEN
    RAISE EXCEPTION 'expire_audit_events: audit rows are kept at least a year';
  END IF;
  FOR v_lane IN SELECT DISTINCT lane FROM audit_events WHERE tenant_id = v_tenant ORDER BY lane LOOP
    EXIT WHEN v_deleted >= p_limit;
    SELECT min(sequence), max(sequence) INTO v_first, v_last
      FROM audit_events WHERE tenant_id = v_tenant AND lane = v_lane;
    SELECT min(sequence) INTO v_young
      FROM audit_events WHERE tenant_id = v_tenant AND lane = v_lane AND event_time >= p_before;
    IF v_young IS NOT NULL THEN v_last := v_young - 1; END IF;
    v_last := least(v_last, v_first + (p_limit - v_deleted) - 1);
    CONTINUE WHEN v_last < v_first;
    SELECT row_hash INTO v_hash
      FROM audit_events WHERE tenant_id = v_tenant AND lane = v_lane AND sequence = v_last;
    DELETE FROM audit_events WHERE tenant_id = v_tenant AND lane = v_lane AND sequence <= v_last;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_deleted := v_deleted + v_count;
    INSERT INTO audit_anchors (tenant_id, lane, sequence, row_hash)
      VALUES (v_tenant, v_lane, v_last, v_hash)
      ON CONFLICT (tenant_id, lane) DO UPDATE SET sequence = EXCLUDED.sequence,
                                                  row_hash = EXCLUDED.row_hash;
  END LOOP;
  RETURN v_deleted;
END
$$;
REVOKE ALL ON FUNCTION expire_audit_events(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expire_audit_events(timestamptz, integer) TO {{runtime_role}};
