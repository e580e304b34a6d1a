# Differential test: random policies x random rows, every evaluation path of
# the extension against an independent oracle (CompensationOracle.pm, a
# second evaluator written from docs/policy-language.md in Perl, with exact
# rationals).  For each policy and row the paths must agree with the oracle:
#   A  compensation.evaluate(rules, t) over the table (the planner rewrites
#      it to _evaluate_columns: checked below with EXPLAIN)
#   E  the same with the policy read from a table (not a constant: the
#      planner passes every column)
#   B  compensation.evaluate(rules, ROW(t.*)::oracle.t), the whole row
#   C  compensation.explain(rules, t): which rules matched, and their lines
#   D  compensation.sum(evaluate(...)) over the rows that do not fail:
#      totals per rule, kind, instrument and unit
#   P  the same sum in a parallel plan (partial sums serialized, combined)
# and errors must agree: a row the oracle says fails must fail on every path
# with the same SQLSTATE, and a row it says succeeds must not.  A, B, C and
# E run first as one query over all rows the oracle says succeed (so
# per-call-site caches see many rows), then row by row for the rows that
# fail.
#
# A policy whose parameters the generator gives other values (issue 12) is
# evaluated on every path as compensation.with_params(policy, overrides),
# and by the oracle with those values; a policy with a shared calendar has
# it defined in compensation.calendar first (issue 11).
#
# Reproducible: seeded.  Environment:
#   COMPENSATION_ORACLE_CASES  policy x row cases to run (default 4000: 37 s
#                              measured on 2 cores at load 5, the server's
#                              work most of it); e.g. 100000 for a long run
#   COMPENSATION_ORACLE_SEED   the seed (default 20261201)
#   COMPENSATION_ORACLE_SHOW   print up to this many disagreements in full
#                              (default 5)
# Long run:
#   COMPENSATION_ORACLE_CASES=100000 make installcheck-tap TAP_TESTS_PL=test/t/002_oracle.pl
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CompensationOracle;

my $cases_wanted = $ENV{COMPENSATION_ORACLE_CASES} // 4000;
my $seed = $ENV{COMPENSATION_ORACLE_SEED} // 20261201;
my $show = $ENV{COMPENSATION_ORACLE_SHOW} // 5;
my $rows_per_batch = 40;
my $policies_per_batch = 25;

my $node = PostgreSQL::Test::Cluster->new('oracle');
$node->init;
$node->start;

my @cols = map { $_->[0] } @CompensationOracle::COLUMNS;
my $coldefs = join ', ', map { "$_->[0] $_->[1]" } @CompensationOracle::COLUMNS;

$node->safe_psql('postgres', <<"SQL");
CREATE EXTENSION compensation;
CREATE SCHEMA oracle;
CREATE TABLE oracle.t (id int PRIMARY KEY, $coldefs);
CREATE TABLE oracle.pol (r compensation.ruleset);

