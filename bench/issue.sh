# shellcheck shell=bash disable=SC2153  # sourced by bench/run.sh, which sets RUNS, ROOT, ...
# bench/issue.sh: B5 (the issuing trigger) and B6 (issue_all), sourced by
# bench/run.sh after B1-B4 (it uses run.sh's helpers: psql_b, psql_v, q_add,
# session, median, line, res...).  They need the ledger of issue 3; without
# compensation.issue_trigger or compensation.issue_all the figure says
# "skipped: not built yet".
#
# B5: INSERT INTO t SELECT * FROM bench.issue_orders, into a table with the
#     issuing trigger vs the same table without it; the trigger in its row
#     form (FOR EACH ROW) and in its statement form (FOR EACH STATEMENT with
#     a transition table, set-based); the target is judged on the latter,
#     the form for bulk inserts.
# B6: CALL compensation.issue_all(policy, 'bench.issue_orders', 'order_id', 10000)
#     vs one INSERT INTO compensation.ledger ... SELECT ... FROM bench.issue_orders o,
#     compensation.lines(compensation.evaluate(rules, o)) (the policy read
#     once: LIMIT 1 makes the planner put it outside the loop, where an
#     inner Seq Scan of it would be restarted for every order).
# B6's floor (bench/issue.sql): the baseline plus what a first issuance
#     also writes, each timed alone as one plain INSERT ... SELECT of rows
#     staged beforehand: one issuance state row per subject paid
#     (bench.issue_floor_state()) and one outbox row per line
#     (bench.issue_floor_outbox()).  No reads, locks or checks.  B5's floor
#     is the plain insert plus B6's.
# Every timed run issues a freshly published copy of round 1 (see
# bench/issue.sql), and every policy's ledger totals must equal what
# evaluate gives over the same rows (Law 3: the same award in every path).
#
# B8: CALL compensation.issue_all of version 2 (ticket refunds at 130%), after
#     version 1 was issued, vs the first issuance (B6's issue_all).
# B10: CALL compensation.issue_all again with nothing owed vs the first issuance.
#
# bench_issue sets r_b5/v_b5, r_b6/v_b6, r_b8/v_b8 and r_b10/v_b10 for
# run.sh's summary (empty: skipped).

