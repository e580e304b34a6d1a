-- Text tests (lower, starts_with, contains) and columns in minor units
-- (issue 11).
--
-- Ofcom's automatic compensation scheme (UK landline and broadband, as
-- launched on 1 April 2019): GBP 8 per calendar day when a loss of service
-- is not repaired after two full working days, GBP 25 for a missed
-- engineer appointment.  Providers' product names vary in case and
-- suffix, so the policy tests their start, in lower case; the missed
-- appointment is found in a free-text note.  A mobile service is not in
-- the scheme.
\set test lang_text
\i test/regress_preamble.sql
\set VERBOSITY default
SET TimeZone = 'UTC';

CREATE TABLE faults (id int, service text, days int, note text);
INSERT INTO faults VALUES
	(1, 'Broadband-FTTC', 3, 'Engineer: MISSED APPOINTMENT on 3/4'),	-- 24 + 25
	(2, 'LANDLINE', 0, null),											-- nothing
	(3, 'Mobile 5G', 5, 'missed appointment'),							-- 25 only
	(4, 'broadband', 1, 'appointment kept'),							-- 8
	(5, null, 2, 'missed appointment'),									-- 25 (service unknown)
	(6, 'Landline', 2, '');												-- 16
CREATE TABLE p AS SELECT $$policy "lang_text/ofcom-automatic-compensation" currency GBP
rule "delayed-repair"
  when (starts_with(lower(service), 'broadband') or starts_with(lower(service), 'landline'))
   and days > 0
  credit cash days * 8
end
rule "missed-appointment"
  when contains(lower(note), 'missed appointment')
  credit cash 25
end$$::compensation.ruleset AS r;
SELECT r FROM p;
SELECT f.id, compensation.evaluate(p.r, f) FROM faults f, p ORDER BY f.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p;
-- explain shows the text test that failed, with its value
SELECT f.id, e.rule, e.failed_condition, e.detail
FROM faults f, p, compensation.explain(p.r, f) e WHERE NOT e.matched ORDER BY f.id, e.rule_no;
-- byte-wise: only ASCII letters are lowered; the empty string starts and contains ''
CREATE TABLE names (service text);
INSERT INTO names VALUES ('ÉMILE'), ('éMILE');
SELECT n.service, compensation.evaluate($$policy "lang_text/bytes" currency GBP
rule "r" when lower(service) = 'émile' and starts_with(service, '') and contains('', '') credit cash 1 end$$, n)
FROM names n ORDER BY 1;

-- Columns in minor units ------------------------------------------------
-- The Amazon EC2 Region-Level SLA credit (as in lang_tables) over a bill
-- kept in cents: "column bill_cents minor" reads 123456 as 1234.56, so 10%
-- is 123.46 and not 12,345.60.
CREATE TABLE months (uptime numeric, bill_cents bigint, bill_mills int);
INSERT INTO months VALUES (99.5, 123456, 1234560), (94.0, 99, 990), (99.5, null, null);
SELECT m.*, compensation.evaluate($$policy "lang_text/sla-cents" currency USD
column bill_cents minor
rule "service-credit"
  credit cash bill_cents * tier uptime below 95.0 => 100% below 99.0 => 30% below 99.99 => 10% end
    round half_up
end$$, m) FROM months m ORDER BY 1 DESC, 2;
-- a currency with three decimals: KWD 1234.560 from 1234560 fils
SELECT compensation.evaluate($$policy "lang_text/fils" currency KWD
column bill_mills minor
rule "r" credit cash bill_mills end$$, m) FROM months m WHERE bill_mills = 1234560;
SELECT $$policy "lang_text/minor" currency USD
column "hours" minor
column b minor
rule "r" credit cash "hours" + b end$$::compensation.ruleset;
-- without the declaration the same column pays 100 times over
SELECT compensation.evaluate($$policy "lang_text/no-unit" currency USD
rule "r" credit cash bill_cents end$$, m) FROM months m WHERE bill_cents = 99;

-- errors
SELECT pg_temp.err($$SELECT 'policy "p" currency GBP rule "r" when lower(5) = ''a'' end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency GBP rule "r" when starts_with(s) end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency GBP rule "r" when contains(s, 1) end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency GBP rule "r" when starts_with(days, ''1'') credit cash 1 end', f) FROM faults f$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency USD column c'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency USD column c minor column c minor'::compensation.ruleset$$);
SELECT compensation.evaluate('policy "p" currency GBP column note minor rule "r" credit cash 1 end', f) FROM faults f WHERE id = 1;
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency GBP column note minor rule "r" credit cash 1 end', f) FROM faults f$$);
-- column, minor, lower, starts_with and contains are no reserved words
SELECT $$policy "lang_text/words" currency GBP rule "r" when column > minor and lower > 1 credit cash contains end$$::compensation.ruleset;
