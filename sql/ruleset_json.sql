-- compensation.ruleset <-> jsonb: the document of a policy, lossless round
-- trips of every construct and of every example policy, documents written
-- by hand, and each error naming its JSON path with its SQLSTATE.
\set test ruleset_json
\i test/regress_preamble.sql
\set VERBOSITY default
SET search_path = test_ruleset_json, compensation;
-- The document reads no session setting.
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';

--
-- Round trips: ruleset -> jsonb -> ruleset is the same value (=, the
-- canonical bytes), and so is ruleset -> json -> jsonb -> ruleset.
--
CREATE TABLE policies (name text PRIMARY KEY, rules ruleset);
INSERT INTO policies VALUES
('headers', $$policy "every ""header"""
currency USD timezone "America/New_York" hit first rounding half_even to 5
instrument miles count instrument credit_note money
outage 2025-06-09 04:00 ..< 2025-06-14
outage 2025-07-01 .. 2025-07-02 12:30:15
let base = price - refunded
let half = base / 2
rule "r" credit credit_note half end$$),
('awards', $$policy "awards" currency EUR timezone "Europe/Paris"
outage 2025-03-30 01:00 .. 2025-03-30 04:00
rule "awards"
  credit deposit price * 120% round half_up claim 2025-06-17 .. 2025-06-30
  credit voucher 5 valid 2025-06-17 ..< 2025-07-01
  waive fee cancel_fee round ceiling to 50
  extend sub_end by outage
  extend sub_end by 30 day
  extend sub_end to 2025-06-20 23:59:59
  extend sub_end to outage_end + 1 days
  grant crema_pass for 30 days
  grant coupon 1 for 7 days round floor to 2 claim 2025-06-19 .. 2025-07-06
  grant pass
  grant pass valid outage_start .. outage_end
  grant pass (review 'an amount that is a review keeps its parentheses')
  grant pass (round(price, floor))
  flag free_return valid 2025-06-17 ..< 2025-06-30 + 1 days
  flag restored
  review 'it''s big'
  credit points outage_days + outage_hours
end
rule "no condition, no award" end$$),
('exprs', $$policy "exprs" currency KWD timezone "Asia/Seoul" hit unique rounding floor
outage 2025-06-09 .. 2025-06-13
let cap = 5000
rule "conditions"
  when x in ('a', 'b''c', '') and y not in (1, 2 + 3) and z in 1 .. 10
    and w not in 2025-06-01 ..< 2025-06-10 00:00 and v is null and u is not null
    and t during outage and s not during outage and a <> b
    and a < b and a <= b and a > b and a >= b and not attended and true and not false
    and n is null or null is null
  let loss = coalesce(price, 0) - abs(refund)
  let bonus = tier loss upto 10_000 => 1000 upto 100_000 => 5000 else review 'large loss' end
  let none_above = tier loss upto 1 => 2 end
  credit deposit min(bonus, cap, max(loss * 10%, 1)) round half_up to 10
  credit deposit round(loss * 1.5, half_even) + round(loss, floor, 5) + round(loss, ceiling)
  credit deposit hours(s, e) + days(s, e) + days_in_month(s)
  credit deposit 0.05 + 0.500 + 100.10 + 99_000 + 0 + 5% - -3
  extend e by 2.50 hours + 30 minute + 1 day + (n + 1) days
  credit deposit none
  credit deposit review 'no amount'
end$$),
('literals', $$policy "literals" currency KRW
rule "r"
  when t = 2025-06-09 and u = 0001-01-01 and v = 9999-12-31 23:59:59
    and a = 9223372036854775807 and b = 9.223372036854775807 and c = 0.000000000000000001
    and s = 'ünï ''cödé''' and s <> '--not a comment'
end
rule "€ ""quoted"" rule" end$$),
-- a column named like a let is quoted in the text; the document names it
('shadow', $$policy "shadow" currency KRW
let price = 1
rule "r" let half = "price" / 2 credit deposit price + "price" + half end$$);

SELECT name, (rules::jsonb)::ruleset = rules AS jsonb_round_trip,
       (ruleset_to_json(rules)::jsonb)::ruleset = rules AS json_round_trip,
       ruleset_from_jsonb(ruleset_to_jsonb(rules))::text = rules::text AS same_text
