
--------------------------------------------------------------------------
-- The issuing trigger: INSERT, UPDATE and DELETE, row by row or per statement
--------------------------------------------------------------------------
-- Arguments: the policy, the key column, and optionally the source name
-- (by default the table's recorded source, see compensation.source).
-- A deleted row is owed nothing: its open lines are reversed, with the
-- reason 'row deleted' (a table whose deletions must not reverse anything
-- simply has no DELETE in its trigger; compensation.attach() asks).
--
-- The subject is the key's canonical text (src/subject.c): no session
-- setting changes it, and no cast or operator of the key's type runs (this
-- function runs with the extension owner's rights).
CREATE OR REPLACE FUNCTION @extschema@.issue_trigger()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_policy text;
	v_key text;
	v_source text;
	v_attnum int2;
	v_unique boolean;
	v_version integer;
	v_subject text;
	v_old_subject text;
	v_rules @extschema@.ruleset;
	v_award @extschema@.award;
	v_hold text[] := '{}';
	v_new_table name;
	v_old_table name;
	v_rowtype text;
	v_nulls bigint;
	v_hint constant text := 'CREATE TRIGGER ... AFTER INSERT OR UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger(''policy'', ''key_column''), or let compensation.attach(''policy'', ''t'', ''key_column'') create it';
BEGIN
	IF TG_WHEN <> 'AFTER' THEN
		RAISE EXCEPTION 'compensation.issue_trigger() must be fired AFTER the change'
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = format('Trigger "%s" on %s fired %s ... FOR EACH %s.', TG_NAME,
					TG_RELID::regclass, TG_WHEN, TG_LEVEL),
				HINT = v_hint;
	END IF;
	IF TG_OP NOT IN ('INSERT', 'UPDATE', 'DELETE') THEN
		RAISE EXCEPTION 'compensation.issue_trigger() must be fired for INSERT, UPDATE or DELETE'
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = format('Trigger "%s" on %s fired for %s.', TG_NAME, TG_RELID::regclass, TG_OP),
				HINT = 'TRUNCATE removes rows without showing them: reverse the subjects whose rows are gone with compensation.reverse_gone().';
	END IF;
	IF TG_NARGS NOT IN (2, 3) THEN
		RAISE EXCEPTION 'compensation.issue_trigger() needs the policy name, the key column and optionally the source name'
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = format('Trigger "%s" on %s has %s arguments.', TG_NAME, TG_RELID::regclass, TG_NARGS),
				HINT = v_hint;
	END IF;
	IF TG_LEVEL = 'STATEMENT' THEN
		-- The statement form reads the rows from the transition tables,
		-- which dynamic SQL in this function (not in a function it calls)
		-- sees under the names CREATE TRIGGER gave them.
		SELECT t.tgnewtable, t.tgoldtable INTO v_new_table, v_old_table
		FROM pg_trigger t WHERE t.tgrelid = TG_RELID AND t.tgname = TG_NAME;
		IF (TG_OP IN ('INSERT', 'UPDATE') AND v_new_table IS NULL)
			OR (TG_OP IN ('UPDATE', 'DELETE') AND v_old_table IS NULL) THEN
			RAISE EXCEPTION 'compensation.issue_trigger() fired FOR EACH STATEMENT needs the transition tables of the change'
				USING ERRCODE = 'trigger_protocol_violated',
					DETAIL = format('Trigger "%s" on %s fired for %s without %s.', TG_NAME,
						TG_RELID::regclass, TG_OP, CASE TG_OP WHEN 'INSERT' THEN 'a NEW TABLE'
						WHEN 'DELETE' THEN 'an OLD TABLE' ELSE 'an OLD TABLE and a NEW TABLE' END),
					HINT = 'AFTER INSERT ... REFERENCING NEW TABLE AS n, AFTER UPDATE ... REFERENCING OLD TABLE AS o NEW TABLE AS n, AFTER DELETE ... REFERENCING OLD TABLE AS o, each FOR EACH STATEMENT; compensation.attach(..., form => ''statement'') creates them.';
		END IF;
	END IF;
	v_policy := TG_ARGV[0];
	v_key := TG_ARGV[1];
	-- The key column, which must be a unique key of its own, the table's
	-- source, and the latest published version of the policy with its rules.
	SELECT k.attnum, k.is_unique INTO v_attnum, v_unique FROM @extschema@._key_column(TG_RELID, v_key) k;
	IF v_attnum IS NULL THEN
		RAISE EXCEPTION 'key column "%" of trigger "%" does not exist in %', v_key, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF NOT v_unique THEN
		RAISE EXCEPTION 'key column "%" of trigger "%" is not a unique key of %', v_key, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = 'Each row is issued as the subject its key names, so the key must be unique.',
				HINT = 'Name the primary key, or a column with a unique index of its own.';
	END IF;
	SELECT p.version, p.rules INTO v_version, v_rules FROM @extschema@.policy p
	WHERE p.name = v_policy AND p.status = 'published'
	ORDER BY p.version DESC LIMIT 1;
	IF NOT FOUND AND NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = v_policy) THEN
		RAISE EXCEPTION 'policy "%" of trigger "%" on % does not exist', v_policy, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated',
				HINT = 'Define and publish it with compensation.define_policy() and compensation.publish().';
	END IF;
	IF v_version IS NULL THEN
		-- Not (or no longer) in force: nothing to issue.
		RETURN NULL;
	END IF;
	v_source := @extschema@._table_source(TG_RELID, v_key, TG_ARGV[2], v_policy);

	IF TG_LEVEL = 'STATEMENT' THEN
		-- Once per statement, set-based: the subjects and awards of the
		-- change, in subject order, settled 10,000 at a time (bounded
		-- memory; locks are taken in subject order across chunks too).
		-- Rows are passed as the table's row type (a transition table's
		-- row is a record).
		v_rowtype := format_type((SELECT c.reltype FROM pg_class c WHERE c.oid = TG_RELID), NULL);
		IF v_new_table IS NOT NULL THEN
			EXECUTE format('SELECT count(*) FROM %I t WHERE t.%I IS NULL', v_new_table, v_key)
				INTO v_nulls;
			IF v_nulls > 0 THEN
				RAISE EXCEPTION 'key column "%" of % is null', v_key, TG_RELID::regclass
					USING ERRCODE = 'null_value_not_allowed';
			END IF;
		END IF;
		IF TG_OP IN ('INSERT', 'DELETE') THEN
			-- One side: each row's subject and award (owed nothing when
			-- deleted), sorted once by subject, in chunks (their order
			-- within a chunk does not matter: _settle sorts what it locks).
			EXECUTE format($q$
				SELECT count(*)
				FROM (SELECT array_agg(c.k) AS ks, array_agg(c.a) AS awards
					FROM (SELECT c.k, c.a, row_number() OVER () AS i
						FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, %2$s AS a
							FROM %3$I t ORDER BY @extschema@.subject_key(t.%1$I) COLLATE "C") c) c
					GROUP BY (c.i - 1) / 10000) b,
					LATERAL @extschema@._settle($1, $2, $4, b.ks, b.awards, '{}', false, $5) f$q$,
				v_key,
				CASE TG_OP WHEN 'INSERT' THEN format('@extschema@.evaluate($3, ROW(t.*)::%s)', v_rowtype)
					ELSE 'NULL::@extschema@.award' END,
				coalesce(v_new_table, v_old_table))
				USING v_policy, v_version, v_rules, v_source,
					CASE TG_OP WHEN 'DELETE' THEN 'row deleted' END;
			RETURN NULL;
		END IF;
		-- An update: n, the new award of each subject (NULL when no row
		-- holds it any more); hold: a subject whose committed row was owed
		-- something and now is not is locked even when nothing is written,
		-- as the row form does (see below).
		EXECUTE format($q$
			SELECT count(*)
			FROM (SELECT array_agg(c.k ORDER BY c.k COLLATE "C") AS ks, array_agg(c.a ORDER BY c.k COLLATE "C") AS awards,
					coalesce(array_agg(c.k ORDER BY c.k COLLATE "C") FILTER (WHERE c.hold), '{}') AS held
				FROM (SELECT coalesce(n.k, o.k) AS k, n.a,
						coalesce(@extschema@.is_empty(n.a), true)
							AND NOT coalesce(@extschema@.is_empty(o.a), true) AS hold,
						row_number() OVER (ORDER BY coalesce(n.k, o.k) COLLATE "C") AS i
					FROM (%1$s) n FULL JOIN (%2$s) o USING (k)) c
				GROUP BY (c.i - 1) / 10000) b,
				LATERAL @extschema@._settle($1, $2, $4, b.ks, b.awards, b.held, false, $5) f$q$,
			format('SELECT @extschema@.subject_key(t.%I) AS k, @extschema@.evaluate($3, ROW(t.*)::%s) AS a FROM %I t',
				v_key, v_rowtype, v_new_table),
			format('SELECT @extschema@.subject_key(t.%I) AS k, @extschema@.evaluate($3, ROW(t.*)::%s) AS a FROM %I t',
				v_key, v_rowtype, v_old_table))
			USING v_policy, v_version, v_rules, v_source, NULL::text;
		RETURN NULL;
	END IF;

	IF TG_OP = 'DELETE' THEN
		v_old_subject := @extschema@._row_subject(OLD, v_key);
		IF v_old_subject IS NULL OR NOT EXISTS (SELECT FROM @extschema@.issuance s
			WHERE s.policy = v_policy AND s.source = v_source AND s.subject = v_old_subject) THEN
			RETURN NULL;
		END IF;
		PERFORM FROM @extschema@._settle(v_policy, v_version, v_source, ARRAY[v_old_subject],
			ARRAY[NULL::@extschema@.award], reason => 'row deleted');
		RETURN NULL;
	END IF;

	v_subject := @extschema@._row_subject(NEW, v_key);
	IF v_subject IS NULL THEN
		RAISE EXCEPTION 'key column "%" of % is null', v_key, TG_RELID::regclass
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v_award := @extschema@.evaluate(v_rules, NEW);
	IF TG_OP = 'INSERT' THEN
		-- The common case: a new row owed nothing, and a subject never
		-- issued: one index probe.
		IF @extschema@.is_empty(v_award) AND NOT EXISTS (SELECT FROM @extschema@.issuance s
			WHERE s.policy = v_policy AND s.source = v_source AND s.subject = v_subject) THEN
			RETURN NULL;
		END IF;
		PERFORM FROM @extschema@._settle(v_policy, v_version, v_source, ARRAY[v_subject], ARRAY[v_award]);
		RETURN NULL;
	END IF;

	v_old_subject := @extschema@._row_subject(OLD, v_key);
	-- When the committed row (OLD) is owed something, issue_all may be
	-- about to issue it: take the issuance lock even if there is nothing
	-- to write, so that issue_all waits for this transaction and then
	-- reads the row as it commits.
	IF (v_old_subject IS DISTINCT FROM v_subject OR @extschema@.is_empty(v_award))
		AND NOT @extschema@.is_empty(@extschema@.evaluate(v_rules, OLD)) THEN
		v_hold := ARRAY[v_old_subject];
	END IF;
	IF v_old_subject IS DISTINCT FROM v_subject THEN
		-- A row whose key changed leaves its old subject owed nothing.
		PERFORM FROM @extschema@._settle(v_policy, v_version, v_source, ARRAY[v_subject, v_old_subject],
			ARRAY[v_award, NULL], v_hold);
	ELSE
		PERFORM FROM @extschema@._settle(v_policy, v_version, v_source, ARRAY[v_subject],
			ARRAY[v_award], v_hold);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.issue_trigger() IS
	'AFTER INSERT OR UPDATE OR DELETE trigger (''policy'', ''key_column'' [, ''source'']), FOR EACH ROW, or FOR EACH STATEMENT with transition tables (set-based, for bulk changes): issues the latest published version of the policy for the rows, paying or reversing the difference on update, reversing a deleted row''s lines; compensation.attach() creates it';
