
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
--   1. one call (in C, src/settle_classify.c) hashes each award (they
--      are given: nothing is evaluated here), probes each subject's state
--      and sorts the subjects into claims and locks;
--   2. the subjects that have none and are owed something are claimed
--      (the state row inserted is the lock) and their lines written;
--   3. the rest (an award changed, a claim lost to another session, a
--      subject the caller asks to hold) are locked in subject order, the
--      order every path locks in;
--   4. one statement compares their open lines with their awards, writes
--      the reversals and the new lines in one INSERT, and one records the
--      new state.
--
-- A caller that read its rows before locking (issue_all) asks _settle to
-- defer steps 3 and 4: it gets the subjects back, locks them, reads their
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

-- The outbox and its doorbell, once per _settle call: both transactional,
-- so an application sees the lines exactly when they commit.  On Citus the
-- outbox stays a table of the coordinator, where _settle runs, so the
-- NOTIFY is never part of a worker's prepared transaction.
CREATE FUNCTION @extschema@._announce(ids bigint[])
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF cardinality($1) > 0 THEN
		INSERT INTO @extschema@.outbox (ledger_id) SELECT unnest($1);
		PERFORM pg_notify('compensation_ledger', cardinality($1)::text);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._announce(bigint[]) IS
	'internal to _settle: queues the lines written in the outbox and notifies compensation_ledger once';

-- Step 1 of _settle (src/settle_classify.c): each award's hash (sha256
-- of its binary form; NULL if empty) and each subject's state, read by one
-- index scan walking the batch in the index's order; returns the subjects
-- to claim (with their awards, hashes and line counts) and the rest to
-- lock, each in subject order.
CREATE FUNCTION @extschema@._settle_classify(policy text, version integer, source text,
	subjects text[], awards @extschema@.award[], hold text[],
	OUT claim text[], OUT claim_awards @extschema@.award[], OUT claim_hashes bytea[],
	OUT claim_lines integer[], OUT rest text[])
RETURNS record
AS 'MODULE_PATHNAME', 'compensation_settle_classify'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@._settle_classify(text, integer, text, text[], @extschema@.award[],
	text[]) IS
	'internal to _settle: sorts a batch of (subject, award) into the subjects to claim (no state, owed something) and those to lock (an award changed, or held), by their issuance state';

