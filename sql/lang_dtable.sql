-- Decision tables (issue 11): DMN-style, over several inputs, with cells
-- of values, ranges, comparisons, lists and "any", a hit policy (unique,
-- first, collect) and an else.
--
-- The scheme: Regulation (EC) No 261/2004, Art. 7.  (1) EUR 250 for
-- flights of 1500 km or less, EUR 400 for intra-Community flights of more
-- than 1500 km and all other flights between 1500 and 3500 km, EUR 600 for
-- all others.  (2) When the passenger is re-routed and arrives no later
-- than 2 hours (flights of 1500 km or less), 3 hours (the 400 band) or
-- 4 hours (the others) after the scheduled time, the carrier may reduce
-- the compensation by 50%.  rerouted_delay is NULL for a passenger who was
-- not re-routed.
\set test lang_dtable
\i test/regress_preamble.sql
\set VERBOSITY default
SET TimeZone = 'UTC';

CREATE TABLE legs (id int, distance_km int, intra_eu boolean, rerouted_delay numeric);
INSERT INTO legs VALUES
	(1, 1200, false, 1.5),	-- 125 (re-routed within 2 h)
	(2, 1200, false, null),	-- 250
	(3, 1200, false, 2.0),	-- 125 (exactly 2 h does not exceed 2 h)
	(4, 1200, false, 2.5),	-- 250
	(5, 2000, true, 3.0),	-- 200
	(6, 2000, true, null),	-- 400
	(7, 3000, false, 3.5),	-- 400
	(8, 5000, false, 4.0),	-- 300
	(9, 5000, false, 4.5),	-- 600
	(10, 5000, true, 3.5),	-- 400 (intra-Community, more than 3 h)
	(11, null, true, null);	-- no distance: only rows of "any" distance: 400
CREATE TABLE p AS SELECT $$policy "lang_dtable/eu261-art7" currency EUR
rule "compensation"
  credit cash table (distance_km, intra_eu, rerouted_delay) first
    when <= 1500,      any,  <= 2 then 125
    when <= 1500,      any,  any  then 250
    when 1500 .. 3500, any,  <= 3 then 200
    when > 1500,       true, <= 3 then 200
    when 1500 .. 3500, any,  any  then 400
    when any,          true, any  then 400
    when any,          any,  <= 4 then 300
    else 600
  end
end$$::compensation.ruleset AS r;
SELECT r FROM p;
SELECT l.id, compensation.amount(compensation.evaluate(p.r, l), 'cash') / 100 AS eur
FROM legs l, p ORDER BY l.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p;
-- explain shows the row that matched
SELECT l.id, e.detail, e.award FROM legs l, p, compensation.explain(p.r, l) e
WHERE l.id IN (1, 6, 9) ORDER BY l.id;

-- hit unique (the default): two rows that match are an error (21000), one is fine
CREATE TABLE fares (id int, class text, fare numeric);
INSERT INTO fares VALUES (1, 'first', 100), (2, 'second', 100), (3, 'second', 5);
SELECT f.id, compensation.evaluate($$policy "lang_dtable/unique" currency EUR
rule "r" credit cash table (class, fare)
  when 'first', any then fare * 20%
  when in ('second', 'sleeper'), >= 10 then fare * 10%
end end$$, f) FROM fares f ORDER BY f.id;
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR rule "r" credit cash table (class, fare) when any, any then 1 when ''first'', any then 2 end end', f) FROM fares f$$);
SELECT compensation.evaluate('policy "p" currency EUR rule "r" credit cash table (class, fare) when any, any then 1 when ''first'', any then 2 end end', f) FROM fares f WHERE id = 1;
-- hit collect: the sum of the outputs of every row that matches
SELECT f.id, compensation.evaluate($$policy "lang_dtable/collect" currency EUR
rule "r" credit cash table (class, fare) collect
  when any, >= 50 then 5
  when 'first', any then 10
  when any, 0 ..< 10 then none
end end$$, f) FROM fares f ORDER BY f.id;

-- errors
SELECT $$policy "p" currency EUR
rule "r" credit cash table (a, b)
  when 1 then 2
end end$$::compensation.ruleset;
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash table (a, b) when 1 then 2 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash table (a) when 1, 2 then 2 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash table (a) else 1 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash table (a) when 1 2 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR rule "r" credit cash table (class) when 1 then 2 end end', f) FROM fares f$$);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR rule "r" credit cash table (class) collect when any then ''x'' end end', f) FROM fares f$$);
-- table, any: words only there; a column named any is a quoted cell value
SELECT $$policy "lang_dtable/words" currency EUR
rule "r" when table > any credit cash table ("any") when "any" then 1 end end$$::compensation.ruleset;
