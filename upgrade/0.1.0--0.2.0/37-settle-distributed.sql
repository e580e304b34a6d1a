
--------------------------------------------------------------------------
-- Settling subjects on Citus
--------------------------------------------------------------------------
-- After compensation.distribute() (39-distribute.sql), the issuance state
-- and the ledger are Citus tables distributed by subject.  _settle then
-- takes the same four steps in statements Citus runs on a distributed
-- table, from the coordinator:
--   - the subjects of a batch are grouped by the shard that holds them
--     (_subjects_by_shard), and each read or lock is one statement per
--     group, which Citus routes to that one shard: a statement over every
--     shard with the whole list (`= ANY (...)`, `IN (SELECT unnest(...))`)
--     made each of the 32 shards probe all 10,000 subjects of a batch, or
--     join them in a nested loop (0.6 to 7 s a batch, against 0.05 s);
--     a LATERAL probe from a list of subjects, which the single-node
--     writer uses, is a correlated subquery Citus refuses;
--   - the rows are compared on the coordinator, in memory (jsonb maps of
--     the state read);
--   - each write is one INSERT ... SELECT of the rows computed, which Citus
--     routes to the shards of their subjects; a line's id is taken from
--     the coordinator's sequence before it is written (RETURNING, like ON
--     CONFLICT, sends the INSERT down a path of Citus that cost 2 s for
--     2,700 rows against 0.45 s);
--   - the issuance lock of a subject is the row lock of its state row,
--     taken by an UPDATE (Citus refuses SELECT ... FOR UPDATE over several
--     shards), shard by shard in shard order, so that two sessions lock in
--     one order.
-- The outbox and its NOTIFY stay on the coordinator (_announce).
-- Evaluation happens before, on the workers, in the query that reads the
-- rows (_issue_next_distributed).

-- Whether compensation.distribute() made the issuance state a Citus table.
CREATE FUNCTION @extschema@._distributed()
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN @extschema@._citus_table('@extschema@.issuance'::regclass);
END
$$;
COMMENT ON FUNCTION @extschema@._distributed() IS
	'internal: whether compensation.distribute() made the ledger and the issuance state Citus tables';

-- Whether a table is a Citus table (distributed, reference or local).
CREATE FUNCTION @extschema@._citus_table(rel regclass)
RETURNS boolean
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_is boolean;
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition d WHERE d.logicalrelid = $1)'
		INTO v_is USING $1;
	RETURN v_is;
END
$$;
COMMENT ON FUNCTION @extschema@._citus_table(regclass) IS
	'internal: whether a table is a Citus table';

-- On Citus the writer runs on the coordinator: the outbox and its NOTIFY
-- live there, and a worker would write from inside a shard's query (a
-- query that reads the row from a distributed table and calls issue() in
-- the same statement is sent whole to the row's worker).
CREATE FUNCTION @extschema@._coordinator_only()
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_coordinator boolean;
BEGIN
	IF NOT @extschema@._distributed() THEN
		RETURN;
	END IF;
	EXECUTE 'SELECT pg_catalog.citus_is_coordinator()' INTO v_coordinator;
	IF NOT v_coordinator THEN
		RAISE EXCEPTION 'compensation issues on the coordinator, not on a worker'
			USING ERRCODE = 'feature_not_supported',
				DETAIL = 'A statement that reads the row from a distributed table and issues it is sent whole to the row''s worker.',
				HINT = 'Read the row first, then call issue() with it: SELECT * FROM compensation.issue(''policy'', ''subject'', $1::orders).';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._coordinator_only() IS
	'internal: refuses to issue on a Citus worker';

