
--------------------------------------------------------------------------
-- Settling subjects: the one writer of the ledger, set-based
--------------------------------------------------------------------------
-- 0.1.0 had two writers, _issue (one subject, row by row, with the line
-- list and the line key spelled four times) and _issue_batch (first
-- issuances only); every subject issued before took the per-row path, so a
-- new version over 120,000 orders took 16 times its first issuance.  Now
-- every path (issue(), revoke(), the trigger's row and statement forms,
-- issue_all, reverse_gone) hands a batch of (subject, award) pairs to
-- _settle, which makes each subject's open lines equal its award in a few
-- statements per batch, whatever the batch's size:
--
--   1. one statement evaluates nothing (the awards are given) but hashes
--      each award and probes each subject's state; it claims the subjects
--      that have none and are owed something (INSERT ... ON CONFLICT DO
--      NOTHING: the row inserted is the lock) and writes their lines; it
--      moves subjects whose award is the one already open to the new
--      version (an UPDATE that locks and re-checks each row);
--   2. the rest (an award changed, a claim lost to another session, a
--      subject the caller asks to hold) are locked in subject order, the
--      order every path locks in;
--   3. one statement compares their open lines with their awards, writes
--      the reversals and the new lines in one INSERT, and records the new
--      state.
--
-- A caller that read its rows before locking (issue_all) asks _settle to
-- defer step 2 and 3: it gets the subjects back, locks them, reads their
-- rows again and settles them.

