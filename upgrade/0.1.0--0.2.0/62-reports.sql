
--------------------------------------------------------------------------
-- Reports: what was issued, per rule, and per customer in plain words
--------------------------------------------------------------------------
-- Views an analyst and a customer-service agent read without writing a
-- join (issue 12).  They name every ledger column they read, so that
-- columns the ledger gains later (a source, say) change nothing here.

-- _currency_unit: minor units per major unit of a currency (KRW 1, USD
-- 100), read from the award type's own currency table through its text
-- input, so there is one list of currencies.  NULL for a NULL currency
-- (counted amounts: points, coupons).
CREATE FUNCTION @extschema@._currency_unit(currency text)
RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT l.amount
	FROM @extschema@.lines(@extschema@.award_in(pg_catalog.format('%s {"x": credit cash 1}', $1)::cstring)) AS l
$$;
COMMENT ON FUNCTION @extschema@._currency_unit(text) IS
	'minor units per major unit of an ISO 4217 currency (KRW 1, USD 100), for the reports; NULL for NULL';

-- _policy_zone: the time zone a policy version names (its canonical text
-- has the line  timezone "Zone"), UTC if none: the reports print dates as
-- the policy means them, never in the session's TimeZone.
CREATE FUNCTION @extschema@._policy_zone(policy text, version integer)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce((pg_catalog.regexp_match(p.rules::text, '^timezone "([^"]+)"$', 'n'))[1], 'UTC')
	FROM @extschema@.policy p WHERE p.name = $1 AND p.version = $2
$$;
COMMENT ON FUNCTION @extschema@._policy_zone(text, integer) IS
	'the time zone a policy version declares (UTC if none), in which the reports print its dates';

-- describe_line: one award line in plain words, e.g. "118,800 KRW credited
-- as deposit", "sub_end extended by 30 days", "free_return, claim from
-- 2025-06-17 to 2025-06-30".  Dates are printed in the zone given (the
-- policy's), never the session's.
CREATE FUNCTION @extschema@.describe_line(kind text, instrument text, amount bigint, currency text,
	days bigint, new_date timestamptz, window_kind text, window_from timestamptz,
	window_until timestamptz, note text, zone text DEFAULT 'UTC')
