# CompensationOracleGen: the generator half of CompensationOracle (the same
# package): random rows, and random policies as trees, which
# CompensationOracle.pm prints as policy text and evaluates.  All
# randomness comes from Perl's rand, seeded by the caller with srand
# (drand48, the same sequence on every platform).
package CompensationOracle;

use strict;
use warnings;

our (@ZONES, %EXPONENT, %MONEY, @MODES, @RATIO_UNITS, @NUM_LITS, @STR_LITS, @COLUMNS, @DAYS, $INF);

sub random_decimal
{
	my $digits = 1 + int(rand(12));
	my $mant = join '', map { int(rand(10)) } 1 .. $digits;
	$mant =~ s/^0+(?=\d)//;
	my $scale = int(rand(7));
	$scale = length($mant) if $scale > length($mant) && chance(0.5);
	my $s = $mant;
	if ($scale > 0)
	{
		$s = ('0' x ($scale - length($s) + 1)) . $s if length($s) <= $scale;
		substr($s, -$scale, 0) = '.';
	}
	return (chance(0.3) ? '-' : '') . $s;
}

# A value of a numeric column, as SQL text (undef is NULL).
sub random_numeric
{
	my $r = rand();
	return undef if $r < 0.12;
	return pick(@NUM_LITS, qw(-1 -0.5 -2.5 -9223372036854775807 0.0000000000000000001
		1e30 1234567890123456789.5 -0.005)) if $r < 0.55;
	return pick('NaN', 'Infinity', '-Infinity') if $r < 0.57;
	return random_decimal();
}

sub random_int
{
	my ($bits) = @_;
	my $r = rand();
	return undef if $r < 0.12;
	if ($bits == 32)
	{
		return pick(0, 1, -1, 2, 3, 5, 7, 10, 100, 1000, 2147483647, -2147483648, 46341)
			if $r < 0.6;
		return int(rand(2000)) - 1000;
	}
	return pick(0, 1, -1, 2, 3, 7, 100, '9223372036854775807', '-9223372036854775807',
		'-9223372036854775808', '3037000500', '4611686018427387904', '1000000000000000000')
		if $r < 0.6;
	return int(rand(2_000_000)) - 1_000_000;
}

sub random_day
{
	return pick(@DAYS) if chance(0.6);
	return days_from_civil(2000, 1, 1) + int(rand(11323));
}

# a row: column => Perl value (undef NULL; numbers as decimal text)
sub random_row
{
	my %row;
	$row{n} = random_numeric();
	$row{m} = random_numeric();
	$row{i} = random_int(32);
	$row{b} = random_int(64);
	$row{k} = chance(0.12) ? undef : pick(0, 1, -1, 5, 32767, -32768, int(rand(200)) - 100);
	$row{s} = chance(0.12) ? undef : pick(@STR_LITS, 'zz', 'a ', 'b');
	$row{f} = pick(undef, 0, 1, 1, 0);
	$row{g} = pick(undef, 0, 1);
	my $r = rand();
	$row{d} = $r < 0.12 ? undef : $r < 0.16 ? pick($INF, -$INF) : random_day();
	$r = rand();
	if ($r < 0.12) { $row{ts} = undef; }
	elsif ($r < 0.15) { $row{ts} = pick($INF, -$INF); }
	else
	{
		# near a local midnight of one of the zones, or anywhere
		my $day = random_day();
		my $off = pick(0, 32400, 19800);
		my $base = day_start($day, $off);
		$row{ts} = $base + pick(0, -1, 1, -1_000_000, 1_000_000, 43200 * 1_000_000,
			int(rand(86400)) * 1_000_000, 86400 * 1_000_000 - 1);
	}
	# a timestamp without time zone: local wall-clock microseconds
	$r = rand();
	if ($r < 0.12) { $row{l} = undef; }
	elsif ($r < 0.15) { $row{l} = pick($INF, -$INF); }
	else
	{
		$row{l} = random_day() * 86_400_000_000 + pick(0, -1, 1, 43200 * 1_000_000,
			int(rand(86400)) * 1_000_000, 86400 * 1_000_000 - 1);
	}
	return \%row;
}