-- The subjects given, in groups of one shard each (the state's and the
-- ledger's, which are co-located), in shard order: the order every
-- distributed path locks in.
CREATE FUNCTION @extschema@._subjects_by_shard(subjects text[])
RETURNS SETOF text[]
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- (EXECUTE: the function is Citus's, absent on a single node)
	RETURN QUERY EXECUTE
		'SELECT array_agg(x ORDER BY x COLLATE "C")
		 FROM unnest($1) x
		 GROUP BY pg_catalog.get_shard_id_for_distribution_column($2, x)
		 ORDER BY pg_catalog.get_shard_id_for_distribution_column($2, x)'
		USING $1, '@extschema@.issuance'::regclass;
END
$$;
COMMENT ON FUNCTION @extschema@._subjects_by_shard(text[]) IS
	'internal: the subjects given, grouped by the shard of the distributed state and ledger that holds them, in shard order';

-- The state of each subject given, as a jsonb map subject -> [version,
-- award_hash hex, revoked].
CREATE FUNCTION @extschema@._state_distributed(policy text, source text, subjects text[])
RETURNS jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_state jsonb := '{}';
	v_part jsonb;
	v_group text[];
BEGIN
	FOR v_group IN SELECT g FROM @extschema@._subjects_by_shard($3) g LOOP
		EXECUTE format($q$
			SELECT jsonb_object_agg(st.subject, jsonb_build_array(st.version,
					encode(st.award_hash, 'hex'), st.revoked_at IS NOT NULL))
			FROM @extschema@.issuance st
			WHERE st.policy = %L AND st.source = %L AND st.subject = ANY (%L::text[])$q$,
			$1, $2, v_group)
			INTO v_part;
		v_state := v_state || coalesce(v_part, '{}');
	END LOOP;
	RETURN v_state;
END
$$;
COMMENT ON FUNCTION @extschema@._state_distributed(text, text, text[]) IS
	'internal: the issuance state of the subjects given (one read per shard), subject -> [version, award hash, revoked]';

CREATE FUNCTION @extschema@._settle_distributed(policy text, version integer, source text,
	subjects text[], awards @extschema@.award[], hold text[], defer boolean, reason text,
	OUT ids bigint[], OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	p_source text := $3;
	v_state jsonb;
	v_claim text[];
	v_claim_awards @extschema@.award[];
	v_claim_hashes bytea[];
	v_claimed text[];
	v_rest text[];
	v_locked text[];
	v_lines bigint;
BEGIN
	PERFORM @extschema@._coordinator_only();
	-- 1. The state of every subject, read once; sorted into claims, the
	-- rest and nothing to do, as _settle does.
	v_state := @extschema@._state_distributed(p_policy, p_source, $4);
	SELECT array_agg(x.subject) FILTER (WHERE x.step = 'claim'),
		array_agg(x.a) FILTER (WHERE x.step = 'claim'),
		array_agg(x.h) FILTER (WHERE x.step = 'claim'),
		array_agg(x.subject) FILTER (WHERE x.step = 'lock')
	INTO v_claim, v_claim_awards, v_claim_hashes, v_rest
	FROM (SELECT b.subject, b.a, b.h,
			CASE WHEN b.subject = ANY ($6) THEN 'lock'
				WHEN b.st IS NULL THEN CASE WHEN b.h IS NULL THEN NULL ELSE 'claim' END
				WHEN (b.st ->> 2)::boolean THEN NULL
				WHEN (b.st ->> 0)::integer > p_version THEN NULL
				WHEN (b.st ->> 1) IS NOT DISTINCT FROM encode(b.h, 'hex') THEN NULL
				ELSE 'lock' END AS step
		FROM (SELECT u.subject, u.a, v_state -> u.subject AS st,
				CASE WHEN u.a IS NULL OR @extschema@.is_empty(u.a) THEN NULL
					ELSE sha256(@extschema@.award_send(u.a)) END AS h
			FROM unnest($4, $5) AS u(subject, a)) b
		ORDER BY b.subject COLLATE "C") x
	WHERE x.step IS NOT NULL;
	v_rest := coalesce(v_rest, '{}');

	-- 2. Claims: the state row inserted is the lock; a claim another
	-- session won goes to the rest.  Citus runs an INSERT ... SELECT with
	-- ON CONFLICT or RETURNING through a slower path (2.5 s for 2,700
	-- rows against 0.45 s on the test machine), so the claims are first
	-- inserted plainly; if another session claimed one of them since the
	-- state was read (a unique violation), the batch's claims are made
	-- again with ON CONFLICT DO NOTHING.
	IF v_claim IS NOT NULL THEN
		BEGIN
			INSERT INTO @extschema@.issuance AS i (policy, source, subject, version, award_hash, open_lines, issued_at)
			SELECT p_policy, p_source, c.subject, p_version, c.h,
				(SELECT count(*) FROM @extschema@.lines(c.a)), now()
			FROM unnest(v_claim, v_claim_awards, v_claim_hashes) AS c(subject, a, h);
			v_claimed := v_claim;
		EXCEPTION WHEN unique_violation THEN
			WITH claimed AS (
				INSERT INTO @extschema@.issuance AS i (policy, source, subject, version, award_hash, open_lines, issued_at)
				SELECT p_policy, p_source, c.subject, p_version, c.h,
					(SELECT count(*) FROM @extschema@.lines(c.a)), now()
				FROM unnest(v_claim, v_claim_awards, v_claim_hashes) AS c(subject, a, h)
				ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING
				RETURNING i.subject
			)
			SELECT array_agg(c.subject) INTO v_claimed FROM claimed c;
		END;
		v_claimed := coalesce(v_claimed, '{}');
		IF cardinality(v_claimed) < cardinality(v_claim) THEN
			v_rest := v_rest || ARRAY(SELECT x FROM unnest(v_claim) x EXCEPT SELECT y FROM unnest(v_claimed) y);
		END IF;
		-- The lines, with ids taken here from the coordinator's sequence
		-- (RETURNING, like ON CONFLICT, sends the INSERT down Citus's
		-- slower path), in the award's order.
		SELECT count(*) INTO v_lines
		FROM unnest(v_claim, v_claim_awards) AS c(subject, a), @extschema@.lines(c.a) AS l
		WHERE c.subject = ANY (v_claimed);
		ids := ARRAY(SELECT nextval('@extschema@.ledger_id_seq') FROM generate_series(1, v_lines));
		INSERT INTO @extschema@.ledger AS g (id, policy, version, source, subject, rule, kind,
			instrument, amount, currency, days, new_date, window_kind, window_from, window_until,
			note, bearer, reason, issued_at, issued_by)
		SELECT ids[x.n], p_policy, p_version, p_source, x.subject, x.rule, x.kind, x.instrument,
			x.amount, x.currency, x.days, x.new_date, x.window_kind, x.window_from,
			x.window_until, x.note, x.bearer, $8, now(), session_user
		FROM (SELECT c.subject, l.*, row_number() OVER (ORDER BY c.ord, l.ordinality) AS n
			FROM unnest(v_claim, v_claim_awards) WITH ORDINALITY AS c(subject, a, ord),
				@extschema@.lines(c.a) WITH ORDINALITY AS l
			WHERE c.subject = ANY (v_claimed)) x;
	END IF;
	ids := coalesce(ids, '{}');

	IF cardinality(v_rest) > 0 AND $7 THEN
		pending := ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(v_rest) x ORDER BY 1);
	ELSIF cardinality(v_rest) > 0 THEN
		-- 3. The locks; 4. open lines against awards, under the locks.
		v_locked := @extschema@._lock_subjects_distributed(p_policy, p_source, v_rest);
		ids := ids || @extschema@._reconcile_distributed(p_policy, p_version, p_source, $4, $5,
			v_locked, $8);
	END IF;
	pending := coalesce(pending, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._settle_distributed(text, integer, text, text[], @extschema@.award[],
	text[], boolean, text) IS
	'internal to _settle on Citus: the same steps in statements a distributed ledger accepts (reads one shard at a time, comparison on the coordinator, INSERT ... SELECT routed to the shards)';

-- The issuance lock of each subject: its state row (created if missing),
-- locked by an UPDATE that changes nothing.
CREATE FUNCTION @extschema@._lock_subjects_distributed(policy text, source text, subjects text[])
RETURNS text[]
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_locked text[] := '{}';
	v_part text[];
	v_group text[];
BEGIN
	INSERT INTO @extschema@.issuance AS s (policy, source, subject)
	SELECT $1, $2, x FROM unnest($3) AS x
	ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING;
	-- One shard at a time, in shard order: two sessions lock in one order.
	FOR v_group IN SELECT g FROM @extschema@._subjects_by_shard($3) g LOOP
		EXECUTE format($q$
			WITH locked AS (
				UPDATE @extschema@.issuance AS s SET version = s.version
				WHERE s.policy = %L AND s.source = %L AND s.subject = ANY (%L::text[])
				RETURNING s.subject
			)
			SELECT array_agg(l.subject) FROM locked l$q$, $1, $2, v_group)
			INTO v_part;
		v_locked := v_locked || coalesce(v_part, '{}');
	END LOOP;
	v_locked := ARRAY(SELECT x FROM unnest(v_locked) x ORDER BY x COLLATE "C");
	RETURN coalesce(v_locked, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._lock_subjects_distributed(text, text, text[]) IS
	'internal: _lock_subjects on Citus: the row lock of each subject''s state row, by an UPDATE that changes nothing, shard by shard in shard order (Citus refuses SELECT ... FOR UPDATE over several shards)';

CREATE FUNCTION @extschema@._reconcile_distributed(policy text, version integer, source text,
	subjects text[], awards @extschema@.award[], locked text[], reason text)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	p_source text := $3;
	v_state jsonb;
	v_work text[];
	v_awards @extschema@.award[];
	v_new jsonb;
	v_open @extschema@.ledger[] := '{}';
	v_part @extschema@.ledger[];
	v_group text[];
	v_rows jsonb;
	v_ids bigint[];
BEGIN
	-- The state read under the locks; the subjects whose award changed.
	v_state := @extschema@._state_distributed(p_policy, p_source, $6);
	SELECT array_agg(u.subject ORDER BY u.subject COLLATE "C"), array_agg(u.a ORDER BY u.subject COLLATE "C"),
		jsonb_object_agg(u.subject, jsonb_build_array(encode(u.h, 'hex'),
			(SELECT count(*) FROM @extschema@.lines(u.a))))
	INTO v_work, v_awards, v_new
	FROM (SELECT u.subject, u.a, v_state -> u.subject AS st,
			CASE WHEN u.a IS NULL OR @extschema@.is_empty(u.a) THEN NULL
				ELSE sha256(@extschema@.award_send(u.a)) END AS h
		FROM unnest($4, $5) AS u(subject, a)
		WHERE u.subject = ANY ($6)) u
	WHERE u.st IS NOT NULL AND NOT (u.st ->> 2)::boolean
		AND (u.st ->> 0)::integer <= p_version
		AND (u.st ->> 1) IS DISTINCT FROM encode(u.h, 'hex');
	IF v_work IS NULL THEN
		RETURN '{}';
	END IF;

	-- Their open lines (not reversals, not reversed), one shard at a
	-- time; the anti join is on the subject, so each shard answers alone.
	FOR v_group IN SELECT g FROM @extschema@._subjects_by_shard(v_work) g LOOP
		EXECUTE format($q$
			SELECT array_agg(c)
			FROM @extschema@.ledger c
			WHERE c.policy = %L AND c.source = %L AND c.subject = ANY (%L::text[])
				AND c.reverses IS NULL
				AND NOT EXISTS (SELECT 1 FROM @extschema@.ledger r
					WHERE r.subject = c.subject AND r.reverses = c.id)$q$, p_policy, p_source, v_group)
			INTO v_part;
		v_open := v_open || coalesce(v_part, '{}');
	END LOOP;

	-- Matched one to one with the awards' lines, as _reconcile does: the
	-- reversals first, then the new lines.  The rows are computed here,
	-- given ids from the coordinator's sequence and written by one INSERT
	-- ... SELECT without RETURNING (which sends it down Citus's slower
	-- path); they pass through jsonb, which keeps every value exactly.
	SELECT jsonb_agg(to_jsonb(d) ORDER BY d.subject COLLATE "C", d.phase, d.pos)
	INTO v_rows
	FROM (
		WITH open AS (
			SELECT o.*, row_number() OVER (PARTITION BY o.subject, o.k ORDER BY o.id) AS n
			FROM (SELECT c.*, @extschema@._line_key(c.rule, c.kind, c.instrument, c.amount,
					c.currency, c.days, c.new_date, c.window_kind, c.window_from,
					c.window_until, c.note)
					-- who bears a line is part of what it is (80-bearer.sql)
					|| coalesce(' ' || quote_literal(c.bearer), '') AS k
				FROM unnest(coalesce(v_open, '{}')) c) o
		), want AS (
			SELECT x.*, row_number() OVER (PARTITION BY x.subject, x.k ORDER BY x.ordinality) AS n
			FROM (SELECT w.subject, l.*,
					@extschema@._line_key(l.rule, l.kind, l.instrument, l.amount, l.currency,
						l.days, l.new_date, l.window_kind, l.window_from, l.window_until,
						l.note)
					|| coalesce(' ' || quote_literal(l.bearer), '') AS k
				FROM unnest(v_work, v_awards) AS w(subject, a),
					@extschema@.lines(w.a) WITH ORDINALITY AS l) x
		), diff AS (
			SELECT o.id AS open_id, o.subject AS open_subject, o.rule AS open_rule,
				o.kind AS open_kind, o.instrument AS open_instrument, o.amount AS open_amount,
				o.currency AS open_currency, o.days AS open_days, o.new_date AS open_new_date,
				o.window_kind AS open_window_kind, o.window_from AS open_window_from,
				o.window_until AS open_window_until, o.note AS open_note,
				o.bearer AS open_bearer,
				x.subject, x.ordinality, x.rule, x.kind, x.instrument, x.amount, x.currency,
				x.days, x.new_date, x.window_kind, x.window_from, x.window_until, x.note,
				x.bearer
			FROM open o FULL JOIN want x ON x.subject = o.subject AND x.k = o.k AND x.n = o.n
			WHERE o.id IS NULL OR x.subject IS NULL
		)
		SELECT f.open_subject AS subject, 1 AS phase, f.open_id AS pos, f.open_rule AS rule,
			f.open_kind AS kind, f.open_instrument AS instrument, -f.open_amount AS amount,
			f.open_currency AS currency, -f.open_days AS days, f.open_new_date AS new_date,
			f.open_window_kind AS window_kind, f.open_window_from AS window_from,
			f.open_window_until AS window_until, f.open_note AS note,
			f.open_bearer AS bearer, f.open_id AS reverses
		FROM diff f WHERE f.subject IS NULL
		UNION ALL
		SELECT f.subject, 2, f.ordinality, f.rule, f.kind, f.instrument, f.amount, f.currency,
			f.days, f.new_date, f.window_kind, f.window_from, f.window_until, f.note, f.bearer, NULL
		FROM diff f WHERE f.open_id IS NULL
	) d;
	v_ids := ARRAY(SELECT nextval('@extschema@.ledger_id_seq')
		FROM generate_series(1, coalesce(jsonb_array_length(v_rows), 0)));
	INSERT INTO @extschema@.ledger AS g (id, policy, version, source, subject, rule, kind,
		instrument, amount, currency, days, new_date, window_kind, window_from, window_until,
		note, bearer, reason, issued_at, issued_by, reverses)
	SELECT v_ids[r.n], p_policy, p_version, p_source, r.subject, r.rule, r.kind, r.instrument,
		r.amount, r.currency, r.days, r.new_date, r.window_kind, r.window_from,
		r.window_until, r.note, r.bearer, $7, now(), session_user, r.reverses
	FROM ROWS FROM (jsonb_to_recordset(coalesce(v_rows, '[]'))
			AS (subject text, rule text, kind text, instrument text, amount bigint, currency text,
				days integer, new_date timestamptz, window_kind text, window_from timestamptz,
				window_until timestamptz, note text, bearer text, reverses bigint))
		WITH ORDINALITY AS r(subject, rule, kind, instrument, amount, currency, days, new_date,
			window_kind, window_from, window_until, note, bearer, reverses, n);

	FOR v_group IN SELECT g FROM @extschema@._subjects_by_shard(v_work) g LOOP
		EXECUTE format($q$
			UPDATE @extschema@.issuance AS st
			SET version = %s, issued_at = now(),
				award_hash = decode(%L::jsonb -> st.subject ->> 0, 'hex'),
				open_lines = (%L::jsonb -> st.subject ->> 1)::integer
			WHERE st.policy = %L AND st.source = %L AND st.subject = ANY (%L::text[])$q$,
			p_version, v_new, v_new, p_policy, p_source, v_group);
	END LOOP;
	RETURN coalesce(v_ids, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._reconcile_distributed(text, integer, text, text[],
	@extschema@.award[], text[], text) IS
	'internal: _reconcile on Citus: open lines read one shard at a time, matched with the awards on the coordinator, reversals and new lines written by one INSERT ... SELECT';


REVOKE ALL ON FUNCTION @extschema@._state_distributed(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._subjects_by_shard(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._settle_distributed(text, integer, text, text[],
	@extschema@.award[], text[], boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._lock_subjects_distributed(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._reconcile_distributed(text, integer, text, text[],
	@extschema@.award[], text[], text) FROM PUBLIC;
