-- Bad input found by the fuzz targets (test/fuzz): damaged stored ruleset
-- values.  A ruleset value only ever comes from policy text, but a value
-- read from disk is checked again before anything follows an index in it
-- (a damaged page, a value written by another format): every function that
-- reads one refuses a damaged value with XX001 (or 0A000 for another
-- format), and never reads outside it.
--
-- A damaged value is made here the only way SQL can: a varlena type with
-- bytea's input and output, cast to compensation.ruleset WITHOUT FUNCTION
-- (superuser only), standing in for bytes read back from a table.
\set test bad_input_fuzz
\i test/regress_preamble.sql
\set SHOW_CONTEXT never

CREATE TYPE raw;
CREATE FUNCTION raw_in(cstring) RETURNS raw AS 'byteain' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION raw_out(raw) RETURNS cstring AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE raw (INPUT = raw_in, OUTPUT = raw_out, INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double, STORAGE = extended);
CREATE CAST (raw AS compensation.ruleset) WITHOUT FUNCTION;
CREATE CAST (compensation.ruleset AS raw) WITHOUT FUNCTION;

-- bytes(r): the bytes of a ruleset after its length word; damaged(b): those
-- bytes as a ruleset (IMMUTABLE, so a constant folds to a Const, which the
-- planner's rewrite of evaluate() over a table reads too).  le8(n): n as 8
-- little-endian bytes.
CREATE FUNCTION bytes(r compensation.ruleset) RETURNS bytea LANGUAGE sql
	IMMUTABLE AS $$ SELECT decode(substr(r::raw::text, 3), 'hex') $$;
CREATE FUNCTION damaged(b bytea) RETURNS compensation.ruleset LANGUAGE sql
	IMMUTABLE AS $$ SELECT ('\x' || encode(b, 'hex'))::raw::compensation.ruleset $$;
CREATE FUNCTION le8(n bigint) RETURNS bytea LANGUAGE sql
	AS $$ SELECT decode(string_agg(lpad(to_hex((n >> (8 * i)) & 255), 2, '0'), '' ORDER BY i), 'hex')
	      FROM generate_series(0, 7) i $$;
-- le4(b, off): the int32 at byte off (0-based) of b
CREATE FUNCTION le4(b bytea, off int) RETURNS int LANGUAGE sql
	AS $$ SELECT get_byte(b, off) | (get_byte(b, off + 1) << 8) | (get_byte(b, off + 2) << 16)
	             | (get_byte(b, off + 3) << 24) $$;

CREATE TABLE orders (id int, service text, price numeric);
INSERT INTO orders VALUES (1, 'ticket', 1000);

CREATE TABLE good AS SELECT bytes($$policy "p" currency KRW timezone "UTC"
outage 2025-06-09 .. 2025-06-13
rule "r" when service = 'ticket' credit points 1 end$$) AS b;

-- The bytes really are the value: unchanged, they read back as it.
SELECT damaged(b)::text = $$policy "p" currency KRW timezone "UTC"
outage 2025-06-09 .. 2025-06-13
rule "r" when service = 'ticket' credit points 1 end$$::compensation.ruleset::text AS same,
	compensation.evaluate(damaged(b), o) AS award
FROM good, orders o;

-- A negative section count (byte 40 is n_nodes): the check comes before any
-- offset is computed from it (the offsets wrapped around: undefined
-- behaviour), and output, send and the accessors check too; policy_name()
-- of such a value crashed the server.
CREATE TABLE neg AS SELECT overlay(b PLACING '\xffffffff'::bytea FROM 41) AS b FROM good;
SELECT what, pg_temp.err(format(q, quote_literal(neg.b::text))) AS result
FROM neg, (VALUES
	('evaluate over a table', 'SELECT compensation.evaluate(test_bad_input_fuzz.damaged(%s), o) FROM test_bad_input_fuzz.orders o'),
	('evaluate, whole row', 'SELECT compensation.evaluate(test_bad_input_fuzz.damaged(%s), ROW(1, ''x'', 1)::test_bad_input_fuzz.orders)'),
	('explain', 'SELECT * FROM compensation.explain(test_bad_input_fuzz.damaged(%s), ROW(1, ''x'', 1)::test_bad_input_fuzz.orders)'),
	('text', 'SELECT test_bad_input_fuzz.damaged(%s)::text'),
	('send', 'SELECT compensation.ruleset_send(test_bad_input_fuzz.damaged(%s))'),
	('policy_name', 'SELECT compensation.policy_name(test_bad_input_fuzz.damaged(%s))'),
	('rule_count', 'SELECT compensation.rule_count(test_bad_input_fuzz.damaged(%s))')
) AS t(what, q)
ORDER BY what;

-- A string offset past the string pool (the policy name, byte 12).
SELECT pg_temp.err(format('SELECT compensation.policy_name(test_bad_input_fuzz.damaged(%s))',
		quote_literal(overlay(b PLACING '\xffffff7f'::bytea FROM 13)::text))) AS policy_name,
	pg_temp.err(format('SELECT test_bad_input_fuzz.damaged(%s)::text',
		quote_literal(overlay(b PLACING '\xffffff7f'::bytea FROM 13)::text))) AS text
FROM good;

-- Another format (bytes 0-3): not supported, with a hint to recompile.
SELECT pg_temp.err(format('SELECT test_bad_input_fuzz.damaged(%s)::text',
		quote_literal(overlay(b PLACING '\x02000000'::bytea FROM 1)::text))) AS text
FROM good;

-- An outage window whose start is near the lowest int64: its length
-- overflowed (undefined; with the server's -fwrapv it wrapped to a
-- negative length) before the check "outage too long" could see it.  The
-- windows follow the header (76 bytes here) and the nodes (32 bytes each,
-- n_nodes at byte 40); a window's start instant is at byte 16 of it.
SELECT pg_temp.err(format('SELECT compensation.evaluate(test_bad_input_fuzz.damaged(%s), o) FROM test_bad_input_fuzz.orders o',
		quote_literal(overlay(b PLACING le8(-9223372036854775807) FROM 76 + 32 * le4(b, 40) + 16 + 1)::text)))
	AS outage_start_far_out
FROM good;

-- A decision-table cell whose expression starts with a column named any
-- ("any" % is that column as a percentage): the canonical text printed it
-- bare, any%, which reads back as the any cell and a stray % (42601), so a
-- received ruleset did not send and receive again.  Such a cell is now put
-- in parentheses, and each of these reads back to the same value.
SELECT t.input, t.cell, regexp_replace(r::text, '^.* when (.*) then 1 end.*$', '\1') AS printed,
	compensation.ruleset_send(compensation.ruleset_in(r::text::cstring)) = compensation.ruleset_send(r) AS reads_back
FROM (VALUES ('"any"', '"any" %'), ('"any"', '"any" + 1 .. 5'), ('"any"', '> "any" * 2'),
		('"any"', '"any"'), ('"any"', 'any'), ('"ANY"', '"ANY" - 1'), ('anyhow', 'anyhow')) AS t(input, cell),
	LATERAL (SELECT compensation.ruleset_in(format(E'policy "fuzz/any"\ncurrency EUR\nrule "r"\n  credit cash table (%s) when %s then 1 end\nend',
		t.input, t.cell)::cstring) AS r) x;

-- The casts above reach outside the schema: drop them with it.
DROP SCHEMA test_bad_input_fuzz CASCADE;
