-- Shared calendars (issue 11): compensation.calendar, define_calendar()
-- and drop_calendar(), and "calendar NAME shared" in a policy, which
-- compiles the catalog's days into the ruleset: the same value as the
-- calendar written inline, printed inline, unchanged by a later change to
-- the catalog.  Privileges, and every error with its SQLSTATE.
--
-- The calendar and the policy are real published ones (their sources are
-- cited in the files this test loads):
--   examples/calendars/us-federal-2026.sql      the US federal holidays of 2026
--   examples/calendars/us-dot-refund-due.policy the US DOT refund deadlines
--                                               (14 CFR 260.6)
\set test lang_calendars
\i test/regress_preamble.sql
\set dot `cat examples/calendars/us-dot-refund-due.policy`
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';

CREATE FUNCTION pg_temp.compile(p text) RETURNS text LANGUAGE sql
	AS $$ SELECT pg_temp.err(format('SELECT %L::compensation.ruleset', p)) $$;

--
-- 1. A shared calendar is the inline one.
--
\i examples/calendars/us-federal-2026.sql
-- The DOT policy with its calendar lines replaced by a reference (and its
-- name this test's, as every policy in the shared catalog).
SELECT replace(regexp_replace(:'dot', 'calendar "us-federal" weekend.*?2026-12-25\n',
                              E'calendar "us-federal" shared\n'),
               '"us-dot-refund-due"', '"lang_calendars/us-dot-refund-due"') AS shared \gset
SELECT replace(:'dot', '"us-dot-refund-due"', '"lang_calendars/us-dot-refund-due"') AS dot \gset
SELECT position('shared' IN :'shared') > 0 AS refers, position('holidays 2026' IN :'shared') = 0 AS no_days;
-- Equal values, the same bytes, and the canonical form is the inline one.
SELECT :'shared'::compensation.ruleset OPERATOR(compensation.=) :'dot'::compensation.ruleset AS equal,
       compensation.ruleset_send(:'shared') = compensation.ruleset_send(:'dot') AS same_bytes,
       :'shared'::compensation.ruleset::text = :'dot'::compensation.ruleset::text AS same_text;
SELECT :'shared'::compensation.ruleset;
-- print -> parse gives the same value, with no catalog needed.
SELECT :'shared'::compensation.ruleset::text::compensation.ruleset
       OPERATOR(compensation.=) :'shared'::compensation.ruleset AS roundtrip;
-- The same deadlines as with the inline calendar (sql/lang_due.sql): 1 is
-- due by the end of 10 July (3 July, Independence Day observed, and the
-- weekend skipped), 3 by the end of 2 December (Thanksgiving skipped).
CREATE TABLE refunds (id int PRIMARY KEY, paid_by text, fare numeric, fees numeric,
                      requested_at timestamptz);
INSERT INTO refunds VALUES
  (1, 'card',  400.00, 20.00, '2026-06-30 10:00-04'),
  (3, 'card',  180.00, 15.50, '2026-11-20 09:00-05');
SELECT r.id, compensation.evaluate(:'shared'::compensation.ruleset, r) FROM refunds r ORDER BY r.id;

-- Two policies share it; the catalog's row is in canonical form.
SELECT compensation.evaluate($$policy "lang_calendars/late" currency USD
timezone "America/New_York"
calendar "us-federal" shared
rule "late" when working_days(requested_at, refunded_at) > 7 flag late_refund end$$::compensation.ruleset, r)
FROM (SELECT timestamptz '2026-06-30 10:00-04' AS requested_at,
             timestamptz '2026-07-13 09:00-04' AS refunded_at) r;
-- 30 June to 13 July: 1, 2, 6-10 and 13 July are 8 working days: late.
SELECT name, weekend, holidays, defined_by = session_user AS by_me FROM compensation.calendar ORDER BY name;

--
-- 2. A compiled policy keeps the days it was compiled with.
--
SELECT compensation.define_policy(:'shared') AS version;
SELECT compensation.publish('lang_calendars/us-dot-refund-due') IS NOT NULL AS published;
-- A new holiday (an invented one, on Thursday 2 July 2026) in the catalog:
SELECT name, holidays[6:7] FROM compensation.define_calendar('us-federal', '{saturday,sunday}',
	(SELECT holidays || '2026-07-02'::date FROM compensation.calendar WHERE name = 'us-federal'));
-- the published version still pays by 10 July; the source compiled again
-- reads the new day and moves the deadline to the end of Monday 13 July.
SELECT r.id, compensation.evaluate(compensation.rules('lang_calendars/us-dot-refund-due'), r) AS published,
       compensation.evaluate(:'shared'::compensation.ruleset, r) AS compiled_now
FROM refunds r WHERE r.id = 1;
-- dropping the calendar: compiled policies still evaluate, compiling one
-- that names it fails.
SELECT compensation.drop_calendar('us-federal') AS dropped, compensation.drop_calendar('us-federal') AS again;
SELECT r.id, compensation.evaluate(compensation.rules('lang_calendars/us-dot-refund-due'), r) FROM refunds r WHERE r.id = 1;
SELECT pg_temp.compile(:'shared');
\i examples/calendars/us-federal-2026.sql

--
-- 3. Define and replace: the canonical row, and every error.
--
SELECT name, weekend, holidays FROM compensation.define_calendar('lang_calendars/gulf',
	'{Saturday,FRIDAY}', '{2026-12-02,2026-03-20,2026-12-03}');
SELECT name, weekend, holidays FROM compensation.define_calendar('lang_calendars/none', '{}', '{}');
SELECT name, weekend, holidays FROM compensation.define_calendar('lang_calendars/default');
SELECT $$policy "p" currency AED timezone "Asia/Dubai" calendar "lang_calendars/gulf" shared$$::compensation.ruleset;
SELECT $$policy "p" currency AED calendar "lang_calendars/none" shared$$::compensation.ruleset;
SELECT e, pg_temp.err(format('SELECT compensation.define_calendar(%s)', e)) FROM (VALUES
	('NULL'),                                                     -- 22004
	($$'x', NULL$$),                                              -- 22004
	($$'x', '{}', NULL$$),                                        -- 22004
	($$''$$),                                                     -- 22023
	($$'x', '{sunday,funday}'$$),                                 -- 22023
	($$'x', '{sunday,NULL}'$$),                                   -- 22023
	($$'x', '{sunday,Sunday}'$$),                                 -- 42710
	($$'x', '{monday,tuesday,wednesday,thursday,friday,saturday,sunday}'$$), -- 22023
	($$'x', '{}', '{2026-01-01,NULL}'$$),                         -- 22004
	($$'x', '{}', '{2026-01-01,2026-05-01,2026-01-01}'$$),        -- 42710
	($$'x', '{}', '{infinity}'$$),                                -- 22008
	($$'x', '{}', '{10000-01-01}'$$)) AS v(e);                    -- 22008
SELECT count(*) AS none_written FROM compensation.calendar WHERE name = 'x';
-- drop_calendar is STRICT: a NULL name drops nothing
SELECT compensation.drop_calendar(NULL) IS NULL AS null_name;

--
-- 4. Errors in a policy.
--
SELECT p, pg_temp.compile(p) FROM (VALUES
	-- no such calendar (42704)
	($$policy "p" currency USD calendar "lang_calendars/nope" shared$$),
	-- shared and days of its own (42601)
	($$policy "p" currency USD calendar "us-federal" shared holidays 2026-12-24$$),
	($$policy "p" currency USD calendar "us-federal" shared weekend sunday$$),
	-- a second calendar, shared or not (42601: a header twice)
	($$policy "p" currency USD calendar "us-federal" shared calendar "lang_calendars/none" shared$$),
	($$policy "p" currency USD calendar "x" weekend sunday calendar "us-federal" shared$$),
	-- its holidays are dates: the time zone comes first (42601)
	($$policy "p" currency USD calendar "us-federal" shared timezone "America/New_York"$$),
	-- no name (42601)
	($$policy "p" currency USD calendar shared$$)) AS v(p);
-- A row written around define_calendar() by a superuser is checked when a
-- policy reads it: the table's constraints (23514), then the compiler.
SELECT pg_temp.err($$INSERT INTO compensation.calendar (name, weekend) VALUES ('lang_calendars/bad', '{funday}')$$);
SELECT pg_temp.err($$INSERT INTO compensation.calendar (name, holidays) VALUES ('lang_calendars/bad', '{infinity}')$$);
INSERT INTO compensation.calendar (name, weekend, holidays)
VALUES ('lang_calendars/dup', '{sunday,sunday}', '{2026-05-01,2026-01-01,2026-05-01}');
SELECT pg_temp.compile($$policy "p" currency USD calendar "lang_calendars/dup" shared$$);
DELETE FROM compensation.calendar WHERE name = 'lang_calendars/dup';

--
-- 5. Privileges: the policy owner defines calendars; every role of the
--    extension reads them, so compiling a policy that names one works for
--    each; other roles cannot read the catalog (42501).
--
CREATE ROLE lang_calendars_nobody;
GRANT USAGE ON SCHEMA compensation TO lang_calendars_nobody;
SET ROLE compensation_admin;
SELECT name FROM compensation.define_calendar('lang_calendars/by-admin', '{sunday}', '{2026-12-25}');
SELECT pg_temp.err($$INSERT INTO compensation.calendar (name) VALUES ('lang_calendars/direct')$$);
SELECT pg_temp.err($$DELETE FROM compensation.calendar$$);
RESET ROLE;
SET ROLE compensation_analyst;
SELECT pg_temp.err($$SELECT compensation.define_calendar('lang_calendars/by-analyst')$$);
SELECT pg_temp.err($$SELECT compensation.drop_calendar('lang_calendars/by-admin')$$);
SELECT pg_temp.compile($$policy "p" currency USD calendar "lang_calendars/by-admin" shared$$);
RESET ROLE;
SET ROLE compensation_issuer;
SELECT pg_temp.err($$SELECT compensation.define_calendar('lang_calendars/by-issuer')$$);
SELECT pg_temp.compile($$policy "p" currency USD calendar "lang_calendars/by-admin" shared$$);
RESET ROLE;
SET ROLE lang_calendars_nobody;
SELECT pg_temp.compile($$policy "p" currency USD calendar "lang_calendars/by-admin" shared$$);
-- a calendar written inline needs no catalog
SELECT pg_temp.compile($$policy "p" currency USD calendar "x" weekend sunday$$);
RESET ROLE;
REVOKE USAGE ON SCHEMA compensation FROM lang_calendars_nobody;
DROP ROLE lang_calendars_nobody;
-- pg_dump keeps the catalog (it is an extension configuration table).
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
WHERE e.extname = 'compensation' AND c.relname = 'calendar';

-- Clean up what other tests would see.
SELECT name, compensation.drop_calendar(name) FROM compensation.calendar
WHERE name LIKE 'lang_calendars/%' OR name = 'us-federal' ORDER BY name;