RETURNS text
LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
-- Not STRICT: most arguments are NULL for most kinds of line.  STABLE, not
-- IMMUTABLE: to_char() is (it reads lc_time for some patterns; not these).
WITH v AS (
	SELECT CASE
		WHEN $3 IS NULL THEN NULL
		WHEN $4 IS NULL THEN pg_catalog.to_char(pg_catalog.abs($3), 'FM999,999,999,999,999,990')
			|| CASE WHEN $2 IS NOT NULL THEN ' ' || $2 ELSE '' END
		ELSE pg_catalog.rtrim(pg_catalog.rtrim(pg_catalog.to_char(
			pg_catalog.abs($3)::numeric / @extschema@._currency_unit($4), 'FM999,999,999,999,999,990.99999'), '0'), '.')
			|| ' ' || $4
		END AS money,
		-- a date at midnight is a day: its time is not printed
		CASE WHEN $6 IS NULL THEN NULL
			WHEN ($6 AT TIME ZONE coalesce($11, 'UTC'))::time = '00:00'
			THEN pg_catalog.to_char($6 AT TIME ZONE coalesce($11, 'UTC'), 'YYYY-MM-DD')
			ELSE pg_catalog.to_char($6 AT TIME ZONE coalesce($11, 'UTC'), 'YYYY-MM-DD HH24:MI:SS') END AS new_date,
		-- a deadline has no start: "due by" its last day
		CASE WHEN $7 = 'due' THEN pg_catalog.format(', due by %s',
			pg_catalog.to_char(($9 - interval '1 microsecond') AT TIME ZONE coalesce($11, 'UTC'), 'YYYY-MM-DD'))
		WHEN $7 IS NOT NULL THEN pg_catalog.format(', %s from %s to %s', $7,
			pg_catalog.to_char($8 AT TIME ZONE coalesce($11, 'UTC'), 'YYYY-MM-DD'),
			-- until is exclusive: the last day is the one before it
			pg_catalog.to_char(($9 - interval '1 microsecond') AT TIME ZONE coalesce($11, 'UTC'), 'YYYY-MM-DD'))
			ELSE '' END AS win
)
SELECT CASE WHEN $3 < 0 OR $5 < 0 THEN 'taken back: ' ELSE '' END
	|| CASE $1
	WHEN 'credit' THEN CASE WHEN $4 IS NULL THEN coalesce(v.money, $2) || ' credited'
		ELSE v.money || ' credited as ' || coalesce($2, 'money') END
	WHEN 'waive' THEN coalesce(v.money || ' ', '') || coalesce($2, '') || ' waived'
	WHEN 'extend' THEN coalesce($2, 'date') || CASE
		WHEN $5 IS NOT NULL AND v.new_date IS NOT NULL
			THEN pg_catalog.format(' extended by %s days, to %s', pg_catalog.abs($5), v.new_date)
		WHEN $5 IS NOT NULL THEN pg_catalog.format(' extended by %s days', pg_catalog.abs($5))
		WHEN v.new_date IS NOT NULL THEN ' extended to ' || v.new_date
		ELSE ' extended' END
	WHEN 'grant' THEN CASE
		WHEN $4 IS NOT NULL THEN v.money || ' ' || coalesce($2, '') || ' granted'
		WHEN $3 IS NOT NULL THEN v.money || ' granted'
		ELSE coalesce($2, 'item') || ' granted' END
		|| CASE WHEN $5 IS NOT NULL THEN pg_catalog.format(' for %s days', pg_catalog.abs($5)) ELSE '' END
	WHEN 'flag' THEN coalesce($2, 'flag')
	WHEN 'review' THEN 'case review' || coalesce(' of ' || $2, '')
	ELSE $1 || coalesce(' ' || $2, '') || coalesce(' ' || v.money, '')
	END
	|| v.win
	|| CASE WHEN $10 IS NOT NULL THEN pg_catalog.format(' (%s)', $10) ELSE '' END
FROM v
$$;
COMMENT ON FUNCTION @extschema@.describe_line(text, text, bigint, text, bigint, timestamptz, text, timestamptz, timestamptz, text, text) IS
	'one award or ledger line in plain words ("118,800 KRW credited as deposit", "sub_end extended by 30 days"); dates in the zone given, never the session''s';

-- issued_totals: per policy version, rule, kind and instrument, what its
-- issuance wrote and what of it is still owed.  A line is "open" when it
-- is not a reversal and has not been reversed: the open lines of a subject
-- are what its last issued version awards it.
CREATE VIEW @extschema@.issued_totals AS
SELECT l.policy, l.version, l.rule, l.kind, l.instrument,
	min(l.currency) AS currency,
	count(DISTINCT l.subject) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS subjects,
	count(*) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS open_lines,
	sum(l.amount) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS open_amount,
	pg_catalog.round(sum(l.amount) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL)::numeric
		/ @extschema@._currency_unit(min(l.currency)),
		pg_catalog.length(@extschema@._currency_unit(min(l.currency))::text) - 1) AS open_amount_major,
	sum(l.days) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS open_days,
	count(*) FILTER (WHERE l.reverses IS NULL) AS lines_issued,
	count(*) FILTER (WHERE l.reverses IS NULL AND r.id IS NOT NULL) AS lines_reversed_since,
	count(*) FILTER (WHERE l.reverses IS NOT NULL) AS reversals_written,
	sum(l.amount) AS net_amount,
	min(l.issued_at) AS first_issued_at,
	max(l.issued_at) AS last_issued_at
