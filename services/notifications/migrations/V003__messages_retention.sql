-- `maintain` (the runtime role, fenced by row-level security like the service) deletes the
-- messages that can no longer be sent once their retention has passed.
GRANT DELETE ON notifications.messages TO {{runtime_role}};
