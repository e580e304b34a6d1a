-- What the differential test (test/t/002_oracle.pl) found, each reduced to
-- the smallest case that fails on the code it was found in.
CREATE EXTENSION IF NOT EXISTS compensation;
CREATE SCHEMA oracle_findings;
SET search_path = oracle_findings, public;
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE r (id int, n numeric);
INSERT INTO r VALUES (1, -5), (2, 5), (3, NULL);

-- 1. hit unique: two rules match row 1, and the first one's award would be
-- negative.  evaluate() raises 21000 (two matches: no award is computed);
-- explain() computed the first rule's award as soon as it matched and
-- raised 22000 "negative award" instead (seen 68 times in 10,000 cases).
-- Both must raise 21000.
CREATE TABLE p1 AS SELECT $$
policy "unique" currency USD
hit unique
rule "a" when n < 0 credit cash n end
rule "b" when n < 0 or n > 0 flag b end
$$::compensation.ruleset AS rules;
SELECT pg_temp.err('SELECT compensation.evaluate(p1.rules, r) FROM r, p1 WHERE r.id = 1') AS evaluate;
SELECT pg_temp.err('SELECT compensation.explain(p1.rules, r) FROM r, p1 WHERE r.id = 1') AS explain;
-- One match: the award is computed, by both (row 2: b; row 3: nothing).
SELECT r.id, e.rule_no, e.rule, e.matched, e.award
FROM r, p1, compensation.explain(p1.rules, r) e WHERE r.id > 1 ORDER BY r.id, e.rule_no;
SELECT r.id, compensation.evaluate(p1.rules, r) FROM r, p1 WHERE r.id > 1 ORDER BY r.id;
-- The one matching rule's own error is the same in both.
CREATE TABLE p2 AS SELECT $$
policy "unique" currency USD
hit unique
rule "a" when n > 100 flag a end
rule "b" when n < 0 credit cash n end
rule "c" when n > 100 flag c end
$$::compensation.ruleset AS rules;
SELECT pg_temp.err('SELECT compensation.evaluate(p2.rules, r) FROM r, p2 WHERE r.id = 1') AS evaluate;
SELECT pg_temp.err('SELECT compensation.explain(p2.rules, r) FROM r, p2 WHERE r.id = 1') AS explain;
-- The matching rule's lines sit with it, whatever its place.
CREATE TABLE p3 AS SELECT $$
policy "unique" currency USD
hit unique
rule "a" when n < 0 flag a end
rule "b" when n > 0 credit cash n flag b end
rule "c" when n > 100 flag c end
$$::compensation.ruleset AS rules;
SELECT r.id, e.rule_no, e.rule, e.matched, e.award
FROM r, p3, compensation.explain(p3.rules, r) e ORDER BY r.id, e.rule_no;
SELECT r.id, compensation.evaluate(p3.rules, r) FROM r, p3 ORDER BY r.id;

-- 2. A column in minor units (issue 11) that holds NaN or an infinity:
-- read in major units, NaN is 22000 and an infinity 22003, each saying
-- what the column holds; declared "column m minor", both were 22003 "out
-- of range" (seeds 4242 and 20261201, with the oracle's minor columns).
-- The same value gives the same error either way.
CREATE TABLE nan (id int, m numeric);
INSERT INTO nan VALUES (1, 'NaN'), (2, 'Infinity'), (3, '-Infinity'), (4, 1e30), (5, 1234);
SELECT n.id, pg_temp.err(format('SELECT compensation.evaluate(%L::compensation.ruleset, n) FROM nan n WHERE n.id = %s',
         'policy "minor" currency USD rule "r" credit cash m end', n.id)) AS major,
       pg_temp.err(format('SELECT compensation.evaluate(%L::compensation.ruleset, n) FROM nan n WHERE n.id = %s',
         'policy "minor" currency USD column m minor rule "r" credit cash m end', n.id)) AS minor
FROM nan n ORDER BY n.id;
SELECT n.id, compensation.evaluate('policy "minor" currency USD column m minor rule "r" credit cash m end', n)
FROM nan n WHERE n.id = 5;

DROP SCHEMA oracle_findings CASCADE;