bench_issue() {
	local have_trigger have_issue_all runs want p got n_pol
	have_trigger=$(psql_v "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'compensation' AND p.proname = 'issue_trigger'")
	have_issue_all=$(psql_v "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'compensation' AND p.proname = 'issue_all' AND p.prokind = 'p'")
	if [ "$have_trigger" = 0 ]; then
		res "B5  trigger insert: skipped: not built yet (no compensation.issue_trigger)" ""
	fi
	if [ "$have_issue_all" = 0 ]; then
		res "B6  issue_all: skipped: not built yet (no procedure compensation.issue_all)" ""
	fi
	[ "$have_trigger" != 0 ] || [ "$have_issue_all" != 0 ] || return 0

	# At most 3 runs: these figures take seconds per run.
	runs=$((RUNS < 3 ? RUNS : 3))
	say "B5/B6: issuing round 1 over $(fmt_int "$ISSUE_ROWS") orders, $((runs + 1)) rounds"
	psql_b -v rows="$ISSUE_ROWS" -f "$ROOT/bench/issue.sql"
	q_reset
	if [ "$have_trigger" != 0 ]; then
		q_add b5_plain "CALL bench.issue_prepare('b5-plain');" \
			"INSERT INTO bench.b5_plain SELECT * FROM bench.issue_orders"
		q_add b5_trigger "CALL bench.issue_prepare('b5-trigger');" \
			"INSERT INTO bench.b5_trig SELECT * FROM bench.issue_orders"
		q_add b5_statement "CALL bench.issue_prepare('b5-statement');" \
			"INSERT INTO bench.b5_trig SELECT * FROM bench.issue_orders"
	fi
	if [ "$have_issue_all" != 0 ]; then
		q_add b6_insert "CALL bench.issue_prepare('b6-insert');" \
			"INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, instrument,
				amount, currency, days, new_date, window_kind, window_from, window_until, note,
				issued_at, issued_by)
			SELECT p.name, p.version, 'bench.issue_orders', l.rule, o.order_id::text, l.kind, l.instrument,
				l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from, l.window_until, l.note,
				now(), session_user
			FROM (SELECT * FROM bench.current_policy LIMIT 1) p CROSS JOIN bench.issue_orders o,
				compensation.lines(compensation.evaluate(p.rules, o)) l"
		q_add b6_floor_state "CALL bench.issue_prepare('b6-floor'); CALL bench.issue_floor_stage();" \
			"CALL bench.issue_floor_state()"
		q_add b6_floor_outbox "CALL bench.issue_prepare('b6-floor'); CALL bench.issue_floor_stage();" \
			"CALL bench.issue_floor_outbox()"
		q_add b6_issue_all "CALL bench.issue_prepare('b6-issue_all'); SELECT name AS b6_policy FROM bench.current_policy \\gset" \
			"CALL compensation.issue_all(:'b6_policy', 'bench.issue_orders', 'order_id', 10000)"
		q_add b8_v2 "CALL bench.issue_prepare('b8-v2'); SELECT name AS b8_policy FROM bench.current_policy \\gset" \
			"CALL compensation.issue_all(:'b8_policy', 'bench.issue_orders', 'order_id', 10000)"
		q_add b10_rerun "CALL bench.issue_prepare('b10-rerun'); SELECT name AS b10_policy FROM bench.current_policy \\gset" \
			"CALL compensation.issue_all(:'b10_policy', 'bench.issue_orders', 'order_id', 10000)"
	fi
	session issue "$runs"

	# Every policy issued must have exactly the lines evaluate gives.
	want=$(psql_b -At -c "SELECT l.rule, l.kind, l.instrument, l.amount, l.days, l.count
		FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
		      FROM bench.issue_orders o JOIN bench.policies p ON p.name = 'yes24-round1') t,
			compensation.lines(t.total) l ORDER BY 1, 2, 3")
	n_pol=0
	for p in $(psql_v "SELECT name FROM compensation.policy WHERE incident = 'bench'
		AND name ~ '^(b5-trigger|b5-statement|b6-insert|b6-issue_all)-' ORDER BY name"); do
		got=$(psql_b -At -c "SELECT rule, kind, instrument, sum(amount), sum(days), count(*)
			FROM compensation.ledger WHERE policy = '$p' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
		if [ "$got" != "$want" ]; then
			res "LEDGER TOTALS DIFFER for policy $p (< evaluate, > ledger):"
			diff <(echo "$want") <(echo "$got") | tee -a "$OUT" || true
			fail_run "B5/B6: the ledger of $p differs from evaluate over the same rows"
		fi
		n_pol=$((n_pol + 1))
	done
	# B8 and B10: the ledger's net per rule is what the version in force
	# awards the same rows (a new version pays differences only).
	local want_v2 got_net
	want_v2=$(psql_b -At -c "SELECT l.rule, l.kind, l.instrument, l.amount, l.days
		FROM (SELECT compensation.sum(compensation.evaluate(
				(SELECT compensation.rules(p.name) FROM compensation.policy p
				 WHERE p.name ~ '^b8-v2-' LIMIT 1), o)) AS total
		      FROM bench.issue_orders o) t,
			compensation.lines(t.total) l ORDER BY 1, 2, 3")
	for p in $(psql_v "SELECT DISTINCT name FROM compensation.policy WHERE incident = 'bench'
		AND name ~ '^(b8-v2|b10-rerun)-' ORDER BY name"); do
		got_net=$(psql_b -At -c "SELECT rule, kind, instrument, sum(amount), sum(days)
			FROM compensation.ledger WHERE policy = '$p' GROUP BY 1, 2, 3
			HAVING count(*) FILTER (WHERE reverses IS NULL) > count(*) FILTER (WHERE reverses IS NOT NULL)
			ORDER BY 1, 2, 3")
		case $p in
		b8-v2-*) [ "$got_net" = "$want_v2" ] || fail_run "B8: the net ledger of $p differs from version 2's evaluation" ;;
		*) [ "$got_net" = "$(echo "$want" | cut -d'|' -f1-5)" ] || fail_run "B10: the net ledger of $p differs from evaluate" ;;
		esac
	done
	local label issuing=0
	for label in "${Q_LABEL[@]}"; do
		case $label in b5_trigger | b5_statement | b6_insert | b6_issue_all) issuing=$((issuing + 1)) ;; esac
	done
	[ "$n_pol" -eq $(((runs + 1) * issuing)) ] ||
		fail_run "B5/B6: $n_pol policies issued, expected one per issuing run"
	local lines
	lines=$(echo "$want" | awk -F'|' '{ n += $6 } END { print n }')

	if [ "$have_trigger" != 0 ]; then
		local m_plain m_trig m_stmt
		m_plain=$(median issue b5_plain)
		m_trig=$(median issue b5_trigger)
		m_stmt=$(median issue b5_statement)
		r_b5_row=$(calc "$m_trig / $m_plain")
		r_b5=$(calc "$m_stmt / $m_plain")
		v_b5=$(verdict "$r_b5" "<=" 2)
		res "B5  trigger: INSERT INTO t SELECT * FROM bench.issue_orders ($(fmt_int "$ISSUE_ROWS") orders, $(fmt_int "$lines") ledger lines), median of $runs runs"
		res "    t keyed by order_id; row form: AFTER INSERT OR UPDATE ... FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger(policy, 'order_id')"
		res "    statement form: AFTER INSERT ... REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger(policy, 'order_id')"
		table_head
		line "plain insert (no trigger)" "$m_plain" "$ISSUE_ROWS" issue b5_plain
		line "insert, trigger FOR EACH ROW" "$m_trig" "$ISSUE_ROWS" issue b5_trigger
		line "insert, trigger FOR EACH STATEMENT" "$m_stmt" "$ISSUE_ROWS" issue b5_statement
		res "  row form / plain                          $r_b5_row x" ""
		res "  statement form / plain                    $r_b5 x   target <= 2x: $v_b5"
		if [ "$have_issue_all" != 0 ]; then
			# the trigger's floor: the insert itself, then the rows B6's floor writes
			res "  (plain + B6's floor) / plain              $(calc "($m_plain + $(median issue b6_insert) + $(median issue b6_floor_state) + $(median issue b6_floor_outbox)) / $m_plain") x   (the insert, then the rows it must write, nothing else)"
		fi
		res ""
	fi
	if [ "$have_issue_all" != 0 ]; then
		local m_ins m_state m_outbox m_floor m_all
		m_ins=$(median issue b6_insert)
		m_state=$(median issue b6_floor_state)
		m_outbox=$(median issue b6_floor_outbox)
		m_floor=$(calc1 "$m_ins + $m_state + $m_outbox")
		m_all=$(median issue b6_issue_all)
		r_b6=$(calc "$m_all / $m_ins")
		r_b6_floor=$(calc "$m_floor / $m_ins")
		v_b6=$(verdict "$r_b6" "<=" 1.3)
		res "B6  batch issuance over bench.issue_orders ($(fmt_int "$ISSUE_ROWS") orders, $(fmt_int "$lines") ledger lines), median of $runs runs"
		res "    floor: the single statement, plus what issuing also writes, each a plain INSERT ... SELECT of rows"
		res "    staged beforehand: $(fmt_int "$(psql_v "SELECT count(*) FROM bench.floor_state")") state rows (one per subject paid) and $(fmt_int "$lines") outbox rows (one per line)"
		table_head
		line "one INSERT INTO ledger ... SELECT evaluate" "$m_ins" "$ISSUE_ROWS" issue b6_insert
		line "floor: INSERT of the state rows alone" "$m_state" "$ISSUE_ROWS" issue b6_floor_state
		line "floor: INSERT of the outbox rows alone" "$m_outbox" "$ISSUE_ROWS" issue b6_floor_outbox
		line "CALL issue_all(..., batch_size 10000)" "$m_all" "$ISSUE_ROWS" issue b6_issue_all
		res "  issue_all / single statement             $r_b6 x   target <= 1.3x: $v_b6" \
			"  floor / single statement                 $r_b6_floor x   (single statement + state rows + outbox rows, $m_floor ms)" \
			"  issue_all / floor                        $(calc "$m_all / $m_floor") x" ""
		local m_v2 m_rerun changed awarded
		m_v2=$(median issue b8_v2)
		m_rerun=$(median issue b10_rerun)
		r_b8=$(calc "$m_v2 / $m_all")
		r_b10=$(calc "$m_rerun / $m_all")
		v_b8=$(verdict "$r_b8" "<=" 1)
		v_b10=$(verdict "$r_b10" "<=" 0.3)
		changed=$(psql_v "SELECT count(DISTINCT subject) FROM compensation.ledger
			WHERE policy = (SELECT max(name) FROM compensation.policy WHERE name ~ '^b8-v2-') AND version = 2")
		awarded=$(psql_v "SELECT count(*) FROM compensation.issuance
			WHERE policy = (SELECT max(name) FROM compensation.policy WHERE name ~ '^b8-v2-')")
		res "B8/B10 new versions and re-runs over the same orders, median of $runs runs (version 1 issued before, untimed)"
		res "    B8 version 2: ticket refunds at 130% instead of 120%: $(fmt_int "$changed") of $(fmt_int "$awarded") subjects issued change"
		table_head
		line "CALL issue_all, first issuance (B6)" "$m_all" "$ISSUE_ROWS" issue b6_issue_all
		line "CALL issue_all, version 2" "$m_v2" "$ISSUE_ROWS" issue b8_v2
		line "CALL issue_all, re-run, nothing owed" "$m_rerun" "$ISSUE_ROWS" issue b10_rerun
		res "  B8 version 2 / first issuance            $r_b8 x   target <= 1x: $v_b8"
		res "  B10 re-run / first issuance              $r_b10 x   target <= 0.3x: $v_b10" ""
	fi
	res "  ledger: every policy issued ($n_pol) holds exactly the lines evaluate gives over the same rows" ""
	if [ "$have_trigger" != 0 ]; then
		profile b5 "B5 insert of 20,000 orders with the issuing trigger" \
			"CALL bench.issue_prepare('b5-trigger'); INSERT INTO bench.b5_trig SELECT * FROM bench.issue_orders WHERE order_id <= 20000"
	fi
}
