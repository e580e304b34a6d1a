-- The policies of examples/schemes/, compiled from their files and
-- evaluated against rows whose awards were computed by hand (the sources
-- are cited in each file).  The constructs themselves are tested in
-- lang_tables, lang_limits and lang_params.
\set test lang_examples
\i test/regress_preamble.sql
SET TimeZone = 'UTC';
\set sla `cat examples/schemes/aws-ec2-region-sla.policy`
\set appr `cat examples/schemes/canada-appr-delay.policy`
\set eu261 `cat examples/schemes/eu261-distance.policy`
\set rail `cat examples/schemes/eu-rail-delay.policy`

-- every file compiles, and its canonical form reads back equal
SELECT compensation.policy_name(r), r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip
FROM (VALUES (:'sla'::compensation.ruleset), (:'appr'), (:'eu261'), (:'rail')) AS v(r);

-- AWS: 99.99 nothing; 99.0 10%; 95.0 30%; 94.99 100% of 200.00
CREATE TABLE months (uptime numeric, bill numeric);
INSERT INTO months VALUES (99.99, 200), (99.98, 200), (99.0, 200), (98.99, 200), (95.0, 200), (94.99, 200);
SELECT m.uptime, compensation.evaluate(:'sla', m) FROM months m ORDER BY m.uptime DESC;

-- APPR: a small carrier, 9 h exactly: CAD 500; a large one, 5 h 59: CAD 400
CREATE TABLE flights (carrier_size text, scheduled timestamptz, arrived timestamptz);
INSERT INTO flights VALUES ('small', '2025-03-01 08:00-05', '2025-03-01 17:00-05'),
	('large', '2025-03-01 08:00-05', '2025-03-01 13:59-05');
SELECT f.carrier_size, compensation.evaluate(:'appr', f) FROM flights f ORDER BY 1;

-- EU261: 1500 km 250, 1501 km intra-EU 400, 3501 km extra-EU 600, not delayed 3 h: nothing
CREATE TABLE legs (distance_km int, intra_eu boolean, delayed_3h boolean);
INSERT INTO legs VALUES (1500, true, true), (1501, true, true), (3501, false, true), (3501, false, false);
SELECT l.*, compensation.evaluate(:'eu261', l) FROM legs l ORDER BY 1, 3 DESC;

-- EU rail: 59 min nothing; 60 min 25% of 33.30 = 8.325 -> 8.33; 120 min 50%
-- = 16.65; 60 min on a 12.00 ticket: 3.00, under the minimum 4.00; and at
-- 75% for 120 minutes (with_params): 24.975 -> 24.98
CREATE TABLE tickets (price numeric, delay_minutes int);
INSERT INTO tickets VALUES (33.30, 59), (33.30, 60), (33.30, 120), (12.00, 60);
SELECT t.*, compensation.evaluate(:'rail', t) AS as_published,
	compensation.evaluate(compensation.with_params(:'rail', '{"band_120": "75%"}'), t) AS at_75
FROM tickets t ORDER BY 2, 1;
