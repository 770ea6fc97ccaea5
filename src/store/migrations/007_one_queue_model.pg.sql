-- One queue model on both backends (its pair: 007_one_queue_model.sqlite.sql,
-- which moves SQLite onto this side's due_at model; see there for what
-- due_at and parked mean).
--
-- Here: the per-endpoint indexes of the gated claim hold parked rows only (the
-- open deliveries of a gated endpoint are exactly its parked ones), sparing
-- every plain delivery their index writes; and disabling or enabling an
-- endpoint moves its pending deliveries by trigger, as on SQLite, instead of
-- by statements in the code.
DROP INDEX deliveries_open;
DROP INDEX deliveries_sending;
CREATE INDEX deliveries_open ON deliveries (endpoint_id, msg_id)
  WHERE status IN ('pending', 'sending') AND parked;
CREATE INDEX deliveries_sending ON deliveries (endpoint_id) WHERE status = 'sending' AND parked;

CREATE FUNCTION hookline_endpoint_disabling() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries SET due_at = CASE WHEN NEW.disabled THEN NULL ELSE next_attempt_at END
  WHERE endpoint_id = NEW.id AND status = 'pending';
  RETURN NULL;
END
$$;
CREATE TRIGGER endpoints_disabling AFTER UPDATE OF disabled ON endpoints
  FOR EACH ROW WHEN (OLD.disabled IS DISTINCT FROM NEW.disabled)
  EXECUTE FUNCTION hookline_endpoint_disabling();
