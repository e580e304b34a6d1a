
--------------------------------------------------------------------------
-- Key columns
--------------------------------------------------------------------------
-- The one check of a key column, for the trigger, issue_all and
-- issue_key: the attribute, and whether it is a unique key of its own (a
-- plain, valid, one-column unique index, with no predicate and no
-- expression).
-- PL/pgSQL, not SQL: the trigger calls it on every firing, and a SQL
-- function's statement is planned again on every call (a PL/pgSQL one's
-- plans are kept for the session); it was most of a row trigger's time.
CREATE FUNCTION @extschema@._key_column(rel regclass, key_column text,
	OUT attnum smallint, OUT type_oid oid, OUT base_type oid, OUT is_unique boolean)
RETURNS record
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_next oid;
BEGIN
	SELECT a.attnum, a.atttypid INTO attnum, type_oid FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	-- through domains to the base type
	base_type := type_oid;
	LOOP
		SELECT t.typbasetype INTO v_next FROM pg_catalog.pg_type t WHERE t.oid = base_type;
		EXIT WHEN v_next IS NULL OR v_next = 0;
		base_type := v_next;
	END LOOP;
	is_unique := EXISTS (SELECT FROM pg_catalog.pg_index i
		WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid
			AND i.indnkeyatts = 1 AND i.indkey[0] = attnum
			AND i.indpred IS NULL AND i.indexprs IS NULL);
END
$$;
COMMENT ON FUNCTION @extschema@._key_column(regclass, text) IS
	'internal: a key column''s attribute number, type and base type (through domains), and whether a unique index of its own makes it a key (NULLs if the column does not exist)';

-- _key_column() reads only what pg_catalog shows anyone: left to PUBLIC, as
-- issue_all runs with its caller's rights.
