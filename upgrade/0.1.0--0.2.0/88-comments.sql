
--------------------------------------------------------------------------
-- A comment on every object of the extension
--------------------------------------------------------------------------
-- 0.1.0 left these without one; sql/comments.sql lists every member of the
-- extension that has none, and expects none (\dx+ compensation, \do+,
-- \ds+ read these).
COMMENT ON OPERATOR @extschema@.= (@extschema@.ruleset, @extschema@.ruleset) IS
	'the same compiled policy: equal canonical forms';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.ruleset, @extschema@.ruleset) IS
	'not the same compiled policy';
COMMENT ON OPERATOR CLASS @extschema@.ruleset_hash_ops USING hash IS
	'the default hash operator class of ruleset: hash joins, GROUP BY and DISTINCT on policies';
COMMENT ON OPERATOR FAMILY @extschema@.ruleset_hash_ops USING hash IS
	'the hash operator family of ruleset (its one class: ruleset_hash_ops)';
COMMENT ON OPERATOR FAMILY @extschema@.award_hash_ops USING hash IS
	'the hash operator family of award (its one class: award_hash_ops)';
COMMENT ON SEQUENCE @extschema@.ledger_id_seq IS
	'ids of ledger lines; an id is taken before its transaction commits, so ids do not give commit order (read the outbox, not "id > last seen")';
COMMENT ON SEQUENCE @extschema@.issue_run_id_seq IS
	'ids of issue_all runs';