FROM @extschema@.ledger AS l
LEFT JOIN @extschema@.ledger AS r ON r.subject = l.subject AND r.reverses = l.id
GROUP BY l.policy, l.version, l.rule, l.kind, l.instrument;
COMMENT ON VIEW @extschema@.issued_totals IS
	'per policy version, rule, kind and instrument: subjects and lines still owed (open), their amount and days, lines issued, reversed since, reversals written; amounts in minor units, open_amount_major in the currency';

-- customer_lines: every ledger line of a subject with its status and, in
-- plain words, what it is and why it is there; notice_pending says that
-- the application has not yet told the customer (the line is still in the
-- outbox).  For what is owed but not yet issued, see customer_pending().
CREATE VIEW @extschema@.customer_lines AS
SELECT l.subject, l.source, l.policy, l.version, l.id AS line, l.rule,
	CASE WHEN l.reverses IS NOT NULL THEN 'reversal'
	     WHEN r.id IS NOT NULL THEN 'reversed'
	     ELSE 'open' END AS status,
	@extschema@.describe_line(l.kind, l.instrument, l.amount, l.currency, l.days::bigint, l.new_date,
		l.window_kind, l.window_from, l.window_until, l.note, z.zone)
		|| coalesce(', borne by ' || l.bearer, '') AS what,
	CASE
	WHEN l.reverses IS NOT NULL AND l.reason IS NOT NULL THEN pg_catalog.format(
		'Takes back line %s on %s: %s.', l.reverses,
		pg_catalog.to_char(l.issued_at AT TIME ZONE z.zone, 'YYYY-MM-DD'), l.reason)
	WHEN l.reverses IS NOT NULL THEN pg_catalog.format(
		'Takes back line %s: version %s of %s, issued on %s, no longer awards it in this form.',
		l.reverses, l.version, l.policy, pg_catalog.to_char(l.issued_at AT TIME ZONE z.zone, 'YYYY-MM-DD'))
	WHEN r.id IS NOT NULL THEN pg_catalog.format(
		'Awarded by rule %s of %s version %s on %s; replaced on %s by version %s (line %s takes it back).',
		l.rule, l.policy, l.version, pg_catalog.to_char(l.issued_at AT TIME ZONE z.zone, 'YYYY-MM-DD'),
		pg_catalog.to_char(r.issued_at AT TIME ZONE z.zone, 'YYYY-MM-DD'), r.version, r.id)
	ELSE pg_catalog.format('Awarded by rule %s of %s version %s on %s; still owed.',
		l.rule, l.policy, l.version, pg_catalog.to_char(l.issued_at AT TIME ZONE z.zone, 'YYYY-MM-DD'))
	END AS reason,
	l.kind, l.instrument, l.amount, l.currency, l.days, l.new_date,
	l.window_kind, l.window_from, l.window_until, l.note,
	l.issued_at, l.issued_by, l.reverses, r.id AS reversed_by,
	(o.ledger_id IS NOT NULL) AS notice_pending
FROM @extschema@.ledger AS l
LEFT JOIN @extschema@.ledger AS r ON r.subject = l.subject AND r.reverses = l.id
LEFT JOIN @extschema@.outbox AS o ON o.ledger_id = l.id
CROSS JOIN LATERAL (SELECT coalesce(@extschema@._policy_zone(l.policy, l.version), 'UTC') AS zone) AS z;
COMMENT ON VIEW @extschema@.customer_lines IS
	'every ledger line of every subject with its status (open, reversed, reversal), what it is and why, in plain words, dates in the policy''s zone; notice_pending: not yet taken from the outbox. Filter by subject (and policy)';

