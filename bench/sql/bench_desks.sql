-- Benchmark desks, added to the seeded comuni by bench/run (as the superuser, so row-level
-- security does not apply): in every comune a desk open around the clock every day so that the
-- booking scenario never runs out of seats (`bench-grande`, 100 seats, a 5-minute service) and
-- one for the click-day rush (`bench-rush`, 3 seats, a 30-minute service). The seeded desks
-- keep their real hours and serve the availability scenario. At the end, the operator of the
-- intake scenarios.
INSERT INTO tenants.services (tenant_id, service_id, display_name, duration_minutes)
SELECT tenant_id, s.id, s.name, s.minutes
FROM tenants.tenants,
     (VALUES ('bench-breve', 'Benchmark: 5 minuti', 5),
             ('bench-colloquio', 'Benchmark: 30 minuti', 30)) AS s (id, name, minutes)
ON CONFLICT DO NOTHING;

INSERT INTO tenants.desks (tenant_id, desk_id, display_name, locality, province, booking_mode,
                           capacity, service_ids)
SELECT tenant_id, d.id, d.name, 'Benchmark', 'LU', 'appointment_only', d.capacity,
       ARRAY[d.service]
FROM tenants.tenants,
     (VALUES ('bench-grande', 'Benchmark: grande', 100, 'bench-breve'),
             ('bench-rush', 'Benchmark: click day', 3, 'bench-colloquio')) AS d (id, name, capacity, service)
ON CONFLICT DO NOTHING;

INSERT INTO tenants.desk_hours (tenant_id, desk_id, day_of_week, start_minute, end_minute)
SELECT d.tenant_id, d.desk_id, dow, 0, 1440
FROM tenants.desks d, generate_series(1, 7) AS dow
WHERE d.desk_id IN ('bench-grande', 'bench-rush')
ON CONFLICT DO NOTHING;

-- The benchmark's operator in every comune (the token subject sportelli-bench mints), serving
-- every desk: the intake scenarios read and list cases as an operator sees them (assigned to
-- them, or to nobody at a desk they serve).
INSERT INTO tenants.operators (tenant_id, operator_id, display_name, subject, roles, desk_ids)
SELECT tenant_id, 'sportelli-bench', 'Benchmark', 'sportelli-bench', '{operator}',
       array_agg(desk_id ORDER BY desk_id)
FROM tenants.desks
GROUP BY tenant_id
ON CONFLICT DO NOTHING;
