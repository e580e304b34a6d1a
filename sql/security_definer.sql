-- Privileged code never runs what a less privileged role defined (DESIGN.md,
-- law 6).  The SECURITY DEFINER functions run as the extension owner (the
-- superuser who ran CREATE EXTENSION); 0.1.0's trigger called to_jsonb(NEW)
-- (which calls a CAST (type AS json)) and key::text (a CAST (type AS
-- text)), both of which a table owner can define for a type it owns: a
-- compensation_admin made itself superuser that way.  Here a hostile role
-- defines every such hook on its own types, each of which would make it
-- superuser if it ran as one, and drives every privileged path with them.
SET client_min_messages = warning;
DROP ROLE IF EXISTS sd_hostile;
RESET client_min_messages;
CREATE ROLE sd_hostile;
GRANT compensation_admin, compensation_issuer TO sd_hostile;
CREATE SCHEMA sd_hostile AUTHORIZATION sd_hostile;
SET ROLE sd_hostile;
SET search_path = sd_hostile;

-- The hook: if it ever runs as a superuser, it makes sd_hostile one.
CREATE FUNCTION escalate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'ALTER ROLE sd_hostile SUPERUSER';
	END IF;
END $$;
CREATE TYPE mood AS ENUM ('calm', 'angry');
CREATE FUNCTION mood_json(mood) RETURNS json LANGUAGE plpgsql AS $$
BEGIN PERFORM sd_hostile.escalate(); RETURN to_json($1::name); END $$;
CREATE FUNCTION mood_text(mood) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM sd_hostile.escalate(); RETURN $1::name::text; END $$;
CREATE CAST (mood AS json) WITH FUNCTION mood_json(mood);
CREATE CAST (mood AS text) WITH FUNCTION mood_text(mood);
-- An operator on the key type, for any comparison made on it.
CREATE FUNCTION mood_eq(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sd_hostile.escalate(); RETURN $1::name OPERATOR(pg_catalog.=) $2::name; END $$;
CREATE OPERATOR = (LEFTARG = mood, RIGHTARG = mood, FUNCTION = mood_eq);
-- A domain whose check runs the hook.
CREATE FUNCTION ok(integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM sd_hostile.escalate(); RETURN true; END $$;
CREATE DOMAIN hostile_int AS integer CHECK (ok(VALUE));

SELECT compensation.define_policy($p$
policy "sd-hostile"
currency KRW
rule "angry"
  when mood = 'angry'
  credit points 100
end
$p$) IS NOT NULL AS defined;
SELECT compensation.publish('sd-hostile') IS NOT NULL AS published;
SELECT compensation.define_policy(replace(compensation.rules('sd-hostile')::text,
	'"sd-hostile"', '"sd-hostile-bulk"')) IS NOT NULL AS defined;
SELECT compensation.publish('sd-hostile-bulk') IS NOT NULL AS published;

-- The row trigger: the key is the hostile enum, another column too.
CREATE TABLE by_mood (key mood PRIMARY KEY, mood mood NOT NULL, n hostile_int);
CREATE TRIGGER pay AFTER INSERT OR UPDATE ON by_mood
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('sd-hostile', 'key');
INSERT INTO by_mood VALUES ('calm', 'angry', 1);
UPDATE by_mood SET mood = 'calm';
UPDATE by_mood SET mood = 'angry', key = 'angry';
SELECT rolsuper AS became_superuser FROM pg_roles WHERE rolname = 'sd_hostile';

-- The statement triggers, with transition tables.
CREATE TABLE by_mood_bulk (key mood PRIMARY KEY, mood mood NOT NULL, n hostile_int);
CREATE TRIGGER pay_ins AFTER INSERT ON by_mood_bulk REFERENCING NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('sd-hostile-bulk', 'key');
CREATE TRIGGER pay_upd AFTER UPDATE ON by_mood_bulk REFERENCING OLD TABLE AS o NEW TABLE AS n
	FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('sd-hostile-bulk', 'key');
INSERT INTO by_mood_bulk VALUES ('calm', 'angry', 1), ('angry', 'calm', 2);
UPDATE by_mood_bulk SET mood = CASE mood WHEN 'calm' THEN 'angry'::mood ELSE 'calm' END;
SELECT rolsuper AS became_superuser FROM pg_roles WHERE rolname = 'sd_hostile';

-- issue() and issue_all with the hostile row type (issue_all runs with
-- the caller's rights: its own casts may run, as the caller).
SELECT count(*) AS lines FROM by_mood r, compensation.issue('sd-hostile', 'direct', r) l;
SET client_min_messages = warning;
CALL compensation.issue_all('sd-hostile', 'by_mood', 'key');
RESET client_min_messages;
SELECT rolsuper AS became_superuser FROM pg_roles WHERE rolname = 'sd_hostile';

-- What was paid: one subject per key, named by the label.
SELECT subject, rule, amount, reverses IS NOT NULL AS reversal
FROM compensation.ledger WHERE policy = 'sd-hostile' ORDER BY id;
SELECT subject, rule, amount, reverses IS NOT NULL AS reversal
FROM compensation.ledger WHERE policy = 'sd-hostile-bulk' ORDER BY id;

-- A key type whose text form no rule here fixes is refused before anything
-- is written (a composite, say).
CREATE TYPE pair AS (a integer, b integer);
CREATE TABLE by_pair (key pair PRIMARY KEY, mood mood);
CREATE TRIGGER pay AFTER INSERT ON by_pair
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('sd-hostile', 'key');
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO by_pair VALUES (ROW(1, 2), 'angry');

RESET ROLE;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_hostile CASCADE;
RESET client_min_messages;
DROP ROLE sd_hostile;
