
--------------------------------------------------------------------------
-- Subjects: the canonical text of a key, the same in every session
--------------------------------------------------------------------------
-- 0.1.0 named a subject key::text, which follows DateStyle and TimeZone (one
-- row paid once per setting) and, in the trigger, ran with the extension
-- owner's rights a cast the table owner could define (to_jsonb(NEW) calls a
-- CAST (enum AS json), key::text a CAST (type AS text)): a table owner made
-- itself superuser.  The subject is now made in C from the key's value by
-- rules that read no setting and run no user code (src/subject.c,
-- docs/ledger.md); the trigger and issue_all use it.  STABLE, not IMMUTABLE:
-- an enum key's text is its label, which ALTER TYPE ... RENAME VALUE can
-- change (PostgreSQL's enum_out is STABLE for the same reason).
CREATE FUNCTION @extschema@.subject_key(key anyelement)
RETURNS text
AS 'MODULE_PATHNAME', 'compensation_subject_key'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.subject_key(anyelement) IS
	'the subject a key names in the ledger: a canonical text no session setting changes (ISO dates, UTC instants, numerics without trailing zeros); what the trigger and issue_all issue under';

CREATE FUNCTION @extschema@._row_subject("row" anyelement, key_column text)
RETURNS text
AS 'MODULE_PATHNAME', 'compensation_row_subject'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._row_subject(anyelement, text) IS
	'internal: subject_key() of a row''s key column, NULL if the key is NULL; how the trigger reads NEW''s key without a cast or a dynamic query';