-- customer_pending: what issuing the latest published version now would
-- change for one row: lines it owes that are not open in the ledger ("to
-- issue") and open lines it no longer owes ("to reverse").  The row is
-- read from the table with the caller's rights (SECURITY INVOKER); the
-- comparison is issue()'s: whole lines, matched one to one.
CREATE FUNCTION @extschema@.customer_pending(policy text, rel regclass, key_column text, key text)
RETURNS TABLE (subject text, pending text, rule text, what text, kind text, instrument text,
	amount bigint, currency text, days bigint, new_date timestamptz,
	window_kind text, window_from timestamptz, window_until timestamptz, note text)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_type text;
	v_rules @extschema@.ruleset;
	v_version integer;
	v_award @extschema@.award;
	v_subject text;
	v_source text;
	v_zone text;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'policy, table, key column and key must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO v_type FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', $3, $2
			USING ERRCODE = 'undefined_column';
	END IF;
	v_version := @extschema@.current_version($1);
	v_rules := @extschema@.rules($1, v_version);
	v_zone := coalesce(@extschema@._policy_zone($1, v_version), 'UTC');
	-- the table's source (none yet: nothing was issued from it)
	SELECT s.name INTO v_source FROM @extschema@.source AS s WHERE s.relation = $2;
	EXECUTE pg_catalog.format('SELECT @extschema@.evaluate($1, t), @extschema@.subject_key(t.%1$I)
		FROM %2$s AS t WHERE t.%1$I = $2::%3$s', $3, $2, v_type)
		INTO v_award, v_subject USING v_rules, $4;
	IF v_subject IS NULL THEN
		RAISE EXCEPTION 'no row of % has % = %', $2, $3, pg_catalog.quote_literal($4)
			USING ERRCODE = 'no_data_found';
	END IF;
	RETURN QUERY
	WITH owed AS (
		SELECT w.rule, w.kind, w.instrument, w.amount, w.currency, w.days::bigint AS days, w.new_date,
		       w.window_kind, w.window_from, w.window_until, w.note,
		       w.bearer	-- who bears a line is part of it, as for _settle
		FROM @extschema@.lines(v_award) AS w
	), opened AS (
		-- EXCEPT ALL below matches lines one to one, as issue() does
		SELECT l.rule, l.kind, l.instrument, l.amount, l.currency, l.days::bigint AS days, l.new_date,
		       l.window_kind, l.window_from, l.window_until, l.note, l.bearer
		FROM @extschema@.ledger AS l
		WHERE l.policy = $1 AND l.source = v_source AND l.subject = v_subject AND l.reverses IS NULL
		  AND NOT EXISTS (SELECT FROM @extschema@.ledger AS r WHERE r.subject = l.subject AND r.reverses = l.id)
	), d AS (
		SELECT 'to issue' AS pending, x.* FROM (SELECT * FROM owed EXCEPT ALL SELECT * FROM opened) AS x
		UNION ALL
		SELECT 'to reverse', x.* FROM (SELECT * FROM opened EXCEPT ALL SELECT * FROM owed) AS x
	)
	SELECT v_subject, d.pending, d.rule,
	       @extschema@.describe_line(d.kind, d.instrument, d.amount, d.currency, d.days, d.new_date,
	           d.window_kind, d.window_from, d.window_until, d.note, v_zone)
	           || coalesce(', borne by ' || d.bearer, ''),
	       d.kind, d.instrument, d.amount, d.currency, d.days, d.new_date,
	       d.window_kind, d.window_from, d.window_until, d.note
	FROM d ORDER BY d.pending, d.rule, d.kind, d.instrument;
END
$$;
COMMENT ON FUNCTION @extschema@.customer_pending(text, regclass, text, text) IS
	'for one row (its key as text), what issuing the latest published version now would change: lines owed and not yet issued (to issue), open lines no longer owed (to reverse), in plain words';

REVOKE ALL ON FUNCTION @extschema@.customer_pending(text, regclass, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.customer_pending(text, regclass, text, text)
	TO compensation_admin, compensation_analyst;
REVOKE ALL ON TABLE @extschema@.issued_totals, @extschema@.customer_lines FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.issued_totals, @extschema@.customer_lines
	TO compensation_admin, compensation_analyst;
