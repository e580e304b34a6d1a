
--------------------------------------------------------------------------
-- Key columns
--------------------------------------------------------------------------
-- The one check of a key column, for the trigger, issue_all and
-- issue_key: the attribute, and whether it is a unique key of its own (a
-- plain, valid, one-column unique index, with no predicate and no
-- expression).
CREATE FUNCTION @extschema@._key_column(rel regclass, key_column text,
	OUT attnum smallint, OUT type_oid oid, OUT base_type oid, OUT is_unique boolean)
RETURNS record
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE domains(oid, base) AS (
		SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t
		WHERE t.oid = (SELECT a.atttypid FROM pg_catalog.pg_attribute a
			WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped)
		UNION ALL
		SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type t JOIN domains d ON t.oid = d.base
	)
	SELECT a.attnum, a.atttypid, (SELECT d.oid FROM domains d WHERE d.base = 0),
		EXISTS (SELECT FROM pg_catalog.pg_index i
		WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indisvalid
			AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum
			AND i.indpred IS NULL AND i.indexprs IS NULL)
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped;
$$;
COMMENT ON FUNCTION @extschema@._key_column(regclass, text) IS
	'internal: a key column''s attribute number, type and base type (through domains), and whether a unique index of its own makes it a key (NULLs if the column does not exist)';

-- _key_column() reads only what pg_catalog shows anyone: left to PUBLIC, as
-- issue_all runs with its caller's rights.
