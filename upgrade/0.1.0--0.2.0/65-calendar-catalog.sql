
--------------------------------------------------------------------------
-- Shared calendars (issue 11)
--------------------------------------------------------------------------
-- A calendar of working days (weekend days and holidays) defined once and
-- named by several policies: "calendar "us-federal" shared" in a policy's
-- header.  The compiler reads the row when it compiles the policy and
-- compiles its days into the ruleset (src/calendar_catalog.c), so a
-- ruleset stays a self-contained immutable value: it prints as the inline
-- declaration, evaluation never reads this table, and a calendar defined
-- again changes only the policies compiled after it (a new policy version;
-- docs/policy-language.md, "Shared calendars").
--
-- The rows are kept in canonical form by define_calendar(): the weekend in
-- the order of the week, the holidays ascending, neither with a duplicate.
-- The checks below hold for any row, however written; the compiler checks
-- a row again when it reads it.
CREATE TABLE @extschema@.calendar (
	name		text PRIMARY KEY CHECK (name <> ''),
	weekend		text[] NOT NULL DEFAULT '{saturday,sunday}'
		CHECK (weekend OPERATOR(pg_catalog.<@) '{monday,tuesday,wednesday,thursday,friday,saturday,sunday}'::text[]
			AND pg_catalog.array_position(weekend, NULL) IS NULL
			AND pg_catalog.cardinality(weekend) < 7),
	holidays	date[] NOT NULL DEFAULT '{}'
		CHECK (pg_catalog.array_position(holidays, NULL) IS NULL
			AND '0001-01-01'::date OPERATOR(pg_catalog.<=) ALL (holidays)
			AND '9999-12-31'::date OPERATOR(pg_catalog.>=) ALL (holidays)),
	defined_by	text NOT NULL DEFAULT session_user,
	defined_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.calendar IS
	'shared calendars of working days, named by policies ("calendar NAME shared") and compiled into them; write them with define_calendar() and drop_calendar()';
COMMENT ON COLUMN @extschema@.calendar.name IS 'the name a policy gives after "calendar"';
COMMENT ON COLUMN @extschema@.calendar.weekend IS
	'days of the week that are never working days (monday .. sunday, in that order); at least one day is left';
COMMENT ON COLUMN @extschema@.calendar.holidays IS
	'dates that are not working days, ascending, read in the zone of the policy that names the calendar';
COMMENT ON COLUMN @extschema@.calendar.defined_by IS 'the session user who last defined it';
COMMENT ON COLUMN @extschema@.calendar.defined_at IS 'when it was last defined';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.calendar', '');

CREATE FUNCTION @extschema@.define_calendar(name text,
	weekend text[] DEFAULT '{saturday,sunday}', holidays date[] DEFAULT '{}')
RETURNS @extschema@.calendar
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
-- SECURITY DEFINER: the table is written only through here, by the roles
-- granted it (the policy owner, compensation_admin).  Not STRICT: a NULL
-- argument is an error, not a NULL row.  The error codes are the policy
-- language's for the same mistakes in an inline calendar.
DECLARE
	v_days constant text[] := '{monday,tuesday,wednesday,thursday,friday,saturday,sunday}';
	v_bad text;
	v_dup date;
	v_weekend text[];
	v_row @extschema@.calendar;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'calendar name, weekend and holidays must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				HINT = 'Give an empty array for no weekend days or no holidays.';
	END IF;
	IF $1 = '' THEN
		RAISE EXCEPTION 'calendar name must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT d INTO v_bad FROM unnest($2) AS d
	WHERE d IS NULL OR lower(d) <> ALL (v_days) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown day of the week "%"', coalesce(v_bad, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				HINT = 'Weekend days are monday, tuesday, wednesday, thursday, friday, saturday and sunday.';
	END IF;
	SELECT lower(d) INTO v_bad FROM unnest($2) AS d GROUP BY lower(d) HAVING count(*) > 1 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION '% is given twice', v_bad
			USING ERRCODE = 'duplicate_object', HINT = 'List each weekend day once.';
	END IF;
	v_weekend := ARRAY(SELECT w.d FROM unnest(v_days) WITH ORDINALITY AS w(d, i)
	                   WHERE w.d = ANY (ARRAY(SELECT lower(x) FROM unnest($2) AS x)) ORDER BY w.i);
	IF cardinality(v_weekend) = 7 THEN
		RAISE EXCEPTION 'a calendar needs at least one working day of the week'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave at least one day out of the weekend.';
	END IF;
	IF array_position($3, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'a holiday must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT h INTO v_dup FROM unnest($3) AS h WHERE h < '0001-01-01' OR h > '9999-12-31' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'holiday % is out of range', v_dup
			USING ERRCODE = 'datetime_field_overflow', HINT = 'A holiday is a date of the years 1 to 9999.';
	END IF;
	SELECT h INTO v_dup FROM unnest($3) AS h GROUP BY h HAVING count(*) > 1 ORDER BY h LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'holiday % is given twice', to_char(v_dup, 'YYYY-MM-DD')
			USING ERRCODE = 'duplicate_object', HINT = 'List each holiday once.';
	END IF;
	INSERT INTO @extschema@.calendar AS c (name, weekend, holidays)
	VALUES ($1, v_weekend, ARRAY(SELECT h FROM unnest($3) AS h ORDER BY h))
	ON CONFLICT ON CONSTRAINT calendar_pkey DO UPDATE
	SET weekend = excluded.weekend, holidays = excluded.holidays,
		defined_by = session_user, defined_at = now()
	RETURNING c.* INTO v_row;
	RETURN v_row;
END
$$;
COMMENT ON FUNCTION @extschema@.define_calendar(text, text[], date[]) IS
	'defines or replaces a shared calendar (weekend days, holidays) that policies name with "calendar NAME shared"; policies compiled before keep the days they were compiled with';

CREATE FUNCTION @extschema@.drop_calendar(name text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
-- SECURITY DEFINER as define_calendar().  Policies compiled with the
-- calendar keep its days; only compiling one that names it fails.
BEGIN
	DELETE FROM @extschema@.calendar c WHERE c.name = $1;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.drop_calendar(text) IS
	'drops a shared calendar; true if there was one.  Compiled policies keep its days';

-- The policy owner defines calendars; every role reads them (compiling a
-- policy that names one reads its row with the compiler's rights).
REVOKE ALL ON TABLE @extschema@.calendar FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.define_calendar(text, text[], date[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.drop_calendar(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.define_calendar(text, text[], date[]),
	@extschema@.drop_calendar(text) TO compensation_admin;
GRANT SELECT ON TABLE @extschema@.calendar
	TO compensation_admin, compensation_analyst, compensation_issuer;
