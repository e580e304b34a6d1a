-- What-if parameters (issues 11 and 12): "param NAME = LITERAL" in a policy,
-- compensation.with_params(ruleset, jsonb) for other values, and
-- compensation.params(ruleset).  The scheme is the EU rail passengers'
-- rights regulation, (EU) 2021/782 Art. 19(1): 25% of the ticket price for
-- a delay of 60 to 119 minutes, 50% for 120 minutes or more; the what-if
-- asks what a 75% band for 120 minutes or more, or a 30-minute start,
-- would cost.
\set test lang_params
\i test/regress_preamble.sql
\set VERBOSITY default
SET TimeZone = 'UTC';

CREATE TABLE trips (id int, price numeric, delay_minutes int, booked date);
INSERT INTO trips VALUES
	(1, 33.30, 29, '2025-05-01'),
	(2, 33.30, 30, '2025-05-01'),
	(3, 33.30, 60, '2025-05-01'),	-- 25%: 8.325 -> 8.33
	(4, 33.30, 120, '2025-05-01'),	-- 50%: 16.65; at 75%: 24.975 -> 24.98
	(5, 33.30, 120, '2025-07-01');	-- booked from the start date on
CREATE TABLE p AS SELECT $$policy "lang_params/eu-rail" currency EUR
param start_minutes = 60
param band_60 = 25%
param band_120 = 50%
param from_date = 2025-01-01
param kind = 'rail'
param enabled = true
param window = 30 days
let late = delay_minutes
rule "delay"
  when enabled and late >= start_minutes and booked >= from_date and kind = 'rail'
  credit cash price * case when late < 120 then band_60 else band_120 end round half_up
    claim booked .. booked + window
end$$::compensation.ruleset AS r;
SELECT r FROM p;
SELECT * FROM compensation.params((SELECT r FROM p));

-- the policy as written, then with other values
SELECT t.id, compensation.evaluate(p.r, t) FROM trips t, p ORDER BY t.id;
SELECT t.id, compensation.evaluate(w.r, t)
FROM trips t, (SELECT compensation.with_params(r, '{"band_120": "75%", "start_minutes": 30}') AS r FROM p) w
ORDER BY t.id;
-- a JSON number is the number itself: 0.75 is 75%
SELECT compensation.amount(compensation.evaluate(compensation.with_params(p.r, '{"band_120": 0.75}'), t), 'cash')
FROM trips t, p WHERE t.id = 4;
-- a date, a duration, text and a boolean
SELECT t.id, compensation.evaluate(compensation.with_params(p.r,
	'{"from_date": "2025-06-01", "window": "14 days", "kind": "rail", "enabled": true}'), t)
FROM trips t, p WHERE t.id IN (4, 5) ORDER BY t.id;
SELECT count(*) FROM trips t, p
WHERE NOT compensation.is_empty(compensation.evaluate(compensation.with_params(p.r, '{"enabled": false}'), t));
-- the result is the policy that the edited text compiles to: it prints with
-- the new values, and equals that text's value; no override is the same value
SELECT compensation.with_params(r, '{"band_120": "75%"}') FROM p;
SELECT compensation.with_params(r, '{"band_120": "75%"}') OPERATOR(compensation.=)
	replace(r::text, 'param band_120 = 50%', 'param band_120 = 75%')::compensation.ruleset AS same_as_edited_text
FROM p;
SELECT compensation.with_params(r, '{}') OPERATOR(compensation.=) r AS unchanged,
	compensation.with_params(r, '{"band_60": "25%"}') OPERATOR(compensation.=) r AS same_value
FROM p;
-- a parameter is a let: a rule's let or a policy let may read it
SELECT compensation.evaluate(compensation.with_params($$policy "lang_params/let" currency EUR
param rate = 10%
let due = price * rate
rule "r" credit cash due end$$, '{"rate": "20%"}'), t) FROM trips t WHERE t.id = 1;

-- errors
SELECT compensation.with_params(r, '{"band_12": 0.75}') FROM p;
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"band_12": 0.75}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params('policy "x" currency EUR', '{"rate": 1}')$$);
SELECT compensation.with_params(r, '{"band_120": true}') FROM p;
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"band_120": true}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"band_120": "seventy"}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"band_120": "75% + 1"}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"band_120": null}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"from_date": 20250601}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"window": "2025-06-01"}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"kind": 5}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '{"enabled": "yes"}') FROM p$$);
SELECT pg_temp.err($$SELECT compensation.with_params(r, '[1]') FROM p$$);
-- an invalid date in an override: the syntax error says whose value it is
SELECT compensation.with_params(r, '{"from_date": "2025-02-30"}') FROM p;
-- a parameter's value is one literal; it is defined once
SELECT $$policy "p" currency EUR
param rate = 10% * 2$$::compensation.ruleset;
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR param rate = 10% * 2'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR param rate = price'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR param rate = 1 param rate = 2'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR let rate = 1 param rate = 2'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR param end = 2'::compensation.ruleset$$);
-- param is a word only at the start of a header line: a column may be named so
SELECT $$policy "lang_params/word" currency EUR rule "r" when param > 1 credit cash param end$$::compensation.ruleset;
