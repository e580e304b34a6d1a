
--------------------------------------------------------------------------
-- Analysis: simulate any ruleset (read once per call), diff two versions
--------------------------------------------------------------------------
-- 0.1.0's simulate(policy, table) wrote FROM t, (SELECT rules($1) AS r) p:
-- PostgreSQL flattens that subquery and calls rules(), a STABLE function
-- that reads compensation.policy, once per row (15-28x the same totals with
-- the policy as a constant; issue 12).  Here every entry point resolves its
-- ruleset once, in PL/pgSQL, and passes it to EXECUTE ... USING: a
-- parameter of a one-shot plan is folded into a constant, so evaluate()'s
-- planner support function sees a constant policy and passes only the
-- columns it reads (the path of BENCHMARKS.md B1).  A ruleset value is
-- accepted too: a draft, a retired version, with_params() of one, or a
-- policy typed inline.

-- version_rules: a version's ruleset whatever its status.  rules() refuses
-- drafts and retired versions because it is what issuance pays from;
-- analysis (simulate, diff) is exactly where a draft is looked at before it
-- is published.  SECURITY INVOKER: it reads compensation.policy with the
-- caller's rights (the admin and the analyst may).
CREATE FUNCTION @extschema@.version_rules(name text, version integer)
RETURNS @extschema@.ruleset
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_rules @extschema@.ruleset;
BEGIN
	SELECT p.rules INTO v_rules FROM @extschema@.policy p
	WHERE p.name = $1 AND p.version = $2;
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
			RAISE EXCEPTION 'policy "%" does not exist', $1
				USING ERRCODE = 'undefined_object';
		END IF;
		RAISE EXCEPTION 'policy "%" has no version %', $1, $2
			USING ERRCODE = 'undefined_object',
				HINT = 'compensation.policy lists the versions of every policy.';
	END IF;
	RETURN v_rules;
END
$$;
COMMENT ON FUNCTION @extschema@.version_rules(text, integer) IS
	'the ruleset of a policy version in any status (draft, published or retired), for analysis; issuance reads rules() instead';

CREATE FUNCTION @extschema@.draft_rules(name text)
RETURNS @extschema@.ruleset
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_rules @extschema@.ruleset;
BEGIN
	SELECT p.rules INTO v_rules FROM @extschema@.policy p
	WHERE p.name = $1 AND p.status = 'draft';
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
			RAISE EXCEPTION 'policy "%" does not exist', $1
				USING ERRCODE = 'undefined_object';
		END IF;
		RAISE EXCEPTION 'policy "%" has no draft', $1
			USING ERRCODE = 'undefined_object',
				HINT = 'compensation.define_policy() makes the draft of the next version.';
	END IF;
	RETURN v_rules;
END
$$;
COMMENT ON FUNCTION @extschema@.draft_rules(text) IS
	'the ruleset of a policy''s draft (the next version, not yet published), for analysis';

