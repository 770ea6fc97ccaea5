-- The random token of the request holding the claim (sqlite/idempotency.ts).
-- complete and release match on it, so a request whose claim was taken over
-- after the lock timeout cannot overwrite or free the newer claim. Rows from
-- before have no owner: no token matches them, and they expire or are taken
-- over after the lock timeout as before.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