CREATE FUNCTION @extschema@._settle(policy text, version integer, source text,
	subjects text[], awards @extschema@.award[], hold text[] DEFAULT '{}', defer boolean DEFAULT false,
	reason text DEFAULT NULL, OUT ids bigint[], OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	p_source text := $3;
	p_subjects text[] := $4;
	p_awards @extschema@.award[] := $5;
	p_hold text[] := coalesce($6, '{}');
	p_reason text := $8;
	v_claim text[];
	v_claim_awards @extschema@.award[];
	v_claim_hashes bytea[];
	v_claim_lines integer[];
	v_claimed text[];
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
	-- (Asked of the ledger, whose index leads with (policy, source).)
	IF p_source <> '' AND EXISTS (SELECT 1 FROM @extschema@.ledger g
		WHERE g.policy = p_policy AND g.source = '') THEN
		RAISE EXCEPTION 'policy "%" has lines issued by 0.1.0 from an unknown source', p_policy
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = format('Issuing it from source "%s" could pay those subjects again.', p_source),
				HINT = format('An administrator names their table first: SELECT compensation.adopt_lines(%L, ''schema.table'', ''key_column'');', p_policy);
	END IF;
	-- Versions only go forward: once a newer version is published, an
	-- older one issues nothing (a slow session, or the rest of a run
	-- started before it, cannot undo it).  A subject's state keeps the
	-- version that last wrote its lines: a new version whose award for a
	-- subject is the one already open writes nothing at all.
	IF p_version < (SELECT max(p.version) FROM @extschema@.policy p
		WHERE p.name = p_policy AND p.status = 'published') THEN
		ids := '{}';
		pending := '{}';
		RETURN;
	END IF;
	-- On Citus (compensation.distribute()), the same steps in statements a
	-- distributed ledger accepts.
	IF @extschema@._distributed() THEN
		-- (on one node _settle_classify refuses a subject given twice)
		IF (SELECT count(DISTINCT x) FROM unnest(p_subjects) AS x) <> cardinality(p_subjects) THEN
			RAISE EXCEPTION 'subjects must be distinct' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		SELECT d.ids, d.pending INTO ids, pending
		FROM @extschema@._settle_distributed(p_policy, p_version, p_source, p_subjects, p_awards,
			p_hold, $7, p_reason) d;
		PERFORM @extschema@._announce(ids);
		RETURN;
	END IF;

	-- Every statement below reaches the state and the ledger by key, one
	-- index probe per subject (in C, or a LATERAL probe), and joins what
	-- it must by FULL or hash joins: no plan here depends on statistics,
	-- which a session's cached plans would keep from a time when
	-- compensation.issuance was nearly empty (a first issuance): a nested
	-- loop chosen then cost 58 s on the next version's run, and "subject
	-- = ANY (...)" became a filter over every state row of the policy.
	-- And enable_seqscan is off: no probe may become a scan of every
	-- policy's state.

	-- 1. Hash each award and probe each subject's state; sort the subjects
	-- into those to claim (no state, owed something), those whose open
	-- award is the one owed (nothing to do, whatever version wrote it),
	-- and the rest (an award changed, or held by the caller): one pass in
	-- C (src/settle_classify.c), the claims and the rest in subject order.
	SELECT c.claim, c.claim_awards, c.claim_hashes, c.claim_lines, c.rest
	INTO v_claim, v_claim_awards, v_claim_hashes, v_claim_lines, v_rest
	FROM @extschema@._settle_classify(p_policy, p_version, p_source, p_subjects, p_awards,
		p_hold) c;
	v_rest := coalesce(v_rest, '{}');

	-- 2. Claims: the state row inserted is the subject's lock until commit;
	-- no line of a subject can be open before its state row exists, so the
	-- award's lines are written as they are.  A claim another session won
	-- goes to the rest.
	IF cardinality(v_claim) > 0 THEN
		-- (v_claim is in subject order: its rows are inserted, and so
		-- locked, in that order.)
		-- Many claims (a first issuance): a plain INSERT, a third cheaper
		-- than ON CONFLICT's speculative insertion of each row; a claim
		-- another session committed meanwhile undoes it (a unique
		-- violation) and the claims are made again the careful way.  (Few
		-- claims, a row trigger's: the careful way at once, without the
		-- subtransaction.)
		IF cardinality(v_claim) >= 64 THEN
			BEGIN
				INSERT INTO @extschema@.issuance AS i (policy, source, subject, version, award_hash,
					open_lines, issued_at)
				SELECT p_policy, p_source, c.subject, p_version, c.h, c.n, now()
				FROM unnest(v_claim, v_claim_hashes, v_claim_lines) AS c(subject, h, n);
				v_claimed := v_claim;
			EXCEPTION WHEN unique_violation THEN
				v_claimed := NULL;
			END;
		END IF;
		IF v_claimed IS NULL THEN
			WITH claimed AS (
				INSERT INTO @extschema@.issuance AS i (policy, source, subject, version, award_hash,
					open_lines, issued_at)
				SELECT p_policy, p_source, c.subject, p_version, c.h, c.n, now()
				FROM unnest(v_claim, v_claim_hashes, v_claim_lines) AS c(subject, h, n)
				ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING
				RETURNING i.subject
			)
			SELECT array_agg(c.subject) INTO v_claimed FROM claimed c;
			v_claimed := coalesce(v_claimed, '{}');
		END IF;
		IF cardinality(v_claimed) < cardinality(v_claim) THEN
			v_rest := v_rest || ARRAY(SELECT x FROM unnest(v_claim) x EXCEPT SELECT y FROM unnest(v_claimed) y);
		END IF;
		WITH written AS (
			INSERT INTO @extschema@.ledger AS g (policy, version, source, subject, rule, kind,
				instrument, amount, currency, days, new_date, window_kind, window_from, window_until,
				note, bearer, reason, issued_at, issued_by)
			SELECT p_policy, p_version, p_source, c.subject, l.rule, l.kind, l.instrument,
				l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from,
				l.window_until, l.note, l.bearer, p_reason, now(), session_user
			FROM unnest(v_claim, v_claim_awards) WITH ORDINALITY AS c(subject, a, ord),
				@extschema@.lines(c.a) WITH ORDINALITY AS l
			WHERE cardinality(v_claimed) = cardinality(v_claim)
				OR c.subject IN (SELECT unnest(v_claimed))
			ORDER BY c.ord, l.ordinality
			RETURNING g.id
		)
		SELECT array_agg(w.id ORDER BY w.id) INTO ids FROM written w;
	END IF;
	ids := coalesce(ids, '{}');

	IF cardinality(v_rest) > 0 AND defer THEN
		pending := ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(v_rest) x ORDER BY 1);
	ELSIF cardinality(v_rest) > 0 THEN
		-- 3. The lock of each subject left, in subject order.
		v_locked := @extschema@._lock_subjects(p_policy, p_source, v_rest);
		-- 4. Open lines against awards, under the locks: the state read
		-- here is the one last committed.
		v_more := @extschema@._reconcile(p_policy, p_version, p_source,
			p_subjects, p_awards, v_locked, p_reason);
		ids := ids || v_more;
	END IF;
	pending := coalesce(pending, '{}');

	PERFORM @extschema@._announce(ids);
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
-- (as in _settle: a plan cached while the state was nearly empty must not
-- scan every policy's state to lock a few subjects)
SET enable_seqscan = off
AS $$
DECLARE
	v_locked text[];
BEGIN
	IF @extschema@._distributed() THEN
		RETURN @extschema@._lock_subjects_distributed($1, $2, $3);
	END IF;
	INSERT INTO @extschema@.issuance AS s (policy, source, subject)
	SELECT $1, $2, x FROM unnest($3) AS x ORDER BY x COLLATE "C"
	ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING;
	-- One index probe per subject, in subject order (a nested loop keeps
	-- its outer side's order).  Not "subject = ANY ($3)": with the
	-- statistics of a policy issued for the first time (none of its rows
	-- counted yet) the planner read that as a filter over every state row
	-- of the policy, 5 ms to lock 65 subjects of 27,000 (B8).
	SELECT array_agg(l.subject) INTO v_locked
	FROM (SELECT d.x FROM (SELECT DISTINCT x FROM unnest($3) AS x) d ORDER BY d.x COLLATE "C") u,
		LATERAL (SELECT s.subject FROM @extschema@.issuance s
			WHERE s.policy = $1 AND s.source = $2 AND s.subject = u.x FOR UPDATE) l;
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
SET enable_seqscan = off
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	p_source text := $3;
	v_work text[];
	v_awards @extschema@.award[];
	v_state jsonb;
	v_ids bigint[];
BEGIN
	-- The locked subjects whose state differs from their award (a LATERAL
	-- probe each), with their awards.
	SELECT array_agg(u.subject ORDER BY u.subject COLLATE "C"), array_agg(u.a ORDER BY u.subject COLLATE "C"),
		jsonb_object_agg(u.subject, jsonb_build_array(encode(u.h, 'hex'),
			(SELECT count(*) FROM @extschema@.lines(u.a))))
	INTO v_work, v_awards, v_state
	FROM (SELECT u.subject, u.a,
			CASE WHEN u.a IS NULL OR @extschema@.is_empty(u.a) THEN NULL
				ELSE sha256(@extschema@.award_send(u.a)) END AS h
		FROM unnest($4, $5) AS u(subject, a)
		-- (a hashed semi-join: = ANY would compare each subject with
		-- every locked one)
		WHERE u.subject IN (SELECT unnest($6))) u,
		LATERAL (SELECT st.version, st.award_hash FROM @extschema@.issuance st
			WHERE st.policy = p_policy AND st.source = p_source AND st.subject = u.subject
				AND st.revoked_at IS NULL
			LIMIT 1) st
	WHERE st.version <= p_version AND st.award_hash IS DISTINCT FROM u.h;
	IF v_work IS NULL THEN
		RETURN '{}';
	END IF;

	-- Open lines (issued, not reversals, not reversed: the reversal's
	-- unique index answers) against the awards' lines, matched one to one
	-- by a FULL JOIN (hash or merge, never a nested loop): unmatched open
	-- lines are reversed, unmatched award lines written, reversals first.
	WITH open AS (
		SELECT o.*, row_number() OVER (PARTITION BY o.subject, o.k ORDER BY o.id) AS n
		FROM (SELECT c.*, @extschema@._line_key(c.rule, c.kind, c.instrument, c.amount, c.currency,
				c.days, c.new_date, c.window_kind, c.window_from, c.window_until, c.note)
				-- who bears a line is part of what it is (80-bearer.sql)
				|| coalesce(' ' || quote_literal(c.bearer), '') AS k
			-- (a probe of the ledger's index per subject, not = ANY: see
			-- _lock_subjects; OFFSET 0 keeps the probe from being flattened
			-- into a join the planner could hash over the policy's lines)
			FROM unnest(v_work) AS w(subject), LATERAL (SELECT c.* FROM @extschema@.ledger c
				WHERE c.policy = p_policy AND c.source = p_source AND c.subject = w.subject
				OFFSET 0) c
			WHERE c.reverses IS NULL
				-- a probe of the reversals' unique index per line (an anti
				-- join could read the whole ledger)
				AND (SELECT r.id FROM @extschema@.ledger r
					WHERE r.subject = c.subject AND r.reverses = c.id LIMIT 1) IS NULL) o
	), want AS (
		SELECT x.*, row_number() OVER (PARTITION BY x.subject, x.k ORDER BY x.ordinality) AS n
		FROM (SELECT w.subject, l.*,
				@extschema@._line_key(l.rule, l.kind, l.instrument, l.amount, l.currency, l.days,
					l.new_date, l.window_kind, l.window_from, l.window_until, l.note)
				|| coalesce(' ' || quote_literal(l.bearer), '') AS k
			FROM unnest(v_work, v_awards) AS w(subject, a),
				@extschema@.lines(w.a) WITH ORDINALITY AS l) x
	), diff AS (
		SELECT o.id AS open_id, o.subject AS open_subject, o.rule AS open_rule, o.kind AS open_kind,
			o.instrument AS open_instrument, o.amount AS open_amount, o.currency AS open_currency,
			o.days AS open_days, o.new_date AS open_new_date, o.window_kind AS open_window_kind,
			o.window_from AS open_window_from, o.window_until AS open_window_until, o.note AS open_note,
			o.bearer AS open_bearer,
			x.subject, x.ordinality, x.rule, x.kind, x.instrument, x.amount, x.currency, x.days,
			x.new_date, x.window_kind, x.window_from, x.window_until, x.note, x.bearer
		FROM open o FULL JOIN want x ON x.subject = o.subject AND x.k = o.k AND x.n = o.n
		WHERE o.id IS NULL OR x.subject IS NULL
	), written AS (
		INSERT INTO @extschema@.ledger AS g (policy, version, source, subject, rule, kind,
			instrument, amount, currency, days, new_date, window_kind, window_from, window_until,
			note, bearer, reason, issued_at, issued_by, reverses)
		SELECT p_policy, p_version, p_source, d.subject, d.rule, d.kind, d.instrument,
			d.amount, d.currency, d.days, d.new_date, d.window_kind, d.window_from,
			d.window_until, d.note, d.bearer, $7, now(), session_user, d.reverses
		FROM (
			SELECT f.open_subject AS subject, 1 AS phase, f.open_id AS pos, f.open_rule AS rule,
				f.open_kind AS kind, f.open_instrument AS instrument, -f.open_amount AS amount,
				f.open_currency AS currency, -f.open_days AS days, f.open_new_date AS new_date,
				f.open_window_kind AS window_kind, f.open_window_from AS window_from,
				f.open_window_until AS window_until, f.open_note AS note, f.open_bearer AS bearer,
				f.open_id AS reverses
			FROM diff f WHERE f.subject IS NULL
			UNION ALL
			SELECT f.subject, 2, f.ordinality, f.rule, f.kind, f.instrument, f.amount, f.currency,
				f.days, f.new_date, f.window_kind, f.window_from, f.window_until, f.note, f.bearer, NULL
			FROM diff f WHERE f.open_id IS NULL
		) d
		ORDER BY d.subject COLLATE "C", d.phase, d.pos
		RETURNING g.id
	)
	SELECT array_agg(x.id ORDER BY x.id) INTO v_ids FROM written x;

	-- Their new state, by key (their locks are ours).
	-- (the rows found by a probe each, updated by their tuple ids: see
	-- _lock_subjects)
	UPDATE @extschema@.issuance AS st
	SET version = p_version, issued_at = now(),
		award_hash = decode(v_state -> st.subject ->> 0, 'hex'),
		open_lines = (v_state -> st.subject ->> 1)::integer
	WHERE st.ctid = ANY (ARRAY(SELECT l.ctid FROM unnest(v_work) AS w(subject),
		LATERAL (SELECT s.ctid FROM @extschema@.issuance s
			WHERE s.policy = p_policy AND s.source = p_source AND s.subject = w.subject
			LIMIT 1) l));
	RETURN coalesce(v_ids, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._reconcile(text, integer, text, text[], @extschema@.award[],
	text[], text) IS
	'internal to _settle: for the locked subjects whose state differs from their award, writes the reversals and new lines that make their open lines equal it, and records the new state; returns the ids written';

REVOKE ALL ON FUNCTION @extschema@._settle(text, integer, text, text[], @extschema@.award[], text[],
	boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._lock_subjects(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._settle_classify(text, integer, text, text[], @extschema@.award[],
	text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._announce(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._reconcile(text, integer, text, text[], @extschema@.award[],
	text[], text) FROM PUBLIC;
