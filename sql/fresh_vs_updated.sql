-- A fresh CREATE EXTENSION at the default version and 0.1.0 updated to it
-- are the same objects.  Each is made in a new database of its own (the
-- extension can be installed once per database), read there with \c, and
-- compared here: every member of the extension (pg_depend, deptype 'e',
-- named by pg_describe_object()) with a digest of what defines it, and the
-- extension's own row.  Then the comparison is shown to find differences.
\set test fresh_vs_updated
\i test/regress_preamble.sql
\set regress_db :DBNAME
\set fresh_db :DBNAME _fresh
\set updated_db :DBNAME _updated
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"fresh_db";
DROP DATABASE IF EXISTS :"updated_db";
RESET client_min_messages;
CREATE DATABASE :"fresh_db" TEMPLATE template0;
CREATE DATABASE :"updated_db" TEMPLATE template0;

-- members_sql: one text per member, 'description<TAB>md5 of its
-- definition', sorted, as one array.  The definition is what the catalogs
-- say of the object by name (never by oid, which differ between
-- databases): a function's arguments, result, body, volatility,
-- strictness, parallel safety, security, settings, privileges and, for an
-- aggregate, its support functions; a table's or view's columns, defaults,
-- constraints, indexes, triggers, query and privileges; a type's I/O
-- functions and storage; an operator's function and companions; an
-- operator class's operators and support functions; and every comment.
SELECT $q$
SELECT array_agg(m ORDER BY m) AS members FROM (
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || E'\t' || md5(concat_ws(' | ',
	CASE d.classid
	WHEN 'pg_proc'::regclass THEN (
		SELECT concat_ws(' | ', p.prokind, pg_get_function_arguments(p.oid),
			pg_get_function_result(p.oid), p.prosrc, p.probin, p.provolatile, p.proisstrict,
			p.proparallel, p.prosecdef, p.proleakproof, p.procost, p.prorows, p.prosupport,
			p.proconfig, p.proacl,
			(SELECT concat_ws(' | ', a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
				a.aggdeserialfn, format_type(a.aggtranstype, NULL), a.agginitval)
			 FROM pg_aggregate a WHERE a.aggfnoid = p.oid))
		FROM pg_proc p WHERE p.oid = d.objid)
	WHEN 'pg_class'::regclass THEN (
		SELECT concat_ws(' | ', c.relkind, c.relpersistence, c.relacl,
			CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END,
			(SELECT string_agg(concat_ws(' ', a.attname, format_type(a.atttypid, a.atttypmod),
				a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attacl,
				col_description(c.oid, a.attnum)), ', ' ORDER BY a.attnum)
			 FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
			 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
			(SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), ', ' ORDER BY k.conname)
			 FROM pg_constraint k WHERE k.conrelid = c.oid),
			(SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY 1)
			 FROM pg_index i WHERE i.indrelid = c.oid),
			(SELECT string_agg(pg_get_triggerdef(t.oid), ', ' ORDER BY 1)
			 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal))
		FROM pg_class c WHERE c.oid = d.objid)
	WHEN 'pg_type'::regclass THEN (
		SELECT concat_ws(' | ', t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage,
			t.typcategory, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typanalyze,
			format_type(t.typelem, NULL), t.typacl)
		FROM pg_type t WHERE t.oid = d.objid)
	WHEN 'pg_operator'::regclass THEN (
		SELECT concat_ws(' | ', o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
			o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
		FROM pg_operator o WHERE o.oid = d.objid)
	WHEN 'pg_opclass'::regclass THEN (
		SELECT concat_ws(' | ', oc.opcdefault, format_type(oc.opcintype, NULL),
			(SELECT string_agg(ao.amopstrategy || ' ' || ao.amopopr::regoperator, ', ' ORDER BY 1)
			 FROM pg_amop ao WHERE ao.amopfamily = oc.opcfamily),
			(SELECT string_agg(ap.amprocnum || ' ' || ap.amproc::regprocedure, ', ' ORDER BY 1)
			 FROM pg_amproc ap WHERE ap.amprocfamily = oc.opcfamily))
		FROM pg_opclass oc WHERE oc.oid = d.objid)
	END,
	(SELECT x.description FROM pg_description x
	 WHERE x.classoid = d.classid AND x.objoid = d.objid AND x.objsubid = d.objsubid))) AS m
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'compensation'
UNION ALL
SELECT 'extension ' || e.extname || E'\t' || md5(concat_ws(' | ', e.extversion,
	e.extnamespace::regnamespace, e.extrelocatable, e.extconfig::regclass[], e.extcondition))
FROM pg_extension e WHERE e.extname = 'compensation') members
$q$ AS members_sql \gset

-- differences(fresh, updated): the objects only one side has, or whose
-- definitions differ.  In this test's schema, not pg_temp: \c ends the
-- session.
CREATE FUNCTION differences(fresh text[], updated text[])
RETURNS TABLE (object text, in_fresh boolean, in_updated boolean)
LANGUAGE sql AS $$
	WITH f AS (SELECT split_part(m, E'\t', 1) AS object, split_part(m, E'\t', 2) AS def
	           FROM unnest(fresh) m),
	     u AS (SELECT split_part(m, E'\t', 1) AS object, split_part(m, E'\t', 2) AS def
	           FROM unnest(updated) m)
	SELECT coalesce(f.object, u.object), f.object IS NOT NULL, u.object IS NOT NULL
	FROM f FULL JOIN u ON u.object = f.object
	WHERE f.def IS DISTINCT FROM u.def
	ORDER BY 1, 2
$$;

-- A fresh install at the default version.
\c :fresh_db
CREATE EXTENSION compensation;
SELECT extversion = (SELECT default_version FROM pg_available_extensions
                     WHERE name = 'compensation') AS at_default_version
FROM pg_extension WHERE extname = 'compensation';
:members_sql \gset fresh_

-- 0.1.0, updated.
\c :updated_db
CREATE EXTENSION compensation VERSION '0.1.0';
ALTER EXTENSION compensation UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions
                     WHERE name = 'compensation') AS at_default_version
FROM pg_extension WHERE extname = 'compensation';
:members_sql \gset updated_

\c :regress_db
SELECT cardinality(:'fresh_members'::text[]) > 0 AS has_members,
       cardinality(:'fresh_members'::text[]) = cardinality(:'updated_members'::text[]) AS same_count;
-- The same objects, defined the same: no row.
SELECT * FROM test_fresh_vs_updated.differences(:'fresh_members', :'updated_members');

-- It would see a difference: in the updated database, one member leaves the
-- extension and another joins it, a function's comment and a table's
-- columns change.
\c :updated_db
ALTER EXTENSION compensation DROP FUNCTION compensation.has(compensation.award, text);
CREATE FUNCTION compensation.stray() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER EXTENSION compensation ADD FUNCTION compensation.stray();
COMMENT ON FUNCTION compensation.is_empty(compensation.award) IS 'changed';
ALTER TABLE compensation.incident ADD COLUMN note text;
:members_sql \gset changed_
\c :regress_db
SELECT * FROM test_fresh_vs_updated.differences(:'fresh_members', :'changed_members');

DROP DATABASE :"fresh_db";
DROP DATABASE :"updated_db";