-- A timestamp as microseconds since the epoch ('' for NULL), so that the
-- comparison does not depend on any output format.
CREATE FUNCTION oracle.us(x timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
\$\$ SELECT CASE WHEN x IS NULL THEN '' WHEN isfinite(x)
  THEN ((extract(epoch FROM x) * 1000000)::bigint)::text ELSE x::text END \$\$;

-- An award's lines in order: rule|kind|instrument|amount|days|new_date|
-- window_kind|window_from|window_until|note, separated by ';'; a line's
-- bearer is in the note's place after an at sign (a line has one or neither).
CREATE FUNCTION oracle.fmt(a compensation.award) RETURNS text LANGUAGE sql AS \$\$
SELECT coalesce(string_agg(concat(l.rule, '|', l.kind, '|', l.instrument, '|', l.amount, '|',
  l.days, '|', oracle.us(l.new_date), '|', l.window_kind, '|', oracle.us(l.window_from), '|',
  oracle.us(l.window_until), '|', coalesce(l.note, '\@' || l.bearer)), ';' ORDER BY o), '')
FROM compensation.lines(a) WITH ORDINALITY AS l(rule, kind, instrument, amount, amount_major,
  currency, days, new_date, window_kind, window_from, window_until, note, count, bearer, o) \$\$;

-- A sum's lines: rule|kind|instrument|amount|days|count|bearer, separated
-- by ';'.
CREATE FUNCTION oracle.sumfmt(a compensation.award) RETURNS text LANGUAGE sql AS \$\$
SELECT coalesce(string_agg(concat(l.rule, '|', l.kind, '|', l.instrument, '|', l.amount, '|',
  l.days, '|', l.count, '|', l.bearer), ';' ORDER BY o), '')
FROM compensation.lines(a) WITH ORDINALITY AS l(rule, kind, instrument, amount, amount_major,
  currency, days, new_date, window_kind, window_from, window_until, note, count, bearer, o) \$\$;

-- Runs query q (returning id, a text) over ids: first as one query (unless
-- each), then, if that failed or each is set, row by row.  Emits
-- tag|id|OK|text or tag|id|E|sqlstate|message; tag|*|E|... when the whole
-- query failed.
CREATE FUNCTION oracle.path(tag text, q text, ids int[], each boolean) RETURNS SETOF text
LANGUAGE plpgsql AS \$\$
DECLARE
	out text[];
	rec record;
	k int;
BEGIN
	IF cardinality(ids) = 0 THEN
		RETURN;
	END IF;
	IF NOT each THEN
		BEGIN
			out := '{}';
			FOR rec IN EXECUTE q USING ids LOOP
				out := out || format('%s|%s|OK|%s', tag, rec.id, rec.a);
			END LOOP;
			RETURN QUERY SELECT unnest(out);
			RETURN;
		EXCEPTION WHEN OTHERS THEN
			RETURN NEXT format('%s|*|E|%s|%s', tag, SQLSTATE, replace(SQLERRM, E'\\n', ' '));
		END;
	END IF;
	FOREACH k IN ARRAY ids LOOP
		BEGIN
			out := '{}';
			FOR rec IN EXECUTE q USING ARRAY[k] LOOP
				out := out || format('%s|%s|OK|%s', tag, rec.id, rec.a);
			END LOOP;
			RETURN QUERY SELECT unnest(out);
		EXCEPTION WHEN OTHERS THEN
			RETURN NEXT format('%s|%s|E|%s|%s', tag, k, SQLSTATE, replace(SQLERRM, E'\\n', ' '));
		END;
	END LOOP;
END \$\$;

-- ov: overrides of the policy's parameters; every path then evaluates
-- compensation.with_params(policy, ov).
CREATE FUNCTION oracle.run(src text, ok int[], bad int[], ov jsonb) RETURNS SETOF text
LANGUAGE plpgsql AS \$\$
DECLARE
	lit text := CASE WHEN ov IS NULL THEN quote_literal(src) || '::compensation.ruleset'
		ELSE format('compensation.with_params(%L::compensation.ruleset, %L::jsonb)', src, ov) END;
	qa text;
	qb text;
	qc text;
	qe text;
BEGIN
	BEGIN
		DELETE FROM oracle.pol;
		INSERT INTO oracle.pol VALUES (CASE WHEN ov IS NULL THEN src::compensation.ruleset
			ELSE compensation.with_params(src::compensation.ruleset, ov) END);
	EXCEPTION WHEN OTHERS THEN
		RETURN NEXT format('compile|E|%s|%s', SQLSTATE, replace(SQLERRM, E'\\n', ' '));
		RETURN;
	END;
	qa := format('SELECT t.id, oracle.fmt(compensation.evaluate(%s, t)) AS a
		FROM oracle.t t WHERE t.id = ANY(\$1) ORDER BY t.id', lit);
	qb := format('SELECT t.id, oracle.fmt(compensation.evaluate(%s, ROW(t.*)::oracle.t)) AS a
		FROM oracle.t t WHERE t.id = ANY(\$1) ORDER BY t.id', lit);
	qc := format('SELECT t.id, string_agg(concat(e.rule_no, '':'', e.matched, '':'', oracle.fmt(e.award)),
		''#'' ORDER BY e.rule_no) AS a
		FROM oracle.t t, compensation.explain(%s, t) e WHERE t.id = ANY(\$1) GROUP BY t.id ORDER BY t.id', lit);
	qe := 'SELECT t.id, oracle.fmt(compensation.evaluate(p.r, t)) AS a
		FROM oracle.t t, oracle.pol p WHERE t.id = ANY(\$1) ORDER BY t.id';
	RETURN QUERY SELECT oracle.path('A', qa, ok, false);
	RETURN QUERY SELECT oracle.path('A', qa, bad, true);
	RETURN QUERY SELECT oracle.path('B', qb, ok, false);
	RETURN QUERY SELECT oracle.path('B', qb, bad, true);
	RETURN QUERY SELECT oracle.path('E', qe, ok, false);
	RETURN QUERY SELECT oracle.path('E', qe, bad, true);
	RETURN QUERY SELECT oracle.path('C', qc, ok, false);
	RETURN QUERY SELECT oracle.path('C', qc, bad, true);
	RETURN QUERY SELECT oracle.path('D', format('SELECT 0 AS id, oracle.sumfmt(compensation.sum(
		compensation.evaluate(%s, t))) AS a FROM oracle.t t WHERE t.id = ANY(\$1)', lit), ok, false);
	-- the same sum as a parallel plan: partial sums, serialized and combined
	-- (costly operators: on 40 rows, partial sums then beat one process)
	PERFORM set_config(name, '0', true) FROM unnest(ARRAY['parallel_setup_cost',
		'min_parallel_table_scan_size']) AS name;
	PERFORM set_config('parallel_tuple_cost', '0.1', true);
	PERFORM set_config('cpu_operator_cost', '1000', true);
	PERFORM set_config('max_parallel_workers_per_gather', '2', true);
	PERFORM set_config(name, 'off', true) FROM unnest(ARRAY['enable_indexscan',
		'enable_bitmapscan']) AS name;
	RETURN QUERY SELECT oracle.path('P', format('SELECT 0 AS id, oracle.sumfmt(compensation.sum(
		compensation.evaluate(%s, t))) AS a FROM oracle.t t WHERE t.id = ANY(\$1)', lit), ok, false);
END \$\$;
SQL

# The columns path is the one the planner takes for a table's row.
like($node->safe_psql('postgres', q{EXPLAIN (VERBOSE, COSTS OFF) SELECT compensation.evaluate(
	'policy "p" currency USD rule "r" credit cash n end', t) FROM oracle.t t}),
	qr/_evaluate_columns/, 'evaluate over a table runs as _evaluate_columns');
like($node->safe_psql('postgres', q{EXPLAIN (VERBOSE, COSTS OFF) SELECT compensation.evaluate(p.r, t)
	FROM oracle.t t, oracle.pol p}),
	qr/_evaluate_columns/, 'so does evaluate of a policy read from a table (all columns passed)');
unlike($node->safe_psql('postgres', q{EXPLAIN (VERBOSE, COSTS OFF) SELECT compensation.evaluate(
	'policy "p" currency USD rule "r" credit cash n end', ROW(t.*)::oracle.t) FROM oracle.t t}),
	qr/_evaluate_columns/, 'evaluate over ROW(t.*) does not');

srand($seed);
my %count = (cases => 0, policies => 0, compile_errors => 0, error_cases => 0, lines => 0,
	matched => 0, disagreements => 0, rows => 0);
my %errstates;
my @shown;

# What the generated policies contain: the number of policies in which each
# construct appears (reported, so that a generator change that drops one
# shows).
my @constructs = (
	[ 'hit collect' => qr/^hit collect/m ], [ 'hit first' => qr/^hit first/m ],
	[ 'hit unique' => qr/^hit unique/m ], [ 'rounding header' => qr/^rounding /m ],
	[ 'rounding to N' => qr/round(?:ing)? \w+ to \d/ ], [ 'award round' => qr/ round (?:half|floor|ceil)/ ],
	[ 'policy let' => qr/^let /m ], [ 'rule let' => qr/^  let /m ], [ 'outage' => qr/^outage /m ],
	[ 'tier' => qr/\btier\b/ ], [ 'tier else' => qr/\belse\b/ ], [ 'review' => qr/\breview\b/ ],
	[ 'none' => qr/\bnone\b/ ], [ 'round()' => qr/\bround\(/ ], [ 'min()' => qr/\bmin\(/ ],
	[ 'max()' => qr/\bmax\(/ ], [ 'coalesce()' => qr/\bcoalesce\(/ ], [ 'abs()' => qr/\babs\(/ ],
	[ 'percent' => qr/%/ ], [ 'division' => qr{ / } ], [ 'unary minus' => qr/(?:^|[\s(,])-[\w(]/m ],
	[ 'null literal' => qr/\bnull\b(?! end)/ ], [ 'in list' => qr/ in \(/ ], [ 'in range ..' => qr/ in \S+ \.\. / ],
	[ 'in range ..<' => qr/ in \S+ \.\.< / ], [ 'not in' => qr/ not in / ], [ 'is null' => qr/ is null/ ],
	[ 'is not null' => qr/ is not null/ ], [ 'and' => qr/ and / ], [ 'or' => qr/ or / ], [ 'not' => qr/\bnot [^i]/ ],
	[ 'during outage' => qr/during outage/ ], [ 'outage builtins' => qr/\boutage_(?:hours|days|start|end)\b/ ],
	[ 'hours()/days()' => qr/\b(?:hours|days)\(/ ], [ 'days_in_month()' => qr/days_in_month\(/ ],
	[ 'date + N days/hours' => qr/\b(?:d|ts|l) [-+] \d+ (?:days|hours)/ ], 
	[ 'date + N months/years' => qr/ [-+] \d+ (?:months|years)/ ], [ 'calendar' => qr/^calendar /m ],
	[ 'date + N working days' => qr/ [-+] \d+ working days/ ], [ 'working_days()' => qr/working_days\(/ ],
	[ 'date()' => qr/\bdate\(/ ], [ 'date parts' => qr/\b(?:year|month|day|weekday|hour)\(/ ],
	[ 'duration / duration' => qr/ (?:minutes|hours|days|months|years) \/ \d/ ],
	[ 'extend by months/years/working days' => qr/extend \w+ by .* (?:months|years|working days)$/m ],
[ 'text column' => qr/\bs\b (?:=|<>|<|>|in|not)/ ],
	[ 'boolean column' => qr/\b[fg]\b(?! \.\.)/ ], [ 'timestamp column' => qr/\bl\b/ ], [ 'smallint column' => qr/\bk\b/ ],
	[ 'credit' => qr/^  credit /m ], [ 'waive' => qr/^  waive /m ], [ 'grant' => qr/^  grant /m ],
	[ 'grant for N days' => qr/ for \d+ days/ ], [ 'flag' => qr/^  flag /m ], [ 'claim/valid window' => qr/ (?:claim|valid) / ],
	[ 'extend by N' => qr/extend \w+ by (?!outage)/ ], [ 'extend to' => qr/extend \w+ to / ],
	[ 'extend by outage' => qr/by outage/ ], [ 'review award' => qr/^  review /m ],
	[ 'USD' => qr/currency USD/ ], [ 'KRW' => qr/currency KRW/ ], [ 'KWD' => qr/currency KWD/ ],
	[ 'zone +09:00' => qr/Asia\/Seoul/ ], [ 'zone +05:30' => qr/Asia\/Kolkata/ ],
	[ 'tier below' => qr/ below / ], [ 'case when' => qr/\bcase when\b/ ], [ 'case s when' => qr/\bcase s when\b/ ],
	[ 'between' => qr/ between / ], [ 'decision table' => qr/\btable \(/ ],
	[ 'param' => qr/^param /m ], [ 'cap' => qr/^cap /m ], [ 'minimum' => qr/^minimum /m ],
	[ 'column minor' => qr/^column \w+ minor/m ], [ 'lower()' => qr/\blower\(/ ],
	[ 'starts_with()' => qr/\bstarts_with\(/ ], [ 'contains()' => qr/\bcontains\(/ ],
	[ 'due by' => qr/ due by / ], [ 'shared calendar' => qr/^calendar "[^"]*" shared$/m ], [ 'credit/waive window' => qr/^  (?:credit|waive) .* (?:claim|valid|due) /m ],
	[ 'bearer column' => qr/ bearer s$/m ], [ 'bearer literal' => qr/ bearer '/ ]);
my %covered;

sub disagree
{
	my ($what, $policy, $row, $expected, $got) = @_;
	$count{disagreements}++;
	$count{"disagree $what"}++;
	return if @shown >= $show || ($ENV{COMPENSATION_ORACLE_ONLY} && $what !~ /$ENV{COMPENSATION_ORACLE_ONLY}/);
	push @shown, "--- $what\nexpected: $expected\ngot:      $got\nrow: "
		. ($row ? join(', ', map { "$_=" . (defined $row->{$_} ? $row->{$_} : 'NULL') } @cols) : '-')
		. "\npolicy:\n$policy";
}

my $batch = 0;
while ($count{cases} < $cases_wanted)
{
	$batch++;
	# fresh rows for every batch
	my @rows = map { CompensationOracle::random_row() } 1 .. $rows_per_batch;
	my $sql = "SET TimeZone = 'America/New_York';\nTRUNCATE oracle.t;\nINSERT INTO oracle.t VALUES\n"
		. join(",\n", map {
			my ($k, $r) = ($_ + 1, $rows[$_]);
			"($k, " . join(', ', map { CompensationOracle::sql_literal($_, $r->{$_}) } @cols) . ')'
		} 0 .. $#rows) . ";\n";
	$node->safe_psql('postgres', $sql);
	$count{rows} += @rows;

	my (@policies, @expect);
	$sql = "SET TimeZone = 'America/New_York';\n";
	for my $pk (1 .. $policies_per_batch)
	{
		my $p = CompensationOracle::random_policy("$batch-$pk");
		my $text = CompensationOracle::policy_text($p);
		$text =~ $_->[1] and $covered{ $_->[0] }++ for @constructs;
		my (@ok, @bad, %exp);
		for my $k (1 .. @rows)
		{
			my $res = eval { CompensationOracle::eval_row($p, $rows[ $k - 1 ]) };
			if (my $err = $@)
			{
				die $err unless ref $err;
				$exp{$k} = { error => $err->[0], msg => $err->[1] };
				push @bad, $k;
			}
			else
			{
				$exp{$k} = $res;
				push @ok, $k;
			}
		}
		push @policies, [ $p, $text, \%exp, \@ok, \@bad ];
		my $ov = CompensationOracle::overrides_json($p);
		$count{with_params}++ if defined $ov;
		if (my $cal = CompensationOracle::calendar_sql($p))
		{
			$count{shared_calendars}++;
			$sql .= "$cal\n";
		}
		$sql .= "SELECT 'policy|$pk';\nSELECT oracle.run(\$pol\$$text\$pol\$, '{"
			. join(',', @ok) . "}', '{" . join(',', @bad) . "}', "
			. (defined $ov ? "'$ov'" : 'NULL') . ");\n";
	}
	my $out = $node->safe_psql('postgres', $sql);
	my %got;
	my $cur;
	for my $line (split /\n/, $out)
	{
		if ($line =~ /^policy\|(\d+)$/) { $cur = $1; next; }
		push @{ $got{$cur} }, $line;
	}

	for my $pk (1 .. $policies_per_batch)
	{
		my ($p, $text, $exp, $ok, $bad) = @{ $policies[ $pk - 1 ] };
		$count{policies}++;
		my @lines = @{ $got{$pk} // [] };
		if (@lines && $lines[0] =~ /^compile\|E\|(\w+)\|(.*)/)
		{
			$count{compile_errors}++;
			disagree('compile', $text, undef, 'a ruleset', "$1 $2");
			next;
		}
		my %res;
		for my $l (@lines)
		{
			my ($tag, $id, $st, $rest) = split /\|/, $l, 4;
			$res{$tag}{$id} = [ $st, $rest ];
		}
		for my $path (qw(A B C E))
		{
			if (my $w = $res{$path}{'*'})
			{
				# the whole query failed: the rows one by one must show which
				my $any = grep { ($res{$path}{$_} // [''])->[0] eq 'E' } @$ok;
				disagree("$path whole-table query failed but no row does alone", $text, undef,
					'success', $w->[1]) unless $any;
			}
		}
		for my $k (1 .. $rows_per_batch)
		{
			my $e = $exp->{$k};
			my $row = $rows[ $k - 1 ];
			$count{cases}++;
			if ($e->{error})
			{
				$count{error_cases}++;
				$errstates{ $e->{error} }++;
				for my $path (qw(A B C E))
				{
					my $g = $res{$path}{$k};
					my $gs = $g ? "$g->[0] $g->[1]" : 'nothing';
					if (!$g || $g->[0] ne 'E')
					{
						disagree("$path error", $text, $row, "$e->{error} $e->{msg}", $gs);
					}
					elsif ($g->[1] !~ /^\Q$e->{error}\E\|/)
					{
						disagree("$path sqlstate", $text, $row, "$e->{error} $e->{msg}", $gs);
					}
				}
				next;
			}
			my $want = CompensationOracle::lines_text(@{ $e->{lines} });
			$count{lines} += @{ $e->{lines} };
			$count{matched} += grep { $_ } @{ $e->{matched} };
			for my $path (qw(A B E))
			{
				my $g = $res{$path}{$k};
				my $gs = $g ? "$g->[0] $g->[1]" : 'nothing';
				disagree("$path award", $text, $row, $want, $gs)
					unless $g && $g->[0] eq 'OK' && $g->[1] eq $want;
			}
			my $wantc = join '#', map {
				($_ + 1) . ':' . ($e->{matched}[$_] ? 't' : 'f') . ':' . CompensationOracle::lines_text(@{ $e->{lines_of}[$_] })
			} 0 .. $#{ $e->{matched} };
			my $g = $res{C}{$k};
			my $gs = $g ? "$g->[0] $g->[1]" : 'nothing';
			disagree('C explain', $text, $row, $wantc, $gs)
				unless $g && $g->[0] eq 'OK' && $g->[1] eq $wantc;
		}
		# D: the sum over the rows that succeed
		if (@$ok)
		{
			my (%sum, @order);
			for my $k (@$ok)
			{
				for my $l (@{ $exp->{$k}{lines} })
				{
					my @f = split /\|/, $l, -1;
					# lines are summed by rule, kind, instrument, unit and
					# bearer: an item granted without an amount is apart from
					# amounts; an extension by a duration (days or hours), one
					# by the outage and one to a date are apart
					my $bearer = $f[9] =~ /^@(.*)\z/s ? $1 : '';
					my $key = join '|', @f[ 0 .. 2 ], $f[10] // ($f[3] ne '' ? 'amount' : 'item'), $bearer;
					push @order, $key unless $sum{$key};
					my $s = $sum{$key} //= { amount => undef, days => undef, count => 0 };
					$s->{amount} = ($s->{amount} // Math::BigInt->new(0)) + $f[3] if $f[3] ne '';
					$s->{days} = ($s->{days} // 0) + $f[4] if $f[4] ne '';
					$s->{count}++;
				}
			}
			my $overflow = grep { defined $_->{amount} && $_->{amount} > $CompensationOracle::MAX } values %sum;
			my $want = join ';', sort map {
				my $s = $sum{$_};
				my @k = split /\|/, $_, -1;
				(join '|', @k[ 0 .. 2 ]) . '|' . ($s->{amount} // '') . '|' . ($s->{days} // '') . "|$s->{count}|$k[4]"
			} keys %sum;
			for my $path (qw(D P))
			{
				# the whole sum, or its error (the rows one by one are no sum)
				my $g = $res{$path}{'*'} // $res{$path}{0};
				if ($overflow)
				{
					disagree("$path sum overflow", $text, undef, '22003', $g ? "@$g" : 'nothing')
						unless $g && $g->[0] eq 'E' && $g->[1] =~ /^22003/;
				}
				else
				{
					my $got = $g && $g->[0] eq 'OK' ? join(';', sort split /;/, $g->[1]) : undef;
					disagree("$path sum", $text, undef, $want, $g ? "@$g" : 'nothing')
						unless defined $got && $got eq $want;
				}
			}
		}
	}
}

# Path P is a parallel plan with partial sums (checked on the last rows).
like($node->safe_psql('postgres', q{SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0.1;
	SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
	SET enable_indexscan = off; SET enable_bitmapscan = off; SET cpu_operator_cost = 1000;
	EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT compensation.sum(compensation.evaluate(
	'policy "p" currency USD rule "r" flag f end', t)) FROM oracle.t t WHERE t.id = ANY(
	(SELECT array_agg(g) FROM generate_series(1, 40) g)::int[])}),
	qr/Workers Launched: [1-9].*Partial Aggregate/s, 'path P sums in parallel workers (partial sums combined)');

diag(sprintf "oracle: seed %s, %d cases (%d policies x %d rows each, %d row sets), %d of them errors (%s), "
	. "%d award lines, %d rule matches, %d policies that did not compile, %d policies evaluated "
	. "through with_params(), %d with a shared calendar, %d disagreements",
	$seed, $count{cases}, $count{policies}, $rows_per_batch, $batch, $count{error_cases},
	join(' ', map { "$_: $errstates{$_}" } sort keys %errstates), $count{lines}, $count{matched},
	$count{compile_errors}, $count{with_params} // 0, $count{shared_calendars} // 0, $count{disagreements});
diag('policies containing: ' . join(', ', map { "$_->[0] " . ($covered{ $_->[0] } // 0) } @constructs));
diag($_) for map { "$_: $count{$_}" } sort grep { /^disagree / } keys %count;
diag($_) for @shown;
is($count{disagreements}, 0, "every path agrees with the oracle on $count{cases} cases");
cmp_ok($count{cases} - $count{error_cases}, '>', $count{error_cases}, 'most cases are awards, not errors');

$node->stop;
done_testing();
