\set test award_json
\i test/regress_preamble.sql
-- Nothing here may depend on the session's settings: the zone and date
-- style are set to something unusual on purpose, and changed mid-test.
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';

--
-- award -> json / jsonb: one object, every key on every line
--
CREATE TABLE award_texts (id int, t text);
INSERT INTO award_texts VALUES
 (1, 'KRW {}'),
 (2, '{}'),
 (3, 'KRW {"R1-ticket": credit deposit 118800; "R1-fee": waive fee 15400; "R1-ebook": extend rental_end +5 days -> 2025-06-25 00:00:00+09; "R1-return": flag free_return claim 2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09; "R2-voucher": grant voucher 5000 valid 2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09; "R9": review ''case review''}'),
 (4, 'USD {"a": credit deposit 123.45; "b": credit points 500 units; "c": waive fee -0.05 x3; "d": extend due to 2025-01-01 12:30:00.5+05:30; "e": extend due by outage +1 day -> 2025-01-02 00:00:00-03:30; "f": extend due to; "g": grant coupon 1 unit +30 days}'),
 (5, '{"we""ird": flag "sp ace"; "r": review; "k": flag "claim"; "z": grant "x12" -3 days; "q": review ''it''''s "odd"\''}'),
 (6, 'BHD {"max": credit deposit 9223372036854775.807; "min": credit deposit -9223372036854775.808; "small": credit deposit 0.001}'),
 (7, 'JPY {"t": extend d -> infinity claim -infinity ..< 0044-03-15 12:00:00+00:19:32 BC}'),
 (8, 'EUR {"ü-rule": credit "dépôt" 0.10 x9223372036854775807}'),
 (9, 'USD {"cents": credit cash 12.34; "yen-like": credit cash 15400.00}');

SELECT id, t::compensation.award::json AS json FROM award_texts ORDER BY id;

-- jsonb: the same object (jsonb orders keys its own way)
SELECT id, jsonb_pretty(t::compensation.award::jsonb) AS jsonb FROM award_texts WHERE id IN (1, 3) ORDER BY id;
SELECT id, compensation.award_to_json(t::compensation.award)::jsonb
           = compensation.award_to_jsonb(t::compensation.award) AS same
FROM award_texts ORDER BY id;

-- Amounts: minor units are exact integers, major units exact decimals with
-- the currency's digits (JSON numbers: jsonb keeps them as numeric).
SELECT id, l->>'rule' AS rule, l->'amount' AS amount, l->'amount_major' AS amount_major,
       jsonb_typeof(l->'amount') AS amount_type, jsonb_typeof(l->'amount_major') AS major_type
FROM award_texts, jsonb_array_elements(t::compensation.award::jsonb->'lines') l
WHERE id IN (3, 4, 6, 9) AND l->'amount' <> 'null' ORDER BY id, rule;

-- The JSON does not depend on the session: the same text under other
-- settings.
CREATE TABLE json_utc AS SELECT id, t::compensation.award::json::text AS j FROM award_texts;
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'German';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -3;
SELECT count(*) AS differ FROM award_texts a JOIN json_utc u USING (id)
WHERE a.t::compensation.award::json::text <> u.j;
-- nor does the award's text
SELECT count(*) AS text_differs FROM award_texts WHERE t::compensation.award::text <> t;
RESET IntervalStyle;
RESET extra_float_digits;
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';

-- to_json(), to_jsonb(), row_to_json() and jsonb_agg() use the cast: an
-- award inside a row is an object, not a JSON string.
SELECT to_jsonb(t::compensation.award) = t::compensation.award::jsonb AS to_jsonb_uses_cast,
       to_json(t::compensation.award)::text = t::compensation.award::json::text AS to_json_uses_cast,
       jsonb_typeof(to_jsonb(t::compensation.award)) AS type
FROM award_texts WHERE id = 3;
SELECT row_to_json(r) FROM (SELECT 7 AS order_id, 'KRW {"R1": credit deposit 1188}'::compensation.award AS award) r;
SELECT jsonb_agg(a ORDER BY id) FROM (SELECT id, t::compensation.award AS a FROM award_texts WHERE id IN (1, 2)) s;
-- the casts are explicit: an award is not stored into a json column unasked
CREATE TABLE json_col (j json);
SELECT pg_temp.err($$INSERT INTO json_col SELECT 'KRW {}'::compensation.award$$);
SELECT castcontext FROM pg_cast
WHERE castsource = 'compensation.award'::regtype AND casttarget IN ('json'::regtype, 'jsonb'::regtype);

--
-- Round trip: the fields of the JSON are lines(), line for line
--
CREATE FUNCTION pg_temp.json_lines(a compensation.award)
RETURNS TABLE (rule text, kind text, instrument text, amount bigint,
	amount_major numeric, currency text, days integer, new_date timestamptz,
	window_kind text, window_from timestamptz, window_until timestamptz, note text, count bigint,
	bearer text, ordinality bigint)
LANGUAGE sql AS $$
	SELECT l->>'rule', l->>'kind', l->>'instrument', (l->>'amount')::bigint,
		(l->>'amount_major')::numeric,
		CASE WHEN l->>'unit' = 'money' THEN a::jsonb->>'currency' END,
		(l->>'days')::int, (l->>'new_date')::timestamptz,
		l->'window'->>'kind', (l->'window'->>'from')::timestamptz,
		(l->'window'->>'until')::timestamptz, l->>'note', (l->>'count')::bigint, l->>'bearer', n
	FROM jsonb_array_elements(a::jsonb->'lines') WITH ORDINALITY AS e(l, n)
$$;
SELECT id,
       (SELECT count(*) FROM compensation.lines(t::compensation.award)) AS lines,
       (SELECT count(*) FROM (
           SELECT * FROM compensation.lines(t::compensation.award) WITH ORDINALITY
           EXCEPT ALL
           SELECT * FROM pg_temp.json_lines(t::compensation.award)) d) AS lines_not_in_json,
       (SELECT count(*) FROM (
           SELECT * FROM pg_temp.json_lines(t::compensation.award)
           EXCEPT ALL
           SELECT * FROM compensation.lines(t::compensation.award) WITH ORDINALITY) d) AS json_not_in_lines
FROM award_texts ORDER BY id;
-- the top level: currency() and the exponent
SELECT id, compensation.currency(t::compensation.award) IS NOT DISTINCT FROM
           t::compensation.award::jsonb->>'currency' AS currency_same,
       t::compensation.award::jsonb->'exponent' AS exponent
FROM award_texts ORDER BY id;

--
-- An evaluated award: dates at the policy's offset (KST), whatever the
-- session's zone
--
CREATE TABLE orders (id int PRIMARY KEY, service text, price bigint, loss bigint,
	shipped_at timestamptz, rental_end date, vip boolean);
INSERT INTO orders VALUES
	(1, 'ticket', 77000, NULL, NULL, NULL, true),
	(2, 'book', NULL, NULL, '2025-06-10 12:00+09', NULL, false),
	(3, 'ebook', NULL, NULL, NULL, '2025-06-20', NULL),
	(4, 'claim', NULL, 250000, NULL, NULL, false);
CREATE TABLE p AS SELECT $$
policy "award_json/kst" currency KRW timezone "Asia/Seoul"
rule "ticket" when service = 'ticket' credit deposit price * 120% end
rule "ship" when service = 'book' credit points 2000 end
rule "return" when service = 'book' flag free_return claim 2025-06-17 .. 2025-06-30 end
rule "ebook" when service = 'ebook' extend rental_end by 5 days end
rule "loss" when service = 'claim' credit cash tier loss upto 100000 => loss else review 'loss above 100,000' end end
rule "vip" when vip is null review 'no VIP status on file' end
$$::compensation.ruleset AS r;
SELECT o.id, compensation.evaluate(p.r, o)::json FROM orders o, p ORDER BY o.id;
-- the claim window of 6/17-6/30 KST: +09:00 in the JSON, UTC instants in
-- lines() (timestamptz columns show the session's zone, as always)
SELECT l->'window' AS "window" FROM orders o, p,
	jsonb_array_elements(compensation.evaluate(p.r, o)::jsonb->'lines') l
WHERE o.id = 2 AND l->>'rule' = 'return';
SET TimeZone = 'UTC';
SELECT window_from, window_until FROM orders o, p, compensation.lines(compensation.evaluate(p.r, o))
WHERE o.id = 2 AND rule = 'return';
SET TimeZone = 'America/New_York';

--
-- Review lines and counted amounts
--
-- A review line awards nothing: has(a, 'review') finds it, has() on the
-- instrument it stands in for does not; lines() still says what is under
-- review.
SELECT o.id, compensation.has(a, 'review') AS review, compensation.has(a, 'cash') AS cash,
       compensation.amount(a, 'cash') AS cash_amount, compensation.has(a, 'deposit') AS deposit
FROM orders o, p, LATERAL compensation.evaluate(p.r, o) a ORDER BY o.id;
SELECT rule, kind, instrument, amount, note FROM orders o, p, compensation.lines(compensation.evaluate(p.r, o))
WHERE o.id = 4;
SELECT compensation.has('{"r": review}', 'review') AS bare_review,
       compensation.has('{"r": review}', '') AS empty_name,
       compensation.has('KRW {"r": credit deposit 1}', 'review') AS credit_is_no_review;
-- points have no currency: amount_major and currency are both NULL (so
-- sum(amount_major) never adds points to money); amount is the count.
SELECT rule, instrument, amount, amount_major, currency FROM orders o, p,
	compensation.lines(compensation.evaluate(p.r, o)) WHERE o.id IN (1, 2) AND amount IS NOT NULL ORDER BY rule;

--
-- = and <> on awards
--
-- Like any operator of an extension, = is found through the search_path,
-- or named in full.
SELECT 'KRW {}'::compensation.award OPERATOR(compensation.=) 'KRW {}' AS eq,
       'KRW {}'::compensation.award OPERATOR(compensation.<>) '{}' AS ne;
SET search_path = :"schema", compensation;
SELECT a.id, b.id, a.t::compensation.award = b.t::compensation.award AS eq,
       a.t::compensation.award <> b.t::compensation.award AS ne
FROM award_texts a, award_texts b WHERE a.id IN (1, 2, 3) AND b.id IN (1, 2, 3) ORDER BY 1, 2;
SELECT
  'KRW {"a": credit deposit 1; "b": credit deposit 2}'::compensation.award
    = 'KRW {"b": credit deposit 2; "a": credit deposit 1}' AS other_order,
  'KRW {"a": credit deposit 1}'::compensation.award = 'KRW {"a": credit deposit 1 x2}' AS other_count,
  'KRW {"a": credit deposit 1}'::compensation.award = 'JPY {"a": credit deposit 1}' AS other_currency,
  'KRW {"a": extend d -> 2025-06-25 00:00:00+09}'::compensation.award
    = 'KRW {"a": extend d -> 2025-06-24 15:00:00+00}' AS same_instant_other_offset,
  'KRW {"a":credit  deposit 1}'::compensation.award = 'KRW {"a": credit deposit 1}' AS spacing,
  'KRW {}'::compensation.award = NULL AS with_null;
-- the same row and policy give equal awards by every path
SELECT o.id, compensation.evaluate(p.r, o) = compensation.evaluate(p.r, (SELECT x FROM orders x WHERE x.id = o.id)) AS same
FROM orders o, p ORDER BY o.id;
-- hashing: GROUP BY, DISTINCT, hash joins, IN, and hash_extended agrees
SELECT a, count(*) FROM (SELECT compensation.evaluate(p.r, o) a FROM orders o, p
                         UNION ALL SELECT compensation.evaluate(p.r, o) FROM orders o, p) s
GROUP BY a ORDER BY a::text;
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM award_texts a JOIN award_texts b ON a.t::compensation.award = b.t::compensation.award;
SELECT count(*) FROM award_texts a JOIN award_texts b ON a.t::compensation.award = b.t::compensation.award;
RESET enable_mergejoin; RESET enable_nestloop;
SELECT count(DISTINCT compensation.award_hash(t::compensation.award)) AS distinct_hashes,
       count(DISTINCT compensation.award_hash_extended(t::compensation.award, 0)) AS distinct_hashes_ext,
       bool_and(compensation.award_hash(t::compensation.award) =
                compensation.award_hash(compensation.award_in(compensation.award_out(t::compensation.award)))) AS stable
FROM award_texts;
-- a table hash-partitioned by award uses the seeded hash
CREATE TABLE award_parts (a compensation.award) PARTITION BY HASH (a);
CREATE TABLE award_parts_0 PARTITION OF award_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE award_parts_1 PARTITION OF award_parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO award_parts SELECT t::compensation.award FROM award_texts;
SELECT count(*) FROM award_parts WHERE a = (SELECT t::compensation.award FROM award_texts WHERE id = 3);

--
-- evaluate_json(rules, doc, row_type): a JSON document as a row
--
SELECT o.id,
       compensation.evaluate_json(p.r, to_jsonb(o), NULL::orders) AS from_json,
       compensation.evaluate_json(p.r, to_jsonb(o), NULL::orders) = compensation.evaluate(p.r, o) AS same
FROM orders o, p ORDER BY o.id;
-- Only the columns the policy reads are needed; dates and times in ISO 8601
SELECT compensation.evaluate_json(p.r,
	'{"service": "book", "price": null, "loss": null, "vip": true, "rental_end": null,
	  "shipped_at": "2025-06-10T12:00:00+09:00"}', NULL::orders) FROM p;
SELECT compensation.evaluate_json(p.r,
	'{"service": "ebook", "price": null, "loss": null, "vip": true, "rental_end": "2025-06-20"}',
	NULL::orders) FROM p;
-- numbers as JSON numbers or strings; Z as an offset
SELECT compensation.evaluate_json(p.r,
	'{"service": "ticket", "price": "77000", "loss": null, "vip": true, "rental_end": null}',
	NULL::orders) FROM p;
SET timezone_abbreviations = 'India';
SELECT compensation.evaluate_json($$policy "award_json/z" currency KRW timezone "Asia/Seoul"
	rule "t" extend shipped_at by 1 day end$$, '{"shipped_at": "2025-06-10T03:00:00Z", "id": 1}', NULL::orders);
RESET timezone_abbreviations;
-- one call site, policies and row types changing from row to row
CREATE TABLE two_policies (n int, r compensation.ruleset);
INSERT INTO two_policies VALUES
	(1, 'policy "award_json/a" currency KRW rule "a" credit deposit price end'),
	(2, 'policy "award_json/b" currency USD rule "b" when service = ''x'' credit cash loss / 100 end'),
	(3, 'policy "award_json/a" currency KRW rule "a" credit deposit price end');
SELECT t.n, compensation.evaluate_json(t.r, '{"service": "x", "price": 5, "loss": 250}', NULL::orders)
FROM two_policies t ORDER BY t.n;
SELECT t.n, compensation.evaluate_json(t.r, d.doc, NULL::orders)
FROM two_policies t, (VALUES ('{"service": "x", "price": 7, "loss": 1}'::jsonb), ('{"service": "y", "price": 8, "loss": null}')) d(doc)
ORDER BY t.n, d.doc->>'price';
-- NULL policy or document: NULL, as a STRICT function would give
SELECT compensation.evaluate_json(NULL, '{}', NULL::orders) IS NULL AS null_rules,
       compensation.evaluate_json(p.r, NULL, NULL::orders) IS NULL AS null_doc FROM p;
-- the row_type argument is only a type: a row value works as well
SELECT compensation.evaluate_json(p.r, '{"service": "ticket", "price": 1000, "loss": null, "vip": true, "rental_end": null}', o)
FROM orders o, p WHERE o.id = 2;
-- the plain-SQL alternative: jsonb_populate_record, lenient (unknown keys
-- ignored, missing keys NULL, times read in the session's settings)
SELECT compensation.evaluate(p.r, jsonb_populate_record(NULL::orders, '{"service": "ticket", "price": 1000, "prise": 5}'))
FROM p;

-- Errors name the JSON key
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "price": "abc", "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "price": 1.5, "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "price": 1e30, "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "price": 1, "loss": null, "vip": "maybe", "rental_end": null}', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "price": 1, "loss": null, "vip": true, "rental_end": "2025-02-30"}', NULL::orders) FROM p$$);
-- a misspelt key, a missing key
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "prise": 1000, "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ticket", "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
-- dates and times: ISO 8601, an offset for timestamptz
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ebook", "price": null, "loss": null, "vip": true, "rental_end": "20/06/2025"}', NULL::orders) FROM p$$);
CREATE TABLE pz AS SELECT $$policy "award_json/z" currency KRW timezone "Asia/Seoul"
	rule "t" extend shipped_at by 1 day end$$::compensation.ruleset AS r;
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T12:00:00"}', NULL::orders) FROM pz$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10"}', NULL::orders) FROM pz$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "10 Jun 2025 12:00 KST"}', NULL::orders) FROM pz$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T12:00:00+0900"}', NULL::orders) FROM pz$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T12:00:00.123456-03"}', NULL::orders) FROM pz$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T12:00:00+09:00 "}', NULL::orders) FROM pz$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T25:00:00+09:00"}', NULL::orders) FROM pz$$);
-- the same document, the same award, whatever the session's settings
SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T23:30:00+09:00"}', NULL::orders) FROM pz;
SET TimeZone = 'Pacific/Kiritimati'; SET DateStyle = 'Postgres, MDY';
SELECT compensation.evaluate_json(r, '{"shipped_at": "2025-06-10T23:30:00+09:00"}', NULL::orders) FROM pz;
SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY';
-- a timestamp (without time zone) column takes a local time, no offset
CREATE TABLE local_orders (booked timestamp);
SELECT compensation.evaluate_json('policy "award_json/l" currency KRW timezone "Asia/Seoul" rule "t" extend booked by 2 days end',
	'{"booked": "2025-06-10T09:00"}', NULL::local_orders);
SELECT pg_temp.err($$SELECT compensation.evaluate_json('policy "award_json/l" currency KRW rule "t" extend booked by 2 days end', '{"booked": "2025-06-10T09:00:00Z"}', NULL::local_orders)$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": "ebook", "price": null, "loss": null, "vip": true, "rental_end": 20250620}', NULL::orders) FROM p$$);
-- an object or array for a scalar column
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": ["ticket"], "price": 1, "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"service": {"a": 1}, "price": 1, "loss": null, "vip": true, "rental_end": null}', NULL::orders) FROM p$$);
-- a document that is not an object; a row type that is not one
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '[{"service": "ticket"}]', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '"ticket"', NULL::orders) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{}', NULL::int) FROM p$$);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{}', NULL::record) FROM p$$);
-- a row type the policy does not fit
CREATE TABLE other (id int);
SELECT pg_temp.err($$SELECT compensation.evaluate_json(r, '{"id": 1}', NULL::other) FROM p$$);
-- a domain's check names the key too
CREATE DOMAIN positive AS bigint CHECK (VALUE > 0);
CREATE TABLE dom (price positive, note jsonb);
SELECT pg_temp.err($$SELECT compensation.evaluate_json('policy "award_json/d" currency KRW rule "a" credit deposit price end', '{"price": -1}', NULL::dom)$$);
SELECT compensation.evaluate_json('policy "award_json/d" currency KRW rule "a" credit deposit price end', '{"price": 5, "note": {"x": [1]}}', NULL::dom);
-- evaluate() itself still wants a row, and says where to go
SELECT pg_temp.err($$SELECT compensation.evaluate(r, '{"service": "ticket"}'::jsonb) FROM p$$);
SELECT compensation.evaluate(r, '{"service": "ticket"}'::jsonb) FROM p;
