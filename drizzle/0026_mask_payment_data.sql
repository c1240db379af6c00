-- Masks payment card numbers and IBANs already stored, as ingest now masks them before storing
-- (packages/core/src/protocols/mask-personal-data.ts). A custom SQL migration, not a data migration in TypeScript:
-- the migrator runs SQL files only, in one transaction with the schema change, with no application code loaded;
-- and PostgreSQL rewrites the rows where they are. The rules are the TypeScript ones (13–19 digits in groups joined
-- by single spaces, dashes or invisible characters, Luhn-valid, longest from each start; ISO 13616 IBANs, longest valid prefix);
-- tests/ingest/personal-data.int.test.ts runs both on the same cases and expects the same text.
CREATE OR REPLACE FUNCTION luhn_valid(digits text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  total int := 0;
  digit int;
  n int := length(digits);
BEGIN
  IF n = 0 THEN RETURN false; END IF;
  FOR i IN 0..n - 1 LOOP
    digit := substr(digits, n - i, 1)::int;
    IF i % 2 = 1 THEN
      digit := digit * 2;
      IF digit > 9 THEN digit := digit - 9; END IF;
    END IF;
    total := total + digit;
  END LOOP;
  RETURN total % 10 = 0;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION iban_valid(compact text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  rearranged text;
  remainder int := 0;
  c text;
BEGIN
  IF compact !~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' THEN RETURN false; END IF;
  rearranged := substr(compact, 5) || substr(compact, 1, 4);
  FOR i IN 1..length(rearranged) LOOP
    c := substr(rearranged, i, 1);
    IF c ~ '[0-9]' THEN
      remainder := (remainder * 10 + c::int) % 97;
    ELSE
      remainder := (remainder * 100 + ascii(c) - 55) % 97;
    END IF;
  END LOOP;
  RETURN remainder = 1;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mask_card_numbers(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  -- Groups joined by a space, a dash or an invisible character (zero-width, bidi control, soft hyphen).
  separator constant text := '[- \u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]';
  run_pattern constant text := '[0-9]+(' || separator || '[0-9]+)*';
  result text := '';
  pos int := 1;
  s int;
  run text;
  groups text[];
  offsets int[];
  n int;
  k int;
  at int;
  digits text;
  found_end int;
  found_digits text;
  masked text;
BEGIN
  LOOP
    s := regexp_instr(t, run_pattern, pos);
    EXIT WHEN s = 0;
    run := regexp_substr(t, run_pattern, pos);
    result := result || substr(t, pos, s - pos);
    groups := regexp_split_to_array(run, separator);
    n := array_length(groups, 1);
    offsets := ARRAY[0];
    FOR g IN 2..n LOOP
      offsets := offsets || (offsets[g - 1] + length(groups[g - 1]) + 1);
    END LOOP;
    masked := '';
    at := 0;
    k := 1;
    WHILE k <= n LOOP
      digits := '';
      found_end := 0;
      FOR e IN k..n LOOP
        EXIT WHEN length(digits) > 19;
        digits := digits || groups[e];
        IF length(digits) BETWEEN 13 AND 19 AND luhn_valid(digits) THEN
          found_end := e;
          found_digits := digits;
        END IF;
      END LOOP;
      IF found_end > 0 THEN
        masked := masked || substr(run, at + 1, offsets[k] - at) || '•••• •••• •••• ' || right(found_digits, 4);
        at := offsets[found_end] + length(groups[found_end]);
        k := found_end + 1;
      ELSE
        k := k + 1;
      END IF;
    END LOOP;
    result := result || masked || substr(run, at + 1);
    pos := s + length(run);
  END LOOP;
  RETURN result || substr(t, pos);
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION mask_ibans(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  candidate_pattern constant text := '[A-Za-z]{2}[0-9]{2}([ -]?[A-Za-z0-9]){11,30}';
  result text := '';
  pos int := 1;
  s int;
  candidate text;
  valid_length int;
  compact text;
BEGIN
  LOOP
    s := regexp_instr(t, candidate_pattern, pos);
    EXIT WHEN s = 0;
    candidate := regexp_substr(t, candidate_pattern, pos);
    IF s > 1 AND substr(t, s - 1, 1) ~ '[[:alnum:]]' THEN
      -- Inside a longer word: not an IBAN; look again from the next character.
      result := result || substr(t, pos, s - pos + 1);
      pos := s + 1;
      CONTINUE;
    END IF;
    valid_length := 0;
    FOR e IN REVERSE length(candidate)..15 LOOP
      CONTINUE WHEN substr(candidate, e, 1) !~ '[A-Za-z0-9]';
      compact := upper(replace(replace(substr(candidate, 1, e), ' ', ''), '-', ''));
      IF length(compact) BETWEEN 15 AND 34 AND iban_valid(compact) THEN
        valid_length := e;
        EXIT;
      END IF;
    END LOOP;
    result := result || substr(t, pos, s - pos);
    IF valid_length = 0 THEN
      result := result || candidate;
    ELSE
      result := result || substr(compact, 1, 2) || '•• •••• •••• ' || right(compact, 4) || substr(candidate, valid_length + 1);
    END IF;
    pos := s + length(candidate);
  END LOOP;
  RETURN result || substr(t, pos);
END $$;
--> statement-breakpoint
-- IBANs first (their digits could pass for a card number), as at ingest.
CREATE OR REPLACE FUNCTION mask_payment_data(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT mask_card_numbers(mask_ibans(t)) $$;
--> statement-breakpoint
-- Every string inside a JSON document (audit before/after, hand-over packets); keys and numbers are left alone.
CREATE OR REPLACE FUNCTION mask_payment_data(j jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  CASE jsonb_typeof(j)
    WHEN 'string' THEN RETURN to_jsonb(mask_payment_data(j #>> '{}'));
    WHEN 'object' THEN
      RETURN coalesce((SELECT jsonb_object_agg(key, mask_payment_data(value)) FROM jsonb_each(j)), '{}'::jsonb);
    WHEN 'array' THEN
      RETURN coalesce((SELECT jsonb_agg(mask_payment_data(value) ORDER BY ordinality)
        FROM jsonb_array_elements(j) WITH ORDINALITY), '[]'::jsonb);
    ELSE RETURN j;
  END CASE;
END $$;
--> statement-breakpoint
-- Row-level security is forced on these tables, for their owner too: lifted for the rewrite, inside this transaction.
ALTER TABLE "items" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "items" AS i SET
  "title" = mask_payment_data(i."title"),
  "body" = mask_payment_data(i."body"),
  "author_display_name" = mask_payment_data(i."author_display_name"),
  "pii_flags" = array(SELECT DISTINCT f FROM unnest(i."pii_flags" || array_remove(ARRAY[
    CASE WHEN mask_ibans(src.t) <> src.t THEN 'pii:iban' END,
    CASE WHEN mask_card_numbers(mask_ibans(src.t)) <> mask_ibans(src.t) THEN 'pii:card' END
  ], NULL)) AS f ORDER BY f)
FROM (SELECT "id", concat_ws(' ', "title", "body", "author_display_name") AS t FROM "items") AS src
WHERE src."id" = i."id" AND src.t ~ '[0-9]{2}' AND mask_payment_data(src.t) <> src.t;
--> statement-breakpoint
ALTER TABLE "items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "customers" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "customers" SET "display_name" = mask_payment_data("display_name")
WHERE "display_name" ~ '[0-9]{2}' AND mask_payment_data("display_name") <> "display_name";
--> statement-breakpoint
ALTER TABLE "customers" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_events" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "audit_events" SET "before" = mask_payment_data("before"), "after" = mask_payment_data("after")
WHERE concat_ws(' ', "before"::text, "after"::text) ~ '[0-9]{2}'
  AND (mask_payment_data("before") IS DISTINCT FROM "before" OR mask_payment_data("after") IS DISTINCT FROM "after");
--> statement-breakpoint
ALTER TABLE "audit_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "escalations" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "escalations" SET "packet" = mask_payment_data("packet")
WHERE "packet"::text ~ '[0-9]{2}' AND mask_payment_data("packet") <> "packet";
--> statement-breakpoint
ALTER TABLE "escalations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "replies" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "replies" SET "body" = mask_payment_data("body")
WHERE "body" ~ '[0-9]{2}' AND mask_payment_data("body") <> "body";
--> statement-breakpoint
ALTER TABLE "replies" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "item_notes" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "item_notes" SET "body" = mask_payment_data("body")
WHERE "body" ~ '[0-9]{2}' AND mask_payment_data("body") <> "body";
--> statement-breakpoint
ALTER TABLE "item_notes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "notifications" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "notifications" SET "title" = mask_payment_data("title"), "body" = mask_payment_data("body")
WHERE concat_ws(' ', "title", "body") ~ '[0-9]{2}'
  AND mask_payment_data(concat_ws(' ', "title", "body")) <> concat_ws(' ', "title", "body");
--> statement-breakpoint
ALTER TABLE "notifications" FORCE ROW LEVEL SECURITY;
