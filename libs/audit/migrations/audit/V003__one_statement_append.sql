-- The head keeps the hash of the row before its last one too, so that appending a row is one
-- statement: the head's update computes the new row's hash (sha256 over the encoding RowHash
-- uses) and returns both hashes to the row's insert (sportelli/audit/audit_log.h, Record).
-- Heads written before this migration get it at their next append.
ALTER TABLE audit_heads ADD COLUMN previous_hash bytea;