FROM policies ORDER BY name;

-- Every example policy under examples/, read by psql from the checkout.
\set round1 `cat examples/yes24/yes24-round1.policy`
\set round2 `cat examples/yes24/yes24-round2.policy`
SELECT name, rule_count(r) AS rules, (r::jsonb)::ruleset = r AS round_trip
FROM (VALUES ('yes24-round1', :'round1'::ruleset), ('yes24-round2', :'round2'::ruleset)) v(name, r)
ORDER BY name;

-- The document of a small policy.
SELECT jsonb_pretty($$policy "doc" currency KRW timezone "Asia/Seoul"
outage 2025-06-09 .. 2025-06-13
rule "R1-ticket"
  when service = 'ticket' and show_at during outage and not attended
  credit deposit price * 120% round half_up claim 2025-06-17 .. 2025-06-30
end$$::ruleset::jsonb);

-- json keeps the writer's key order; jsonb is the same document.
SELECT ruleset_to_json(rules)::jsonb = rules::jsonb AS same FROM policies ORDER BY name;
-- In a row, to_jsonb() keeps a ruleset's text, as in 0.1.0 (no cast to json).
SELECT jsonb_typeof(to_jsonb(p)->'rules') AS in_a_row FROM policies p WHERE name = 'shadow';

--
-- Documents written or edited by an app.
--
-- Optional keys may be left out: hit (collect), rounding (none), increment
-- (1), instruments, outage and lets ([]), a rule's when (always) and lets.
SELECT $${"policy": "by hand", "currency": "KRW", "timezone": "Asia/Seoul",
  "rules": [{"name": "R1", "when": {"op": "eq", "args": [{"op": "column", "name": "service"}, "ticket"]},
             "awards": [{"kind": "credit", "instrument": "deposit",
                         "amount": {"op": "mul", "args": [{"op": "column", "name": "price"}, {"op": "percent", "args": [130]}]}}]}]}$$::jsonb::ruleset;

-- What-if by editing the document: 120% becomes 130%.
SELECT (jsonb_set(r::jsonb, '{rules,0,awards,0,amount,args,1,args,0}', '130'))::ruleset
FROM (SELECT rules AS r FROM policies WHERE name = 'awards') p;

-- An operator may be given by its number in the format (13 is add), as the
-- writer does for an operator it has no name for; literals may be objects.
SELECT $${"policy": "numbers", "currency": "KRW", "timezone": "UTC",
  "rules": [{"name": "r", "awards": [{"kind": "credit", "instrument": "cash",
    "amount": {"op": 13, "args": [{"op": "number", "value": 1.50}, {"op": "column", "name": "x"}]}}]}]}$$::jsonb::ruleset::text;
SELECT $${"policy": "literals", "currency": "KRW", "timezone": "UTC",
  "rules": [{"name": "r", "when": {"op": "or", "args": [{"op": "boolean", "value": true}, {"op": "is_null", "args": [{"op": "null"}]}]}, "awards": []}]}$$::jsonb::ruleset::text;

