
--------------------------------------------------------------------------
-- Who bears the cost (issue 12)
--------------------------------------------------------------------------
-- An award line can name its bearer: the company (no bearer, the default)
-- or a partner the policy names, from a column of the row or a literal
--
--     credit refund price * 130% bearer promoter
--
-- (docs/policy-language.md, "Who bears the cost").  The award carries it
-- per line (text: bearer 'X'; JSON: "bearer"); lines() and the ledger have
-- it since 61-bearer-ledger.sql (before the reports of 62 read it); here
-- simulate_by_bearer() totals what each bearer would carry and
-- issued_by_bearer what each carries so far: the settlement with the
-- partners.

-- simulate_by_bearer: simulate()'s totals per bearer instead of per rule:
-- what each partner would carry if the policy were issued over the table.
-- SECURITY INVOKER and a one-shot plan, as simulate().
CREATE FUNCTION @extschema@.simulate_by_bearer(rules @extschema@.ruleset, rel regclass,
	filter text DEFAULT NULL)
RETURNS TABLE (bearer text, kind text, instrument text, rows_awarded bigint,
	amount bigint, amount_major numeric, currency text, days bigint)
LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- The sum keeps one line per rule, kind, instrument and bearer; the
	-- rules of one bearer are added up here.
	SELECT l.bearer, l.kind, l.instrument, sum(l.count)::bigint, sum(l.amount)::bigint,
		sum(l.amount_major), min(l.currency), sum(l.days)::bigint
	FROM @extschema@.lines(@extschema@._simulate_sum($1, $2, $3)) AS l
	GROUP BY l.bearer, l.kind, l.instrument
	ORDER BY l.bearer NULLS FIRST, l.kind, l.instrument
$$;
COMMENT ON FUNCTION @extschema@.simulate_by_bearer(@extschema@.ruleset, regclass, text) IS
	'totals per bearer (NULL: the company), kind and instrument of any ruleset over a table, optionally filtered, without issuing anything: what each partner would carry';

CREATE FUNCTION @extschema@.simulate_by_bearer(policy text, rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (bearer text, kind text, instrument text, rows_awarded bigint,
	amount bigint, amount_major numeric, currency text, days bigint)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL THEN
		RAISE EXCEPTION 'policy and table must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY SELECT * FROM @extschema@.simulate_by_bearer(@extschema@.rules($1), $2, $3);
END
$$;
COMMENT ON FUNCTION @extschema@.simulate_by_bearer(text, regclass, text) IS
	'totals per bearer (NULL: the company), kind and instrument of the latest published version of a policy over a table, optionally filtered, without issuing anything; the policy is read once';

-- issued_by_bearer: per policy version and bearer, what the ledger holds
-- open on its account (the lines issued and not reversed): the settlement
-- with each partner.  "open" is as in issued_totals.
CREATE VIEW @extschema@.issued_by_bearer AS
SELECT l.policy, l.version, l.bearer, l.kind, l.instrument,
	min(l.currency) AS currency,
	count(DISTINCT l.subject) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS subjects,
	count(*) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS open_lines,
	sum(l.amount) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS open_amount,
	pg_catalog.round(sum(l.amount) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL)::numeric
		/ @extschema@._currency_unit(min(l.currency)),
		pg_catalog.length(@extschema@._currency_unit(min(l.currency))::text) - 1) AS open_amount_major,
	sum(l.days) FILTER (WHERE l.reverses IS NULL AND r.id IS NULL) AS open_days
FROM @extschema@.ledger AS l
LEFT JOIN @extschema@.ledger AS r ON r.subject = l.subject AND r.reverses = l.id
GROUP BY l.policy, l.version, l.bearer, l.kind, l.instrument;
COMMENT ON VIEW @extschema@.issued_by_bearer IS
	'per policy version, bearer (NULL: the company), kind and instrument: subjects and lines open in the ledger and their amount and days: what each partner carries, to settle with it; amounts in minor units, open_amount_major in the currency';

REVOKE ALL ON FUNCTION @extschema@.simulate_by_bearer(@extschema@.ruleset, regclass, text),
	@extschema@.simulate_by_bearer(text, regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.simulate_by_bearer(@extschema@.ruleset, regclass, text),
	@extschema@.simulate_by_bearer(text, regclass, text)
	TO compensation_admin, compensation_analyst;
REVOKE ALL ON TABLE @extschema@.issued_by_bearer FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.issued_by_bearer TO compensation_admin, compensation_analyst;