-- The identity of a line within a subject's open lines: what it pays, in a
-- text no session setting changes (instants as epoch seconds).  Identical
-- lines are matched one to one.
CREATE FUNCTION @extschema@._line_key(rule text, kind text, instrument text, amount bigint,
	currency text, days integer, new_date timestamptz, window_kind text,
	window_from timestamptz, window_until timestamptz, note text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT ROW($1, $2, $3, $4, $5, $6, extract(epoch FROM $7), $8, extract(epoch FROM $9),
		extract(epoch FROM $10), $11)::text
$$;
COMMENT ON FUNCTION @extschema@._line_key(text, text, text, bigint, text, integer, timestamptz,
	text, timestamptz, timestamptz, text) IS
	'internal: the text that identifies what a ledger line pays, to match open lines with an award''s lines one to one';

CREATE FUNCTION @extschema@._settle(policy text, version integer, source text,
	subjects text[], awards @extschema@.award[], hold text[] DEFAULT '{}', defer boolean DEFAULT false,
	reason text DEFAULT NULL, OUT ids bigint[], OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	p_source text := $3;
	p_subjects text[] := $4;
	p_awards @extschema@.award[] := $5;
	p_hold text[] := coalesce($6, '{}');
	p_reason text := $8;
	v_rest text[];
	v_locked text[];
	v_more bigint[];
BEGIN
	IF p_policy IS NULL OR p_version IS NULL OR p_source IS NULL OR p_subjects IS NULL
		OR p_awards IS NULL THEN
		RAISE EXCEPTION 'policy, version, source, subjects and awards must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- Lines 0.1.0 issued from an unknown source could be the same rows:
	-- issuing the policy from a named source would pay them again.
	IF p_source <> '' AND EXISTS (SELECT FROM @extschema@.issuance st
		WHERE st.policy = p_policy AND st.source = '') THEN
		RAISE EXCEPTION 'policy "%" has lines issued by 0.1.0 from an unknown source', p_policy
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = format('Issuing it from source "%s" could pay those subjects again.', p_source),
				HINT = format('An administrator names their table first: SELECT compensation.adopt_lines(%L, ''schema.table'', ''key_column'');', p_policy);
	END IF;

	-- 1. Claims, their lines, and version moves, in one statement.
	WITH b AS MATERIALIZED (
		SELECT u.subject, u.ord, u.a,
			CASE WHEN u.a IS NULL OR @extschema@.is_empty(u.a) THEN NULL
				ELSE sha256(@extschema@.award_send(u.a)) END AS h,
			u.subject = ANY (p_hold) AS held
		FROM unnest(p_subjects, p_awards) WITH ORDINALITY AS u(subject, a, ord)
	), s AS MATERIALIZED (
		SELECT b.*, st.subject IS NOT NULL AS has_state, st.revoked_at IS NOT NULL AS revoked,
			st.version AS st_version, st.award_hash AS st_hash
		-- One index probe per subject (LIMIT 1 keeps it a plain index
		-- scan: a hash join would read the policy's whole state).
		FROM b LEFT JOIN LATERAL (SELECT st.subject, st.version, st.award_hash, st.revoked_at
			FROM @extschema@.issuance st
			WHERE st.policy = p_policy AND st.source = p_source AND st.subject = b.subject
			LIMIT 1) st ON true
	), claimed AS (
		INSERT INTO @extschema@.issuance AS i (policy, source, subject, version, award_hash, open_lines, issued_at)
		SELECT p_policy, p_source, s.subject, p_version, s.h,
			(SELECT count(*) FROM @extschema@.lines(s.a)), now()
		FROM s WHERE NOT s.has_state AND s.h IS NOT NULL AND NOT s.held
		ORDER BY s.subject
		ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING
		RETURNING i.subject
	), moved AS (
		-- Owed what is open, under an older version: only the version
		-- moves.  The UPDATE locks each row and re-checks it, so a subject
		-- another session changed in the meantime is not moved but
		-- settled below.
		-- (= ANY: index probes for these subjects only, whatever plan the
		-- join gets; a range scan of the policy's state would make a
		-- trigger firing per row quadratic.)
		UPDATE @extschema@.issuance AS i SET version = p_version
		FROM s
		WHERE s.has_state AND NOT s.held AND NOT s.revoked AND s.st_version < p_version
			AND s.st_hash IS NOT DISTINCT FROM s.h
			AND i.policy = p_policy AND i.source = p_source
			AND i.subject = ANY (ARRAY(SELECT m.subject FROM s AS m
				WHERE m.has_state AND m.st_version < p_version AND m.st_hash IS NOT DISTINCT FROM m.h))
			AND i.subject = s.subject
			AND i.version < p_version AND i.award_hash IS NOT DISTINCT FROM s.h
			AND i.revoked_at IS NULL
		RETURNING i.subject
	), written AS (
		INSERT INTO @extschema@.ledger AS g (policy, version, source, subject, rule, kind,
			instrument, amount, currency, days, new_date, window_kind, window_from, window_until,
			note, reason, issued_at, issued_by)
		SELECT p_policy, p_version, p_source, s.subject, l.rule, l.kind, l.instrument,
			l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from,
			l.window_until, l.note, p_reason, now(), session_user
		FROM s JOIN claimed AS c ON c.subject = s.subject,
			@extschema@.lines(s.a) WITH ORDINALITY AS l
		ORDER BY s.ord, l.ordinality
		RETURNING g.id
	)
	SELECT (SELECT array_agg(w.id ORDER BY w.id) FROM written AS w),
		(SELECT array_agg(s.subject ORDER BY s.subject) FROM s
			WHERE s.held
				OR (NOT s.has_state AND s.h IS NOT NULL
					AND NOT EXISTS (SELECT FROM claimed AS c WHERE c.subject = s.subject))
				OR (s.has_state AND NOT s.revoked
					AND (s.st_version < p_version
						OR (s.st_version = p_version AND s.st_hash IS DISTINCT FROM s.h))
					AND NOT EXISTS (SELECT FROM moved AS m WHERE m.subject = s.subject)))
	INTO ids, v_rest;
	ids := coalesce(ids, '{}');
	v_rest := coalesce(v_rest, '{}');

	IF cardinality(v_rest) > 0 AND defer THEN
		pending := v_rest;
	ELSIF cardinality(v_rest) > 0 THEN
		-- 2. The lock of each subject left, in subject order.
		v_locked := @extschema@._lock_subjects(p_policy, p_source, v_rest);
		-- 3. Open lines against awards, under the locks: the state read
		-- here is the one last committed.
		v_more := @extschema@._reconcile(p_policy, p_version, p_source,
			p_subjects, p_awards, v_locked, p_reason);
		ids := ids || v_more;
	END IF;
	pending := coalesce(pending, '{}');

	-- The outbox and its doorbell, once per call: both transactional, so an
	-- application sees the lines exactly when they commit.
	IF cardinality(ids) > 0 THEN
		INSERT INTO @extschema@.outbox (ledger_id) SELECT unnest(ids);
		PERFORM pg_notify('compensation_ledger', cardinality(ids)::text);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._settle(text, integer, text, text[], @extschema@.award[], text[],
	boolean, text) IS
	'internal: makes the open ledger lines of each (policy, source, subject) equal its award (NULL: owed nothing), in a few set-based statements per batch; hold: subjects locked even if nothing is written; defer: return the subjects that need the lock instead of locking them; reason: recorded on every line written';

-- The issuance lock of each subject, taken in subject order (the order of
-- every path that locks several), creating state rows where none exist.
CREATE FUNCTION @extschema@._lock_subjects(policy text, source text, subjects text[])
RETURNS text[]
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_locked text[];
BEGIN
	INSERT INTO @extschema@.issuance AS s (policy, source, subject)
	SELECT $1, $2, x FROM unnest($3) AS x ORDER BY x
	ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING;
	SELECT array_agg(q.subject) INTO v_locked
	FROM (SELECT s.subject FROM @extschema@.issuance s
		WHERE s.policy = $1 AND s.source = $2 AND s.subject = ANY ($3)
		ORDER BY s.subject FOR UPDATE) q;
	RETURN coalesce(v_locked, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._lock_subjects(text, text, text[]) IS
	'internal: takes the issuance lock of each (policy, source, subject) until the end of the transaction, in subject order; returns the subjects locked';

-- Step 3 of _settle, for subjects whose lock is held: open lines that the
-- award no longer holds are reversed, lines of the award not yet open are
-- written, identical lines matched one to one; reversals first, in the
-- order of the lines they reverse, then new lines in the award's order.
CREATE FUNCTION @extschema@._reconcile(policy text, version integer, source text,
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
	v_ids bigint[];
BEGIN
	WITH w AS MATERIALIZED (
		SELECT u.subject, u.ord, u.a, u.h
		FROM (SELECT u.subject, u.ord, u.a,
				CASE WHEN u.a IS NULL OR @extschema@.is_empty(u.a) THEN NULL
					ELSE sha256(@extschema@.award_send(u.a)) END AS h
			FROM unnest($4, $5) WITH ORDINALITY AS u(subject, a, ord)
			WHERE u.subject = ANY ($6)) u
		JOIN @extschema@.issuance st
			ON st.policy = p_policy AND st.source = p_source AND st.subject = ANY ($6)
				AND st.subject = u.subject
		WHERE st.revoked_at IS NULL
			AND (st.version < p_version
				OR (st.version = p_version AND st.award_hash IS DISTINCT FROM u.h))
	), cur AS MATERIALIZED (
		SELECT c.*, @extschema@._line_key(c.rule, c.kind, c.instrument, c.amount, c.currency, c.days,
			c.new_date, c.window_kind, c.window_from, c.window_until, c.note) AS k
		FROM @extschema@.ledger c
		WHERE c.policy = p_policy AND c.source = p_source
			AND c.subject = ANY (ARRAY(SELECT w.subject FROM w))
	), open AS (
		SELECT o.*, row_number() OVER (PARTITION BY o.subject, o.k ORDER BY o.id) AS n
		FROM cur o
		WHERE o.reverses IS NULL AND NOT EXISTS (SELECT FROM cur r WHERE r.reverses = o.id)
	), want AS (
		SELECT w.subject, w.ord, l.*,
			@extschema@._line_key(l.rule, l.kind, l.instrument, l.amount, l.currency, l.days,
				l.new_date, l.window_kind, l.window_from, l.window_until, l.note) AS k
		FROM w, @extschema@.lines(w.a) WITH ORDINALITY AS l
	), want_n AS (
		SELECT x.*, row_number() OVER (PARTITION BY x.subject, x.k ORDER BY x.ordinality) AS n
		FROM want x
	), written AS (
		INSERT INTO @extschema@.ledger AS g (policy, version, source, subject, rule, kind,
			instrument, amount, currency, days, new_date, window_kind, window_from, window_until,
			note, reason, issued_at, issued_by, reverses)
		SELECT p_policy, p_version, p_source, d.subject, d.rule, d.kind, d.instrument,
			d.amount, d.currency, d.days, d.new_date, d.window_kind, d.window_from,
			d.window_until, d.note, $7, now(), session_user, d.reverses
		FROM (
			SELECT o.subject, 1 AS phase, o.id AS pos, o.rule, o.kind, o.instrument,
				-o.amount AS amount, o.currency, -o.days AS days, o.new_date, o.window_kind,
				o.window_from, o.window_until, o.note, o.id AS reverses
			FROM open o
			WHERE NOT EXISTS (SELECT FROM want_n x
				WHERE x.subject = o.subject AND x.k = o.k AND x.n = o.n)
			UNION ALL
			SELECT x.subject, 2, x.ordinality, x.rule, x.kind, x.instrument,
				x.amount, x.currency, x.days, x.new_date, x.window_kind,
				x.window_from, x.window_until, x.note, NULL
			FROM want_n x
			WHERE NOT EXISTS (SELECT FROM open o
				WHERE o.subject = x.subject AND o.k = x.k AND o.n = x.n)
		) d
		ORDER BY d.subject, d.phase, d.pos
		RETURNING g.id
	), state AS (
		UPDATE @extschema@.issuance AS st
		SET version = p_version, award_hash = w.h, issued_at = now(),
			open_lines = (SELECT count(*) FROM @extschema@.lines(w.a))
		FROM w
		WHERE st.policy = p_policy AND st.source = p_source
			AND st.subject = ANY (ARRAY(SELECT x.subject FROM w AS x)) AND st.subject = w.subject
	)
	SELECT array_agg(x.id ORDER BY x.id) INTO v_ids FROM written x;
	RETURN coalesce(v_ids, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._reconcile(text, integer, text, text[], @extschema@.award[],
	text[], text) IS
	'internal to _settle: for the locked subjects whose state differs from their award, writes the reversals and new lines that make their open lines equal it, and records the new state; returns the ids written';

REVOKE ALL ON FUNCTION @extschema@._settle(text, integer, text, text[], @extschema@.award[], text[],
	boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._lock_subjects(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._reconcile(text, integer, text, text[], @extschema@.award[],
	text[], text) FROM PUBLIC;
