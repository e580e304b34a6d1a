-- Every object of the extension has a comment (COMMENT ON): functions,
-- aggregates, types, tables, views, sequences, operators, operator classes
-- and families, casts.  The query lists the members of the extension
-- without one; it must list none.  A new object needs its COMMENT ON in the
-- same part of upgrade/ that creates it.
\set test comments
\i test/regress_preamble.sql
SELECT pg_describe_object(d.classid, d.objid, 0) AS object_without_comment
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'compensation')
  AND NOT EXISTS (SELECT FROM pg_description c
                  WHERE c.classoid = d.classid AND c.objoid = d.objid AND c.objsubid = 0
                    AND c.description <> '')
ORDER BY 1;
-- The query does find members: the count by kind (so that an empty list
-- above cannot come from a query that finds nothing).
SELECT d.classid::regclass::text AS catalog, count(*) > 0 AS has_members
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'compensation')
GROUP BY 1 ORDER BY 1;
DROP SCHEMA test_comments CASCADE;