-- The sum of the awards of a ruleset over a table: what simulate() and
-- simulate_by_bearer() (80-bearer.sql) total, each by its own key.
-- SECURITY INVOKER on purpose: it reads the caller's table with the
-- caller's rights, and the filter is the caller's own SQL over it.  Not
-- STRICT: a NULL filter means every row, and a NULL ruleset or table is an
-- error, not an empty answer.
CREATE FUNCTION @extschema@._simulate_sum(rules @extschema@.ruleset, rel regclass, filter text)
RETURNS @extschema@.award
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_sum @extschema@.award;
BEGIN
	IF $1 IS NULL OR $2 IS NULL THEN
		RAISE EXCEPTION 'rules and table must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- $1 is a parameter of a one-shot plan: the planner folds it into a
	-- constant (evaluate() then reads only the policy's columns).
	EXECUTE format('SELECT @extschema@.sum(@extschema@.evaluate($1, t)) FROM %s AS t WHERE %s',
		$2, coalesce($3, 'true'))
		INTO v_sum USING $1;
	RETURN v_sum;
END
$$;
COMMENT ON FUNCTION @extschema@._simulate_sum(@extschema@.ruleset, regclass, text) IS
	'internal to simulate() and simulate_by_bearer(): the sum of the awards of a ruleset over a table, optionally filtered, read with the caller''s rights';

-- simulate over any ruleset: the one implementation.  The sum keeps a
-- rule's lines apart per bearer (80-bearer.sql); they are added up here
-- (simulate_by_bearer() keeps them apart).
CREATE FUNCTION @extschema@.simulate(rules @extschema@.ruleset, rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (rule text, kind text, instrument text, rows_awarded bigint,
	amount bigint, amount_major numeric, currency text, days bigint)
LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT l.rule, l.kind, l.instrument, sum(l.count)::bigint, sum(l.amount)::bigint,
		sum(l.amount_major), min(l.currency), sum(l.days)::bigint
	FROM @extschema@.lines(@extschema@._simulate_sum($1, $2, $3)) AS l
	GROUP BY l.rule, l.kind, l.instrument
	ORDER BY l.rule, l.kind, l.instrument
$$;
COMMENT ON FUNCTION @extschema@.simulate(@extschema@.ruleset, regclass, text) IS
	'totals per rule, kind and instrument of any ruleset (a draft, a retired version, a what-if) over a table, optionally filtered, without issuing anything; the ruleset is a constant of the query';

-- The published policy by name: 0.1.0's signature, now resolving the
-- ruleset once.
CREATE OR REPLACE FUNCTION @extschema@.simulate(policy text, rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (rule text, kind text, instrument text, rows_awarded bigint,
	amount bigint, amount_major numeric, currency text, days bigint)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL THEN
		RAISE EXCEPTION 'policy and table must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY SELECT * FROM @extschema@.simulate(@extschema@.rules($1), $2, $3);
END
$$;
COMMENT ON FUNCTION @extschema@.simulate(text, regclass, text) IS
	'totals per rule, kind and instrument of the latest published version of a policy over a table (optionally filtered), without issuing anything; the policy is read once';

CREATE FUNCTION @extschema@.simulate(policy text, version integer, rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (rule text, kind text, instrument text, rows_awarded bigint,
	amount bigint, amount_major numeric, currency text, days bigint)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy, version and table must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY SELECT * FROM @extschema@.simulate(@extschema@.version_rules($1, $2), $3, $4);
END
$$;
COMMENT ON FUNCTION @extschema@.simulate(text, integer, regclass, text) IS
	'totals per rule, kind and instrument of one version of a policy (draft, published or retired) over a table, optionally filtered, without issuing anything';

--------------------------------------------------------------------------
-- diff: what a new version changes, before it is published
--------------------------------------------------------------------------
-- Per subject, the award lines of the two rulesets are grouped by (rule,
-- kind, instrument) and compared: a group only the new one has is gained,
-- one only the old one has is lost, one both have with another amount,
-- days, date, window, note or count is changed.  Rows whose two awards are
-- equal (award =) are skipped before their lines are read, so the cost is
-- two evaluations per row plus the lines of the rows that change.

CREATE FUNCTION @extschema@.diff(old_rules @extschema@.ruleset, new_rules @extschema@.ruleset,
	rel regclass, key_column text, filter text DEFAULT NULL)
RETURNS TABLE (subject text, rule text, kind text, instrument text, change text,
	old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text,
	old_days bigint, new_days bigint, old_new_date timestamptz, new_new_date timestamptz)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
-- SECURITY INVOKER, not STRICT: as simulate().
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'rules, table and key column must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
	               WHERE a.attrelid = $3 AND a.attname = $4 AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', $4, $3
			USING ERRCODE = 'undefined_column',
				HINT = 'The key column names each row''s subject, as in issue_all().';
	END IF;
	RETURN QUERY EXECUTE format(
		$q$
		WITH r AS (
			SELECT @extschema@.subject_key(t.%1$I) AS subject,
			       @extschema@.evaluate($1, t) AS a, @extschema@.evaluate($2, t) AS b
			FROM %2$s AS t
			WHERE %3$s
			OFFSET 0  -- not flattened: each evaluate() runs once per row
		)
		SELECT r.subject, d.rule, d.kind, d.instrument, d.change,
		       d.old_amount, d.new_amount, d.new_amount - d.old_amount,
		       d.new_major - d.old_major, d.currency,
		       d.old_days, d.new_days, d.old_new_date, d.new_new_date
		FROM r,
		LATERAL (
			SELECT coalesce(o.rule, n.rule) AS rule, coalesce(o.kind, n.kind) AS kind,
			       coalesce(o.instrument, n.instrument) AS instrument,
			       CASE WHEN o.rule IS NULL THEN 'gained' WHEN n.rule IS NULL THEN 'lost'
			            ELSE 'changed' END AS change,
			       -- a side without the line counts 0 where the other has an
			       -- amount (or days), and NULL stays NULL where neither has
			       CASE WHEN coalesce(o.amount, n.amount) IS NOT NULL THEN coalesce(o.amount, 0) END AS old_amount,
			       CASE WHEN coalesce(o.amount, n.amount) IS NOT NULL THEN coalesce(n.amount, 0) END AS new_amount,
			       CASE WHEN coalesce(o.major, n.major) IS NOT NULL THEN coalesce(o.major, 0) END AS old_major,
			       CASE WHEN coalesce(o.major, n.major) IS NOT NULL THEN coalesce(n.major, 0) END AS new_major,
			       coalesce(n.currency, o.currency) AS currency,
			       CASE WHEN coalesce(o.days, n.days) IS NOT NULL THEN coalesce(o.days, 0) END AS old_days,
			       CASE WHEN coalesce(o.days, n.days) IS NOT NULL THEN coalesce(n.days, 0) END AS new_days,
			       o.new_date AS old_new_date, n.new_date AS new_new_date
			FROM (SELECT l.rule, l.kind, coalesce(l.instrument, '') AS instrument,
			             sum(l.amount)::bigint AS amount, sum(l.amount_major) AS major,
			             min(l.currency) AS currency, sum(l.days)::bigint AS days,
			             max(l.new_date) AS new_date,
			             array_agg(l.d ORDER BY l.d) AS detail
			      FROM (SELECT l.*, ROW(l.amount, l.days, l.new_date, l.window_kind, l.window_from,
			                           l.window_until, l.note, l.count)::text AS d
			            FROM @extschema@.lines(r.a) l) l GROUP BY 1, 2, 3) o
			FULL JOIN
			     (SELECT l.rule, l.kind, coalesce(l.instrument, '') AS instrument,
			             sum(l.amount)::bigint AS amount, sum(l.amount_major) AS major,
			             min(l.currency) AS currency, sum(l.days)::bigint AS days,
			             max(l.new_date) AS new_date,
			             array_agg(l.d ORDER BY l.d) AS detail
			      FROM (SELECT l.*, ROW(l.amount, l.days, l.new_date, l.window_kind, l.window_from,
			                           l.window_until, l.note, l.count)::text AS d
			            FROM @extschema@.lines(r.b) l) l GROUP BY 1, 2, 3) n
			  ON (o.rule, o.kind, o.instrument) = (n.rule, n.kind, n.instrument)
			WHERE o.detail IS DISTINCT FROM n.detail
		) d
		WHERE NOT (r.a OPERATOR(@extschema@.=) r.b)
		ORDER BY r.subject, d.rule, d.kind, d.instrument
		$q$, $4, $3, coalesce($5, 'true'))
	USING $1, $2;
END
$$;
COMMENT ON FUNCTION @extschema@.diff(@extschema@.ruleset, @extschema@.ruleset, regclass, text, text) IS
	'per subject (the key column''s subject_key) and per rule, kind and instrument, what the new ruleset gains, loses or changes over the old one on a table, and by how much; unchanged lines are left out';

CREATE FUNCTION @extschema@.diff(policy text, old_version integer, new_version integer,
	rel regclass, key_column text, filter text DEFAULT NULL)
RETURNS TABLE (subject text, rule text, kind text, instrument text, change text,
	old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text,
	old_days bigint, new_days bigint, old_new_date timestamptz, new_new_date timestamptz)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy and versions must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY SELECT * FROM @extschema@.diff(@extschema@.version_rules($1, $2),
		@extschema@.version_rules($1, $3), $4, $5, $6);
END
$$;
COMMENT ON FUNCTION @extschema@.diff(text, integer, integer, regclass, text, text) IS
	'diff() of two versions of a policy (draft, published or retired) over a table';

-- Totals need no key: per rule, kind and instrument, the old and the new
-- totals (from sum(award) of each) and how many rows gain, lose or change
-- that line.
CREATE FUNCTION @extschema@.diff_totals(old_rules @extschema@.ruleset, new_rules @extschema@.ruleset,
	rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (rule text, kind text, instrument text,
	old_rows bigint, new_rows bigint, rows_gained bigint, rows_lost bigint, rows_changed bigint,
	old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text,
	old_days bigint, new_days bigint)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'rules and table must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY EXECUTE format(
		$q$
		WITH r AS MATERIALIZED (
			SELECT @extschema@.evaluate($1, t) AS a, @extschema@.evaluate($2, t) AS b
			FROM %1$s AS t
			WHERE %2$s
		), tot AS (
			SELECT @extschema@.sum(r.a) AS a, @extschema@.sum(r.b) AS b FROM r
		), o AS (
			SELECT l.rule, l.kind, coalesce(l.instrument, '') AS instrument, sum(l.count)::bigint AS n,
			       sum(l.amount)::bigint AS amount, sum(l.amount_major) AS major,
			       min(l.currency) AS currency, sum(l.days)::bigint AS days
			FROM tot, @extschema@.lines(tot.a) l GROUP BY 1, 2, 3
		), n AS (
			SELECT l.rule, l.kind, coalesce(l.instrument, '') AS instrument, sum(l.count)::bigint AS n,
			       sum(l.amount)::bigint AS amount, sum(l.amount_major) AS major,
			       min(l.currency) AS currency, sum(l.days)::bigint AS days
			FROM tot, @extschema@.lines(tot.b) l GROUP BY 1, 2, 3
		), ch AS (
			-- per row that changes, the (rule, kind, instrument) groups it
			-- gains, loses or changes
			SELECT g.rule, g.kind, g.instrument,
			       count(*) FILTER (WHERE g.c = 'gained') AS gained,
			       count(*) FILTER (WHERE g.c = 'lost') AS lost,
			       count(*) FILTER (WHERE g.c = 'changed') AS changed
			FROM r,
			LATERAL (
				SELECT coalesce(x.rule, y.rule) AS rule, coalesce(x.kind, y.kind) AS kind,
				       coalesce(x.instrument, y.instrument) AS instrument,
				       CASE WHEN x.rule IS NULL THEN 'gained' WHEN y.rule IS NULL THEN 'lost'
				            ELSE 'changed' END AS c
				FROM (SELECT l.rule, l.kind, coalesce(l.instrument, '') AS instrument,
				             array_agg(l.d ORDER BY l.d) AS detail
				      FROM (SELECT l.*, ROW(l.amount, l.days, l.new_date, l.window_kind, l.window_from,
				                           l.window_until, l.note, l.count)::text AS d
				            FROM @extschema@.lines(r.a) l) l GROUP BY 1, 2, 3) x
				FULL JOIN
				     (SELECT l.rule, l.kind, coalesce(l.instrument, '') AS instrument,
				             array_agg(l.d ORDER BY l.d) AS detail
				      FROM (SELECT l.*, ROW(l.amount, l.days, l.new_date, l.window_kind, l.window_from,
				                           l.window_until, l.note, l.count)::text AS d
				            FROM @extschema@.lines(r.b) l) l GROUP BY 1, 2, 3) y
				  ON (x.rule, x.kind, x.instrument) = (y.rule, y.kind, y.instrument)
				WHERE x.detail IS DISTINCT FROM y.detail
			) g
			WHERE NOT (r.a OPERATOR(@extschema@.=) r.b)
			GROUP BY 1, 2, 3
		)
		SELECT coalesce(o.rule, n.rule, ch.rule), coalesce(o.kind, n.kind, ch.kind),
		       nullif(coalesce(o.instrument, n.instrument, ch.instrument), ''),
		       coalesce(o.n, 0), coalesce(n.n, 0),
		       coalesce(ch.gained, 0), coalesce(ch.lost, 0), coalesce(ch.changed, 0),
		       CASE WHEN coalesce(o.amount, n.amount) IS NOT NULL THEN coalesce(o.amount, 0) END,
		       CASE WHEN coalesce(o.amount, n.amount) IS NOT NULL THEN coalesce(n.amount, 0) END,
		       CASE WHEN coalesce(o.amount, n.amount) IS NOT NULL
		            THEN coalesce(n.amount, 0) - coalesce(o.amount, 0) END,
		       CASE WHEN coalesce(o.major, n.major) IS NOT NULL
		            THEN coalesce(n.major, 0) - coalesce(o.major, 0) END,
		       coalesce(n.currency, o.currency),
		       CASE WHEN coalesce(o.days, n.days) IS NOT NULL THEN coalesce(o.days, 0) END,
		       CASE WHEN coalesce(o.days, n.days) IS NOT NULL THEN coalesce(n.days, 0) END
		FROM o FULL JOIN n ON (o.rule, o.kind, o.instrument) = (n.rule, n.kind, n.instrument)
		     FULL JOIN ch ON (coalesce(o.rule, n.rule), coalesce(o.kind, n.kind),
		                      coalesce(o.instrument, n.instrument)) = (ch.rule, ch.kind, ch.instrument)
		ORDER BY 1, 2, 3
		$q$, $3, coalesce($4, 'true'))
	USING $1, $2;
END
$$;
COMMENT ON FUNCTION @extschema@.diff_totals(@extschema@.ruleset, @extschema@.ruleset, regclass, text) IS
	'per rule, kind and instrument, the totals of two rulesets over a table and how many rows gain, lose or change that line';

CREATE FUNCTION @extschema@.diff_totals(policy text, old_version integer, new_version integer,
	rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (rule text, kind text, instrument text,
	old_rows bigint, new_rows bigint, rows_gained bigint, rows_lost bigint, rows_changed bigint,
	old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text,
	old_days bigint, new_days bigint)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy and versions must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY SELECT * FROM @extschema@.diff_totals(@extschema@.version_rules($1, $2),
		@extschema@.version_rules($1, $3), $4, $5);
END
$$;
COMMENT ON FUNCTION @extschema@.diff_totals(text, integer, integer, regclass, text) IS
	'diff_totals() of two versions of a policy (draft, published or retired) over a table';

REVOKE ALL ON FUNCTION @extschema@.version_rules(text, integer),
	@extschema@.draft_rules(text),
	@extschema@.simulate(@extschema@.ruleset, regclass, text),
	@extschema@.simulate(text, integer, regclass, text),
	@extschema@.diff(@extschema@.ruleset, @extschema@.ruleset, regclass, text, text),
	@extschema@.diff(text, integer, integer, regclass, text, text),
	@extschema@.diff_totals(@extschema@.ruleset, @extschema@.ruleset, regclass, text),
	@extschema@.diff_totals(text, integer, integer, regclass, text)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.version_rules(text, integer),
	@extschema@.draft_rules(text),
	@extschema@.simulate(@extschema@.ruleset, regclass, text),
	@extschema@.simulate(text, integer, regclass, text),
	@extschema@.diff(@extschema@.ruleset, @extschema@.ruleset, regclass, text, text),
	@extschema@.diff(text, integer, integer, regclass, text, text),
	@extschema@.diff_totals(@extschema@.ruleset, @extschema@.ruleset, regclass, text),
	@extschema@.diff_totals(text, integer, integer, regclass, text)
	TO compensation_admin, compensation_analyst;
