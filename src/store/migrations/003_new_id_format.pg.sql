-- core/ids.ts changed format (48-bit milliseconds, then two 40-bit random
-- halves, base62 at widths 9 + 7 + 7): hookline_new_id follows, so ids made
-- in SQL (deliveries beyond the ones premade by the accepting process) keep the
-- same width and order as every other id. Plain bigint arithmetic now.
CREATE OR REPLACE FUNCTION hookline_new_id(prefix text, ms bigint) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
  alphabet constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  -- Bytes 0-4 and 10-14 of a version 4 UUID are all random (version and variant bits live in 6 and 8).
  rnd bytea := uuid_send(gen_random_uuid());
  hi bigint := ((get_byte(rnd, 0)::bigint << 32) | (get_byte(rnd, 1)::bigint << 24)
    | (get_byte(rnd, 2)::bigint << 16) | (get_byte(rnd, 3)::bigint << 8) | get_byte(rnd, 4)) >> 1;
  lo bigint := (get_byte(rnd, 10)::bigint << 32) | (get_byte(rnd, 11)::bigint << 24)
    | (get_byte(rnd, 12)::bigint << 16) | (get_byte(rnd, 13)::bigint << 8) | get_byte(rnd, 14);
  parts bigint[] := ARRAY[ms, hi, lo];
  widths integer[] := ARRAY[9, 7, 7];
  out text := '';
  chunk text;
  n bigint;
  i integer;
  j integer;
BEGIN
  FOR i IN 1..3 LOOP
    n := parts[i];
    chunk := '';
    FOR j IN 1..widths[i] LOOP
      chunk := substr(alphabet, (n % 62)::integer + 1, 1) || chunk;
      n := n / 62;
    END LOOP;
    out := out || chunk;
  END LOOP;
  RETURN prefix || '_' || out;
END
$$;