--
-- Errors: each names the JSON path of the bad element, with its SQLSTATE.
--
CREATE FUNCTION pg_temp.bad(doc text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.err(format('SELECT %L::jsonb::compensation.ruleset', doc))
$$;
CREATE TABLE good AS SELECT $${"policy": "p", "currency": "KRW", "timezone": "Asia/Seoul",
  "rules": [{"name": "r", "when": {"op": "gt", "args": [{"op": "column", "name": "price"}, 0]},
             "awards": [{"kind": "credit", "instrument": "deposit", "amount": {"op": "column", "name": "price"}}]}]}$$::jsonb AS doc;
SELECT (doc::ruleset)::text AS good_policy FROM good;

SELECT what, pg_temp.bad(doc::text) AS error FROM (
  SELECT 'not an object', '[1]'::jsonb
  UNION ALL SELECT 'a scalar', '"policy"'::jsonb
  UNION ALL SELECT 'missing policy', (SELECT doc - 'policy' FROM good)
  UNION ALL SELECT 'misspelt key', (SELECT doc || '{"rulez": []}' FROM good)
  UNION ALL SELECT 'unknown currency', (SELECT jsonb_set(doc, '{currency}', '"XYZ"') FROM good)
  UNION ALL SELECT 'unknown hit', (SELECT doc || '{"hit": "all"}' FROM good)
  UNION ALL SELECT 'rules not an array', (SELECT jsonb_set(doc, '{rules}', '{}') FROM good)
  UNION ALL SELECT 'rule not an object', (SELECT jsonb_set(doc, '{rules}', '[1]') FROM good)
  UNION ALL SELECT 'unknown operator', (SELECT jsonb_set(doc, '{rules,0,when,op}', '"plus"') FROM good)
  UNION ALL SELECT 'unknown operator number', (SELECT jsonb_set(doc, '{rules,0,when,op}', '200') FROM good)
  UNION ALL SELECT 'missing op', (SELECT jsonb_set(doc, '{rules,0,when}', '{"args": [1, 2]}') FROM good)
  UNION ALL SELECT 'too few args', (SELECT jsonb_set(doc, '{rules,0,when,args}', '[1]') FROM good)
  UNION ALL SELECT 'args not an array', (SELECT jsonb_set(doc, '{rules,0,when,args}', '{"a": 1}') FROM good)
  UNION ALL SELECT 'JSON null as expression', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', 'null') FROM good)
  UNION ALL SELECT 'array as expression', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '[0]') FROM good)
  UNION ALL SELECT 'column without name', (SELECT jsonb_set(doc, '{rules,0,when,args,0}', '{"op": "column"}') FROM good)
  UNION ALL SELECT 'column name a number', (SELECT jsonb_set(doc, '{rules,0,when,args,0,name}', '5') FROM good)
  UNION ALL SELECT 'unknown key in a node', (SELECT jsonb_set(doc, '{rules,0,when,args,0,table}', '"o"') FROM good)
  UNION ALL SELECT 'raw field of a named op', (SELECT jsonb_set(doc, '{rules,0,when,a}', '1') FROM good)
  UNION ALL SELECT 'undefined let', (SELECT jsonb_set(doc, '{rules,0,when,args,0}', '{"op": "let", "name": "base"}') FROM good)
  UNION ALL SELECT 'number too large', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '9223372036854775808') FROM good)
  UNION ALL SELECT 'too many digits', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '0.00000000000000000001') FROM good)
  UNION ALL SELECT 'bad date', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '{"op": "date", "value": "2025-02-30"}') FROM good)
  UNION ALL SELECT 'date not ISO', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '{"op": "date", "value": "30/06/2025"}') FROM good)
  UNION ALL SELECT 'time with offset', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '{"op": "timestamp", "value": "2025-06-09T10:00:00+09:00"}') FROM good)
  UNION ALL SELECT 'unknown unit', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '{"op": "duration", "unit": "weeks", "args": [1]}') FROM good)
  UNION ALL SELECT 'unknown function', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '{"op": "call", "function": "sqrt", "args": [1]}') FROM good)
  UNION ALL SELECT 'call without arguments', (SELECT jsonb_set(doc, '{rules,0,when,args,1}', '{"op": "call", "function": "min", "args": []}') FROM good)
  UNION ALL SELECT 'negated not a boolean', (SELECT jsonb_set(doc, '{rules,0,when,negated}', '"yes"') FROM good)
  UNION ALL SELECT 'unknown award kind', (SELECT jsonb_set(doc, '{rules,0,awards,0,kind}', '"pay"') FROM good)
  UNION ALL SELECT 'credit without amount', (SELECT doc #- '{rules,0,awards,0,amount}' FROM good)
  UNION ALL SELECT 'award without instrument', (SELECT doc #- '{rules,0,awards,0,instrument}' FROM good)
  UNION ALL SELECT 'extend without mode', (SELECT jsonb_set(doc, '{rules,0,awards,0,kind}', '"extend"') FROM good)
  UNION ALL SELECT 'extend mode on a credit', (SELECT jsonb_set(doc, '{rules,0,awards,0,extend}', '"by"') FROM good)
  UNION ALL SELECT 'review without reason', (SELECT jsonb_set(doc, '{rules,0,awards,0}', '{"kind": "review"}') FROM good)
  UNION ALL SELECT 'unknown window kind', (SELECT jsonb_set(doc, '{rules,0,awards,0,window}', '{"kind": "later", "from": 1, "until": 2}') FROM good)
  UNION ALL SELECT 'increment without rounding', (SELECT doc || '{"increment": 10}' FROM good)
  -- errors of the compiler name the element on the line that failed
  UNION ALL SELECT 'type error in when', (SELECT jsonb_set(doc, '{rules,0,when,args,0}', '"price"') FROM good)
  UNION ALL SELECT 'type error in an award', (SELECT jsonb_set(doc, '{rules,0,awards,0,amount}', '{"op": "add", "args": ["a", 1]}') FROM good)
  UNION ALL SELECT 'condition not boolean', (SELECT jsonb_set(doc, '{rules,0,when}', '5') FROM good)
  UNION ALL SELECT 'unknown zone', (SELECT jsonb_set(doc, '{timezone}', '"Mars/Olympus"') FROM good)
  UNION ALL SELECT 'duplicate rule', (SELECT jsonb_set(doc, '{rules,1}', doc->'rules'->0, true) FROM good)
  UNION ALL SELECT 'empty list', (SELECT jsonb_set(doc, '{rules,0,when}', '{"op": "in_list", "args": [1]}') FROM good)
) v(what, doc);

-- The full error of a compile error: the message names the path, the
-- context shows the line of the text the document printed as.
\set VERBOSITY default
\set SHOW_CONTEXT always
SELECT jsonb_set(doc, '{rules,0,awards,0,amount}', '{"op": "add", "args": ["a", 1]}')::ruleset FROM good;
\set VERBOSITY default
\set SHOW_CONTEXT errors

-- Nesting is bounded as in the text (54000), before the compiler runs.
SELECT left(pg_temp.bad(format('{"policy": "deep", "currency": "KRW", "timezone": "UTC", "rules": [{"name": "r", "awards": [{"kind": "credit", "instrument": "x", "amount": %s1%s}]}]}',
                          repeat('{"op": "neg", "args": [', 1001), repeat(']}', 1001))), 120) AS too_deep;

-- NULL in, NULL out (STRICT).
SELECT ruleset_from_jsonb(NULL) IS NULL AS null_in, ruleset_to_jsonb(NULL) IS NULL AS null_out;

-- The header lines of issues 11 and 12 keep their kind: a param, a cap, a
-- minimum and a minor-units column are lets with "kind" in the document
-- (a plain let has none), so the round trip is lossless.
SELECT r::jsonb -> 'lets' AS lets,
       (r::jsonb)::ruleset = r AS round_trip, ((r::jsonb)::ruleset)::text = r::text AS same_text
FROM (SELECT $$policy "kinds" currency USD
param rate = 120%
let base = 10
cap cash 25
minimum cash 1
column bill_cents minor
rule "r" credit cash bill_cents * rate + base end$$::ruleset AS r) x;
SELECT what, pg_temp.bad(doc::text) AS error FROM (
  SELECT 'unknown let kind', '{"policy": "k", "currency": "USD", "timezone": "UTC", "lets": [{"name": "x", "kind": "const", "expr": 1}], "rules": []}'::jsonb
  UNION ALL SELECT 'kind on a rule''s let', '{"policy": "k", "currency": "USD", "timezone": "UTC", "rules": [{"name": "r", "lets": [{"name": "x", "kind": "param", "expr": 1}], "awards": []}]}'
  UNION ALL SELECT 'minor let not a column', '{"policy": "k", "currency": "USD", "timezone": "UTC", "lets": [{"name": "x", "kind": "minor", "expr": 1}], "rules": []}'
  UNION ALL SELECT 'param not a literal', '{"policy": "k", "currency": "USD", "timezone": "UTC", "lets": [{"name": "x", "kind": "param", "expr": {"op": "column", "name": "y"}}], "rules": []}'
) v(what, doc);
