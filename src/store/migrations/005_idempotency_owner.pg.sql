-- The random token of the request holding the claim (postgres/idempotency.ts).
-- complete and release match on it, so a request whose claim was taken over
-- after the lock timeout cannot overwrite or free the newer claim. Rows from
-- before, and claims still made by not-yet-upgraded processes during a rolling
-- deploy, have no owner: no token matches them, and they expire or are taken
-- over after the lock timeout as before.
ALTER TABLE idempotency_keys ADD COLUMN owner text;
