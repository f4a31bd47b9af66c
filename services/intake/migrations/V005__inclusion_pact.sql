-- A case's inclusion pact (goals, commitments, supports, follow-up meetings): free text about
-- the person, one JSON record sealed under the person's key, bound to tenant, table, column and
-- case. NULL: no pact agreed yet.
ALTER TABLE intake.cases ADD COLUMN pact_sealed bytea;