sub sql_literal
{
	my ($col, $v) = @_;
	return 'NULL' unless defined $v;
	my %kind = map { @$_ } @COLUMNS;
	my $k = $kind{$col};
	if ($k eq 'numeric') { return "'$v'::numeric"; }
	if ($k eq 'integer' || $k eq 'bigint' || $k eq 'smallint') { return "'$v'::$k"; }
	if ($k eq 'text') { (my $q = $v) =~ s/'/''/g; return "convert_from('\\x" . unpack('H*', $v) . "', 'UTF8')"; }
	if ($k eq 'boolean') { return $v ? 'true' : 'false'; }
	if ($k eq 'date')
	{
		return "'infinity'::date" if $v == $INF;
		return "'-infinity'::date" if $v == -$INF;
		return "'" . day_text($v) . "'::date";
	}
	if ($k eq 'timestamptz')
	{
		return "'infinity'::timestamptz" if $v == $INF;
		return "'-infinity'::timestamptz" if $v == -$INF;
		return "to_timestamp(0) + '$v microseconds'::interval";
	}
	if ($k eq 'timestamp')
	{
		return "'infinity'::timestamp" if $v == $INF;
		return "'-infinity'::timestamp" if $v == -$INF;
		return "'1970-01-01'::timestamp + '$v microseconds'::interval";
	}
	die "no kind $k";
}

###########################################################################
# Policies as trees.
#
# Numeric expressions:
#   [lit, text] [col, name] [null] [let, name] [neg, e] [bin, op, l, r]
#   [pct, e] [fn, min|max|coalesce, [args]] [abs, e] [round, e, mode, inc-text|undef]
#   [tier, subject, [[bound, result, upto|below]...], else|undef]  (results
#   may be [none], and at the top of an award [review, text])
#   [case, [[cond, result]...], else|undef]
#   [scase, subject, [[[values...], result]...], else|undef]
#   [dtable, hit, [inputs], [[[cells...], output]...], else|undef], a cell
#   [any] [ctest, op, v] [crange, lo, hi, excl] [clist, [values]]
# Conditions:
#   [cmp, op, l, r] (l and r typed by kind) [inlist, not, subj, [elems]]
#   [inrange, not, subj, lo, hi, excl, between] [isnull, not, e] [and, a, b] [or, a, b]
#   [not, a] [bcol, name] [blit, 0|1]
# Other operands: [str, text] [dlit, day] [tslit, micros] [dcol, d|ts]
# The local calendar: [dpart, year|month|day|weekday|hour, time]
#   [dateof, time] [wspan, time, time] (working_days) [ratio, a, unit, b, unit]
#   [dadd, time, +|-, k, months|years|working days]; a policy may have a
#   calendar {weekend => mask (bit 0 Monday), holidays => [days], shared => 0|1}
# Text (issue 11): [lower, t] (a text value); the conditions
#   [tfn, starts_with|contains, t, t]
# The header (issue 11): params [[name, literal tree]...] (lets of one
#   literal), with overrides {name => [json, tree]} for with_params();
#   limits [[cap|minimum, instrument, expr]...]; minor {column => 1}
# A window: [lo, hi, exclusive, claim|valid], or [due, deadline]

sub gen_lit
{
	my $t = pick(@NUM_LITS);
	$t = int(rand(50)) if chance(0.3);
	return [ 'lit', "$t" ];
}

sub gen_num
{
	my ($g, $depth) = @_;
	my $r = rand();
	if ($depth <= 0 || $r < 0.25)
	{
		my $q = rand();
		return gen_lit() if $q < 0.4;
		return [ 'null' ] if $q < 0.43;
		return [ 'let', pick(@{ $g->{lets} }) ] if $q < 0.6 && @{ $g->{lets} };
		return [ 'col', pick(qw(n n m i i b k)) ] if $q < 0.92;
		return [ 'builtin', pick(qw(outage_hours outage_days)) ] if $g->{outage} && $q < 0.95;
		return [ 'span', pick(qw(hours days)), gen_time(), gen_time() ] if $q < 0.97;
		# the local calendar (issue 11): a date part, working days, a
		# duration over a duration
		my $w = rand();
		return [ 'dpart', pick(qw(year month day weekday hour)), gen_time() ] if $w < 0.4;
		return [ 'wspan', gen_time(), gen_time() ] if $w < 0.6 && $g->{calendar};
		return [ 'ratio', pick(0, 1, 2, 3, 15, 90, 720), pick(@RATIO_UNITS), pick(0, 1, 2, 12, 720),
			pick(@RATIO_UNITS) ] if $w < 0.8;
		return [ 'dim', gen_time() ];
	}
	my $d = $depth - 1;
	return [ 'bin', pick(qw(+ - * /)), gen_num($g, $d), gen_num($g, $d) ] if $r < 0.6;
	return [ 'neg', gen_num($g, $d) ] if $r < 0.65;
	return [ 'pct', gen_num($g, 0) ] if $r < 0.7;
	return [ 'fn', pick(qw(min max coalesce)), [ map { gen_num($g, $d) } 1 .. 1 + int(rand(3)) ] ]
		if $r < 0.8;
	return [ 'abs', gen_num($g, $d) ] if $r < 0.84;
	return [ 'round', gen_num($g, $d), pick(@MODES),
		chance(0.5) ? undef : pick(qw(1 0.05 5 100 0.25 0.01 3)) ] if $r < 0.92;
	return gen_tier($g, $d, 0) if $r < 0.96;
	return gen_case($g, $d) if $r < 0.98;
	return gen_dtable($g, $d);
}

# a decision table (issue 11) over 1 to 3 inputs, numbers or the text column
sub gen_dtable
{
	my ($g, $d) = @_;
	my @inputs = map { chance(0.3) ? (chance(0.3) ? [ 'lower', [ 'col', 's' ] ] : [ 'col', 's' ]) : gen_num($g, 0) }
		1 .. 1 + int(rand(3));
	my @rows;
	for (1 .. 1 + int(rand(4)))
	{
		my @cells;
		for my $in (@inputs)
		{
			my $text = ($in->[0] eq 'col' && $in->[1] eq 's') || $in->[0] eq 'lower';
			my $lit = sub { $text ? [ 'str', pick(@STR_LITS) ] : gen_lit() };
			my $q = rand();
			if ($q < 0.3) { push @cells, [ 'any' ]; }
			elsif ($q < 0.55) { push @cells, [ 'ctest', '=', $lit->() ]; }
			elsif ($q < 0.75) { push @cells, [ 'ctest', pick(qw(< <= > >= <>)), $lit->() ]; }
			elsif ($q < 0.9)
			{
				my ($lo, $hi) = ($lit->(), $lit->());
				($lo, $hi) = ($hi, $lo) if $text ? $lo->[1] gt $hi->[1] : rcmp(rat_dec($lo->[1]), rat_dec($hi->[1])) > 0;
				push @cells, [ 'crange', $lo, $hi, chance(0.3) ];
			}
			else { push @cells, [ 'clist', [ map { $lit->() } 1 .. 1 + int(rand(3)) ] ]; }
		}
		push @rows, [ \@cells, chance(0.1) ? [ 'none' ] : gen_num($g, $d > 1 ? 1 : 0) ];
	}
	return [ 'dtable', pick(qw(unique first first collect)), \@inputs, \@rows,
		chance(0.5) ? gen_num($g, 0) : undef ];
}

# case when C then R ... [else E] end, or case s when 'a', 'b' then R ... end
# (issue 11): the first arm that holds, else the else, else null
sub gen_case
{
	my ($g, $d) = @_;
	my @arms;
	my $else = chance(0.6) ? gen_num($g, 0) : undef;
	if (chance(0.5))
	{
		push @arms, [ gen_cond($g, 1), gen_num($g, $d > 1 ? 1 : 0) ] for 1 .. 1 + int(rand(3));
		return [ 'case', \@arms, $else ];
	}
	for (1 .. 1 + int(rand(3)))
	{
		my @vals = map { chance(0.1) ? [ 'null' ] : [ 'str', pick(@STR_LITS) ] } 1 .. 1 + int(rand(2));
		push @arms, [ \@vals, gen_num($g, $d > 1 ? 1 : 0) ];
	}
	return [ 'scase', chance(0.3) ? [ 'lower', [ 'col', 's' ] ] : [ 'col', 's' ], \@arms, $else ];
}

sub gen_tier
{
	my ($g, $d, $top) = @_;
	my @steps;
	my @bounds = sort { rcmp(rat_dec($a), rat_dec($b)) } map { pick(@NUM_LITS, 0, 1, 2, 4, 50, 200) } 1 .. 1 + int(rand(3));
	my $prev;
	for my $b (@bounds)
	{
		next if defined $prev && rcmp(rat_dec($prev), rat_dec($b)) == 0;
		$prev = $b;
		my $res = chance(0.1) ? [ 'none' ] : ($top && chance(0.15)) ? [ 'review', 'step ' . $b ]
			: gen_num($g, $d > 1 ? 1 : 0);
		push @steps, [ [ 'lit', $b ], $res, chance(0.3) ? 'below' : 'upto' ];
	}
	my $else;
	if (chance(0.6))
	{
		$else = ($top && chance(0.4)) ? [ 'review', 'above' ] : chance(0.1) ? [ 'none' ] : gen_num($g, 0);
	}
	return [ 'tier', gen_num($g, $d > 1 ? 1 : 0), \@steps, $else ];
}

# an operand that is a day or an instant
sub gen_time
{
	my $r = rand();
	return [ 'dateof', [ 'dcol', pick('ts', 'l', 'd') ] ] if $r < 0.08;
	return [ 'dcol', pick('d', 'ts', 'l') ] if $r < 0.5;
	return [ 'dlit', random_day() ] if $r < 0.8;
	return [ 'tslit', random_day(), int(rand(24)), pick(0, 30) ];
}

sub gen_cond
{
	my ($g, $depth) = @_;
	my $r = rand();
	if ($depth > 0 && $r < 0.3)
	{
		my $op = pick(qw(and and or));
		return [ $op, gen_cond($g, $depth - 1), gen_cond($g, $depth - 1) ];
	}
	return [ 'not', gen_cond($g, $depth - 1) ] if $depth > 0 && $r < 0.36;
	$r = rand();
	my $cmp = pick(qw(= = <> < <= > >=));
	return [ 'during', chance(0.3), chance(0.7) ? [ 'dcol', pick('d', 'ts', 'l') ] : gen_time() ]
		if $g->{outage} && chance(0.08);
	if ($r < 0.3)
	{
		return [ 'cmp', $cmp, gen_num($g, 1), gen_num($g, 1) ];
	}
	if ($r < 0.4)
	{
		# now and then a comparison of two kinds (an error when a row
		# reaches it with both sides known)
		if ($g->{mistyped} && chance(0.1))
		{
			return [ 'cmp', pick(qw(= <)), pick([ 'col', 's' ], [ 'bcol', 'f' ], [ 'dcol', 'd' ]),
				pick(gen_lit(), [ 'col', pick(qw(n i)) ]) ];
		}
		if (chance(0.5))
		{
			# the text tests (issue 11): lower() lowers ASCII letters only;
			# starts_with() and contains() compare bytes; NULL in, NULL out
			my $text = sub { my $t = chance(0.7) ? [ 'col', 's' ] : [ 'str', pick(@STR_LITS, 'AB', 'TICKET') ];
				return chance(0.4) ? [ 'lower', $t ] : $t; };
			return [ 'cmp', pick(qw(= = <>)), [ 'lower', $text->() ], [ 'str', pick(@STR_LITS, 'ab', 'ticket') ] ]
				if chance(0.3);
			my $needle = chance(0.8) ? [ 'str', pick(@STR_LITS, 'A', 'T', 'c', 'y') ] : $text->();
			return [ 'tfn', pick(qw(starts_with contains)), $text->(), $needle ];
		}
		if (chance(0.2))
		{
			my ($lo, $hi) = sort { $a cmp $b } (pick(@STR_LITS), pick(@STR_LITS));
			return [ 'inrange', chance(0.3), [ 'col', 's' ], [ 'str', $lo ], [ 'str', $hi ], chance(0.3) ];
		}
		return [ 'cmp', pick(qw(= = <> < >)), [ 'col', 's' ], [ 'str', pick(@STR_LITS) ] ];
	}
	if ($r < 0.48) { return [ 'bcol', pick(qw(f g)) ]; }
	if ($r < 0.5) { return [ 'cmp', pick(qw(= <>)), [ 'bcol', 'f' ], pick([ 'blit', 1 ], [ 'blit', 0 ], [ 'bcol', 'g' ]) ]; }
	if ($r < 0.58)
	{
		my $subj = chance(0.2) ? [ 'col', 's' ] : gen_num($g, 1);
		my @el = map { $subj->[0] eq 'col' && $subj->[1] eq 's' ? (chance(0.1) ? [ 'null' ] : [ 'str', pick(@STR_LITS) ])
				: (chance(0.1) ? [ 'null' ] : gen_lit()) } 1 .. 1 + int(rand(3));
		return [ 'inlist', chance(0.3), $subj, \@el ];
	}
	if ($r < 0.65)
	{
		my ($lo, $hi) = sort { rcmp(rat_dec($a), rat_dec($b)) } (pick(@NUM_LITS), pick(@NUM_LITS));
		my $excl = chance(0.3);
		return [ 'inrange', chance(0.3), gen_num($g, 1), [ 'lit', $lo ], [ 'lit', $hi ], $excl,
			!$excl && chance(0.4) ];
	}
	if ($r < 0.72)
	{
		my $e = chance(0.5) ? [ 'col', pick(map { $_->[0] } @COLUMNS) ] : gen_num($g, 1);
		$e = [ 'dcol', $e->[1] ] if $e->[0] eq 'col' && $e->[1] =~ /^(d|ts|l)$/;
		$e = [ 'bcol', $e->[1] ] if $e->[0] eq 'col' && ($e->[1] eq 'f' || $e->[1] eq 'g');
		return [ 'isnull', chance(0.4), $e ];
	}
	if ($r < 0.8)
	{
		# dates: a date or timestamptz column against a day
		my $col = pick('d', 'ts', 'l');
		my $day = random_day();
		if (chance(0.3))
		{
			my ($lo, $hi) = sort { $a <=> $b } ($day, $day + int(rand(10)));
			return [ 'inrange', chance(0.3), [ 'dcol', $col ], [ 'dlit', $lo ], [ 'dlit', $hi ], chance(0.3) ];
		}
		my $left = [ 'dcol', $col ];
		# date arithmetic: a day plus days, an instant plus days or hours;
		# months and years (the end of the month clamped), working days
		$left = [ 'dadd', $left, pick('+', '-'), pick(1, 2, 9, 30), $col eq 'd' ? 'days' : pick('days', 'hours') ]
			if chance(0.3);
		$left = [ 'dadd', [ 'dcol', $col ], pick('+', '-'), pick(0, 1, 2, 11, 13, 48), pick('months', 'years') ]
			if chance(0.25);
		$left = [ 'dadd', [ 'dcol', $col ], pick('+', '-'), pick(0, 1, 2, 7, 30), 'working days' ]
			if $g->{calendar} && chance(0.4);
		$left = [ 'dateof', [ 'dcol', $col ] ] if chance(0.08);
		return [ 'during', chance(0.3), $left ] if $g->{outage} && chance(0.3);
		return [ 'cmp', $cmp, $left, [ 'dlit', $day ] ] if chance(0.6);
		return [ 'cmp', $cmp, [ 'dcol', pick('ts', 'l') ], [ 'builtin', pick('outage_start', 'outage_end') ] ]
			if $g->{outage} && chance(0.3);
		return [ 'cmp', $cmp, [ 'dcol', pick('ts', 'l') ], [ 'tslit', $day, int(rand(24)), pick(0, 30) ] ];
	}
	if ($r < 0.9 && @{ $g->{guards} })
	{
		# COLUMN = CONSTANT first: the rule index
		my $guard = pick(@{ $g->{guards} });
		return [ 'and', $guard, gen_cond($g, $depth - 1) ] if chance(0.6);
		return $guard;
	}
	return [ 'blit', chance(0.5) ? 1 : 0 ] if chance(0.2);
	return [ 'cmp', $cmp, gen_num($g, 2), gen_num($g, 0) ];
}

# An award line, with a bearer (issue 12) on a fifth of the lines that may
# have one: the text column or a literal.
sub gen_award
{
	my ($g) = @_;
	my $a = gen_award_line($g);
	$a->{bearer} = chance(0.5) ? [ 'col', 's' ] : [ 'str', pick(@STR_LITS) ]
		if $a->{kind} =~ /^(credit|waive|grant|extend)$/ && chance(0.2);
	return $a;
}

sub gen_award_line
{
	my ($g) = @_;
	my $r = rand();
	my $rounding = sub {
		return '' if chance(0.5);
		return ' round ' . pick(@MODES) . (chance(0.3) ? ' to ' . pick(1, 5, 10, 100, 3) : '');
	};
	if ($r < 0.45)
	{
		my $amount = chance(0.2) ? gen_tier($g, 2, 1) : gen_num($g, 3);
		my %a = (kind => pick(qw(credit credit waive)), instr => pick(qw(cash deposit fee refund voucher points coupon pass)),
			expr => $amount, round => $rounding->());
		$a{window} = gen_window($g) if chance(0.2);
		return \%a;
	}
	if ($r < 0.6)
	{
		my %a = (kind => 'grant', instr => pick(qw(voucher coupon pass)), round => $rounding->());
		$a{expr} = gen_num($g, 2) if chance(0.7);
		$a{for} = pick(0, 1, 3, 30) if chance(0.4);
		$a{window} = gen_window($g) if chance(0.3);
		return \%a;
	}
	if ($r < 0.75)
	{
		my %a = (kind => 'flag', instr => pick(qw(vip free_return restored)));
		$a{window} = gen_window($g) if chance(0.5);
		return \%a;
	}
	if ($r < 0.8) { return { kind => 'review', note => pick('check', "it's big") }; }
	my $col = pick('d', 'ts', 'l');
	if (chance(0.6))
	{
		# by a number of days (or hours, for an instant): a constant, or
		# the integer column, which can be negative, zero or far too large
		my $by = chance(0.5) ? [ 'lit', pick(0, 1, 2, 5, 30) ]
			: chance(0.5) ? [ 'col', 'i' ] : [ 'bin', pick('-', '+', '*'), [ 'col', 'i' ], [ 'lit', pick(1, 2, 1000, 100000) ] ];
		my $unit = ($col ne 'd' && chance(0.4)) ? 'hours' : 'days';
		# months and years (the end of the month clamped), working days
		# (a small constant: the oracle walks them day by day)
		$unit = pick('months', 'years') if chance(0.2);
		($unit, $by) = ('working days', [ 'lit', pick(0, 1, 2, 5, 30) ]) if $g->{calendar} && chance(0.25);
		return { kind => 'extend', col => $col, by => $by, unit => $unit };
	}
	return { kind => 'extend', col => $col, outage => 1 } if $g->{outage} && chance(0.3);
	return { kind => 'extend', col => $col, to => random_day() };
}

sub gen_window
{
	my ($g) = @_;
	if (chance(0.3))
	{
		# due by a deadline (issue 11): a day or an instant, a column, a
		# column plus days (or working days)
		my $col = pick('d', 'ts', 'l');
		my $r = rand();
		return [ 'due', gen_time() ] if $r < 0.5;
		return [ 'due', [ 'dadd', [ 'dcol', $col ], '+', pick(0, 1, 7, 14), 'days' ] ] if $r < 0.7 || !$g->{calendar};
		return [ 'due', [ 'dadd', [ 'dcol', $col ], '+', pick(0, 1, 7), 'working days' ] ];
	}
	my $lo = random_day();
	return [ [ 'dlit', $lo ], [ 'dlit', $lo + int(rand(20)) ], chance(0.3), pick('claim', 'valid') ]
		if chance(0.7);
	# from a column: d .. d + N days (NULL or infinite d: see window_fields)
	my $col = pick('d', 'ts', 'l');
	return [ [ 'dcol', $col ], [ 'dadd', [ 'dcol', $col ], '+', pick(1, 13, 30), 'days' ], chance(0.3),
		pick('claim', 'valid') ];
}

# A random policy: a hash with its tree; print with policy_text.
sub random_policy
{
	my ($id) = @_;
	my ($zone, $off) = @{ pick(@ZONES) };
	my %p = (
		name => "oracle-$id",
		currency => pick(qw(USD USD KRW KWD)),
		zone => $zone, offset => $off,
		hit => pick(qw(collect collect collect first first unique)),
		rounding => chance(0.6) ? [ pick(@MODES), chance(0.3) ? pick(1, 5, 10, 100) : undef ] : undef,
		lets => [], rules => [], outages => [], params => [], limits => [], minor => {},
		overrides => {});
	my $g = { lets => [], guards => [], mistyped => chance(0.2) };
	if (chance(0.3))
	{
		# a calendar: a weekend that leaves a working day, a few holidays
		my $weekend;
		do { $weekend = pick(0x60, 0x60, 0x30, 0, int(rand(127))) } while ($weekend & 0x7f) == 0x7f;
		my %h = map { $_ => 1 } map { chance(0.5) ? pick(@DAYS) : random_day() } 1 .. int(rand(5));
		# now and then a shared calendar (issue 11): the same days, defined
		# in compensation.calendar and named by the policy
		$p{calendar} = { weekend => $weekend, holidays => [ sort { $a <=> $b } keys %h ],
			shared => chance(0.3) };
		$g->{calendar} = 1;
	}
	if (chance(0.35))
	{
		# one or two windows, apart: [start, end) in microseconds, and text
		my $day = random_day();
		for (1 .. 1 + int(rand(2)))
		{
			my $h = chance(0.5) ? int(rand(24)) : undef;
			my $start = day_start($day, $off) + ($h // 0) * 3_600_000_000;
			my $last = $day + int(rand(5));
			my ($end, $t);
			my $from = day_text($day) . (defined $h ? sprintf(' %02d:00', $h) : '');
			if (chance(0.5) || $last == $day)
			{
				$end = day_start($last + 1, $off);
				$t = "$from .. " . day_text($last);
			}
			else
			{
				my $eh = int(rand(24));
				$end = day_start($last, $off) + $eh * 3_600_000_000;
				$t = "$from ..< " . day_text($last) . sprintf(' %02d:00', $eh);
			}
			push @{ $p{outages} }, [ $start, $end, $t ];
			$day = $last + 2;
		}
		$g->{outage} = 1;
	}
	# guards for the rule index: a column equal to a constant of its kind
	for (1 .. int(rand(4)))
	{
		my $c = pick(qw(n i b s s));
		my @sides = ([ 'col', $c ], $c eq 's' ? [ 'str', pick(@STR_LITS) ] : gen_lit());
		@sides = reverse @sides if chance(0.25);
		push @{ $g->{guards} }, [ 'cmp', '=', @sides ];
	}
	if (chance(0.3))
	{
		# parameters (issue 12): lets of one literal, some of them given
		# other values by with_params() (a JSON number, or a string in the
		# policy's notation)
		for my $k (1 .. 1 + int(rand(2)))
		{
			push @{ $p{params} }, [ "q$k", gen_param_value() ];
			push @{ $g->{lets} }, "q$k";
			next unless chance(0.5);
			my ($json, $tree) = @{ pick([ '0.75', [ 'lit', '0.75' ] ], [ '3', [ 'lit', '3' ] ],
				[ '-2', [ 'neg', [ 'lit', '2' ] ] ], [ '"25%"', [ 'pct', [ 'lit', '25' ] ] ],
				[ '"1.5"', [ 'lit', '1.5' ] ], [ '0', [ 'lit', '0' ] ], [ '12.345', [ 'lit', '12.345' ] ]) };
			$p{overrides}{"q$k"} = [ $json, $tree ];
		}
	}
	if (chance(0.25))
	{
		# columns in minor units (issue 11): read divided by 10^exponent
		$p{minor}{$_} = 1 for map { pick(qw(n m i b k)) } 1 .. 1 + int(rand(2));
	}
	for my $k (1 .. int(rand(3)))
	{
		my $e = gen_num($g, 2);
		push @{ $p{lets} }, [ "p$k", $e ];
		push @{ $g->{lets} }, "p$k";
	}
	if (chance(0.3))
	{
		# payout limits (issue 11): a cap, a minimum, or both, of an
		# instrument the awards use
		my %seen;
		for (1 .. 1 + int(rand(3)))
		{
			my ($kind, $instr) = (pick(qw(cap cap minimum)), pick(qw(cash cash deposit voucher points coupon)));
			next if $seen{"$kind $instr"}++;
			my $e = chance(0.5) ? [ 'lit', pick(qw(0 1 2.5 4 10 12.34 100 0.005 1000000)) ] : gen_num($g, 1);
			push @{ $p{limits} }, [ $kind, $instr, $e ];
		}
	}
	for my $k (1 .. 1 + int(rand(6)))
	{
		my %rule = (name => "R$k", lets => []);
		$rule{when} = gen_cond($g, 2) if chance(0.85);
		my @saved = @{ $g->{lets} };
		for my $j (1 .. (chance(0.2) ? 1 : 0))
		{
			my $e = gen_num($g, 2);
			push @{ $rule{lets} }, [ "r${k}_$j", $e ];
			push @{ $g->{lets} }, "r${k}_$j";
		}
		$rule{awards} = [ map { gen_award($g) } 1 .. int(rand(3)) ];
		@{ $g->{lets} } = @saved;
		push @{ $p{rules} }, \%rule;
	}
	return \%p;
}

# the value of a parameter: a literal number, a percentage, negated
sub gen_param_value
{
	my $v = [ 'lit', pick(qw(0 1 2 3 0.5 12.34 100 1.005 1000000)) ];
	$v = [ 'pct', $v ] if chance(0.3);
	$v = [ 'neg', $v ] if chance(0.2);
	return $v;
}

1;
